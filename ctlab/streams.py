"""Errors inside a ``200`` stream: what the SDK does about them (nothing), and what you can do.

Once a stream has started, the HTTP status is already ``200``. If the server then
sends an ``event: error`` (say ``overloaded_error`` halfway through a reply), the
SDK raises a plain ``anthropic.APIStatusError`` whose ``status_code`` is ``200`` —
not ``OverloadedError`` — and never retries it: the text already received stays
with you. :func:`stream_with_restart` keeps that text and, when the error is one
the SDK would retry as an HTTP status, starts one fresh stream::

    >>> import ctlab
    >>> sim = ctlab.run("stream-error 200", stream_with_restart)
    >>> result = sim.outcome.value
    >>> result.complete, result.streams, result.dropped, result.text
    (True, 2, ['你好，'], '你好！Hello!')
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import anthropic
from anthropic.types import MessageParam

from .docs_loop import MESSAGES, MODEL
from .i18n import CtlabError, Text, register, t
from .probes import sdk_retries
from .responses import ERROR_TYPES
from .retry import backoff

register(
    __name__,
    {
        "streams.restarts": Text(
            "restarts 必须是 >= 0 的整数，收到的是 {value!r}", "restarts must be a whole number >= 0, got {value!r}"
        ),
        "streams.complete": Text(
            "完整回复 {text}（流式请求 {streams} 次）", "the whole reply {text} (stream requests: {streams})"
        ),
        "streams.partial": Text(
            "不完整的回复 {text}（流式请求 {streams} 次，最后一次断在 {error}）",
            "a partial reply {text} (stream requests: {streams}; the last broken by {error})",
        ),
    },
)

__all__ = ["Streamed", "mid_stream_error_type", "stream_text", "stream_with_restart", "worth_restarting"]

OnText = Callable[[str], None]
#: The HTTP status that goes with each ``error.type`` (the inverse of the API's table).
_STATUS_FOR_TYPE: dict[str, int] = {error_type: status for status, error_type in ERROR_TYPES.items()}


def stream_text(
    client: anthropic.Anthropic,
    messages: list[Any] | None = None,
    *,
    on_text: OnText | None = None,
    model: str = MODEL,
    max_tokens: int = 1024,
) -> str:
    """Stream a reply with ``client.messages.stream`` and return its text.

    Each piece goes to ``on_text`` as it arrives. An error inside the stream
    propagates exactly as the SDK raises it.

    >>> import ctlab
    >>> ctlab.run("200", stream_text).outcome.value
    '你好！Hello!'
    """
    pieces: list[str] = []
    sent = cast("list[MessageParam]", messages or MESSAGES)  # the docs page's messages are plain dicts
    with client.messages.stream(model=model, max_tokens=max_tokens, messages=sent) as stream:
        for piece in stream.text_stream:
            pieces.append(piece)
            if on_text is not None:
                on_text(piece)
    return "".join(pieces)


def mid_stream_error_type(error: BaseException) -> str | None:
    """The ``error.type`` of an error that arrived inside a ``200`` stream; ``None`` for any other error.

    >>> import ctlab
    >>> mid_stream_error_type(ctlab.run("stream-error", stream_text).outcome.error)
    'overloaded_error'
    >>> mid_stream_error_type(ctlab.run("529", stream_text).outcome.error) is None
    True
    """
    if not isinstance(error, anthropic.APIStatusError) or error.status_code != 200:
        return None
    body = error.body if isinstance(error.body, dict) else {}
    inner = body.get("error")
    kind = inner.get("type") if isinstance(inner, dict) else None
    return kind if isinstance(kind, str) else "unknown"


def worth_restarting(error: BaseException) -> bool:
    """Whether a fresh stream could succeed: the SDK's own retry rule for the status that goes with the error type.

    ``overloaded_error`` goes with 529 and ``api_error`` with 500, which the SDK
    retries; ``invalid_request_error`` goes with 400, which it does not.
    """
    kind = mid_stream_error_type(error)
    status = _STATUS_FOR_TYPE.get(kind or "")
    return status is not None and sdk_retries(status)


@dataclass
class Streamed:
    """What :func:`stream_with_restart` got.

    ``text`` is the whole reply when ``complete``; otherwise it is the partial
    text of the last stream, and ``error`` is the SDK's exception for it.
    ``dropped`` holds the partial text of each stream that broke and was restarted.
    """

    text: str
    streams: int
    error: anthropic.APIStatusError | None = None
    dropped: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.error is None

    def describe(self) -> Text:
        """How it reads in a timeline or a table.

        >>> print(Streamed("你好", 2).describe().render("en"))
        the whole reply '你好' (stream requests: 2)
        """
        if self.error is None:
            return t("streams.complete", text=repr(self.text), streams=self.streams)
        return t("streams.partial", text=repr(self.text), streams=self.streams, error=type(self.error).__name__)


def stream_with_restart(
    client: anthropic.Anthropic,
    messages: list[Any] | None = None,
    *,
    restarts: int = 1,
    on_text: OnText | None = None,
    on_restart: Callable[[anthropic.APIStatusError], None] | None = None,
    base_delay: float = 0.5,
    model: str = MODEL,
    max_tokens: int = 1024,
) -> Streamed:
    """Stream a reply; if it breaks midway with an error worth retrying, start up to ``restarts`` fresh streams.

    A fresh stream starts the reply from the beginning, after a short jittered
    wait; ``on_restart(error)`` is called first so a UI can mark the text it
    already showed. When no restart is left (or the error is not worth one),
    the partial text is returned with ``complete == False`` — never silently:
    ``error`` holds the SDK's exception. Errors before the stream starts (HTTP
    429, 529, timeouts…) are the SDK's to retry, and propagate unchanged.

    >>> import ctlab
    >>> result = ctlab.run("stream-error", stream_with_restart).outcome.value
    >>> result.complete, result.streams, result.text, type(result.error).__name__
    (False, 2, '你好，', 'APIStatusError')
    """
    if not isinstance(restarts, int) or isinstance(restarts, bool) or restarts < 0:
        raise CtlabError("streams.restarts", value=restarts)
    dropped: list[str] = []
    for number in range(restarts + 1):
        text, error = _stream_once(client, messages, on_text=on_text, model=model, max_tokens=max_tokens)
        if error is None or number == restarts or not worth_restarting(error):
            return Streamed(text, number + 1, error, dropped)
        dropped.append(text)
        if on_restart is not None:
            on_restart(error)
        time.sleep(backoff(number, base_delay=base_delay))
    raise AssertionError("unreachable")  # pragma: no cover


def _stream_once(
    client: anthropic.Anthropic, messages: list[Any] | None, *, on_text: OnText | None, model: str, max_tokens: int
) -> tuple[str, anthropic.APIStatusError | None]:
    """One stream: its whole text and ``None``, or the text so far and the error that broke it midway.

    Any other error (one before the stream started) propagates as the SDK raised it.
    """
    pieces: list[str] = []

    def collect(piece: str) -> None:
        pieces.append(piece)
        if on_text is not None:
            on_text(piece)

    try:
        return stream_text(client, messages, on_text=collect, model=model, max_tokens=max_tokens), None
    except anthropic.APIStatusError as error:
        if mid_stream_error_type(error) is None:
            raise
        return "".join(pieces), error
