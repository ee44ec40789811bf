"""The JavaScript loop (notebooks/js/retry_loop.mjs) and the Python one (ctlab.retry) obey the same rules,
with the same results.

One battery of scenarios, run by both: the JS loop with the real JS SDK against
ctlab's fault server (``ctlab.harness.compare_clients``, as notebook 04 runs it), the
Python loop with the real Python SDK in process. Both must send the same
requests, get the same answers, end the same way (the same error class, or the
reply), and wait the same: exactly the server's ``retry-after`` when the SDKs
obey it, else a jittered backoff inside the same bounds.
"""

from __future__ import annotations

import email.utils
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from ctlab.faults import FaultsLike, ok, status
from ctlab.harness import Exchange, OneProcess
from ctlab.harness import compare_clients as compare
from ctlab.measure import Measurement
from ctlab.retry import MESSAGES, chat_with_retry

ROOT = Path(__file__).resolve().parents[1]
JS = OneProcess(["node", str(ROOT / "notebooks" / "js" / "run.mjs"), "retry-loop", "--timeout", "500"])
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "@anthropic-ai" / "sdk").exists(),
    reason="node or the JS SDK (npm ci) is not installed",
)
#: The same error in each language's SDK, where the names differ.
SAME_CLASS = {"APIConnectionTimeoutError": "APITimeoutError"}


def _date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


#: (faults, the wait each retry must take: seconds the server set, or None for a backoff)
BATTERY: list[tuple[FaultsLike, list[float | None]]] = [
    ("200", []),
    ("400", []),
    ("429(error-code=enforced_spend_limit_reached)", []),
    ("529(x-should-retry=false)", []),
    ("400(x-should-retry=true) 200", [None]),
    ("500 500 200", [None, None]),
    ("529", [None, None, None]),
    ("disconnect disconnect 200", [None, None]),
    ("timeout 200", [None]),
    ("429(retry-after=2) 200", [2.0]),
    ("429(retry-after-ms=1500) 200", [1.5]),
    ("429(retry-after-ms='abc', retry-after=3) 200", [3.0]),
    ("429(retry-after=600) 200", [600.0]),  # no budget given: the full wait, never shortened
    ("429(retry-after=0) 200", [None]),  # 0 is "not said": a backoff, not an instant retry
    ("429(retry-after-ms=0) 200", [None]),
    ("429(retry-after='soon') 200", [None]),
    ("429(retry-after='-1') 200", [None]),
]


def _outcome(row: Exchange | Measurement) -> tuple[str, Any]:
    if isinstance(row, Exchange):
        result = row.result or {}
        if "threw" in result:
            return "raised", SAME_CLASS.get(result["threw"], result["threw"])
        return "returned", result.get("returned")
    outcome = row.sim.outcome
    assert outcome is not None
    return ("raised", type(outcome.error).__name__) if outcome.error else ("returned", outcome.value)


def _waits(row: Exchange | Measurement) -> list[float]:
    return row.waits if isinstance(row, Exchange) else row.sim.waits()


def _agree(table: Any, faults: FaultsLike, expected: list[float | None] | None) -> None:
    """Same requests, answers, outcome and number of waits.

    ``expected`` (unless ``None``) says what each wait must be.
    """
    js, py = table.get("JS", faults), table.get("Python", faults)
    where = str(py.faults)
    assert js.requests == py.requests and (expected is None or js.requests == len(expected) + 1), where
    assert [a.answer for a in js.received] == [a.answer for a in py.sim.attempts], where
    assert js.retry_counts == [a.retry_count for a in py.sim.attempts] == [0] * py.requests, where  # one layer
    assert _outcome(js) == _outcome(py), where
    for n, (told, a, b) in enumerate(zip(expected or [], _waits(js), _waits(py), strict=False)):
        if told is None:  # full jitter: uniform in [0, 0.5 * 2**n] s, never after the last attempt
            assert 0 <= a <= 0.5 * 2**n and 0 <= b <= 0.5 * 2**n, where
        elif told is not None:  # the server's word, read by each SDK's rules
            assert a == b == told, where
    assert len(_waits(js)) == len(_waits(py)) == js.requests - 1, where


def test_the_js_and_python_loops_agree_on_every_scenario() -> None:
    table = compare({"JS": JS, "Python": lambda client: chat_with_retry(client, MESSAGES)}, [f for f, _ in BATTERY])
    for faults, expected in BATTERY:
        _agree(table, faults, expected)


def test_both_loops_read_an_http_date_as_a_wait_counted_from_now() -> None:
    past, future = [status(429, retry_after=_date(-60)), ok()], [status(429, retry_after=_date(60)), ok()]
    started = time.time()
    table = compare({"JS": JS, "Python": lambda client: chat_with_retry(client, MESSAGES)}, [past, future])
    _agree(table, past, [None])
    _agree(table, future, None)
    late = time.time() - started + 1.0  # the date has seconds only, and real time passed while the clients started
    for name in ("JS", "Python"):
        [wait] = _waits(table.get(name, future))
        assert 60 - late - 1.0 <= wait <= 60.0, name


def test_a_wait_that_does_not_fit_the_budget_raises_the_original_error_at_once_in_both() -> None:
    scenarios = ["429(retry-after=600) 200", "429(retry-after=2)*3 200"]
    within_5_s = OneProcess([*JS.command, "--deadline", "5000"])
    table = compare(
        {"JS": within_5_s, "Python": lambda client: chat_with_retry(client, MESSAGES, deadline=5.0)},
        scenarios,
    )
    _agree(table, "429(retry-after=600) 200", [])  # 1 request, RateLimitError, no sleep
    js, py = table.get("JS", scenarios[1]), table.get("Python", scenarios[1])
    # a third wait would end past 5 s
    assert js.requests == py.requests == 3 and js.waits == py.sim.waits() == [2.0, 2.0]
    assert _outcome(js) == _outcome(py) == ("raised", "RateLimitError")
