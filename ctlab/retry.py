"""The manual retry loop, done right: one retry layer, honest waits, the real error at the end.

    >>> import ctlab
    >>> sim = ctlab.run("429(retry-after=3) 529 200", lambda client: chat_with_retry(client, MESSAGES))
    >>> [a.answer for a in sim.attempts], sim.waits(by="code")[0]
    ([429, 529, 200], 3.0)

What it fixes in the docs page's loop (:mod:`ctlab.docs_loop`), one rule of
:mod:`ctlab.rules` at a time:

1. **One retry layer.** It calls ``client.with_options(max_retries=0)``, so the
   SDK does not retry underneath it (3 x 3 = 9 requests otherwise).
2. **Retries what is worth retrying** — 408, 409, 429, 5xx (529 included),
   timeouts and dropped connections — and obeys ``x-should-retry``; never a
   spend limit, never another 4xx.
3. **Never retries before ``retry-after`` allows**: ``retry-after-ms`` /
   ``retry-after`` are read exactly as the installed SDK reads them
   (:func:`retry_after`), and the server's wait is never shortened.
4. **Raises the original error at once when that wait does not fit** the
   optional ``deadline`` (a budget for attempts and waits together).
5. **Jittered backoff otherwise**: exponential, full jitter, capped at ``max_delay``.
6. **No sleep after the last attempt.**
7. **Raises the original exception** (with a note of how many attempts were made,
   on Python >= 3.11), never a vague ``Exception``.

Notebook 01 builds it step by step and measures each step.
"""

# mypy: disable-error-code="no-any-return"
# (the SDK is Any to mypy on purpose; this code returns `response.content[0].text` as the course teaches it)

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import anthropic

from .docs_loop import MESSAGES, MODEL
from .faults import MAX_WAIT
from .i18n import CtlabError, Text, register, t

register(
    __name__,
    {
        "retry.max_attempts": Text(
            "max_attempts 必须是 >= 1 的整数（包括第一次请求在内的总次数），收到的是 {value!r}",
            "max_attempts must be a whole number >= 1 (every request, the first included), got {value!r}",
        ),
        "retry.gave_up": Text(
            "ctlab.retry：共尝试 {attempts} 次后放弃",
            "ctlab.retry: gave up after {attempts} attempt(s)",
        ),
        "loop.multiply": Text(
            "手写循环 {loop} 轮 × 每轮 SDK 最多发 {sdk} 次 = {total} 次 HTTP 请求；实测：{measured} 次",
            "{loop} rounds of the loop × up to {sdk} SDK attempts in each = {total} HTTP requests; measured: "
            "{measured}",
        ),
    },
)

__all__ = ["MESSAGES", "backoff", "chat_with_retry", "is_retryable", "parse_retry_after", "retry_after"]

log = logging.getLogger("ctlab.retry")

#: ``error.details.error_code`` values that no amount of waiting fixes.
NEVER_RETRY_CODES = frozenset({"enforced_spend_limit_reached", "contract_spend_limit_reached"})


def is_retryable(error: BaseException) -> bool:
    """Whether another attempt could succeed.

    >>> is_retryable(anthropic.APITimeoutError(request=None))  # type: ignore[arg-type]
    True
    >>> import ctlab
    >>> faults = ("529", "400", "429(error-code=enforced_spend_limit_reached)")
    >>> [is_retryable(ctlab.run(f, max_retries=0).outcome.error) for f in faults]
    [True, False, False]
    """
    if isinstance(error, anthropic.APIConnectionError):  # timeouts included: a subclass
        return True
    if not isinstance(error, anthropic.APIStatusError):
        return False
    header: str | None = error.response.headers.get("x-should-retry")
    if header in ("true", "false"):
        return header == "true"
    body = error.body if isinstance(error.body, dict) else {}
    details = body.get("error", {}).get("details") if isinstance(body.get("error"), dict) else None
    if isinstance(details, dict) and details.get("error_code") in NEVER_RETRY_CODES:
        return False
    return error.status_code in (408, 409, 429) or error.status_code >= 500


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """The server's ``retry-after-ms`` / ``retry-after``, in seconds, read as the installed SDK reads them.

    ``retry-after-ms`` first, if it reads as a number (even 0 or less: then
    ``retry-after`` is not looked at); else ``retry-after`` as a number of
    seconds (floats too); else ``retry-after`` as an HTTP date, counted from
    now. ``None`` if neither says anything readable. The value may be 0,
    negative or ``nan``: :func:`retry_after` says what the SDK does with it.

    >>> parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}), parse_retry_after({"retry-after": "soon"})
    (0.25, None)
    """
    if headers is None:
        return None
    readers: tuple[tuple[str, Callable[[str], float]], ...] = (
        ("retry-after-ms", lambda text: float(text) / 1000),
        ("retry-after", float),
    )
    for name, read in readers:
        text = headers.get(name)
        if text is None:
            continue
        try:
            return read(text)
        except ValueError:
            pass
    date = email.utils.parsedate_tz(headers.get("retry-after"))  # None reads as no date
    return None if date is None else float(email.utils.mktime_tz(date) - time.time())


