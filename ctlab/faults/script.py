"""A fault script: the faults a server plays, one per attempt, written as a list or as text.

    >>> parse("429(retry-after=2)*2 200").labels()
    ['429(retry-after=2)', '429(retry-after=2)', '200']
    >>> str(parse([status(529), "disconnect"]))
    '529 disconnect'

Text words: an HTTP status 400–599, ``200``/``ok``, ``timeout`` (the server
never answers), ``connect-timeout``, ``disconnect`` (the connection drops),
``stream-error`` (a 200 stream that fails midway). ``*N`` repeats a word;
``(key=value, ...)`` sets options (see :data:`STATUS_OPTIONS`).

Proxy words (:mod:`ctlab.faults.proxy`; not Anthropic's behaviour, but what a
proxy or CDN in front of it sends): ``502(html)`` an HTML error page (nginx's;
Cloudflare's for 520–527), ``429(shape=quota)`` a foreign JSON error shape
(``quota``, ``bare``, ``zh``, ``upstream``, ``anthropic``), ``200(error-body)``
a 200 whose body is an error, ``500(no-request-id)`` an error with no
``request-id``, ``429(strip-retry-after)`` Anthropic's error with
``retry-after``/``retry-after-ms``/``x-should-retry`` stripped,
``buffered(delay=5)`` a reply held back, then sent all at once, and
``stream-reset`` a 200 stream whose connection is reset midway::

    >>> parse("502(html) 429(shape=quota) 200(error-body) buffered(delay=1) stream-reset").labels()
    ['502(html)', '429(shape=quota)', '200(error-body)', 'buffered(delay=1)', 'stream-reset']

Words and
option names are case-insensitive. A ``retry-after`` value in quotes is sent
exactly as written (``429(retry-after='soon')``); a bare word that is not a
number >= 0 (``retry-after=soon``, ``=nan``, ``=-1``) is refused as a likely
typo, with the error saying how to quote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Union

from ..i18n import CtlabError, Text, register, t
from ..inputs import MAX_FAULTS, MAX_HEADER_TEXT, MAX_SCRIPT_TEXT, MAX_WAIT, is_header_text, is_snake_case, short_repr
from .proxy import PROXY_OPTIONS, SHAPES, Buffered, ProxyStatus, StreamReset
from .values import FAULT_TYPES, Disconnect, Fault, Reply, StreamError, Timeout, check_status, status

register(
    __name__,
    {
        "fault.unknown": Text(
            "看不懂的故障 {value}。可以写：HTTP 状态码 400–599、200/ok、timeout、connect-timeout、"
            'disconnect、stream-error，后面可加 *次数 或 (选项)，例如 "429(retry-after=2)*3 200"；'
            "代理的故障：502(html)、429(shape=quota)、200(error-body)、500(no-request-id)、"
            "429(strip-retry-after)、buffered(delay=5)、stream-reset",
            "unknown fault {value}. Allowed: an HTTP status 400-599, 200/ok, timeout, connect-timeout, "
            'disconnect, stream-error, optionally followed by *count or (options), e.g. "429(retry-after=2)*3 200"; '
            "proxy faults: 502(html), 429(shape=quota), 200(error-body), 500(no-request-id), "
            "429(strip-retry-after), buffered(delay=5), stream-reset",
        ),
        "fault.option_value": Text(
            "选项 {option} 的值 {value!r} 不合法（要求：{allowed}）",
            "option {option} has an invalid value {value!r} (expected: {allowed})",
        ),
        "fault.empty": Text(
            '故障脚本是空的：至少写一个，例如 "429 200"',
            'the fault script is empty: give at least one fault, e.g. "429 200"',
        ),
        "fault.type": Text(
            '无法把 {value} 当作故障：请传入字符串（如 "429 200"）、ctlab 的故障对象或它们的列表',
            'cannot use {value} as faults: pass a string (e.g. "429 200"), a ctlab fault, or a list of them',
        ),
        "fault.repeat": Text(
            "重复次数 {value} 不合法：*N 里的 N 必须是 1 到 {limit} 的整数",
            "invalid repeat count {value}: N in *N must be a whole number from 1 to {limit}",
        ),
        "fault.too_many": Text(
            "故障脚本最多只能有 {limit} 个故障。最后一个会一直重复，所以脚本不必更长",
            "a fault script holds at most {limit} faults. "
            "The last one repeats forever, so a script never needs to be longer",
        ),
        "fault.too_long": Text(
            '故障脚本太长：{length} 个字符，最多 {limit} 个。重复的故障请用 *N 表示，例如 "429*100 200"',
            "the fault script is too long: {length} characters, at most {limit}. "
            'Write repeats with *N, e.g. "429*100 200"',
        ),
        "fault.duplicate": Text("{fault} 里的选项 {option} 写了两次", "{fault} sets option {option} twice"),
        "fault.stream_error_type": Text(
            "{fault} 只能写一个错误类型（小写字母加下划线），例如 stream-error(api_error)",
            "{fault} takes one error type in snake_case, e.g. stream-error(api_error)",
        ),
    },
)

#: The options a status word takes in text, and the :func:`~ctlab.faults.status` argument each sets.
STATUS_OPTIONS: dict[str, str] = {
    "retry-after": "retry_after",
    "retry-after-ms": "retry_after_ms",
    "x-should-retry": "should_retry",
    "error-code": "error_code",
}

_WORD = re.compile(
    r"^(?P<name>[a-z0-9_-]+)(?:\((?P<options>[^()]*)\))?(?:\*(?P<count>[^\s]+))?$", re.IGNORECASE | re.ASCII
)
_QUOTES = "'\""


def _bounded(faults: Iterable[object]) -> tuple[Fault, ...]:
    """The faults as a tuple, each checked to be a fault, at most :data:`~ctlab.inputs.MAX_FAULTS` of them."""
    items = tuple(islice(faults, MAX_FAULTS + 1))
    if len(items) > MAX_FAULTS:
        raise CtlabError("fault.too_many", limit=MAX_FAULTS)
    for item in items:
        if not isinstance(item, FAULT_TYPES):
            raise CtlabError("fault.type", value=short_repr(item))
    return items  # type: ignore[return-value]  # each item was checked above


@dataclass(frozen=True)
class Script:
    """The faults a simulated server plays, one per attempt; the last repeats forever (1 to ``MAX_FAULTS``)."""

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


#: What :func:`parse` takes: text, one fault, a script, or a list of texts and faults.
FaultsLike = Union[str, Fault, Script, Iterable[Union[str, Fault]]]  # noqa: UP007 - evaluated at run time


def parse(faults: FaultsLike) -> Script:
    """A :class:`Script` from text, a fault, or a list of either (within the bounds of :mod:`ctlab.inputs`)."""
    if isinstance(faults, Script):
        return faults
    if isinstance(faults, str):
        if len(faults) > MAX_SCRIPT_TEXT:
            raise CtlabError("fault.too_long", length=len(faults), limit=MAX_SCRIPT_TEXT)
        return Script(_bounded(f for word in _split(faults) for f in _parse_word(word)))
    if isinstance(faults, FAULT_TYPES):
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


class _Quoted(str):
    """An option value written in quotes: kept as typed (case included)."""

    __slots__ = ()


def _split(text: str) -> Iterator[str]:
    """Split on spaces/commas that are not inside parentheses."""
    current: list[str]
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


#: The words that take no options, and the fault each one makes.
_PLAIN_WORDS: dict[str, Callable[[], Fault]] = {
    "200": Reply,
    "ok": Reply,
    "timeout": Timeout,
    "read-timeout": Timeout,
    "connect-timeout": lambda: Timeout("connect"),
    "disconnect": Disconnect,
}


def _make(name: str, options: dict[str, str | None], word: str) -> Fault:
    if (name.isdigit() or name == "ok") and any(key in PROXY_OPTIONS for key in options):
        return _proxy_status(name, options, word)
    if name == "buffered":
        return _buffered(options, word)
    if name == "stream-reset":
        _reject_options(word, options, allowed=())
        return StreamReset()
    if name in _PLAIN_WORDS:
        _reject_options(word, options, allowed=())
        return _PLAIN_WORDS[name]()
    if name.isdigit():
        check_status(int(name) if len(name) <= 6 else name)
        return status(int(name), **_status_options(word, options))
    if name == "stream-error":
        return _stream_error(options, word)
    raise CtlabError("fault.unknown", value=short_repr(word))


def _proxy_status(name: str, options: dict[str, str | None], word: str) -> ProxyStatus:
    """A status word with proxy options (``502(html)``, ``429(shape=quota, retry-after=2)``, ``200(error-body)``)."""
    code = 200 if name in ("ok", "200") else int(name) if len(name) <= 6 else 0
    if code != 200:
        check_status(code or name)
    values = _status_options(word, {k: v for k, v in options.items() if k not in PROXY_OPTIONS})
    for key, given in options.items():
        if key == "shape":
            if given not in SHAPES:
                raise CtlabError("fault.option_value", option=key, value=given or "", allowed=t("fault.allowed_shape"))
            values["shape"] = str(given)
        elif key in PROXY_OPTIONS:
            if given is not None:
                raise CtlabError("fault.option_value", option=key, value=given, allowed=t("fault.allowed_flag"))
            values[PROXY_OPTIONS[key]] = True
    return ProxyStatus(code, **values)  # type: ignore[arg-type]  # each value was checked above


def _buffered(options: dict[str, str | None], word: str) -> Buffered:
    """``buffered`` or ``buffered(delay=2.5)``."""
    _reject_options(word, options, allowed=("delay",))
    if "delay" not in options:
        return Buffered()
    raw = options["delay"] or ""
    try:
        delay = float(raw)
    except ValueError:
        delay = -1.0
    if not 0 <= delay <= MAX_WAIT:
        allowed = t("fault.allowed_delay", limit=int(MAX_WAIT))
        raise CtlabError("fault.option_value", option="delay", value=raw, allowed=allowed)
    return Buffered(delay=delay)


def _stream_error(options: dict[str, str | None], word: str) -> StreamError:
    """``stream-error`` or ``stream-error(api_error)``: at most one error type, written alone."""
    positional = [key for key, value in options.items() if value is None]
    _reject_options(word, {k: v for k, v in options.items() if v is not None}, allowed=())
    if len(positional) > 1 or (positional and not is_snake_case(positional[0])):
        raise CtlabError("fault.stream_error_type", fault=short_repr(word))
    return StreamError(positional[0]) if positional else StreamError()


def _split_options(text: str) -> list[str]:
    """Split on commas that are not inside quotes."""
    parts: list[str] = []
    current, quote = "", ""
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
    for written in _split_options(text or ""):
        part = written.strip()
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


def _retry_after_option(key: str, given: str | None) -> float | str:
    """A ``retry-after`` option's value: quoted header text as it is, else a number >= 0."""
    raw = given or ""
    if isinstance(given, _Quoted):
        if not is_header_text(raw):
            allowed = t("fault.allowed_header_text", limit=MAX_HEADER_TEXT)
            raise CtlabError("fault.option_value", option=key, value=raw, allowed=allowed)
        return str(raw)
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if not number >= 0:
        raise CtlabError("fault.option_value", option=key, value=raw, allowed=t("fault.allowed_retry_after"))
    return number


def _status_options(word: str, options: Mapping[str, str | None]) -> dict[str, object]:
    _reject_options(word, options, allowed=(*STATUS_OPTIONS, *PROXY_OPTIONS))
    values: dict[str, object] = {}
    for key, given in options.items():
        raw = given or ""
        if key in ("retry-after", "retry-after-ms"):
            values[STATUS_OPTIONS[key]] = _retry_after_option(key, given)
        elif key == "x-should-retry":
            if raw not in ("true", "false"):
                raise CtlabError("fault.option_value", option=key, value=raw, allowed="true | false")
            values["should_retry"] = raw == "true"
        else:
            if not is_snake_case(raw):
                raise CtlabError("fault.option_value", option=key, value=raw, allowed=t("fault.allowed_error_code"))
            values["error_code"] = str(raw)
    return values


def _parse_count(count: str | None) -> int:
    if count is None:
        return 1
    if not re.fullmatch(r"[0-9]{1,6}", count) or not 1 <= int(count) <= MAX_FAULTS:
        raise CtlabError("fault.repeat", value=short_repr(count), limit=MAX_FAULTS)
    return int(count)
