"""The manual retry loop, done right: one retry layer, honest waits, the real error at the end.

    >>> import ctlab
    >>> sim = ctlab.run("429(retry-after=3) 529 200", lambda client: chat_with_retry(client, MESSAGES))
    >>> [a.answer for a in sim.attempts], sim.waits(by="code")[0]
    ([429, 529, 200], 3.0)

What it fixes in the docs page's loop (:mod:`ctlab.docs_loop`):

1. **One retry layer.** It calls ``client.with_options(max_retries=0)``, so the
   SDK does not retry underneath it (3 x 3 = 9 requests otherwise).
2. **Retries what is worth retrying** — 408, 409, 429, 5xx (529 included),
   timeouts and dropped connections — and obeys ``x-should-retry``; never a
   spend limit, never another 4xx.
3. **Waits as told**: ``retry-after-ms`` / ``retry-after`` when the server sends
   them (never sooner), else exponential backoff with full jitter, capped.
4. **No sleep after the last attempt**, and an optional overall ``deadline``
   that bounds attempts and waits together.
5. **Raises the original exception** (with a note of how many attempts were made,
   on Python >= 3.11), never a vague ``Exception``.

Notebook 01 builds it step by step and measures each step.
"""

from __future__ import annotations

import logging
import random
import time
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
        "retry.gave_up": Text("ctlab.retry：共尝试 {attempts} 次后放弃", "ctlab.retry: gave up after {attempts} attempt(s)"),
        "loop.multiply": Text(
            "手写循环 {loop} 轮 × 每轮 SDK 最多发 {sdk} 次 = {total} 次 HTTP 请求；实测：{measured} 次",
            "{loop} rounds of the loop × up to {sdk} SDK attempts in each = {total} HTTP requests; measured: {measured}",
        ),
    },
)

__all__ = ["MESSAGES", "backoff", "chat_with_retry", "is_retryable", "retry_after"]

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
    header = error.response.headers.get("x-should-retry")
    if header in ("true", "false"):
        return header == "true"
    body = error.body if isinstance(error.body, dict) else {}
    details = body.get("error", {}).get("details") if isinstance(body.get("error"), dict) else None
    if isinstance(details, dict) and details.get("error_code") in NEVER_RETRY_CODES:
        return False
    return error.status_code in (408, 409, 429) or error.status_code >= 500


def retry_after(error: BaseException) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` first, then ``retry-after``), if it said.

    >>> import ctlab
    >>> retry_after(ctlab.run("429(retry-after=2)", max_retries=0).outcome.error)
    2.0
    >>> retry_after(ctlab.run("529", max_retries=0).outcome.error) is None
    True
    """
    response = getattr(error, "response", None)
    if response is None:
        return None
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            seconds = float(response.headers[header]) * scale
        except (KeyError, ValueError):
            continue
        if seconds >= 0:
            return min(seconds, MAX_WAIT)  # the SDK caps a retry-after there too
    return None


def backoff(attempt: int, *, base_delay: float = 0.5, max_delay: float = 30.0) -> float:
    """Full-jitter exponential backoff: uniform in ``[0, min(max_delay, base_delay * 2**attempt)]``.

    >>> 0 <= backoff(3) <= 4.0
    True
    """
    return random.uniform(0, min(max_delay, base_delay * 2**attempt))


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
    Between attempts it waits what the server's ``retry-after`` says, or else
    :func:`backoff` (``base_delay`` doubling, capped at ``max_delay``).
    ``deadline`` is a budget in seconds for the whole call, waits included: each
    attempt's timeout is cut to what is left, and it gives up at once when the
    next wait would not end in time. The last error is re-raised unchanged.

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