def retry_after(source: BaseException | Mapping[str, str] | None) -> float | None:
    """Seconds to wait before the next attempt, if the server said so in a way the SDK obeys; else ``None``.

    ``source`` is an error (its response's headers are read) or the headers
    themselves. The SDK obeys a value above 0 (at most :data:`~ctlab.faults.MAX_WAIT`
    seconds, its own cap); for 0, a negative value, ``nan``, a past date or no
    header at all it falls back to its backoff, and so should a retry loop:
    ``None`` means "use your backoff", never "retry at once". A test compares
    this with the installed SDK over hundreds of header values.

    >>> import ctlab
    >>> retry_after(ctlab.run("429(retry-after=2)", max_retries=0).outcome.error)
    2.0
    >>> no_wait = ("529", "429(retry-after=0)", "429(retry-after-ms=0)")
    >>> [retry_after(ctlab.run(f, max_retries=0).outcome.error) for f in no_wait]
    [None, None, None]
    """
    if isinstance(source, BaseException):
        source = getattr(getattr(source, "response", None), "headers", None)
    seconds = parse_retry_after(source)
    if seconds is None or not seconds > 0:
        return None
    return min(seconds, MAX_WAIT)


def backoff(attempt: int, *, base_delay: float = 0.5, max_delay: float = 30.0) -> float:
    """Full-jitter exponential backoff: uniform in ``[0, min(max_delay, base_delay * 2**attempt)]``.

    The formula lives with the others in :mod:`ctlab.backoff`; the draw comes from ``random``.

    >>> 0 <= backoff(3) <= 4.0
    True
    """
    from .backoff import full_jitter

    return full_jitter(attempt, base=base_delay, cap=max_delay, rng=random)


def chat_with_retry(
    client: anthropic.Anthropic,
    messages: list[Any],
    *,
    max_attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
    deadline: float | None = None,
    model: str = MODEL,
    max_tokens: int = 1024,
) -> str:
    """Send ``messages`` and return the reply's text, retrying transient failures.

    ``max_attempts`` counts every request, the first included (4 = 1 + 3 retries).
    Between attempts it waits what the server's ``retry-after`` says (:func:`retry_after`;
    never less: ``max_delay`` caps only its own backoff), or else :func:`backoff`
    (``base_delay`` doubling, capped at ``max_delay``). ``deadline`` is a budget
    in seconds for the whole call, waits included: each attempt's timeout is cut
    to what is left, and when the next wait would not end in time it raises the
    original error at once. The last error is re-raised unchanged.

    >>> import ctlab
    >>> sim = ctlab.run("500", lambda client: chat_with_retry(client, MESSAGES, max_attempts=3))
    >>> sim.requests, len(sim.waits()), type(sim.outcome.error).__name__
    (3, 2, 'InternalServerError')
    """
    if not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or max_attempts < 1:
        raise CtlabError("retry.max_attempts", value=max_attempts)
    once = client.with_options(max_retries=0)
    started = time.monotonic()
    for attempt in range(max_attempts):
        try:
            attempt_client = once if deadline is None else _within(once, deadline - (time.monotonic() - started))
            response = attempt_client.messages.create(model=model, max_tokens=max_tokens, messages=messages)
            return response.content[0].text
        except anthropic.APIError as error:
            if not is_retryable(error) or attempt == max_attempts - 1:
                _note(error, attempt + 1)
                raise
            wait = retry_after(error)
            if wait is None:
                wait = backoff(attempt, base_delay=base_delay, max_delay=max_delay)
            if deadline is not None and time.monotonic() - started + wait >= deadline:
                _note(error, attempt + 1)
                raise
            log.info("attempt %d failed (%s, request_id=%s); retrying in %.2f s",
                     attempt + 1, type(error).__name__, getattr(error, "request_id", None), wait)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _within(client: anthropic.Anthropic, remaining: float) -> anthropic.Anthropic:
    """The client with its timeout cut to ``remaining`` seconds, if that is shorter."""
    current = client.timeout
    limit = current if isinstance(current, (int, float)) else getattr(current, "read", None)
    return client if limit is not None and limit <= remaining else client.with_options(timeout=remaining)


def _note(error: BaseException, attempts: int) -> None:
    if hasattr(error, "add_note"):  # Python >= 3.11
        error.add_note(str(t("retry.gave_up", attempts=attempts)))
