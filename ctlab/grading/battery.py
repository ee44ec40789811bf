"""The fault scenarios ``ctlab.check`` runs, and what each expects of a retry function.

    >>> [s.faults for s in EXERCISES[1]]
    ['200', '400', '401', '403', '404', '429', '529', 'timeout', 'disconnect']
    >>> print(PERSISTENT[0].describe().render("en"))
    429: fails every time, forever

A scenario has a *kind*, and the kind says which rules judge it, in order; the
first rule that fails gives the verdict, its explanation and its hint:

* ``ok`` — a plain 200: return the reply's text.
* ``fatal`` — a 4xx no retry can fix: one request, then raise that error.
* ``transient`` — a brief failure: get past it and return the text.
* ``persistent`` — a failure that never clears: stop after a few requests, with
  one retry layer, no sleep after the last attempt, and raise the real error.
* ``backoff`` — a brief overload, run under several seeds: wait before every
  retry, and let the waits vary (jitter).
* ``retry_after`` — wait at least as long as the server asks.
* ``long_retry_after`` — the server asks for a wait far longer than a call can
  usually take (``fn`` is given no budget): raise the original error at once, or
  wait it out; a request sent before ``retry-after`` allows fails.

Every error that escapes must be the SDK's own exception object (or one raised
``from`` it), of the class the SDK raised. The rules these checks enforce are
:data:`ctlab.rules.RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..atlas import sdk_exception
from ..faults import Fault, Reply, Status, StreamError, Timeout, parse
from ..i18n import Text, t
from ..inputs import shorten
from ..retry import retry_after
from ..show import describe_error
from .evidence import chain, from_sdk, is_bug, is_error_for, sdk_work, where
from .runner import RUNAWAY, Run

Kind = Literal[
    "ok", "fatal", "transient", "persistent", "backoff", "retry_after", "long_retry_after",
    "quota", "error_200",  # exercise 9's proxy kinds: their rules are in ctlab.grading.proxy
]

#: The reply text every simulated success carries.
REPLY = Reply().text
#: More requests than this against a server that never recovers is too many, even if it stops.
MAX_REQUESTS = 10


@dataclass(frozen=True)
class Scenario:
    """One fault script, what kind of failure it is, and the seeds it runs under."""

    faults: str
    kind: Kind
    stream: bool = False
    seeds: tuple[int, ...] = (0,)

    @property
    def script(self) -> tuple[Fault, ...]:
        return parse(self.faults).faults

    @property
    def fault(self) -> Fault:
        """The failure this scenario is about (its first fault)."""
        return self.script[0]

    @property
    def succeeds_at(self) -> int:
        """The request (1-based) that gets a reply, or 0 if none does."""
        return next((i + 1 for i, f in enumerate(self.script) if isinstance(f, Reply)), 0)

    def describe(self) -> Text:
        """What was simulated, in words."""
        kind, fault = self.kind, self.fault
        if kind == "fatal":
            assert isinstance(fault, Status)
            return t("check.sc.fatal", faults=self.faults, error=sdk_exception(fault.status_code).__name__)
        if kind == "transient" and isinstance(fault, StreamError):
            return t("check.sc.stream_transient", faults=self.faults, n=self.succeeds_at)
        if kind in ("retry_after", "long_retry_after"):
            assert isinstance(fault, Status)
            return t(f"check.sc.{kind}", faults=self.faults, asked=fault.retry_after)
        return t(f"check.sc.{kind}", faults=self.faults, n=self.succeeds_at, runs=len(self.seeds))


OK = (Scenario("200", "ok"),)
FATAL = tuple(Scenario(code, "fatal") for code in ("400", "401", "403", "404"))
TRANSIENT = tuple(Scenario(f"{f} {f} 200", "transient") for f in ("429", "500", "529", "timeout", "disconnect"))
PERSISTENT = tuple(Scenario(f, "persistent") for f in ("429", "529", "timeout", "disconnect"))
#: A ``retry-after`` far beyond what a call should wait (10 minutes).
LONG_RETRY_AFTER = 600
WAITS = (
    Scenario("529 529 200", "backoff", seeds=(0, 1, 2)),
    Scenario("429(retry-after=3) 200", "retry_after"),
    Scenario(f"429(retry-after={LONG_RETRY_AFTER}) 200", "long_retry_after"),
)
STREAM = (
    Scenario("200", "ok", stream=True),
    Scenario("400", "fatal", stream=True),
    Scenario("529 529 200", "transient", stream=True),
    Scenario("529", "persistent", stream=True),
    Scenario("stream-error 200", "transient", stream=True),
    Scenario("stream-error", "persistent", stream=True),
    Scenario("stream-error stream-error 200", "backoff", stream=True, seeds=(0, 1, 2)),
)
#: Everything a production-worthy (non-streaming) retry function must survive.
FULL = OK + FATAL + TRANSIENT + PERSISTENT + WAITS
#: Notebook 07's exercises: each adds scenarios to the one before; 3 is the full battery, 4 the streaming one.
EXERCISES: dict[int, tuple[Scenario, ...]] = {
    1: OK + FATAL + PERSISTENT,
    2: OK + FATAL + TRANSIENT + PERSISTENT,
    3: FULL,
    4: STREAM,
}


@dataclass(frozen=True)
class Verdict:
    """Pass or fail, why, and (on a failure) what to try and which rule failed (``"layers"``, ``"wasted"``...)."""

    passed: bool
    why: Text
    hint: Text | None = None
    rule: str | None = None


# --- reading what happened ----------------------------------------------------

def _expected(fault: Fault) -> str:
    """The name of what the SDK raises for ``fault``: ``RateLimitError (429)``, ``APITimeoutError``."""
    if isinstance(fault, Status):
        return f"{sdk_exception(fault.status_code).__name__} ({fault.status_code})"
    if isinstance(fault, StreamError):
        return "APIStatusError (200)"
    return "APITimeoutError" if isinstance(fault, Timeout) else "APIConnectionError"


def _error(error: BaseException) -> str:
    return shorten(describe_error(error), 80)


def _value(value: Any) -> str:
    return shorten(repr(value), 60)


def _waits(run: Run) -> list[float]:
    return [round(w, 2) for w in run.measurement.sim.waits()]


def describe_run(run: Run) -> Text:
    """Requests sent, time slept, and what came back or was raised."""
    m = run.measurement
    if run.stopped:
        return t("check.did_stopped", requests=RUNAWAY)
    outcome = m.sim.outcome
    assert outcome is not None
    if outcome.error:
        result = t("outcome.raised", value=_error(outcome.error))
    else:
        result = t("outcome.returned", value=_value(outcome.value))
    return t("check.did", requests=m.requests, slept=m.slept, outcome=result)


def describe_waits(runs: Sequence[Run]) -> Text:
    return t("check.did_waits", waits=" | ".join(str(_waits(r)) for r in runs))


def describe_sdk_work(run: Run) -> Text | None:
    """What the SDK's own retries did in ``run``, if anything: work the function is not to be credited with."""
    retries, slept = sdk_work(run)
    return t("check.did_sdk", retries=retries, slept=slept) if retries else None


