"""The simulation drives the real SDK: its classes, its retry counts, its waits."""

from __future__ import annotations

import asyncio
import random
import threading
import time

import anthropic
import pytest
from anthropic._error_classes import ERROR_CLASSES

import ctlab
from ctlab.simulate import ask

ALL_ERROR_STATUSES = range(400, 600)


def expected_class(status_code: int, error_code: str | None = None) -> type[anthropic.APIStatusError]:
    """What the SDK's own table says (the oracle), including its fallbacks."""
    return (
        ERROR_CLASSES.get((status_code, error_code))
        or ERROR_CLASSES.get((status_code, None))
        or (anthropic.InternalServerError if status_code >= 500 else anthropic.APIStatusError)
    )


def sdk_policy_retries(status_code: int) -> bool:
    """The SDK's documented rule: 408, 409, 429 and every 5xx are retried."""
    return status_code in (408, 409, 429) or status_code >= 500


@pytest.mark.parametrize("status_code", ALL_ERROR_STATUSES)
def test_every_status_raises_the_sdk_class_after_the_policy_s_number_of_attempts(status_code: int) -> None:
    sim = ctlab.run(str(status_code))
    assert type(sim.outcome.error) is expected_class(status_code)
    assert sim.outcome.error.status_code == status_code
    assert sim.requests == (3 if sdk_policy_retries(status_code) else 1)


def test_a_429_then_success_costs_two_requests_and_one_sdk_wait() -> None:
    sim = ctlab.run("429 200")
    assert [a.answer for a in sim.attempts] == [429, 200]
    assert sim.outcome.value == "你好！Hello!"
    assert len(sim.waits(by="sdk")) == 1 and sim.waits(by="code") == []


def test_a_529_forever_costs_exactly_3_requests_with_max_retries_2() -> None:
    sim = ctlab.run("529", max_retries=2)
    assert sim.requests == 3
    assert isinstance(sim.outcome.error, anthropic.OverloadedError)
    assert isinstance(sim.outcome.error, anthropic.InternalServerError)


@pytest.mark.parametrize("max_retries", [0, 1, 5])
def test_max_retries_sets_the_number_of_attempts(max_retries: int) -> None:
    assert ctlab.run("500", max_retries=max_retries).requests == max_retries + 1


def test_x_should_retry_true_makes_a_400_retried() -> None:
    sim = ctlab.run("400(x-should-retry=true)")
    assert sim.requests == 3 and isinstance(sim.outcome.error, anthropic.BadRequestError)


def test_x_should_retry_false_wins_over_a_529() -> None:
    sim = ctlab.run("529(x-should-retry=false)")
    assert sim.requests == 1 and isinstance(sim.outcome.error, anthropic.OverloadedError)


def test_a_spend_limit_429_is_its_own_class_and_the_sdk_still_retries_it() -> None:
    sim = ctlab.run("429(error-code=enforced_spend_limit_reached)")
    assert type(sim.outcome.error) is expected_class(429, "enforced_spend_limit_reached")
    assert type(sim.outcome.error).__name__ == "EnforcedSpendLimitReachedError"
    assert isinstance(sim.outcome.error, anthropic.RateLimitError)
    assert sim.requests == 3


def test_retry_after_is_honoured_exactly() -> None:
    assert ctlab.run("429(retry-after=2)").waits() == [2.0, 2.0]
    assert ctlab.run("429(retry-after-ms=1500)").waits() == [1.5, 1.5]


def test_retry_after_ms_wins_over_retry_after() -> None:
    assert ctlab.run("503(retry-after=9, retry-after-ms=250) 200").waits() == [0.25]


@pytest.mark.parametrize("seed", range(20))
def test_backoff_without_retry_after_stays_in_the_jitter_band_and_under_the_cap(seed: int) -> None:
    waits = ctlab.run("500", max_retries=6, seed=seed).waits()
    assert len(waits) == 6
    for n, wait in enumerate(waits):
        nominal = min(0.5 * 2**n, 8.0)
        assert 0.75 * nominal <= wait <= nominal


def test_the_same_seed_gives_the_same_schedule_and_another_seed_another() -> None:
    assert ctlab.run("500", seed=7).waits() == ctlab.run("500", seed=7).waits()
    assert ctlab.run("500", seed=7).waits() != ctlab.run("500", seed=8).waits()


def test_the_global_random_state_is_restored() -> None:
    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    ctlab.run("500 500 200")
    assert random.random() == expected


def test_every_attempt_carries_its_retry_count_header() -> None:
    assert [a.retry_count for a in ctlab.run("500 500 200").attempts] == [0, 1, 2]


