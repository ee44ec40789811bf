"""The fault values: what the simulated server does on one attempt, each checked when it is made.

    >>> status(429, retry_after=2).label(), ok().label(), timeout("connect").label(), stream_error().label()
    ('429(retry-after=2)', '200', 'connect-timeout', 'stream-error')

**retry-after and retry-after-ms** take a number >= 0 (``inf`` included), or
any other header text, sent exactly as written — what a misbehaving server or
proxy might send::

    >>> status(429, retry_after="soon").label(), status(429, retry_after=math.inf).label()
    ("429(retry-after='soon')", '429(retry-after=inf)')

Building the response never does arithmetic on such a value beyond a bound
(:data:`~ctlab.inputs.MAX_WAIT`), so the SDK always receives the 429 and treats
the header as it treats any header: it ignores text it cannot read as a number
or a date, and a value <= 0 or ``nan``, and falls back to its own backoff; it
caps a larger value (``inf``, ``1e12``) at ``MAX_WAIT`` seconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..i18n import CtlabError, Text, register, t
from ..inputs import MAX_HEADER_TEXT, check_text, invalid, is_header_text, is_snake_case, short_repr

register(
    __name__,
    {
        "fault.status_range": Text(
            "状态码 {value} 不在可模拟的范围内：错误状态只能是 400–599，成功请写 200 或 ok",
            "status {value} cannot be simulated: error statuses must be 400-599; write 200 or ok for a success",
        ),
        "fault.option": Text(
            "{fault} 不支持选项 {option!r}，可用的选项：{allowed}",
            "{fault} does not take option {option!r}; allowed options: {allowed}",
        ),
        "fault.allowed_error_code": Text(
            "小写字母加下划线，例如 enforced_spend_limit_reached", "snake_case, e.g. enforced_spend_limit_reached"
        ),
        "fault.allowed_retry_after": Text(
            "大于等于 0 的数：retry-after 是秒数，retry-after-ms 是毫秒数，inf 也可以；"
            "想让服务端原样发送别的文字，就给文字加上引号，例如 \"429(retry-after='soon')\"，"
            "在 Python 里写 status(429, retry_after='soon')",
            "a number >= 0: seconds for retry-after, milliseconds for retry-after-ms, inf included; "
            "to have the server send any other text as it is, put the text in quotes, "
            "e.g. \"429(retry-after='soon')\", or in Python status(429, retry_after='soon')",
        ),
        "fault.allowed_header_text": Text(
            "可打印的 ASCII 文字，最多 {limit} 个字符，首尾不能有空格",
            "printable ASCII text of at most {limit} characters, with no space at either end",
        ),
        "fault.allowed_error_type": Text(
            "小写字母加下划线，例如 overloaded_error、api_error", "snake_case, e.g. overloaded_error, api_error"
        ),
        "fault.allowed_should_retry": Text(
            "True、False，或 None（不发送这个响应头）", "True, False, or None (no such header)"
        ),
        "fault.allowed_phase": Text(
            "'read'（服务端一直不回应）或 'connect'（连接一直建立不起来）；ctlab 不模拟 'write' 和 'pool' 超时",
            "'read' (the server never answers) or 'connect' (the connection is never made); "
            "ctlab simulates no 'write' or 'pool' timeout",
        ),
        "fault.allowed_headers": Text(
            "响应头名 → 文字 的 dict：名字由字母、数字和 - 组成，不能是 content-length、transfer-encoding 或 connection"
            "（这几个由 ctlab 设置）；值是可打印的 ASCII 文字，最多 {limit} 个字符",
            "a dict of header name → text: names of letters, digits and -, other than content-length, "
            "transfer-encoding and connection (ctlab sets those); values printable ASCII text of at most {limit} "
            "characters",
        ),
    },
)

_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,100}")
#: Headers ctlab sets itself to frame the body; a fault may not send its own.
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection"})


def check_status(status_code: object) -> None:
    """Refuse anything but an ``int`` error status 400–599."""
    if not isinstance(status_code, int) or isinstance(status_code, bool) or not 400 <= status_code <= 599:
        raise CtlabError("fault.status_range", value=short_repr(status_code))


def _retry_after(call: str, name: str, value: object) -> float | str | None:
    """A ``retry-after`` option as stored: ``None``, a number >= 0 (``inf`` too) as a float, or header text."""
    if value is None:
        return None
    if isinstance(value, str):
        if not is_header_text(value):
            raise invalid(call, name, value, t("fault.allowed_header_text", limit=MAX_HEADER_TEXT))
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            number = math.inf
        if number >= 0:
            return number
    raise invalid(call, name, value, t("fault.allowed_retry_after"))


def _headers_ok(headers: object) -> bool:
    return isinstance(headers, Mapping) and all(
        isinstance(name, str)
        and _HEADER_NAME.fullmatch(name)
        and name.lower() not in _FRAMING
        and is_header_text(value)
        for name, value in headers.items()
    )


@dataclass(frozen=True)
class Status:
    """An HTTP error response with Anthropic's error body.

    ``retry_after`` (seconds) and ``retry_after_ms`` set those headers: a number
    >= 0 (``math.inf`` included; kept as a float), or a ``str`` sent as it is,
    e.g. ``"soon"`` (see the module's docstring for what the SDK does with it).
    ``should_retry`` sets ``x-should-retry``; ``error_code`` goes into
    ``error.details.error_code`` (e.g. ``"enforced_spend_limit_reached"``);
    ``message`` replaces the error body's message; ``headers`` adds headers.
    Every value is checked when the fault is made.
    """

    status_code: int
    retry_after: float | str | None = None
    retry_after_ms: float | str | None = None
    should_retry: bool | None = None
    error_code: str | None = None
    message: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_status(self.status_code)
        call = f"status({self.status_code})"
        object.__setattr__(self, "retry_after", _retry_after(call, "retry_after", self.retry_after))
        object.__setattr__(self, "retry_after_ms", _retry_after(call, "retry_after_ms", self.retry_after_ms))
        if self.should_retry is not None and not isinstance(self.should_retry, bool):
            raise invalid(call, "should_retry", self.should_retry, t("fault.allowed_should_retry"))
        if self.error_code is not None and not is_snake_case(self.error_code):
            raise invalid(call, "error_code", self.error_code, t("fault.allowed_error_code"))
        if self.message is not None:
            check_text(call, "message", self.message)
        if not _headers_ok(self.headers):
            raise invalid(call, "headers", self.headers, t("fault.allowed_headers", limit=MAX_HEADER_TEXT))

    def label(self) -> str:
        options = [
            f"{name}={text}"
            for name, text in (
                ("retry-after", _option_text(self.retry_after)),
                ("retry-after-ms", _option_text(self.retry_after_ms)),
                ("x-should-retry", _option_text(self.should_retry)),
                ("error-code", self.error_code),
            )
            if text is not None
        ]
        return f"{self.status_code}({', '.join(options)})" if options else str(self.status_code)


@dataclass(frozen=True)
class Reply:
    """A successful answer (``200``): a message, or an SSE stream if the request asked to stream."""

    text: str = "你好！Hello!"

    def __post_init__(self) -> None:
        check_text("ok()", "text", self.text)

    def label(self) -> str:
        return "200"


@dataclass(frozen=True)
class Timeout:
    """The server never answers: the SDK gives up after its timeout (``APITimeoutError``).

    ``phase="read"`` costs the client's read timeout; ``"connect"`` its connect
    timeout. Other phases are refused, never played as one of these: ctlab
    simulates no ``"write"`` timeout (a server cannot make a small request time
    out while it is sent) and no ``"pool"`` timeout (the client's own queue).
    """

    phase: Literal["read", "connect"] = "read"

    def __post_init__(self) -> None:
        if self.phase not in ("read", "connect"):
            raise invalid("timeout()", "phase", self.phase, t("fault.allowed_phase"))

    def label(self) -> str:
        return "timeout" if self.phase == "read" else "connect-timeout"


@dataclass(frozen=True)
class Disconnect:
    """The connection drops before any response (``APIConnectionError``)."""

    def label(self) -> str:
        return "disconnect"


@dataclass(frozen=True)
class StreamError:
    """A ``200`` event stream that sends ``after`` as text, then an ``error`` event of ``error_type`` (snake_case)."""

    error_type: str = "overloaded_error"
    after: str = "你好，"

    def __post_init__(self) -> None:
        if not is_snake_case(self.error_type):
            raise invalid("stream_error()", "error_type", self.error_type, t("fault.allowed_error_type"))
        check_text("stream_error()", "after", self.after)

    def label(self) -> str:
        return "stream-error" if self.error_type == "overloaded_error" else f"stream-error({self.error_type})"


#: Any one fault.
Fault = Status | Reply | Timeout | Disconnect | StreamError
#: Every fault class, for ``isinstance`` checks.
FAULT_TYPES = (Status, Reply, Timeout, Disconnect, StreamError)

#: The options :func:`status` takes (the fields of :class:`Status` after the code).
STATUS_FIELDS: tuple[str, ...] = ("retry_after", "retry_after_ms", "should_retry", "error_code", "message", "headers")


def status(status_code: int, **options: object) -> Status:
    """An error status, e.g. ``status(429, retry_after=2)``: the code 400–599 and every option are checked."""
    check_status(status_code)
    for name in options:
        if name not in STATUS_FIELDS:
            allowed = ", ".join(STATUS_FIELDS)
            raise CtlabError("fault.option", fault=f"status({status_code})", option=name, allowed=allowed)
    return Status(status_code, **options)  # type: ignore[arg-type]  # each option's type is checked by Status


def ok(text: str = Reply.text) -> Reply:
    """A ``200`` whose reply is ``text`` (a ``str`` of at most :data:`~ctlab.inputs.MAX_TEXT` characters)."""
    return Reply(text)


def timeout(phase: Literal["read", "connect"] = "read") -> Timeout:
    """The server never answers: ``"read"`` (the default) or ``"connect"``; any other phase is refused."""
    return Timeout(phase)


def disconnect() -> Disconnect:
    """The connection drops before any response."""
    return Disconnect()


def stream_error(error_type: str = "overloaded_error", *, after: str = StreamError.after) -> StreamError:
    """A ``200`` stream that sends ``after``, then an ``error`` event of ``error_type`` (snake_case)."""
    return StreamError(error_type, after)


def _fmt(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _quote(text: str) -> str:
    """Header text as the fault language writes it: in quotes."""
    mark = "'" if "'" not in text else '"'
    return f"{mark}{text}{mark}"


def _option_text(value: object) -> str | None:
    """How a label writes an option: ``2``, ``true``, ``'soon'``; ``None`` when it is not set."""
    if value is None:
        return None
    return _quote(value) if isinstance(value, str) else _fmt(value)


def header_value(value: float | str | bool) -> str:
    """The header text for an option's value: a number written plainly (``2``, ``0.5``, ``inf``), text as it is.

    >>> header_value(2.0), header_value("soon"), header_value(math.inf), header_value(False)
    ('2', 'soon', 'inf', 'false')
    """
    return value if isinstance(value, str) else _fmt(value)
