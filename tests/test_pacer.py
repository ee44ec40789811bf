"""The pacer (sync and async), the bound it is measured against, and the exercise's grader."""

from __future__ import annotations

import asyncio

import anthropic
import pytest

import ctlab
from ctlab.aio import run_async
from ctlab.grading.pacing import check_pacer, reference_pacer
from ctlab.ratelimit import LimitedServer, Pacer, Tier
from ctlab.ratelimit.bound import best_time, demands
from ctlab.ratelimit.workloads import chat, long_output, mixed, run
from ctlab.retry import chat_with_retry

TINY = Tier(rpm=6, itpm=600, otpm=120)


# -- the bound, by hand -------------------------------------------------------------------
def test_the_bound_is_what_each_bucket_needs_beyond_its_first_minute() -> None:
    # 8 requests on 6 RPM: 2 beyond the burst, one every 10 s -> 20 s.
    assert best_time([{"requests": 1, "input": 0, "output": 0, "max_tokens": 0}] * 8, TINY)["requests"] == 20.0
    # 1,000 input tokens on 600 ITPM (10 a second): 400 beyond the burst -> 40 s.
    assert best_time([{"requests": 1, "input": 500, "output": 0, "max_tokens": 0}] * 2, TINY)["input"] == 40.0
    # Output: 3 x 50 written + the last one's unused 30 of max_tokens = 180 on 120 OTPM (2 a second) -> 30 s.
    jobs = [{"requests": 1, "input": 0, "output": 50, "max_tokens": 80}] * 3
    assert best_time(jobs, TINY) == {"requests": 0.0, "input": 0.0, "output": 30.0}
    # Within one minute's worth, nothing waits.
    assert best_time(jobs[:1], TINY) == {"requests": 0.0, "input": 0.0, "output": 0.0}


def test_a_cached_prefix_is_paid_once_in_the_bound() -> None:
    doc = {"type": "text", "text": "x" * 8_000, "cache_control": {"type": "ephemeral"}}
    bodies = [
        {"model": "m", "max_tokens": 10, "system": [doc], "messages": [{"role": "user", "content": q}]}
        for q in ("a", "b")
    ]
    first, second = demands(bodies, reply_tokens=[5, 5])
    assert first["input"] > 1_900
    assert second["input"] < 10


# -- the pacer ------------------------------------------------------------------------------
def test_the_sync_pacer_waits_before_each_bucket_refuses() -> None:
    pacer = Pacer()
    with ctlab.simulate(LimitedServer(TINY)) as sim:
        client = sim.client(max_retries=0, middleware=[pacer])
        for job in long_output(4, max_tokens=100):
            client.messages.create(**job.kwargs())
    assert [a.answer for a in sim.attempts] == [200] * 4
    assert pacer.held == 3 and pacer.refused == 0
    assert sim.elapsed == pytest.approx(
        max(best_time(demands([j.body for j in long_output(4, max_tokens=100)], reply_tokens=[100] * 4), TINY).values())
    )


def test_the_async_pacer_shared_by_concurrent_tasks_sees_no_429() -> None:
    jobs = mixed(150, seed=3)
    result = run("pacer", jobs, "tier-1", concurrency=6)
    assert (result.done, result.refused) == (150, 0)
    assert result.elapsed <= 1.05 * result.bound


def test_paced_1000_requests_finish_within_10_percent_of_the_bound_reactive_ones_waste_requests() -> None:
    paced = run("pacer", chat(1000), "tier-1")
    assert (paced.done, paced.refused) == (1000, 0)
    assert paced.elapsed <= 1.10 * paced.bound
    reactive = run("reactive", chat(300), "tier-1")
    assert reactive.done == 300 and reactive.refused > 100


def test_the_pacer_composes_with_the_one_retry_layer() -> None:
    pacer = Pacer()
    with ctlab.simulate(LimitedServer(TINY)) as sim:
        client = sim.client().with_middleware(pacer)
        answers = [chat_with_retry(client, [{"role": "user", "content": "hi"}], max_tokens=20) for _ in range(8)]
    assert len(answers) == 8 and [a.answer for a in sim.attempts].count(429) == 0
    assert sim.elapsed == pytest.approx(20.0)


def test_a_429_that_still_comes_holds_the_pacer_for_retry_after() -> None:
    pacer = Pacer()
    pacer.learn([{}, 0], 429, {"retry-after": "7"}, 3.0, {})
    assert pacer.refused == 1 and pacer.delay({"requests": 1, "input": 1, "output": 1}, 3.0) == 7.0


def test_a_request_bigger_than_a_bucket_is_refused_by_the_pacer_with_a_clear_error() -> None:
    with ctlab.simulate(LimitedServer(TINY)) as sim:
        client = sim.client(middleware=[Pacer()])
        client.messages.create(model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
        with pytest.raises(ctlab.CtlabError, match="output tokens"):
            client.messages.create(model="m", max_tokens=500, messages=[{"role": "user", "content": "hi"}])


def test_the_async_pacer_learns_before_letting_the_crowd_through() -> None:
    pacer = Pacer()
    with ctlab.simulate(LimitedServer(TINY)) as sim:
        client = sim.async_client(max_retries=0, middleware=[pacer])

        async def main() -> None:
            await asyncio.gather(*(client.messages.create(**job.kwargs()) for job in long_output(3, max_tokens=50)))

        run_async(main)
    assert [a.answer for a in sim.attempts] == [200] * 3


# -- the exercise ---------------------------------------------------------------------------
def test_the_grader_passes_the_reference_and_fails_a_loop_that_meets_429s() -> None:
    assert check_pacer(reference_pacer).passed

    def naive(client: anthropic.Anthropic, jobs: list[dict[str, object]]) -> None:
        for job in jobs:
            client.messages.create(**job)  # type: ignore[arg-type]

    report = check_pacer(naive)
    assert not report.passed and all(row.refused for row in report.rows)
    assert "429" in repr(report)


def test_the_grader_survives_a_function_that_raises_or_runs_away() -> None:
    def broken(client: anthropic.Anthropic, jobs: list[dict[str, object]]) -> None:
        raise ValueError("oops")

    def forever(client: anthropic.Anthropic, jobs: list[dict[str, object]]) -> None:
        while True:
            client.with_options(max_retries=0).messages.create(**jobs[0])  # type: ignore[arg-type]

    assert "ValueError: oops" in repr(check_pacer(broken))
    assert not check_pacer(forever).passed
