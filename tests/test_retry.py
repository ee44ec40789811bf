"""The docs page's loop, measured; and the corrected loop, held to what it promises."""

from __future__ import annotations

import anthropic
import pytest

import ctlab
from ctlab import docs_loop, retry
from ctlab.docs_loop import MESSAGES


def docs(client: anthropic.Anthropic) -> str:
    return docs_loop.chat_with_retry(client, MESSAGES)


def fixed(client: anthropic.Anthropic, **options: object) -> str:
    return retry.chat_with_retry(client, MESSAGES, **options)  # type: ignore[arg-type]


# --- the docs page's loop (facts measured against the real SDK) -------------

def test_docs_loop_a_429_forever_costs_9_requests_and_sleeps_after_the_last() -> None:
    sim = ctlab.run("429", docs)
    assert sim.requests == 9  # 3 manual attempts x 3 SDK attempts
    assert sim.waits(by="code") == [1, 2, 4]  # the 4 s wait follows the final attempt
    assert type(sim.outcome.error) is Exception


def test_docs_loop_never_catches_529_or_500() -> None:
    for fault, cls in (("529", anthropic.OverloadedError), ("500", anthropic.InternalServerError)):
        sim = ctlab.run(fault, docs)
        assert sim.requests == 3 and type(sim.outcome.error) is cls


def test_docs_loop_retries_timeouts_with_no_backoff_of_its_own() -> None:
    sim = ctlab.run("timeout", docs, timeout=10.0)
    assert sim.requests == 9 and sim.waits(by="code") == []


def test_docs_loop_reports_max_retries_for_a_single_connection_error(capsys: pytest.CaptureFixture[str]) -> None:
    sim = ctlab.run("disconnect", docs)
    assert sim.requests == 3
    assert "max retries reached" in str(sim.outcome.error)
    assert sim.outcome.error.__cause__ is None and sim.outcome.error.__context__ is None  # the cause is lost
    assert "连接错误" in capsys.readouterr().out


# --- the corrected loop --------------------------------------------------------

def test_fixed_loop_is_the_only_retry_layer() -> None:
    sim = ctlab.run("429", fixed)
    assert sim.requests == 4 and sim.waits(by="sdk") == []
    assert type(sim.outcome.error) is anthropic.RateLimitError


@pytest.mark.parametrize("fault", ["408", "409", "429", "500", "503", "529", "timeout", "disconnect"])
def test_fixed_loop_recovers_from_each_transient_failure(fault: str) -> None:
    sim = ctlab.run(f"{fault} {fault} 200", fixed)
    assert sim.outcome.value == "你好！Hello!" and sim.requests == 3


@pytest.mark.parametrize("fault", ["400", "401", "403", "404", "413", "422", "429(error-code=enforced_spend_limit_reached)", "529(x-should-retry=false)"])
def test_fixed_loop_gives_up_at_once_on_what_cannot_succeed(fault: str) -> None:
    sim = ctlab.run(fault, fixed)
    assert sim.requests == 1 and sim.slept == 0 and isinstance(sim.outcome.error, anthropic.APIStatusError)


def test_fixed_loop_obeys_x_should_retry_true() -> None:
    assert ctlab.run("400(x-should-retry=true) 200", fixed).outcome.ok


def test_fixed_loop_waits_as_the_server_says() -> None:
    assert ctlab.run("429(retry-after=3) 429(retry-after-ms=250) 200", fixed).waits() == [3.0, 0.25]
    assert ctlab.run("429(retry-after=3600) 200", lambda c: fixed(c, max_delay=20.0)).waits() == [20.0]


@pytest.mark.parametrize("seed", range(10))
def test_fixed_loop_backoff_is_full_jitter_and_never_sleeps_after_the_last_attempt(seed: int) -> None:
    sim = ctlab.run("500", fixed, seed=seed)
    waits = sim.waits()
    assert len(waits) == sim.requests - 1 == 3
    assert all(0 <= w <= 0.5 * 2**n for n, w in enumerate(waits))


def test_fixed_loop_raises_the_original_error_with_a_note() -> None:
    error = ctlab.run("disconnect", fixed).outcome.error
    assert type(error) is anthropic.APIConnectionError
    if hasattr(error, "__notes__"):
        assert "gave up after 4 attempt(s)" in error.__notes__[0]


def test_fixed_loop_deadline_counts_simulated_timeouts_and_waits() -> None:
    sim = ctlab.run("timeout", lambda c: fixed(c, deadline=25.0), timeout=10.0)
    assert type(sim.outcome.error) is anthropic.APITimeoutError
    assert [round(a.duration, 2) for a in sim.attempts] == [10.0, 10.0, round(25.0 - sim.attempts[2].at, 2)]
    assert sim.elapsed == pytest.approx(25.0)  # the third attempt's timeout was cut to what was left


def test_fixed_loop_rejects_a_nonsense_attempt_count() -> None:
    with ctlab.simulate("200") as sim, pytest.raises(ValueError, match="max_attempts must be >= 1"):
        fixed(sim.client(), max_attempts=0)
    assert sim.requests == 0
