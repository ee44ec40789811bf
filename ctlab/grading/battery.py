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
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import anthropic

from ..atlas import sdk_exception
from ..faults import Disconnect, Fault, Reply, Status, StreamError, Timeout, parse
from ..i18n import Text, t
from ..show import describe_error
from .runner import RUNAWAY, Run, Stopped, source_file

Kind = Literal["ok", "fatal", "transient", "persistent", "backoff", "retry_after"]

#: The reply text every simulated success carries.
REPLY = Reply().text
#: More requests than this against a server that never recovers is too many, even if it stops.
MAX_REQUESTS = 10
#: Exceptions that mean the learner's code has a bug, not that it chose to raise.
BUGS: tuple[type[BaseException], ...] = (
    TypeError, NameError, AttributeError, LookupError, ZeroDivisionError, ImportError, RecursionError,
)


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
        if kind == "retry_after":
            assert isinstance(fault, Status)
            return t("check.sc.retry_after", faults=self.faults, asked=fault.retry_after)
        return t(f"check.sc.{kind}", faults=self.faults, n=self.succeeds_at, runs=len(self.seeds))


OK = (Scenario("200", "ok"),)
FATAL = tuple(Scenario(code, "fatal") for code in ("400", "401", "403", "404"))
TRANSIENT = tuple(Scenario(f"{f} {f} 200", "transient") for f in ("429", "500", "529", "timeout", "disconnect"))
PERSISTENT = tuple(Scenario(f, "persistent") for f in ("429", "529", "timeout", "disconnect"))
WAITS = (Scenario("529 529 200", "backoff", seeds=(0, 1, 2)), Scenario("429(retry-after=3) 200", "retry_after"))
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

def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """``error`` and its explicit causes (``raise ... from ...``)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__


def _is(error: BaseException, fault: Fault) -> bool:
    """Whether ``error`` is what the SDK raises for ``fault``."""
    if isinstance(fault, Status):
        return isinstance(error, anthropic.APIStatusError) and error.status_code == fault.status_code
    if isinstance(fault, StreamError):
        return isinstance(error, anthropic.APIStatusError) and error.status_code == 200
    if isinstance(fault, Timeout):
        return isinstance(error, anthropic.APITimeoutError)
    if isinstance(fault, Disconnect):
        return isinstance(error, anthropic.APIConnectionError) and not isinstance(error, anthropic.APITimeoutError)
    return False


def _expected(fault: Fault) -> str:
    """The name of what the SDK raises for ``fault``: ``RateLimitError (429)``, ``APITimeoutError``."""
    if isinstance(fault, Status):
        return f"{sdk_exception(fault.status_code).__name__} ({fault.status_code})"
    if isinstance(fault, StreamError):
        return "APIStatusError (200)"
    return "APITimeoutError" if isinstance(fault, Timeout) else "APIConnectionError"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(error: BaseException) -> str:
    return _short(describe_error(error))


def _value(value: Any) -> str:
    return _short(repr(value), 60)


def is_bug(error: BaseException | None) -> bool:
    """A ``TypeError``, ``NameError``... that no SDK error caused: the learner's code is broken."""
    if error is None or isinstance(error, Stopped) or not isinstance(error, BUGS):
        return False
    return not any(isinstance(e, anthropic.APIError) for e in _chain(error))


def where(error: BaseException, fn: Callable[..., Any]) -> Text:
    """`` (line 7: return client.create(messages))``: the innermost line of ``fn``'s file in the traceback."""
    filename = source_file(fn)
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    if not frames:
        return Text("", "")
    return t("check.where", line=frames[-1].lineno, code=(frames[-1].line or "").strip())


def _waits(run: Run) -> list[float]:
    return [round(w, 2) for w in run.measurement.sim.waits()]


def describe_run(run: Run) -> Text:
    """Requests sent, time slept, and what came back or was raised."""
    m = run.measurement
    if run.stopped:
        return t("check.did_stopped", requests=RUNAWAY)
    outcome = m.sim.outcome
    assert outcome is not None
    result = t("outcome.raised", value=_error(outcome.error)) if outcome.error else t("outcome.returned", value=_value(outcome.value))
    return t("check.did", requests=m.requests, slept=m.slept, outcome=result)


def describe_waits(runs: Sequence[Run]) -> Text:
    return t("check.did_waits", waits=" | ".join(str(_waits(r)) for r in runs))


# --- the rules -------------------------------------------------------------------

Rule = Callable[[Scenario, Sequence[Run], Callable[..., Any]], "Verdict | None"]


def _fail(key: str, hint: str | None = None, **values: Any) -> Verdict:
    return Verdict(False, t(f"check.bad.{key}", **values), t(f"check.hint.{hint or key}"), key)