def test_a_timeout_raises_api_timeout_error_and_costs_the_client_timeout() -> None:
    sim = ctlab.run("timeout", timeout=10.0)
    assert type(sim.outcome.error) is anthropic.APITimeoutError
    assert sim.requests == 3
    assert [a.duration for a in sim.attempts] == [10.0, 10.0, 10.0]
    assert sim.elapsed == pytest.approx(30.0 + sum(sim.waits()))


def test_a_connect_timeout_costs_the_connect_timeout() -> None:
    sim = ctlab.run("connect-timeout 200")
    assert sim.attempts[0].duration == 5.0 and sim.outcome.ok


def test_a_dropped_connection_is_a_connection_error_not_a_timeout() -> None:
    sim = ctlab.run("disconnect")
    assert type(sim.outcome.error) is anthropic.APIConnectionError
    assert sim.requests == 3


def test_an_error_inside_a_200_stream_is_a_plain_status_error_never_retried() -> None:
    received: list[str] = []

    def stream(client: anthropic.Anthropic) -> str:
        with client.messages.stream(model="m", max_tokens=9, messages=[{"role": "user", "content": "hi"}]) as s:
            received.extend(s.text_stream)
        return "".join(received)

    sim = ctlab.run("stream-error 200", stream)
    error = sim.outcome.error
    assert type(error) is anthropic.APIStatusError and error.status_code == 200
    assert sim.requests == 1
    assert "".join(received) == "你好，"


def test_a_stream_that_succeeds_is_served_as_events() -> None:
    def stream(client: anthropic.Anthropic) -> str:
        with client.messages.stream(model="m", max_tokens=9, messages=[{"role": "user", "content": "hi"}]) as s:
            return s.get_final_text()

    assert ctlab.run("200", stream).outcome.value == "你好！Hello!"


def test_errors_carry_the_request_id_and_anthropic_s_error_body() -> None:
    error = ctlab.run("429", max_retries=0).outcome.error
    assert error.request_id == "req_sim_000000001"
    assert error.body["type"] == "error"
    assert error.body["error"]["type"] == "rate_limit_error"
    assert error.body["request_id"] == error.request_id
    assert error.response.headers["anthropic-ratelimit-requests-remaining"] == "0"


def test_the_async_client_retries_the_same_way() -> None:
    async def main() -> list[int | str]:
        with ctlab.simulate("529 529 200") as sim:
            reply = await sim.async_client().messages.create(
                model="m", max_tokens=9, messages=[{"role": "user", "content": "hi"}]
            )
            assert reply.content[0].text == "你好！Hello!"
        assert len(sim.waits(by="sdk")) == 2
        return [a.answer for a in sim.attempts]

    assert asyncio.run(main()) == [529, 529, 200]


def test_code_that_sleeps_inside_the_block_costs_no_real_time() -> None:
    started = time.monotonic()
    with ctlab.simulate("200") as sim:
        time.sleep(3600)
    assert time.monotonic() - started < 5
    assert sim.elapsed == 3600 and sim.waits(by="code") == [3600]


def test_other_threads_still_sleep_for_real() -> None:
    durations: list[float] = []
    go = threading.Event()

    def other() -> None:
        go.wait()
        start = time.perf_counter()
        time.sleep(0.05)
        durations.append(time.perf_counter() - start)

    thread = threading.Thread(target=other)
    thread.start()  # before the block: not the simulation's
    with ctlab.simulate("200") as sim:
        go.set()
        thread.join()
    assert durations[0] >= 0.04 and sim.waits() == []


def test_a_thread_started_inside_the_block_shares_its_virtual_clock() -> None:
    started = time.perf_counter()
    with ctlab.simulate("200") as sim:
        thread = threading.Thread(target=time.sleep, args=(3600,))
        thread.start()
        thread.join()
    assert time.perf_counter() - started < 5
    assert sim.waits(by="code") == [3600]


def test_simulations_do_not_nest() -> None:
    with ctlab.simulate("200"), pytest.raises(ctlab.CtlabError, match="do not nest"), ctlab.simulate("200"):
        pass


def test_a_simulated_client_refuses_to_send_outside_a_simulation() -> None:
    client = ctlab.client()
    started = time.monotonic()
    with pytest.raises(ctlab.CtlabError, match="only works inside"):
        ask(client)
    assert time.monotonic() - started < 1  # refused at once: no retries, no waits


def test_bad_seed_is_refused() -> None:
    with pytest.raises(ctlab.CtlabError, match="seed"):
        ctlab.simulate("200", seed="x")  # type: ignore[arg-type]
