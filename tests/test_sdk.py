"""What the installed SDK's built-in retry does — each fact measured through ctlab.run, never re-derived."""

from __future__ import annotations

import asyncio
import contextlib

import anthropic
import pytest
from anthropic import _constants

import ctlab
from ctlab import sdk
from ctlab.atlas import entry
from ctlab.widgets.sdk import DOCS_ROUNDS, SDKLab

RETRIED = ["408", "409", "429", "500", "503", "529", "timeout", "connect-timeout", "disconnect"]
NOT_RETRIED = {
    "400": anthropic.BadRequestError,
    "401": anthropic.AuthenticationError,
    "403": anthropic.PermissionDeniedError,
    "404": anthropic.NotFoundError,
    "413": anthropic.ContentTooLargeError,
    "422": anthropic.UnprocessableEntityError,
}


# --- defaults -------------------------------------------------------------------

def test_the_defaults_are_the_sdk_constants_and_what_a_client_gets() -> None:
    d = sdk.defaults()
    assert (d.max_retries, d.timeout) == (_constants.DEFAULT_MAX_RETRIES, _constants.DEFAULT_TIMEOUT)
    assert (d.initial_retry_delay, d.max_retry_delay) == (_constants.INITIAL_RETRY_DELAY, _constants.MAX_RETRY_DELAY)
    client = ctlab.client()
    assert client.max_retries == d.max_retries and client.timeout == d.timeout


def test_a_529_forever_costs_exactly_max_retries_plus_one_requests() -> None:
    assert ctlab.run("529").requests == sdk.defaults().attempts == 3
    assert ctlab.run("529", max_retries=5).requests == 6


def test_the_defaults_table_names_the_sdk_constants_in_both_languages() -> None:
    ctlab.set_lang("both")
    text = repr(sdk.defaults())
    assert "DEFAULT_TIMEOUT.connect" in text and "MAX_RETRY_DELAY" in text
    assert "最多发 3 次请求" in text and "at most 3 requests" in text


# --- what is retried ---------------------------------------------------------------

@pytest.mark.parametrize("fault", RETRIED)
def test_a_transient_failure_is_retried_once_and_the_reply_comes_back(fault: str) -> None:
    sim = ctlab.run(f"{fault} 200", timeout=10.0)
    assert sim.requests == 2 and sim.outcome.value == "你好！Hello!"
    assert len(sim.waits(by="sdk")) == 1


@pytest.mark.parametrize("fault", sorted(NOT_RETRIED))
def test_a_client_error_is_raised_at_once_even_if_the_next_try_would_succeed(fault: str) -> None:
    sim = ctlab.run(f"{fault} 200")
    assert sim.requests == 1 and type(sim.outcome.error) is NOT_RETRIED[fault] and sim.waits() == []


@pytest.mark.parametrize("fault", [*RETRIED[:6], *sorted(NOT_RETRIED)])
def test_the_measured_decision_agrees_with_the_catalog(fault: str) -> None:
    assert (ctlab.run(f"{fault} 200").requests > 1) == entry(int(fault)).retried


def test_x_should_retry_overrides_the_status_both_ways() -> None:
    assert ctlab.run("400(x-should-retry=true) 200").outcome.value == "你好！Hello!"
    sim = ctlab.run("529(x-should-retry=false) 200")
    assert sim.requests == 1 and type(sim.outcome.error) is anthropic.OverloadedError


# --- how long it waits ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("fault", "wait"),
    [
        ("429(retry-after=3)", 3.0),
        ("429(retry-after-ms=1500)", 1.5),
        ("429(retry-after=3, retry-after-ms=250)", 0.25),  # the millisecond header wins
        ("503(retry-after=20)", 20.0),  # the 8 s cap is for backoff only
    ],
)
def test_retry_after_headers_are_obeyed_exactly(fault: str, wait: float) -> None:
    assert ctlab.run(f"{fault} 200").waits(by="sdk") == [wait]


def test_a_retry_after_of_zero_falls_back_to_backoff() -> None:
    assert ctlab.run("429(retry-after=0) 200").waits(by="sdk") == ctlab.run("429 200").waits(by="sdk")


