"""Production patterns around the SDK: one retry layer, streams that fall back, attempts you can see.

Each piece is small and uses the libraries as their docs intend:

- :func:`ask_with_tenacity` and :func:`ask_with_stamina` — tenacity or stamina as
  the **only** retry layer: the client is used with ``max_retries=0``, errors are
  classified by :func:`ctlab.retry.is_retryable`, and the server's ``retry-after``
  wins over the library's own backoff (:func:`wait_retry_after`, :func:`stamina_hook`)::

    >>> import ctlab
    >>> sim = ctlab.run("429(retry-after=3) 529 200", ask_with_stamina)
    >>> [a.answer for a in sim.attempts], sim.waits(by="code")[0]
    ([429, 529, 200], 3.0)

- :func:`stream_with_fallback` — restart a stream that broke midway, then try
  another model (built on :func:`ctlab.streams.stream_with_restart`).
- :class:`AttemptLog` — SDK middleware that sees every HTTP attempt (status,
  ``request-id``, retry number) and logs it on the ``ctlab.attempts`` logger.

Pacing many concurrent requests to the server's announced limits is
:class:`ctlab.ratelimit.Pacer`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import anthropic
import stamina
import tenacity
from anthropic._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY

from .docs_loop import MODEL
from .i18n import Text, register, t
from .retry import is_retryable, retry_after
from .simulate import ask
from .streams import Streamed, stream_with_restart

register(
    __name__,
    {
        "patterns.attempts": Text(
            "共 {attempts} 次 HTTP 尝试，其中 {retries} 次是 SDK 的重试；回应：{answers}",
            "{attempts} HTTP attempts, {retries} of them the SDK's retries; answers: {answers}",
        ),
        "patterns.fallback": Text(
            "{model} 的{result}；依次试过的模型：{tried}", "{result} from {model}; models tried in turn: {tried}"
        ),
        "patterns.fallback_failed": Text(
            "所有模型都失败了（依次试过：{tried}），最后是 {error}",
            "every model failed (tried in turn: {tried}), the last with {error}",
        ),
    },
)

__all__ = [
    "FALLBACK_MODEL",
    "AttemptLog",
    "AttemptRecord",
    "Fallback",
    "ask_with_stamina",
    "ask_with_tenacity",
    "stamina_hook",
    "stream_with_fallback",
    "wait_retry_after",
]

log = logging.getLogger("ctlab.attempts")

#: Tried when the first model keeps failing; check that your account can use it.
FALLBACK_MODEL = "claude-sonnet-4-6"


# -- one retry layer -------------------------------------------------------------
class wait_retry_after(tenacity.wait.wait_base):  # noqa: N801 - tenacity's naming style
    """A tenacity wait: what the server's ``retry-after`` says, when it said; otherwise ``fallback``.

    >>> import ctlab
    >>> error = ctlab.run("429(retry-after=7)", max_retries=0).outcome.error
    >>> state = tenacity.RetryCallState(None, None, (), {})
    >>> state.set_exception((type(error), error, None))
    >>> wait_retry_after(tenacity.wait_fixed(1))(state)
    7.0
    """

    def __init__(self, fallback: tenacity.wait.wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        seconds = retry_after(error) if error is not None else None
        return self.fallback(retry_state) if seconds is None else seconds


@tenacity.retry(
    retry=tenacity.retry_if_exception(is_retryable),
    stop=tenacity.stop_after_attempt(3),
    wait=wait_retry_after(tenacity.wait_random_exponential(multiplier=INITIAL_RETRY_DELAY, max=MAX_RETRY_DELAY)),
    reraise=True,
)
def ask_with_tenacity(client: anthropic.Anthropic, messages: list[Any] | None = None) -> str:
    """The docs page's request, retried by tenacity only: 3 attempts, ``retry-after`` or full jitter, the real error.

    >>> import ctlab
    >>> ctlab.run("529", ask_with_tenacity).requests
    3
    """
    return ask(client.with_options(max_retries=0), messages)


def stamina_hook(error: Exception) -> bool | float:
    """stamina's backoff hook: ``False`` for errors not worth retrying, the server's ``retry-after`` if it sent one,
    else ``True``.

    >>> import ctlab
    >>> [stamina_hook(ctlab.run(f, max_retries=0).outcome.error) for f in ("400", "529", "429(retry-after=2)")]
    [False, True, 2.0]
    """
    if not is_retryable(error):
        return False
    seconds = retry_after(error)
    return True if seconds is None else seconds


@stamina.retry(on=stamina_hook, attempts=3, wait_initial=INITIAL_RETRY_DELAY, wait_max=MAX_RETRY_DELAY, timeout=None)
def ask_with_stamina(client: anthropic.Anthropic, messages: list[Any] | None = None) -> str:
    """The docs page's request, retried by stamina only (same rules as :func:`ask_with_tenacity`).

    >>> import ctlab
    >>> ctlab.run("429(error-code=enforced_spend_limit_reached)", ask_with_stamina).requests
    1
    """
    return ask(client.with_options(max_retries=0), messages)


# -- streams ---------------------------------------------------------------------
@dataclass
class Fallback:
    """What :func:`stream_with_fallback` got: the model that gave the final answer and its
    :class:`~ctlab.streams.Streamed`."""

    model: str
    result: Streamed | None
    tried: list[str] = field(default_factory=list)
    error: anthropic.APIError | None = None

    @property
    def complete(self) -> bool:
        return self.result is not None and self.result.complete

    def describe(self) -> Text:
        """How it reads in a timeline or a table.

        >>> print(Fallback("claude-sonnet-4-6", Streamed("hi", 1), ["a", "claude-sonnet-4-6"]).describe().render("en"))
        the whole reply 'hi' (stream requests: 1) from claude-sonnet-4-6; models tried in turn: a, claude-sonnet-4-6
        """
        tried = ", ".join(self.tried) or "-"
        if self.result is None:
            return t("patterns.fallback_failed", tried=tried, error=type(self.error).__name__)
        return t("patterns.fallback", model=self.model, result=self.result.describe(), tried=tried)


def stream_with_fallback(
    client: anthropic.Anthropic,
    messages: list[Any] | None = None,
    *,
    models: tuple[str, ...] = (MODEL, FALLBACK_MODEL),
    restarts: int = 1,
    **stream_options: Any,
) -> Fallback:
    """Stream from each model in turn until one completes.

    For each model, a stream that breaks midway with an error worth retrying is
    restarted up to ``restarts`` times (:func:`ctlab.streams.stream_with_restart`);
    an ``OverloadedError`` before the stream starts (after the SDK's own retries)
    also moves on to the next model. Other errors propagate. When every model
    fails, the last partial result (or error) is returned with ``complete == False``.

    >>> import ctlab
    >>> got = ctlab.run("stream-error stream-error 200", stream_with_fallback).outcome.value
    >>> got.complete, got.model, got.tried
    (True, 'claude-sonnet-4-6', ['claude-opus-4-7', 'claude-sonnet-4-6'])
    """
    tried: list[str] = []
    last = Fallback(models[-1], None)
    for model in models:
        tried.append(model)
        try:
            result = stream_with_restart(client, messages, restarts=restarts, model=model, **stream_options)
        except anthropic.OverloadedError as error:
            last = Fallback(model, None, list(tried), error)
            continue
        last = Fallback(model, result, list(tried), result.error)
        if result.complete:
            break
    return last


# -- seeing every attempt -------------------------------------------------------------
@dataclass(frozen=True)
class AttemptRecord:
    """One HTTP attempt as the client saw it."""

    retries_taken: int
    answer: int | str
    request_id: str | None


class AttemptLog(anthropic.Middleware):  # type: ignore[misc]  # the SDK is Any to mypy (skipped on purpose)
    """SDK middleware: record and log every HTTP attempt (the SDK runs middleware once per attempt).

    Each attempt is logged at INFO on the ``ctlab.attempts`` logger as
    ``key=value`` pairs, ready for a log search or a metrics pipeline.

    >>> import ctlab
    >>> attempts = AttemptLog()
    >>> sim = ctlab.run("429 529 200", middleware=[attempts])
    >>> [(r.retries_taken, r.answer) for r in attempts.records], attempts.retries
    ([(0, 429), (1, 529), (2, 200)], 2)
    """

    def __init__(self) -> None:
        self.records: list[AttemptRecord] = []

    @property
    def retries(self) -> int:
        """Attempts that were the SDK's retries (a retry library above the SDK starts a new call each time)."""
        return sum(1 for r in self.records if r.retries_taken > 0)

    def _record(self, request: Any, answer: int | str, request_id: str | None) -> None:
        record = AttemptRecord(request.retries_taken, answer, request_id)
        self.records.append(record)
        log.info("attempt method=%s url=%s retries_taken=%d answer=%s request_id=%s",
                 request.method, request.url, record.retries_taken, answer, request_id)

    def handle(self, request: Any, call_next: Any) -> Any:
        try:
            response = call_next(request)
        except anthropic.APIConnectionError as error:
            self._record(request, type(error).__name__, None)
            raise
        self._record(request, response.status_code, response.headers.get("request-id"))
        return response

    async def handle_async(self, request: Any, call_next: Any) -> Any:
        try:
            response = await call_next(request)
        except anthropic.APIConnectionError as error:
            self._record(request, type(error).__name__, None)
            raise
        self._record(request, response.status_code, response.headers.get("request-id"))
        return response

    def summary(self) -> Text:
        """Attempts, retries, and how many of each answer, in the order each answer first came."""
        counts: dict[str, int] = {}
        for r in self.records:
            counts[str(r.answer)] = counts.get(str(r.answer), 0) + 1
        answers = ", ".join(f"{k}×{v}" for k, v in counts.items())
        return t("patterns.attempts", attempts=len(self.records), retries=self.retries, answers=answers)
