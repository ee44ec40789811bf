"""What the simulated server does on each attempt.

A fault is a small value; a :class:`Script` is the sequence a server plays, one
fault per HTTP attempt, **the last one repeating forever**. Build faults in
Python or type them as text::

    >>> parse("429(retry-after=2)*2 200").labels()
    ['429(retry-after=2)', '429(retry-after=2)', '200']
    >>> parse([status(529), ok("hi")]).labels()
    ['529', '200']

Text words: an HTTP status 400–599, ``200``/``ok``, ``timeout`` (the server
never answers), ``connect-timeout``, ``disconnect`` (the connection drops),
``stream-error`` (a 200 stream that fails midway). ``*N`` repeats a word;
``(key=value, ...)`` sets options (see :data:`STATUS_OPTIONS`). Words and
option names are case-insensitive.

**retry-after and retry-after-ms** take a number >= 0 (``inf`` included), or
any other header text in quotes, sent exactly as written — what a misbehaving
server or proxy might send::

    >>> parse("429(retry-after='soon') 429(retry-after=inf)").labels()
    ["429(retry-after='soon')", '429(retry-after=inf)']

Building the response never does arithmetic on such a value beyond a bound
(:data:`MAX_WAIT`), so the SDK always receives the 429 and treats the header
as it treats any header: it ignores text it cannot read as a number or a date,
and a value <= 0 or ``nan``, and falls back to its own backoff; it caps a
larger value (``inf``, ``1e12``) at :data:`MAX_WAIT` seconds. A bare word that
is not a number >= 0 (``retry-after=soon``, ``=nan``, ``=-1``) is refused as a
likely typo, with the error saying how to quote it.

**Bounds**, so that no simulation can run away (each one is checked where the
value enters, with a :class:`~ctlab.i18n.CtlabError` naming what is allowed):

* :data:`MAX_FAULTS` — faults in one script, and the largest ``N`` in ``*N``;
* :data:`MAX_SCRIPT_TEXT` — characters of fault-script text;
* :data:`MAX_RETRIES` — the most ``max_retries`` a simulated client takes
  (enforced by :mod:`ctlab.clients`); a simulated request costs no waiting but
  still runs the real SDK, about 0.6 ms of real time, so the bound is a few seconds;
* :data:`MAX_WAIT` — the longest single wait, the SDK's own cap on a retry-after;
* :data:`MAX_TEXT` and :data:`MAX_HEADER_TEXT` — reply and header text.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Literal, Union

from .i18n import CtlabError, Text, register, t

register(
    __name__,
    {
        "fault.unknown": Text(
            "看不懂的故障 {value}。可以写：HTTP 状态码 400–599、200/ok、timeout、connect-timeout、"
            "disconnect、stream-error，后面可加 *次数 或 (选项)，例如 \"429(retry-after=2)*3 200\"",
            "unknown fault {value}. Allowed: an HTTP status 400-599, 200/ok, timeout, connect-timeout, "
            "disconnect, stream-error, optionally followed by *count or (options), e.g. \"429(retry-after=2)*3 200\"",
        ),
        "fault.status_range": Text(
            "状态码 {value} 不在可模拟的范围内：错误状态只能是 400–599，成功请写 200 或 ok",
            "status {value} cannot be simulated: error statuses must be 400-599; write 200 or ok for a success",
        ),
        "fault.option": Text(
            "{fault} 不支持选项 {option!r}，可用的选项：{allowed}",
            "{fault} does not take option {option!r}; allowed options: {allowed}",
        ),
        "fault.option_value": Text(
            "选项 {option} 的值 {value!r} 不合法（要求：{allowed}）",
            "option {option} has an invalid value {value!r} (expected: {allowed})",
        ),
        "fault.allowed_error_code": Text("小写字母加下划线，例如 enforced_spend_limit_reached", "snake_case, e.g. enforced_spend_limit_reached"),
        "fault.empty": Text(
            "故障脚本是空的：至少写一个，例如 \"429 200\"",
            "the fault script is empty: give at least one fault, e.g. \"429 200\"",
        ),
        "fault.type": Text(
            "无法把 {value} 当作故障：请传入字符串（如 \"429 200\"）、ctlab 的故障对象或它们的列表",
            "cannot use {value} as faults: pass a string (e.g. \"429 200\"), a ctlab fault, or a list of them",
        ),
        "input.argument": Text("{call} 的参数 {name} 不能是 {value}，要求：{allowed}", "{call}: {name} cannot be {value}; expected: {allowed}"),
        "input.allowed.text": Text("字符串（str），最多 {limit} 个字符", "a str of at most {limit} characters"),
        "input.allowed.int": Text("整数", "a whole number"),
        "input.allowed.int_range": Text("{low} 到 {high} 的整数", "a whole number from {low} to {high}"),
        "input.allowed.bool": Text("True 或 False", "True or False"),
        "input.allowed.seconds": Text("大于 0、不超过 {limit} 的秒数", "a number of seconds above 0 and at most {limit}"),
        "input.allowed.function": Text("函数 call(client)，或 None", "a function call(client), or None"),
        "input.allowed.functions": Text("名字 → 函数 call(client) 的 dict，至少一项", "a dict of name → function call(client), with at least one entry"),
        "input.allowed.script": Text("故障脚本文字，例如 \"429 200\"", "a fault script as text, e.g. \"429 200\""),
        "input.allowed.scripts": Text("故障脚本文字的列表，例如 [\"429 200\", \"529\"]", "a list of fault scripts as text, e.g. [\"429 200\", \"529\"]"),
        "fault.allowed_retry_after": Text(
            "大于等于 0 的数：retry-after 是秒数，retry-after-ms 是毫秒数，inf 也可以；"
            "想让服务端原样发送别的文字，就给文字加上引号，例如 \"429(retry-after='soon')\"，"
            "在 Python 里写 status(429, retry_after='soon')",
            "a number >= 0: seconds for retry-after, milliseconds for retry-after-ms, inf included; "
            "to have the server send any other text as it is, put the text in quotes, e.g. \"429(retry-after='soon')\", "
            "or in Python status(429, retry_after='soon')",
        ),
        "fault.allowed_header_text": Text(
            "可打印的 ASCII 文字，最多 {limit} 个字符，首尾不能有空格",
            "printable ASCII text of at most {limit} characters, with no space at either end",
        ),
        "fault.allowed_error_type": Text("小写字母加下划线，例如 overloaded_error、api_error", "snake_case, e.g. overloaded_error, api_error"),
        "fault.allowed_should_retry": Text("True、False，或 None（不发送这个响应头）", "True, False, or None (no such header)"),
        "fault.allowed_phase": Text(
            "'read'（服务端一直不回应）或 'connect'（连接一直建立不起来）；ctlab 不模拟 'write' 和 'pool' 超时",
            "'read' (the server never answers) or 'connect' (the connection is never made); ctlab simulates no 'write' or 'pool' timeout",
        ),
        "fault.allowed_headers": Text(
            "响应头名 → 文字 的 dict：名字由字母、数字和 - 组成，不能是 content-length、transfer-encoding 或 connection"
            "（这几个由 ctlab 设置）；值是可打印的 ASCII 文字，最多 {limit} 个字符",
            "a dict of header name → text: names of letters, digits and -, other than content-length, transfer-encoding "
            "and connection (ctlab sets those); values printable ASCII text of at most {limit} characters",
        ),
        "fault.repeat": Text(
            "重复次数 {value} 不合法：*N 里的 N 必须是 1 到 {limit} 的整数",
            "invalid repeat count {value}: N in *N must be a whole number from 1 to {limit}",
        ),
        "fault.too_many": Text(
            "故障脚本最多只能有 {limit} 个故障。最后一个会一直重复，所以脚本不必更长",
            "a fault script holds at most {limit} faults. The last one repeats forever, so a script never needs to be longer",
        ),
        "fault.too_long": Text(
            "故障脚本太长：{length} 个字符，最多 {limit} 个。重复的故障请用 *N 表示，例如 \"429*100 200\"",
            "the fault script is too long: {length} characters, at most {limit}. Write repeats with *N, e.g. \"429*100 200\"",
        ),
        "fault.duplicate": Text("{fault} 里的选项 {option} 写了两次", "{fault} sets option {option} twice"),
        "fault.stream_error_type": Text(
            "{fault} 只能写一个错误类型（小写字母加下划线），例如 stream-error(api_error)",
            "{fault} takes one error type in snake_case, e.g. stream-error(api_error)",
        ),
    },
)

#: The most faults one script may hold, and the largest ``N`` in ``*N``. The last
#: fault repeats forever, so a longer script would never be played to its end.
MAX_FAULTS = 10_000
#: The most characters of fault-script text :func:`parse` reads.
MAX_SCRIPT_TEXT = 1_000_000
#: The most ``max_retries`` a simulated client may be given (so at most
#: ``MAX_RETRIES + 1`` requests per call): about 6 s of real time when every one fails.
MAX_RETRIES = 10_000
#: The longest single wait, in seconds (about 49.7 days): the SDK's own cap on a
#: ``retry-after`` wait (``time.sleep``'s limit on some platforms). A rate-limit
#: reset header never lies further ahead than this.
MAX_WAIT = 4_294_967.0
#: The most characters of a reply, a stream's text or an error message.
MAX_TEXT = 100_000
#: The most characters of one header's text (a quoted ``retry-after``, an extra header).
MAX_HEADER_TEXT = 1_000

_SNAKE = re.compile(r"[a-z0-9_]{1,100}")
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,100}")
_HEADER_TEXT = re.compile(r"(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?")
#: Headers ctlab sets itself to frame the body; a fault may not send its own.
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection"})
_QUOTES = "'\""

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 80


def short_repr(value: object) -> str:
    """``repr(value)``, shortened when long (a learner's text is echoed in errors)."""
    return _repr.repr(value)


def _invalid(call: str, name: str, value: object, allowed: object) -> CtlabError:
    return CtlabError("input.argument", call=call, name=name, value=short_repr(value), allowed=allowed)


def _check_text(call: str, name: str, value: object) -> None:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise _invalid(call, name, value, t("input.allowed.text", limit=MAX_TEXT))


def _header_text_ok(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_HEADER_TEXT and _HEADER_TEXT.fullmatch(value) is not None


def _retry_after(call: str, name: str, value: object) -> float | str | None:
    """A ``retry-after`` option as stored: ``None``, a number >= 0 (``inf`` too) as a float, or header text."""
    if value is None:
        return None
    if isinstance(value, str):
        if not _header_text_ok(value):
            raise _invalid(call, name, value, t("fault.allowed_header_text", limit=MAX_HEADER_TEXT))
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            number = math.inf
        if number >= 0:
            return number
    raise _invalid(call, name, value, t("fault.allowed_retry_after"))


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
        _check_status(self.status_code)
        call = f"status({self.status_code})"
        object.__setattr__(self, "retry_after", _retry_after(call, "retry_after", self.retry_after))
        object.__setattr__(self, "retry_after_ms", _retry_after(call, "retry_after_ms", self.retry_after_ms))
        if self.should_retry is not None and not isinstance(self.should_retry, bool):
            raise _invalid(call, "should_retry", self.should_retry, t("fault.allowed_should_retry"))
        if self.error_code is not None and not (isinstance(self.error_code, str) and _SNAKE.fullmatch(self.error_code)):
            raise _invalid(call, "error_code", self.error_code, t("fault.allowed_error_code"))
        if self.message is not None:
            _check_text(call, "message", self.message)
        headers = self.headers
        if not isinstance(headers, Mapping) or not all(
            isinstance(name, str) and _HEADER_NAME.fullmatch(name) and name.lower() not in _FRAMING
            and _header_text_ok(value)
            for name, value in headers.items()
        ):
            raise _invalid(call, "headers", headers, t("fault.allowed_headers", limit=MAX_HEADER_TEXT))

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
        _check_text("ok()", "text", self.text)

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
            raise _invalid("timeout()", "phase", self.phase, t("fault.allowed_phase"))

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
        if not (isinstance(self.error_type, str) and _SNAKE.fullmatch(self.error_type)):
            raise _invalid("stream_error()", "error_type", self.error_type, t("fault.allowed_error_type"))
        _check_text("stream_error()", "after", self.after)

    def label(self) -> str:
        return "stream-error" if self.error_type == "overloaded_error" else f"stream-error({self.error_type})"


Fault = Union[Status, Reply, Timeout, Disconnect, StreamError]

#: The options :func:`status` takes (the fields of :class:`Status` after the code).
STATUS_FIELDS: tuple[str, ...] = ("retry_after", "retry_after_ms", "should_retry", "error_code", "message", "headers")


def status(status_code: int, **options: object) -> Status:
    """An error status, e.g. ``status(429, retry_after=2)``: the code 400–599 and every option are checked."""
    _check_status(status_code)
    for name in options:
        if name not in STATUS_FIELDS:
            allowed = ", ".join(STATUS_FIELDS)
            raise CtlabError("fault.option", fault=f"status({status_code})", option=name, allowed=allowed)
    return Status(status_code, **options)  # type: ignore[arg-type]


def ok(text: str = Reply.text) -> Reply:
    """A ``200`` whose reply is ``text`` (a ``str`` of at most :data:`MAX_TEXT` characters)."""
    return Reply(text)


def timeout(phase: Literal["read", "connect"] = "read") -> Timeout:
    """The server never answers: ``"read"`` (the default) or ``"connect"``; any other phase is refused."""
    return Timeout(phase)


def disconnect() -> Disconnect:
    return Disconnect()


def stream_error(error_type: str = "overloaded_error", *, after: str = StreamError.after) -> StreamError:
    """A ``200`` stream that sends ``after``, then an ``error`` event of ``error_type`` (snake_case)."""
    return StreamError(error_type, after)


_FAULT_TYPES = (Status, Reply, Timeout, Disconnect, StreamError)


def _bounded(faults: Iterable[object]) -> tuple[Fault, ...]:
    """The faults as a tuple, each checked to be a fault, at most :data:`MAX_FAULTS` of them."""
    items = tuple(islice(faults, MAX_FAULTS + 1))
    if len(items) > MAX_FAULTS:
        raise CtlabError("fault.too_many", limit=MAX_FAULTS)
    for item in items:
        if not isinstance(item, _FAULT_TYPES):
            raise CtlabError("fault.type", value=short_repr(item))
    return items  # type: ignore[return-value]


@dataclass(frozen=True)
class Script:
    """The faults a simulated server plays, one per attempt; the last repeats forever (1 to :data:`MAX_FAULTS`)."""

    faults: tuple[Fault, ...]

    def __post_init__(self) -> None:
        if isinstance(self.faults, (str, bytes)) or not isinstance(self.faults, Iterable):
            raise CtlabError("fault.type", value=short_repr(self.faults))
        object.__setattr__(self, "faults", _bounded(self.faults))
        if not self.faults:
            raise CtlabError("fault.empty")

    def at(self, attempt: int) -> Fault:
        """The fault for ``attempt`` (0-based)."""
        return self.faults[min(attempt, len(self.faults) - 1)]

    def labels(self) -> list[str]:
        return [fault.label() for fault in self.faults]

    def __str__(self) -> str:
        return " ".join(self.labels())


FaultsLike = Union[str, Fault, Script, Iterable[Union[str, Fault]]]


def parse(faults: FaultsLike) -> Script:
    """A :class:`Script` from text, a fault, or a list of either (see the bounds in the module's docstring)."""
    if isinstance(faults, Script):
        return faults
    if isinstance(faults, str):
        if len(faults) > MAX_SCRIPT_TEXT:
            raise CtlabError("fault.too_long", length=len(faults), limit=MAX_SCRIPT_TEXT)
        return Script(_bounded(f for word in _split(faults) for f in _parse_word(word)))
    if isinstance(faults, _FAULT_TYPES):
        return Script((faults,))
    if isinstance(faults, Iterable) and not isinstance(faults, (bytes, bytearray)):
        return Script(_bounded(_items(faults)))
    raise CtlabError("fault.type", value=short_repr(faults))


def _items(faults: Iterable[object]) -> Iterator[object]:
    for item in faults:
        if isinstance(item, str):
            yield from parse(item).faults
        else:
            yield item  # checked by _bounded


_WORD = re.compile(
    r"^(?P<name>[a-z0-9_-]+)(?:\((?P<options>[^()]*)\))?(?:\*(?P<count>[^\s]+))?$", re.IGNORECASE | re.ASCII
)

STATUS_OPTIONS: dict[str, str] = {
    "retry-after": "retry_after",
    "retry-after-ms": "retry_after_ms",
    "x-should-retry": "should_retry",
    "error-code": "error_code",
}


class _Quoted(str):
    """An option value written in quotes: kept as typed (case included)."""


def _split(text: str) -> Iterator[str]:
    """Split on spaces/commas that are not inside parentheses."""
    depth, current = 0, []
    for char in text.strip():
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and (char.isspace() or char == ","):
            if current:
                yield "".join(current)
            current = []
        else:
            current.append(char)
    if current:
        yield "".join(current)


def _parse_word(word: str) -> list[Fault]:
    match = _WORD.match(word)
    if not match:
        raise CtlabError("fault.unknown", value=short_repr(word))
    name, options = match["name"].lower(), _parse_options(match["options"], word)
    count = _parse_count(match["count"])
    return [_make(name, options, word)] * count


def _make(name: str, options: dict[str, str | None], word: str) -> Fault:
    if name in ("200", "ok"):
        _reject_options(word, options, allowed=())
        return Reply()
    if name.isdigit():
        _check_status(int(name) if len(name) <= 6 else name)
        return Status(int(name), **_status_options(word, options))
    if name in ("timeout", "read-timeout", "connect-timeout"):
        _reject_options(word, options, allowed=())
        return Timeout("connect" if name == "connect-timeout" else "read")
    if name == "disconnect":
        _reject_options(word, options, allowed=())
        return Disconnect()
    if name == "stream-error":
        positional = [key for key, value in options.items() if value is None]
        _reject_options(word, {k: v for k, v in options.items() if v is not None}, allowed=())
        if len(positional) > 1 or (positional and not _SNAKE.fullmatch(positional[0])):
            raise CtlabError("fault.stream_error_type", fault=short_repr(word))
        return StreamError(positional[0]) if positional else StreamError()
    raise CtlabError("fault.unknown", value=short_repr(word))


def _split_options(text: str) -> list[str]:
    """Split on commas that are not inside quotes."""
    parts, current, quote = [], "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif char == ",":
            parts.append(current)
            current = ""
            continue
        current += char
    return [*parts, current]


def _parse_options(text: str | None, word: str) -> dict[str, str | None]:
    """``key=value`` pairs: keys and bare values in lower case, a quoted value as typed; ``None``: a key alone."""
    options: dict[str, str | None] = {}
    for part in _split_options(text or ""):
        part = part.strip()
        if not part:
            continue
        key, equals, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key in options:
            raise CtlabError("fault.duplicate", fault=short_repr(word), option=key)
        if not equals:
            options[key] = None
        elif len(value) >= 2 and value[0] in _QUOTES and value[-1] == value[0]:
            options[key] = _Quoted(value[1:-1])
        else:
            options[key] = value.lower()
    return options


def _reject_options(word: str, options: Mapping[str, object], allowed: Sequence[str]) -> None:
    for key in options:
        if key not in allowed:
            raise CtlabError("fault.option", fault=short_repr(word), option=key, allowed=", ".join(allowed) or "-")


def _status_options(word: str, options: Mapping[str, str | None]) -> dict[str, object]:
    _reject_options(word, options, allowed=tuple(STATUS_OPTIONS))
    values: dict[str, object] = {}
    for key, given in options.items():
        raw = given or ""
        if key in ("retry-after", "retry-after-ms"):
            if isinstance(given, _Quoted):
                if not _header_text_ok(raw):
                    allowed = t("fault.allowed_header_text", limit=MAX_HEADER_TEXT)
                    raise CtlabError("fault.option_value", option=key, value=raw, allowed=allowed)
                values[STATUS_OPTIONS[key]] = str(raw)
                continue
            try:
                number = float(raw)
            except ValueError:
                number = -1.0
            if not number >= 0:
                raise CtlabError("fault.option_value", option=key, value=raw, allowed=t("fault.allowed_retry_after"))
            values[STATUS_OPTIONS[key]] = number
        elif key == "x-should-retry":
            if raw not in ("true", "false"):
                raise CtlabError("fault.option_value", option=key, value=raw, allowed="true | false")
            values["should_retry"] = raw == "true"
        else:
            if not _SNAKE.fullmatch(raw):
                raise CtlabError("fault.option_value", option=key, value=raw, allowed=t("fault.allowed_error_code"))
            values["error_code"] = str(raw)
    return values


def _parse_count(count: str | None) -> int:
    if count is None:
        return 1
    if not re.fullmatch(r"[0-9]{1,6}", count) or not 1 <= int(count) <= MAX_FAULTS:
        raise CtlabError("fault.repeat", value=short_repr(count), limit=MAX_FAULTS)
    return int(count)


def _check_status(status_code: object) -> None:
    if not isinstance(status_code, int) or isinstance(status_code, bool) or not 400 <= status_code <= 599:
        raise CtlabError("fault.status_range", value=short_repr(status_code))


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