def _not_streaming(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    if sc.stream and any(not all(r.streamed) for r in runs):
        return _fail("not_streaming")
    return None


def _stopped(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    return _fail("stopped", requests=RUNAWAY) if any(r.stopped for r in runs) else None


def _crashed(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        error = run.measurement.sim.outcome.error  # type: ignore[union-attr]
        if is_bug(error) or (sc.kind == "ok" and error is not None):
            assert error is not None
            return _fail("crashed", error=_error(error), where=where(error, fn))
    return None


def _layers(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        counts = [a.retry_count or 0 for a in run.measurement.sim.attempts]
        calls = counts.count(0)
        if calls > 1 and any(counts):
            shown = ",".join(map(str, counts[:12])) + (",…" if len(counts) > 12 else "")
            return _fail("layers", calls=calls, requests=len(counts), counts=shown)
    return None


def _too_many(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    requests = max(r.measurement.requests for r in runs)
    return _fail("too_many", requests=requests, limit=MAX_REQUESTS) if requests > MAX_REQUESTS else None


def _retried_fatal(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    requests = max(r.measurement.requests for r in runs)
    return _fail("retried_fatal", error=_expected(sc.fault), requests=requests) if requests > 1 else None


def _swallowed(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        outcome = run.measurement.sim.outcome
        assert outcome is not None
        if outcome.ok:
            return _fail("swallowed", value=_value(outcome.value))
    return None


def _lost(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        error = run.measurement.sim.outcome.error  # type: ignore[union-attr]
        if error is not None and not any(_is(e, sc.fault) for e in _chain(error)):
            return _fail("lost", expected=_expected(sc.fault), raised=_error(error))
    return None


def _wasted(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    wasted = max(r.measurement.wasted for r in runs)
    return _fail("wasted", wasted=wasted) if wasted > 0 else None


def _gave_up(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        error = run.measurement.sim.outcome.error  # type: ignore[union-attr]
        if error is not None:
            hint = "gave_up_stream" if isinstance(sc.fault, StreamError) else None
            return _fail("gave_up", hint, n=sc.succeeds_at, requests=run.measurement.requests, error=_error(error))
    return None


def _wrong_value(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        value = run.measurement.sim.outcome.value  # type: ignore[union-attr]
        if value == REPLY:
            continue
        if isinstance(value, str) and value.endswith(REPLY):
            return _fail("leftovers", value=_value(value), partial=_value(value[: -len(REPLY)]))
        return _fail("wrong_value", value=_value(value), expected=repr(REPLY))
    return None


def _no_backoff(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    for run in runs:
        for attempt in run.measurement.sim.attempts[:-1]:
            if attempt.waited <= 0:
                return _fail("no_backoff", n=attempt.number + 1)
    return None


def _no_jitter(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    schedules = [_waits(r) for r in runs]
    if len(schedules) > 1 and all(s == schedules[0] for s in schedules):
        return _fail("no_jitter", runs=len(schedules), waits=schedules[0])
    return None


def _ignored_retry_after(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict | None:
    asked = getattr(sc.fault, "retry_after", None) or 0.0
    for run in runs:
        waited = run.measurement.sim.attempts[0].waited
        if waited + 1e-9 < asked:
            return _fail("ignored_retry_after", asked=asked, waited=waited)
    return None


_SUCCEEDS: tuple[Rule, ...] = (_not_streaming, _stopped, _crashed, _gave_up, _wrong_value, _layers, _wasted)
RULES: dict[str, tuple[Rule, ...]] = {
    "ok": (_not_streaming, _stopped, _crashed, _wrong_value, _layers, _wasted),
    "fatal": (_not_streaming, _stopped, _retried_fatal, _swallowed, _crashed, _lost, _wasted),
    "persistent": (_not_streaming, _stopped, _layers, _too_many, _swallowed, _crashed, _lost, _wasted),
    "transient": _SUCCEEDS,
    "backoff": (*_SUCCEEDS, _no_backoff, _no_jitter),
    "retry_after": (*_SUCCEEDS, _ignored_retry_after),
}


def _passed(sc: Scenario, runs: Sequence[Run]) -> Text:
    m = runs[0].measurement
    error = m.sim.outcome.error if m.sim.outcome else None
    if sc.kind in ("fatal", "persistent"):
        assert error is not None
        return t(f"check.ok.{sc.kind}", error=_error(error), requests=m.requests)
    if sc.kind == "retry_after":
        return t("check.ok.retry_after", waited=m.sim.attempts[0].waited)
    return t(f"check.ok.{sc.kind}")


def judge(sc: Scenario, runs: Sequence[Run], fn: Callable[..., Any]) -> Verdict:
    """The first rule of ``sc``'s kind that fails, or a pass."""
    for rule in RULES[sc.kind]:
        verdict = rule(sc, runs, fn)
        if verdict is not None:
            return verdict
    return Verdict(True, _passed(sc, runs))