def test_the_nominal_schedule_doubles_from_the_initial_delay_up_to_the_cap() -> None:
    assert [sdk.nominal_delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert sdk.band(3) == (1.5, 2.0)


def test_every_sdk_wait_lies_in_the_jitter_band_and_the_band_is_filled() -> None:
    schedule = sdk.sample_schedule(runs=200, max_retries=6)
    assert len(schedule.samples) == 200 * 6 and schedule.outside() == 0
    low, high = schedule.ratios()
    assert sdk.JITTER[0] <= low < sdk.JITTER[0] + 0.01 and sdk.JITTER[1] - 0.01 < high <= sdk.JITTER[1]
    assert max(schedule.waits(6)) <= _constants.MAX_RETRY_DELAY < 2 * min(schedule.waits(5))


def test_the_same_seed_gives_the_same_waits() -> None:
    assert sdk.sample_schedule(runs=5).samples == sdk.sample_schedule(runs=5).samples


def test_the_schedule_shows_as_a_table_and_a_plot() -> None:
    ctlab.set_lang("en")
    schedule = sdk.sample_schedule(runs=10, max_retries=3)
    text = repr(schedule)
    assert text.splitlines()[0].split()[:3] == ["retry", "nominal", "wait"]
    assert "30 SDK waits from 10 runs (seeds 0–9), 0 outside the jitter band" in text
    drawn = schedule.plot()._repr_html_()
    assert drawn.count("<circle") == len(schedule.samples) + 1  # a dot per wait, and the legend's
    assert drawn.count('fill="#ffe0b2"') == 3 + 1  # a jitter band per retry, and the legend's


def test_sample_schedule_rejects_a_bad_number_of_runs() -> None:
    with pytest.raises(ctlab.CtlabError, match="runs must be a whole number"):
        sdk.sample_schedule(runs=0)


# --- what goes on the wire --------------------------------------------------------------

def test_every_attempt_carries_its_retry_count() -> None:
    sim = ctlab.run("529 529 529 200", max_retries=3)
    assert [a.headers["x-stainless-retry-count"] for a in sim.attempts] == ["0", "1", "2", "3"]
    assert [a.retry_count for a in sim.attempts] == [0, 1, 2, 3]


# --- per request ---------------------------------------------------------------------------

def test_with_options_changes_one_call_and_leaves_the_client_alone() -> None:
    def five_then_default(client: anthropic.Anthropic) -> tuple[int, int]:
        with contextlib.suppress(anthropic.OverloadedError):
            ctlab.ask(client.with_options(max_retries=5))
        return client.max_retries, client.with_options(max_retries=5).max_retries

    sim = ctlab.run("529", five_then_default)
    assert sim.requests == 6 and sim.outcome.value == (2, 5)


def test_a_per_request_timeout_is_what_each_attempt_waits() -> None:
    sim = ctlab.run("timeout", lambda c: ctlab.ask(c.with_options(timeout=7.0)))
    assert [a.duration for a in sim.attempts] == [7.0, 7.0, 7.0]
    assert [a.headers["x-stainless-read-timeout"] for a in sim.attempts] == ["7.0"] * 3


# --- timeouts ----------------------------------------------------------------------------------

def test_a_server_that_never_answers_costs_three_read_timeouts_by_default() -> None:
    cost, sim = sdk.timeout_cost(), ctlab.run("timeout")
    assert (cost.attempts, cost.per_attempt) == (3, 600.0)
    assert sim.elapsed in cost and type(sim.outcome.error) is anthropic.APITimeoutError


def test_a_connect_timeout_costs_the_connect_limit_not_the_read_limit() -> None:
    cost, sim = sdk.timeout_cost(phase="connect"), ctlab.run("connect-timeout")
    assert cost.per_attempt == 5.0 and sim.elapsed in cost


def test_a_plain_number_sets_the_connect_timeout_too() -> None:
    assert [a.duration for a in ctlab.run("connect-timeout", timeout=60.0).attempts] == [60.0] * 3
    split = anthropic.Timeout(60.0, connect=5.0)
    assert [a.duration for a in ctlab.run("connect-timeout", timeout=split).attempts] == [5.0] * 3


def test_the_docs_snippet_max_retries_3_timeout_60_is_four_attempts_of_60_s() -> None:
    cost, sim = sdk.timeout_cost(3, 60.0), ctlab.run("timeout", max_retries=3, timeout=60.0)
    assert sim.requests == cost.attempts == 4 and sim.elapsed in cost


def test_timeout_cost_rejects_an_unknown_phase() -> None:
    with pytest.raises(ctlab.CtlabError, match="phase must be one of read, connect"):
        sdk.timeout_cost(phase="write")


def test_timeout_cost_reads_in_minutes_only_when_long() -> None:
    ctlab.set_lang("en")
    assert str(sdk.timeout_cost()).endswith("(about 30 min)")
    assert "min" not in str(sdk.timeout_cost(phase="connect"))


# --- async -------------------------------------------------------------------------------------

def test_the_async_client_sends_and_waits_exactly_like_the_sync_one() -> None:
    async def main() -> ctlab.Simulation:
        with ctlab.simulate("529 529 200") as sim:
            await sim.async_client().messages.create(
                model="claude-opus-4-7", max_tokens=1024, messages=[{"role": "user", "content": "你好"}])
        return sim

    async_sim, sync_sim = asyncio.run(main()), ctlab.run("529 529 200")
    assert [a.answer for a in async_sim.attempts] == [a.answer for a in sync_sim.attempts] == [529, 529, 200]
    assert async_sim.waits(by="sdk") == sync_sim.waits(by="sdk")
    assert {a.headers["x-stainless-async"] for a in async_sim.attempts} == {"async:asyncio"}


# --- the widget ---------------------------------------------------------------------------------

def test_the_widget_runs_the_sdk_and_on_request_the_docs_loop_under_the_same_fault() -> None:
    lab = SDKLab(faults="429")
    assert lab.click().requests == 3
    table = lab.compare()
    assert [m.requests for m in table.measurements] == [3, 3 * DOCS_ROUNDS]
    assert len(lab.out.outputs) == 3  # table, what the docs' loop printed, the timelines


def test_the_widget_sliders_reach_the_client() -> None:
    lab = SDKLab(faults="timeout")
    lab.max_retries.value, lab.timeout.value = 0, 10.0
    sim = lab.click()
    assert sim.requests == 1 and sim.elapsed == 10.0


def test_the_widget_shows_a_bad_fault_instead_of_raising() -> None:
    lab = SDKLab(faults="429(retry-after=soon)")
    assert lab.compare() is None and "ctlab-error" in lab.out.outputs[0]["data"]["text/html"]
