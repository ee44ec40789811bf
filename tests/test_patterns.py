"""ctlab.patterns and ctlab.aio: one retry layer, streams that fall back, attempts you can see,
many requests at once."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anthropic
import pytest
import stamina
import tenacity

import ctlab
from ctlab import aio, patterns, ratelimit
from ctlab.docs_loop import MESSAGES


# -- one retry layer ---------------------------------------------------------------
@tenacity.retry(
    stop=tenacity.stop_after_attempt(3), retry=tenacity.retry_if_exception_type(anthropic.RateLimitError), reraise=True
)
def _tenacity_around_a_retrying_client(client: anthropic.Anthropic) -> str:
    return ctlab.ask(client)


@stamina.retry(on=anthropic.RateLimitError, attempts=3)
def _stamina_around_a_retrying_client(client: anthropic.Anthropic) -> str:
    return ctlab.ask(client)


@pytest.mark.parametrize("wrapped", [_tenacity_around_a_retrying_client, _stamina_around_a_retrying_client])
def test_three_library_attempts_around_the_sdks_three_cost_nine_requests(wrapped: Any) -> None:
    sim = ctlab.run("429", wrapped)
    assert sim.requests == 9
    assert isinstance(sim.outcome.error, anthropic.RateLimitError)


@pytest.mark.parametrize("ask", [patterns.ask_with_tenacity, patterns.ask_with_stamina])
def test_one_retry_layer_costs_three_requests_whatever_the_client_says(ask: Any) -> None:
    sim = ctlab.run("429", ask, max_retries=5)
    assert sim.requests == 3
    assert sim.waits(by="sdk") == [], "the SDK never retried: the client was used with max_retries=0"
    assert isinstance(sim.outcome.error, anthropic.RateLimitError), "the real error, not a wrapper"


@pytest.mark.parametrize("ask", [patterns.ask_with_tenacity, patterns.ask_with_stamina])
def test_the_servers_retry_after_is_waited_exactly(ask: Any) -> None:
    sim = ctlab.run("429(retry-after=4) 529(retry-after-ms=1500) 200", ask)
    assert sim.outcome.value == "你好！Hello!"
    assert sim.waits(by="code") == [4.0, 1.5]


@pytest.mark.parametrize("ask", [patterns.ask_with_tenacity, patterns.ask_with_stamina])
@pytest.mark.parametrize(
    "faults", ["400", "401", "429(error-code=enforced_spend_limit_reached)", "529(x-should-retry=false)"]
)
def test_errors_not_worth_retrying_cost_one_request(ask: Any, faults: str) -> None:
    sim = ctlab.run(faults, ask)
    assert sim.requests == 1 and not sim.outcome.ok


@pytest.mark.parametrize("ask", [patterns.ask_with_tenacity, patterns.ask_with_stamina])
@pytest.mark.parametrize("faults", ["timeout 200", "disconnect 200", "500 200", "529 200"])
def test_transient_failures_are_retried(ask: Any, faults: str) -> None:
    sim = ctlab.run(faults, ask, timeout=5.0)
    assert sim.requests == 2 and sim.outcome.ok


def test_tenacity_waits_with_full_jitter_when_the_server_says_nothing() -> None:
    sim = ctlab.run("529", patterns.ask_with_tenacity)
    first, second = sim.waits(by="code")
    assert 0 <= first <= 0.5 and 0 <= second <= 1.0


def test_stamina_testing_mode_removes_the_waits_but_keeps_the_attempts() -> None:
    stamina.set_testing(True, attempts=3)
    try:
        sim = ctlab.run("529", patterns.ask_with_stamina)
    finally:
        stamina.set_testing(False)
    assert sim.requests == 3 and sim.slept == 0


def test_tenacity_retry_with_overrides_the_wait() -> None:
    no_wait = patterns.ask_with_tenacity.retry_with(wait=tenacity.wait_none())  # type: ignore[attr-defined]
    sim = ctlab.run("529", no_wait)
    assert sim.requests == 3 and sim.slept == 0


def test_the_stamina_hook_classifies_like_is_retryable() -> None:
    assert patterns.stamina_hook(ValueError("not an API error")) is False
    assert patterns.stamina_hook(ctlab.run("429(retry-after=2)", max_retries=0).outcome.error) == 2.0


# -- streams --------------------------------------------------------------------------
def test_a_stream_that_breaks_twice_falls_back_to_the_next_model() -> None:
    got = ctlab.run("stream-error stream-error 200", patterns.stream_with_fallback).outcome.value
    assert got.complete and got.model == patterns.FALLBACK_MODEL
    assert got.result.text == "你好！Hello!"


def test_a_model_overloaded_before_streaming_falls_back_after_the_sdks_retries() -> None:
    sim = ctlab.run("529 529 529 200", patterns.stream_with_fallback)
    assert sim.outcome.value.complete and sim.outcome.value.model == patterns.FALLBACK_MODEL
    assert sim.requests == 4


def test_when_every_model_fails_the_caller_is_told() -> None:
    sim = ctlab.run("529", patterns.stream_with_fallback)
    got = sim.outcome.value
    assert not got.complete and isinstance(got.error, anthropic.OverloadedError)
    assert sim.requests == 2 * 3, "two models, three SDK attempts each"


def test_other_errors_propagate_from_the_fallback() -> None:
    assert isinstance(ctlab.run("400", patterns.stream_with_fallback).outcome.error, anthropic.BadRequestError)


# -- seeing every attempt ----------------------------------------------------------------
def test_the_attempt_log_sees_every_attempt_with_its_request_id(caplog: pytest.LogCaptureFixture) -> None:
    attempts = patterns.AttemptLog()
    with caplog.at_level(logging.INFO, logger="ctlab.attempts"):
        sim = ctlab.run("429 timeout 200", middleware=[attempts], timeout=5.0)
    assert [r.answer for r in attempts.records] == [429, "APITimeoutError", 200]
    assert [r.request_id for r in attempts.records] == [sim.attempts[0].request_id, None, sim.attempts[2].request_id]
    assert attempts.retries == 2
    assert "request_id=req_sim_000000001" in caplog.text


def test_the_attempt_log_works_for_the_async_client() -> None:
    attempts = patterns.AttemptLog()
    with ctlab.simulate("529 200") as sim:
        client = sim.async_client(middleware=[attempts])
        aio.run_async(lambda: client.messages.create(model="claude-opus-4-7", max_tokens=8, messages=MESSAGES))
    assert [r.answer for r in attempts.records] == [529, 200]


# -- many requests at once ------------------------------------------------------------------
async def _send_all(client: anthropic.AsyncAnthropic, n: int, concurrency: int) -> list[str]:
    limit = asyncio.Semaphore(concurrency)
    busy = peak = 0

    async def one() -> str:
        nonlocal busy, peak
        async with limit:
            busy += 1
            peak = max(peak, busy)
            try:
                await client.messages.create(model="claude-opus-4-7", max_tokens=8, messages=MESSAGES)
            except anthropic.RateLimitError:
                return "429"
            else:
                return "ok"
            finally:
                busy -= 1

    results = await asyncio.gather(*(one() for _ in range(n)))
    assert peak <= concurrency
    return results


def test_concurrent_sleepers_wake_in_time_order_not_one_after_another() -> None:
    async def staggered() -> list[int]:
        order: list[int] = []

        async def sleeper(seconds: int) -> None:
            await asyncio.sleep(seconds)
            order.append(seconds)

        await asyncio.gather(sleeper(3), sleeper(1), sleeper(2))
        return order

    with ctlab.simulate() as sim:
        assert aio.run_async(staggered) == [1, 2, 3]
    assert sim.elapsed == 3.0


def test_run_async_hands_back_the_error() -> None:
    async def fails() -> None:
        raise KeyError("x")

    with ctlab.simulate(), pytest.raises(KeyError):
        aio.run_async(fails)


def test_run_async_needs_a_simulation() -> None:
    with pytest.raises(ctlab.CtlabError):
        aio.run_async(asyncio.sleep)  # type: ignore[arg-type]


#: Notebook 06's tier: only the requests bucket binds (10 a minute, a full bucket holds 10).
TEN_A_MINUTE = ratelimit.Tier(rpm=10, itpm=40_000, otpm=40_000)


def test_the_sdk_waiting_retry_after_gets_through_a_rate_limiter() -> None:
    one_a_minute = ratelimit.LimitedServer(ratelimit.Tier(rpm=1, itpm=10_000, otpm=4_000))
    sim = ctlab.run(one_a_minute, lambda c: [ctlab.ask(c) for _ in range(3)])
    assert sim.outcome.ok and [a.answer for a in sim.attempts] == [200, 429, 200, 429, 200]
    assert sim.elapsed == 120.0, "each 429 said retry-after: 60, and the SDK waited exactly that"


def test_a_shared_pacer_turns_the_sdks_retries_and_failures_into_waiting() -> None:
    failed, rejected = {}, {}
    for name, pacer in {"none": None, "pacer": ratelimit.Pacer()}.items():
        with ctlab.simulate(ratelimit.LimitedServer(TEN_A_MINUTE)) as sim:
            client = sim.async_client(middleware=[pacer] if pacer else [])
            failed[name] = aio.run_async(lambda: _send_all(client, 20, 5)).count("429")  # noqa: B023
        rejected[name] = sum(a.answer == 429 for a in sim.attempts)
    assert failed["none"] > failed["pacer"] == 0
    assert rejected["none"] > 0 and rejected["pacer"] == 0, "paced before the server refuses: not one 429"


@pytest.mark.parametrize("concurrency", [20, 5, 1])
def test_the_pacer_spends_the_full_bucket_then_paces_to_the_announced_limit(concurrency: int) -> None:
    with ctlab.simulate(ratelimit.LimitedServer(TEN_A_MINUTE)) as sim:
        client = sim.async_client(middleware=[ratelimit.Pacer()])
        aio.run_async(lambda: _send_all(client, 14, concurrency))
    assert [a.at for a in sim.attempts] == pytest.approx([0.0] * 10 + [6.0, 12.0, 18.0, 24.0])


def test_a_concurrent_run_is_the_same_every_time() -> None:
    def once(pacer: ratelimit.Pacer | None) -> list[tuple[float, int | str]]:
        with ctlab.simulate(ratelimit.LimitedServer(TEN_A_MINUTE)) as sim:
            client = sim.async_client(middleware=[pacer] if pacer else [])
            aio.run_async(lambda: _send_all(client, 12, 4))
        return [(a.at, a.answer) for a in sim.attempts]

    assert once(None) == once(None) == once(None)
    assert once(ratelimit.Pacer()) == once(ratelimit.Pacer())


def test_work_sent_to_an_executor_runs_inline_on_the_virtual_loop() -> None:
    import threading

    async def where() -> tuple[int, int]:
        return threading.get_ident(), await asyncio.to_thread(threading.get_ident)

    with ctlab.simulate():
        loop_thread, worker = aio.run_async(where)
    assert worker == loop_thread, "no worker thread to race the virtual clock"
