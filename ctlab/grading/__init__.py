"""ctlab.check(fn): grade a retry function against a battery of simulated failures, in under a second.

    >>> import ctlab
    >>> from ctlab.retry import chat_with_retry
    >>> report = check(chat_with_retry)
    >>> report.passed, len(report.entries)
    (True, 17)
    >>> from ctlab.docs_loop import chat_with_retry as docs_page_loop
    >>> [e.scenario.faults for e in check(docs_page_loop).failed]
    ['429', 'timeout', 'disconnect']

``fn(client, messages) -> str`` gets a simulated ``anthropic.Anthropic`` built
like the docs page's (its proxy ``base_url``, the SDK's default
``max_retries=2`` left on) and the docs page's ``messages``, and must return
the reply's text. Each scenario (see :mod:`ctlab.grading.battery`) runs the real
SDK against a fault script on the virtual clock and holds ``fn`` to the course's
rules (:mod:`ctlab.rules`); the report says, per scenario, what was simulated,
what ``fn`` did (requests, time slept, what it returned or raised, and which of
those requests and sleeps were the SDK's own retries rather than ``fn``'s),
pass or fail, why, and a hint — in the language ``ctlab.set_lang`` chose.

Safe on any function: a wrong signature, an ``async def``, a bug, a loop
that never gives up (stopped after :data:`~ctlab.grading.runner.RUNAWAY`
requests) or one that spins without sending anything (stopped after
``time_limit`` real seconds) each get a clear message instead of a crash.
Each scenario's simulation owns the thread the function runs in (and threads
it starts), and nothing else; when the scenario ends it is removed, even if
the function never returns: that function keeps its thread, but can reach no
simulation again (see :mod:`ctlab.grading.runner`).
"""

from __future__ import annotations

import inspect
import time
from typing import Any

from ..i18n import CtlabError, Text, t
from . import messages  # noqa: F401  (registers the words of the grader and its report)
from .battery import EXERCISES, FULL, RULES, STREAM, Scenario, describe_run, describe_sdk_work, describe_waits, judge
from .evidence import where
from .proxy import PROXY, PROXY_RULES, proxy_aware_retry
from .report import Entry, Report
from .runner import RUNAWAY, TIME_LIMIT, Escaped, Hang, Run, guarded
from .solutions import SOLUTIONS, Solution, solution

__all__ = ["EXERCISES", "Entry", "Report", "Solution", "check", "solution"]

#: Notebook 09's exercise: a proxy-aware retry loop (ctlab.grading.proxy), with its two kinds of scenario.
RULES.update(PROXY_RULES)
EXERCISES[9] = PROXY
SOLUTIONS[9] = Solution(9, proxy_aware_retry)

#: The longest real time one scenario may be given (``time_limit``), in seconds.
MAX_TIME_LIMIT = 3600.0


def _scope(exercise: int | None, stream: bool) -> tuple[tuple[Scenario, ...], Text]:
    if exercise is None:
        return (STREAM, t("check.scope.stream")) if stream else (FULL, t("check.scope.full"))
    if stream:
        raise CtlabError("check.stream_exercise")
    if isinstance(exercise, bool) or not isinstance(exercise, int) or exercise not in EXERCISES:
        raise CtlabError("check.exercise", value=repr(exercise), allowed=", ".join(map(str, EXERCISES)))
    return EXERCISES[exercise], t("check.scope.exercise", n=exercise, title=t(f"check.exercise.{exercise}"))


def _name(fn: Any) -> str:
    """``chat``, or ``ctlab.retry.chat_with_retry`` for the course's own functions."""
    name = str(getattr(fn, "__name__", None) or type(fn).__name__)
    module = getattr(fn, "__module__", None)
    return f"{module}.{name}" if isinstance(module, str) and module.startswith("ctlab.") else name


def _unfit(fn: Any, name: str) -> Text | None:
    """Why ``fn`` cannot be graded at all, if it cannot."""
    if not callable(fn):
        return t("check.not_callable", value=repr(fn)[:60])
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        return t("check.async", name=name)
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some built-ins have none: just try them
        return None
    try:
        signature.bind(object(), [])
    except TypeError:
        return t("check.signature", name=name, signature=str(signature))
    return None


def _entry(scenario: Scenario, runs: list[Run], fn: Any) -> Entry:
    sdk = describe_sdk_work(runs[0])
    did = (describe_run(runs[0]),) + ((sdk,) if sdk else ()) + ((describe_waits(runs),) if len(runs) > 1 else ())
    return Entry(scenario, tuple(runs), judge(scenario, runs, fn), did)


def check(fn: Any, exercise: int | None = None, *, stream: bool = False, time_limit: float = TIME_LIMIT) -> Report:
    """Grade ``fn(client, messages) -> str``: the full battery, or one exercise's scenarios.

    ``stream=True`` runs the streaming battery instead.

    ``time_limit`` is the real time one scenario may take before ``fn`` counts
    as hung (a normal scenario takes a few milliseconds).
    """
    if not isinstance(stream, bool):
        raise CtlabError(
            "input.argument", call="check", name="stream", value=repr(stream), allowed=t("input.allowed.bool")
        )
    scenarios, scope = _scope(exercise, stream)
    if not (isinstance(time_limit, (int, float)) and not isinstance(time_limit, bool) and time_limit > 0):
        raise CtlabError("check.time_limit", value=time_limit)
    if not time_limit <= MAX_TIME_LIMIT:  # inf would overflow Thread.join
        raise CtlabError("check.time_limit_range", value=time_limit, limit=int(MAX_TIME_LIMIT))
    if isinstance(fn, Solution):
        fn = fn.fn
    name = _name(fn)
    problem = _unfit(fn, name)
    if problem is not None:
        return Report(name, scope, (), problem)
    started = time.perf_counter()
    entries: list[Entry] = []
    for index, scenario in enumerate(scenarios):
        runs: list[Run] = []
        for seed in scenario.seeds:
            result = guarded(fn, scenario.faults, seed=seed, time_limit=time_limit)
            if isinstance(result, Hang):
                problem = _hang(scenario, result)
            elif isinstance(result, Escaped):
                kind = type(result.error).__name__
                problem = t("check.escaped", scenario=scenario.faults, error=kind)
            else:
                runs.append(result)
                continue
            break
        if problem is not None:
            break
        error = runs[0].measurement.sim.outcome.error  # type: ignore[union-attr]
        if index == 0 and error is not None:  # the first scenario is a plain 200: nothing went wrong but the code
            problem = t("check.crashed", error=f"{type(error).__name__}: {error}"[:100], where=where(error, fn))
            break
        entries.append(_entry(scenario, runs, fn))
    return Report(name, scope, tuple(entries), problem, time.perf_counter() - started)


def _hang(scenario: Scenario, hang: Hang) -> Text:
    if hang.runaway:
        message = t("check.hang_runaway", scenario=scenario.faults, requests=RUNAWAY)
    else:
        message = t("check.hang", scenario=scenario.faults, limit=hang.limit)
    then = t("check.hang_stopped" if hang.stopped else "check.hang_alive_thread")
    return Text(f"{message.zh}{then.zh}", f"{message.en} {then.en}")

