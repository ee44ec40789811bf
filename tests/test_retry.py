"""The docs page's loop, measured; and the corrected loop, held to what it promises."""

from __future__ import annotations

import anthropic
import pytest

import ctlab
from ctlab import docs_loop, retry
from ctlab.atlas import STATUSES, sdk_retries
from ctlab.docs_loop import MESSAGES
from ctlab.i18n import CtlabError, t


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


def test_docs_loop_raises_a_bad_request_at_once() -> None:
    sim = ctlab.run("400", docs)
    assert sim.requests == 1 and type(sim.outcome.error) is anthropic.BadRequestError


def test_docs_loop_survives_a_brief_429_only_because_the_sdk_retried_it(capsys: pytest.CaptureFixture[str]) -> None:
    sim = ctlab.run("429 429 200", docs)
    assert sim.outcome.ok and sim.requests == 3
    assert sim.waits(by="code") == [] and len(sim.waits(by="sdk")) == 2
    assert capsys.readouterr().out == ""  # the loop's except never ran


def test_docs_loop_max_retries_counts_attempts_not_retries() -> None:
    one_layer = ctlab.run("429", lambda c: docs_loop.chat_with_retry(c.with_options(max_retries=0), MESSAGES))
    assert one_layer.requests == 3  # max_retries=3 means 3 attempts; the SDK's max_retries=2 also means 3


def test_docs_loop_keeps_only_the_sdk_retries_once_the_sdk_is_switched_off() -> None:
    for fault in ("529", "500", "disconnect"):
        sim = ctlab.run(fault, lambda c: docs_loop.chat_with_retry(c.with_options(max_retries=0), MESSAGES))
        assert sim.requests == 1


# --- the corrected loop --------------------------------------------------------

def test_fixed_loop_is_the_only_retry_layer() -> None:
    sim = ctlab.run("429", fixed)
    assert sim.requests == 4 and sim.waits(by="sdk") == []
    assert type(sim.outcome.error) is anthropic.RateLimitError


@pytest.mark.parametrize("fault", ["408", "409", "429", "500", "503", "529", "timeout", "disconnect"])
def test_fixed_loop_recovers_from_each_transient_failure(fault: str) -> None:
    sim = ctlab.run(f"{fault} {fault} 200", fixed)
    assert sim.outcome.value == "你好！Hello!" and sim.requests == 3


@pytest.mark.parametrize(
    "fault",
    [
        "400", "401", "403", "404", "413", "422",
        "429(error-code=enforced_spend_limit_reached)", "529(x-should-retry=false)",
    ],
)
def test_fixed_loop_gives_up_at_once_on_what_cannot_succeed(fault: str) -> None:
    sim = ctlab.run(fault, fixed)
    assert sim.requests == 1 and sim.slept == 0 and isinstance(sim.outcome.error, anthropic.APIStatusError)


def test_is_retryable_agrees_with_the_installed_sdk_on_every_catalog_status() -> None:
    for code in STATUSES:
        error = ctlab.run(str(code), max_retries=0).outcome.error
        assert retry.is_retryable(error) == sdk_retries(code), code


def test_is_retryable_refuses_a_spend_limit_that_the_sdk_would_retry() -> None:
    assert ctlab.run("429(error-code=enforced_spend_limit_reached)").requests == 3  # the SDK retries it
    error = ctlab.run("429(error-code=enforced_spend_limit_reached)", max_retries=0).outcome.error
    assert not retry.is_retryable(error)


def test_fixed_loop_obeys_x_should_retry_true() -> None:
    assert ctlab.run("400(x-should-retry=true) 200", fixed).outcome.ok


def test_fixed_loop_waits_as_the_server_says() -> None:
    assert ctlab.run("429(retry-after=3) 429(retry-after-ms=250) 200", fixed).waits() == [3.0, 0.25]


def test_fixed_loop_never_retries_sooner_than_retry_after_even_beyond_max_delay() -> None:
    # max_delay caps only the loop's own backoff; the server's word is obeyed
    assert ctlab.run("429(retry-after=3600) 200", lambda c: fixed(c, max_delay=20.0)).waits() == [3600.0]


def test_fixed_loop_gives_up_at_once_when_retry_after_would_pass_the_deadline() -> None:
    sim = ctlab.run("429(retry-after=3600) 200", lambda c: fixed(c, deadline=60.0))
    assert sim.requests == 1 and sim.slept == 0
    assert type(sim.outcome.error) is anthropic.RateLimitError


@pytest.mark.parametrize("seed", range(10))
def test_fixed_loop_backoff_is_full_jitter_and_never_sleeps_after_the_last_attempt(seed: int) -> None:
    sim = ctlab.run("500", fixed, seed=seed)
    waits = sim.waits()
    assert len(waits) == sim.requests - 1 == 3
    assert all(0 <= w <= 0.5 * 2**n for n, w in enumerate(waits))


def test_fixed_loop_raises_the_original_error_with_a_note() -> None:
    error = ctlab.run("disconnect", fixed).outcome.error
    assert type(error) is anthropic.APIConnectionError
    if hasattr(error, "__notes__"):  # Python >= 3.11
        assert error.__notes__ == [str(t("retry.gave_up", attempts=4))]


def test_fixed_loop_keeps_the_request_id_of_the_last_attempt() -> None:
    sim = ctlab.run("429", fixed)
    assert sim.outcome.error.request_id == sim.attempts[-1].request_id


def test_fixed_loop_deadline_counts_simulated_timeouts_and_waits() -> None:
    sim = ctlab.run("timeout", lambda c: fixed(c, deadline=25.0), timeout=10.0)
    assert type(sim.outcome.error) is anthropic.APITimeoutError
    assert [round(a.duration, 2) for a in sim.attempts] == [10.0, 10.0, round(25.0 - sim.attempts[2].at, 2)]
    assert sim.elapsed == pytest.approx(25.0)  # the third attempt's timeout was cut to what was left


@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_fixed_loop_rejects_a_nonsense_attempt_count_in_both_languages(value: object) -> None:
    with (
        ctlab.simulate("200") as sim,
        pytest.raises(CtlabError, match="max_attempts must be a whole number >= 1") as raised,
    ):
        fixed(sim.client(), max_attempts=value)
    assert sim.requests == 0 and "max_attempts 必须是" in str(raised.value)