# --- the rules -------------------------------------------------------------------

Rule = Callable[[Scenario, Sequence[Run], Callable[..., Any]], "Verdict | None"]


def _fail(key: str, hint: str | None = None, **values: Any) -> Verdict:
    return Verdict(False, t(f"check.bad.{key}", **values), t(f"check.hint.{hint or key}"), key)


def _not_streaming(sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    if sc.stream and any(not all(r.streamed) for r in runs):
        return _fail("not_streaming")
    return None


def _stopped(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    return _fail("stopped", requests=RUNAWAY) if any(r.stopped for r in runs) else None


def _crashed(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        error = run.measurement.sim.outcome.error  # type: ignore[union-attr]
        if is_bug(error) or (sc.kind == "ok" and error is not None):
            assert error is not None
            return _fail("crashed", error=_error(error), where=where(error, fn))
    return None


def _layers(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        counts = [a.retry_count or 0 for a in run.measurement.sim.attempts]
        calls = counts.count(0)
        if calls > 1 and any(counts):
            shown = ",".join(map(str, counts[:12])) + (",…" if len(counts) > 12 else "")
            return _fail("layers", calls=calls, requests=len(counts), counts=shown)
    return None


def _too_many(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    requests = max(r.measurement.requests for r in runs)
    return _fail("too_many", requests=requests, limit=MAX_REQUESTS) if requests > MAX_REQUESTS else None


def _retried_fatal(sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    requests = max(r.measurement.requests for r in runs)
    return _fail("retried_fatal", error=_expected(sc.fault), requests=requests) if requests > 1 else None


def _swallowed(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        outcome = run.measurement.sim.outcome
        assert outcome is not None
        if outcome.ok:
            return _fail("swallowed", value=_value(outcome.value))
    return None


def _lost(sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        error = run.measurement.sim.outcome.error  # type: ignore[union-attr]
        if error is not None and not any(is_error_for(e, sc.fault) for e in chain(error)):
            return _fail("lost", expected=_expected(sc.fault), raised=_error(error))
    return None


def _replaced(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        error = run.measurement.sim.outcome.error  # type: ignore[union-attr]
        if error is not None and not from_sdk(error, run):
            return _fail("replaced", "lost", raised=_error(error))
    return None


def _wasted(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    wasted = max(r.measurement.wasted for r in runs)
    return _fail("wasted", wasted=wasted) if wasted > 0 else None


def _gave_up(sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        error = run.measurement.sim.outcome.error  # type: ignore[union-attr]
        if error is not None:
            hint = "gave_up_stream" if isinstance(sc.fault, StreamError) else None
            return _fail("gave_up", hint, n=sc.succeeds_at, requests=run.measurement.requests, error=_error(error))
    return None


def _wrong_value(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        outcome = run.measurement.sim.outcome
        assert outcome is not None
        value = outcome.value
        if value == REPLY or outcome.error is not None:  # an error is judged by the other rules
            continue
        if isinstance(value, str) and value.endswith(REPLY):
            return _fail("leftovers", value=_value(value), partial=_value(value[: -len(REPLY)]))
        return _fail("wrong_value", value=_value(value), expected=repr(REPLY))
    return None


def _no_backoff(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        for attempt in run.measurement.sim.attempts[:-1]:
            if attempt.waited <= 0:
                return _fail("no_backoff", n=attempt.number + 1)
    return None


def _no_jitter(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    schedules = [_waits(r) for r in runs]
    if len(schedules) > 1 and all(s == schedules[0] for s in schedules):
        return _fail("no_jitter", runs=len(schedules), waits=schedules[0])
    return None


def _ignored_retry_after(_sc: Scenario, runs: Sequence[Run], _fn: Callable[..., Any]) -> Verdict | None:
    """Any request sent before the ``retry-after`` of the answer before it allowed (read as the SDK reads it)."""
    for run in runs:
        attempts = run.measurement.sim.attempts
        for attempt, answer in zip(attempts[:-1], run.answers, strict=False):
            asked = retry_after(getattr(answer, "headers", None))
            if asked is not None and attempt.waited + 1e-9 < asked:
                return _fail("ignored_retry_after", asked=asked, waited=attempt.waited)
    return None


_SUCCEEDS: tuple[Rule, ...] = (_not_streaming, _stopped, _crashed, _gave_up, _wrong_value, _layers, _wasted)
RULES: dict[str, tuple[Rule, ...]] = {
    "ok": (_not_streaming, _stopped, _crashed, _wrong_value, _layers, _wasted),
    "fatal": (_not_streaming, _stopped, _retried_fatal, _swallowed, _crashed, _lost, _replaced, _wasted),
    "persistent": (_not_streaming, _stopped, _layers, _too_many, _swallowed, _crashed, _lost, _replaced, _wasted),
    "transient": _SUCCEEDS,
    "backoff": (*_SUCCEEDS, _no_backoff, _no_jitter),
    "retry_after": (*_SUCCEEDS, _ignored_retry_after),
    "long_retry_after": (
        _not_streaming, _stopped, _crashed, _layers, _ignored_retry_after, _wrong_value, _lost, _replaced, _wasted,
    ),
}


def _passed(sc: Scenario, runs: Sequence[Run]) -> Text:
    m = runs[0].measurement
    error = m.sim.outcome.error if m.sim.outcome else None
    if sc.kind in ("fatal", "persistent"):
        assert error is not None
        return t(f"check.ok.{sc.kind}", error=_error(error), requests=m.requests)
    if sc.kind == "retry_after" or (sc.kind == "long_retry_after" and error is None):
        return t("check.ok.retry_after", waited=m.sim.attempts[0].waited)
    if sc.kind == "long_retry_after":
        assert error is not None
        return t("check.ok.long_retry_after", error=_error(error))
    return t(f"check.ok.{sc.kind}")


def judge(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict:
    """The first rule of ``sc``'s kind that fails, or a pass."""
    for rule in RULES[sc.kind]:
        verdict = rule(sc, runs, fn)
        if verdict is not None:
            return verdict
    return Verdict(True, _passed(sc, runs))
