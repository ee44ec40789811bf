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
``(key=value, ...)`` sets options (see :data:`STATUS_OPTIONS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Union

from .i18n import CtlabError, t


@dataclass(frozen=True)
class Status:
    """An HTTP error response with Anthropic's error body.

    ``retry_after`` (seconds) and ``retry_after_ms`` set those headers;
    ``should_retry`` sets ``x-should-retry``; ``error_code`` goes into
    ``error.details.error_code`` (e.g. ``"enforced_spend_limit_reached"``).
    """

    status_code: int
    retry_after: float | None = None
    retry_after_ms: float | None = None
    should_retry: bool | None = None
    error_code: str | None = None
    message: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def label(self) -> str:
        options = [
            f"{name}={_fmt(value)}"
            for name, value in (
                ("retry-after", self.retry_after),
                ("retry-after-ms", self.retry_after_ms),
                ("x-should-retry", self.should_retry),
                ("error-code", self.error_code),
            )
            if value is not None
        ]
        return f"{self.status_code}({', '.join(options)})" if options else str(self.status_code)


@dataclass(frozen=True)
class Reply:
    """A successful answer (``200``): a message, or an SSE stream if the request asked to stream."""

    text: str = "你好！Hello!"

    def label(self) -> str:
        return "200"


@dataclass(frozen=True)
class Timeout:
    """The server never answers: the SDK gives up after its timeout (``APITimeoutError``).

    ``phase="read"`` costs the client's read timeout; ``"connect"`` its connect timeout.
    """

    phase: Literal["read", "connect"] = "read"

    def label(self) -> str:
        return "timeout" if self.phase == "read" else "connect-timeout"


@dataclass(frozen=True)
class Disconnect:
    """The connection drops before any response (``APIConnectionError``)."""

    def label(self) -> str:
        return "disconnect"


@dataclass(frozen=True)
class StreamError:
    """A ``200`` event stream that sends ``after`` as text, then an ``error`` event."""

    error_type: str = "overloaded_error"
    after: str = "你好，"

    def label(self) -> str:
        return "stream-error" if self.error_type == "overloaded_error" else f"stream-error({self.error_type})"


Fault = Union[Status, Reply, Timeout, Disconnect, StreamError]


def status(status_code: int, **options: object) -> Status:
    """An error status, e.g. ``status(429, retry_after=2)``; checks the code is 400–599."""
    _check_status(status_code)
    return Status(status_code, **options)  # type: ignore[arg-type]


def ok(text: str = Reply.text) -> Reply:
    return Reply(text)


def timeout(phase: Literal["read", "connect"] = "read") -> Timeout:
    return Timeout(phase)


def disconnect() -> Disconnect:
    return Disconnect()


def stream_error(error_type: str = "overloaded_error", *, after: str = StreamError.after) -> StreamError:
    return StreamError(error_type, after)


@dataclass(frozen=True)
class Script:
    """The faults a simulated server plays, one per attempt; the last repeats forever."""

    faults: tuple[Fault, ...]

    def __post_init__(self) -> None:
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
_FAULT_TYPES = (Status, Reply, Timeout, Disconnect, StreamError)


def parse(faults: FaultsLike) -> Script:
    """A :class:`Script` from text, a fault, or a list of either."""
    if isinstance(faults, Script):
        return faults
    if isinstance(faults, str):
        return Script(tuple(f for word in _split(faults) for f in _parse_word(word)))
    if isinstance(faults, _FAULT_TYPES):
        return Script((faults,))
    if isinstance(faults, Iterable):
        items: list[Fault] = []
        for item in faults:
            if isinstance(item, str):
                items.extend(parse(item).faults)
            elif isinstance(item, _FAULT_TYPES):
                items.append(item)
            else:
                raise CtlabError("fault.type", value=repr(item))
        return Script(tuple(items))
    raise CtlabError("fault.type", value=repr(faults))


_WORD = re.compile(r"^(?P<name>[a-z0-9_-]+)(?:\((?P<options>[^()]*)\))?(?:\*(?P<count>[^\s]+))?$")

STATUS_OPTIONS: dict[str, str] = {
    "retry-after": "retry_after",
    "retry-after-ms": "retry_after_ms",
    "x-should-retry": "should_retry",
    "error-code": "error_code",
}


def _split(text: str) -> list[str]:
    """Split on spaces/commas that are not inside parentheses."""
    words, depth, current = [], 0, ""
    for char in text.strip():
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and (char.isspace() or char == ","):
            if current:
                words.append(current)
            current = ""
        else:
            current += char
    if current:
        words.append(current)
    return words


def _parse_word(word: str) -> list[Fault]:
    match = _WORD.match(word.lower())
    if not match:
        raise CtlabError("fault.unknown", value=repr(word))
    name, options, count = match["name"], _parse_options(match["options"], word), match["count"]
    fault = _make(name, options, word)
    return [fault] * _parse_count(count)


def _make(name: str, options: dict[str, str], word: str) -> Fault:
    if name in ("200", "ok"):
        _reject_options(word, options, allowed=())
        return Reply()
    if name.isdigit():
        _check_status(int(name))
        return Status(int(name), **_status_options(word, options))
    if name in ("timeout", "read-timeout", "connect-timeout"):
        _reject_options(word, options, allowed=())
        return Timeout("connect" if name == "connect-timeout" else "read")
    if name == "disconnect":
        _reject_options(word, options, allowed=())
        return Disconnect()
    if name == "stream-error":
        positional = [key for key, value in options.items() if value == ""]
        _reject_options(word, {k: v for k, v in options.items() if v != ""}, allowed=())
        return StreamError(positional[0]) if positional else StreamError()
    raise CtlabError("fault.unknown", value=repr(word))


def _parse_options(text: str | None, word: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if part:
            key, _, value = part.partition("=")
            options[key.strip()] = value.strip()
    return options


def _reject_options(word: str, options: Mapping[str, str], allowed: Sequence[str]) -> None:
    for key in options:
        if key not in allowed:
            raise CtlabError("fault.option", fault=repr(word), option=key, allowed=", ".join(allowed) or "-")


def _status_options(word: str, options: Mapping[str, str]) -> dict[str, object]:
    _reject_options(word, options, allowed=tuple(STATUS_OPTIONS))
    values: dict[str, object] = {}
    for key, raw in options.items():
        if key in ("retry-after", "retry-after-ms"):
            try:
                number = float(raw)
            except ValueError:
                number = -1.0
            if not number >= 0:
                raise CtlabError("fault.option_value", option=key, value=raw, allowed=t("fault.allowed_number"))
            values[STATUS_OPTIONS[key]] = number
        elif key == "x-should-retry":
            if raw not in ("true", "false"):
                raise CtlabError("fault.option_value", option=key, value=raw, allowed="true | false")
            values["should_retry"] = raw == "true"
        else:
            if not re.fullmatch(r"[a-z0-9_]+", raw):
                raise CtlabError("fault.option_value", option=key, value=raw, allowed=t("fault.allowed_error_code"))
            values["error_code"] = raw
    return values


def _parse_count(count: str | None) -> int:
    if count is None:
        return 1
    if not count.isdigit() or not 1 <= int(count) <= 1000:
        raise CtlabError("fault.count", value=count)
    return int(count)


def _check_status(status_code: object) -> None:
    if not isinstance(status_code, int) or isinstance(status_code, bool) or not 400 <= status_code <= 599:
        raise CtlabError("fault.status_range", value=repr(status_code))


def _fmt(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
