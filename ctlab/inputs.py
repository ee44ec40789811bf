"""What ctlab accepts from a learner: the bounds no simulation may cross, and checks that say what is allowed.

A learner's value is echoed back shortened, and a refusal names the call, the
argument and what it takes, in both languages::

    >>> short_repr("x" * 200)[:12], len(short_repr("x" * 200))
    ("'xxxxxxxxxxx", 80)
    >>> print(invalid("ok()", "text", 3, "a str").text.render("en"))
    ok(): text cannot be 3; expected: a str
    >>> is_header_text("soon"), is_header_text(" soon"), is_snake_case("api_error"), is_whole_number(True)
    (True, False, True, False)

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

import re
import reprlib
from typing import TypeGuard

from .i18n import CtlabError, Text, register, t

register(
    __name__,
    {
        "input.argument": Text(
            "{call} 的参数 {name} 不能是 {value}，要求：{allowed}",
            "{call}: {name} cannot be {value}; expected: {allowed}",
        ),
        "input.allowed.text": Text("字符串（str），最多 {limit} 个字符", "a str of at most {limit} characters"),
        "input.allowed.int": Text("整数", "a whole number"),
        "input.allowed.int_range": Text("{low} 到 {high} 的整数", "a whole number from {low} to {high}"),
        "input.allowed.bool": Text("True 或 False", "True or False"),
        "input.allowed.seconds": Text(
            "大于 0、不超过 {limit} 的秒数", "a number of seconds above 0 and at most {limit}"
        ),
        "input.allowed.function": Text("函数 call(client)，或 None", "a function call(client), or None"),
        "input.allowed.functions": Text(
            "名字 → 函数 call(client) 的 dict，至少一项",
            "a dict of name → function call(client), with at least one entry",
        ),
        "input.allowed.script": Text('故障脚本文字，例如 "429 200"', 'a fault script as text, e.g. "429 200"'),
        "input.allowed.scripts": Text(
            '故障脚本文字的列表，例如 ["429 200", "529"]', 'a list of fault scripts as text, e.g. ["429 200", "529"]'
        ),
    },
)

#: The most faults one script may hold, and the largest ``N`` in ``*N``. The last
#: fault repeats forever, so a longer script would never be played to its end.
MAX_FAULTS = 10_000
#: The most characters of fault-script text :func:`ctlab.faults.parse` reads.
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

_SNAKE_CASE = re.compile(r"[a-z0-9_]{1,100}")
_HEADER_TEXT = re.compile(r"(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?")

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 80


def shorten(text: str, width: int = 40) -> str:
    """``text``, cut to ``width`` characters with an ellipsis when longer.

    >>> shorten("0123456789", 6)
    '01234…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def short_repr(value: object) -> str:
    """``repr(value)``, shortened when long (a learner's text is echoed in errors)."""
    return _repr.repr(value)


def invalid(call: str, name: str, value: object, allowed: object) -> CtlabError:
    """The error for argument ``name`` of ``call``: ``value`` (shortened) is refused, ``allowed`` is what it takes."""
    return CtlabError("input.argument", call=call, name=name, value=short_repr(value), allowed=allowed)


def check_text(call: str, name: str, value: object) -> None:
    """Refuse anything but a ``str`` of at most :data:`MAX_TEXT` characters."""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise invalid(call, name, value, t("input.allowed.text", limit=MAX_TEXT))


def is_header_text(value: object) -> bool:
    """Printable ASCII of at most :data:`MAX_HEADER_TEXT` characters, no space at either end: sendable as a header."""
    return isinstance(value, str) and len(value) <= MAX_HEADER_TEXT and _HEADER_TEXT.fullmatch(value) is not None


def is_snake_case(value: object) -> bool:
    """Lower-case letters, digits and ``_``, at most 100 of them (an ``error.type`` or an ``error_code``)."""
    return isinstance(value, str) and _SNAKE_CASE.fullmatch(value) is not None


def is_whole_number(value: object) -> TypeGuard[int]:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)
