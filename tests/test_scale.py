"""ctlab.scale: many clients against one server, on the simulation's own virtual time."""

from __future__ import annotations

import random
import time

import anthropic
import pytest
from anthropic._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY

import ctlab
from ctlab.backoff import STRATEGIES, Backoff
from ctlab.ratelimit import RateLimit
from ctlab.scale import (
    POLICIES,
    OptimisticRow,
    Policy,
    brooker,
    crowd,
    overload,
    sweep,
)
from ctlab.widgets.scale import ScaleLab

DOWN = RateLimit(capacity=0)


# -- conservation -------------------------------------------------------------
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_call_is_accepted_or_rejected_and_every_job_ends_once(strategy: str) -> None:
    r = crowd(60, Policy(strategy, attempts=4), capacity=8, seed=3)
    assert r.calls == r.accepted + r.rejected == len(r.call_times) == sum(r.calls_by_client)
    assert r.jobs == 60 == r.succeeded + r.failed
    assert r.succeeded == r.accepted, "an accepted call ends its job"
    assert r.calls - r.jobs == len(r.waits), "every call after a job's first one followed a wait"


def test_retrying_until_done_gets_every_client_through() -> None:
    r = crowd(100, "full", capacity=10)
    assert (r.succeeded, r.failed, r.accepted) == (100, 0, 100)


def test_a_steady_stream_conserves_jobs_under_throttling_and_budgets() -> None:
    for policy in POLICIES.values():
        r = crowd(5, policy, server=RateLimit(10, reject_cost=0.1), jobs=20, interval=0.2, seed=1)
        assert r.jobs == r.succeeded + r.failed
        assert r.calls == r.accepted + r.rejected
        assert r.throttled <= r.failed


def test_calls_are_in_time_order_and_finish_when_the_last_job_does() -> None:
    r = crowd(40, "decorrelated", capacity=5)
    assert list(r.call_times) == sorted(r.call_times)
    assert r.call_times[-1] < r.finished


# -- seeds --------------------------------------------------------------------
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_same_seed_gives_the_same_run(strategy: str) -> None:
    assert crowd(50, strategy, seed=7) == crowd(50, strategy, seed=7)


def test_another_seed_gives_another_run() -> None:
    assert crowd(50, "full", seed=1).call_times != crowd(50, "full", seed=2).call_times


def test_the_simulation_leaves_the_global_random_state_alone() -> None:
    state = random.getstate()
    crowd(20, "full")
    assert random.getstate() == state


# -- formulas -----------------------------------------------------------------
def test_the_sdk_strategy_uses_the_installed_sdks_constants() -> None:
    assert Backoff().base == INITIAL_RETRY_DELAY and Backoff().cap == MAX_RETRY_DELAY


@pytest.mark.parametrize("n", range(7))
def test_each_strategy_waits_as_its_formula_says(n: int) -> None:
    e = min(MAX_RETRY_DELAY, INITIAL_RETRY_DELAY * 2**n)
    previous = 1.3
    for strategy, expected in {
        "none": lambda _r: 0.0,
        "exponential": lambda _r: e,
        "full": lambda r: r.uniform(0, e),
        "equal": lambda r: e / 2 + r.uniform(0, e / 2),
        "decorrelated": lambda r: min(MAX_RETRY_DELAY, r.uniform(INITIAL_RETRY_DELAY, previous * 3)),
        "sdk": lambda r: e * (1 - 0.25 * r.random()),
    }.items():
        assert Backoff(strategy).wait(n, previous, random.Random(n)) == expected(random.Random(n)), strategy


@pytest.mark.parametrize("n", range(6))
def test_the_sdk_strategy_matches_the_sdks_own_retry_timeout(n: int) -> None:
    client = anthropic.Anthropic(api_key="sk-test", base_url="http://127.0.0.1:9", max_retries=6)
    options = anthropic._models.FinalRequestOptions(method="post", url="/v1/messages")
    random.seed(n)
    sdk = client._calculate_retry_timeout(6 - n, options, None)
    assert Backoff("sdk").wait(n, 0.0, random.Random(n)) == sdk


@pytest.mark.parametrize("strategy", ["full", "equal", "sdk", "decorrelated"])
def test_jittered_waits_stay_inside_their_range(strategy: str) -> None:
    backoff, rng = Backoff(strategy), random.Random(0)
    for n in range(10):
        e = backoff.ceiling(n)
        low = {"full": 0, "equal": e / 2, "sdk": 0.75 * e, "decorrelated": backoff.base}[strategy]
        high = backoff.cap if strategy == "decorrelated" else e
        for _ in range(200):
            assert low <= backoff.wait(n, backoff.cap, rng) <= high


def test_the_waits_in_a_run_follow_the_schedule_without_jitter() -> None:
    r = crowd(1, Policy("exponential", attempts=6), server=DOWN)
    assert r.waits == (0.5, 1.0, 2.0, 4.0, 8.0)


# -- layers, budgets, throttling --------------------------------------------------
@pytest.mark.parametrize("layers", [1, 2, 3, 5])
def test_three_attempts_at_each_of_n_layers_cost_three_to_the_n_calls(layers: int) -> None:
    assert crowd(1, Policy(attempts=3, layers=layers), server=DOWN).calls == 3**layers


def test_a_ten_percent_retry_budget_keeps_retries_under_a_tenth_of_the_calls() -> None:
    r = crowd(1, Policy(attempts=3, budget=0.1), server=DOWN, jobs=100, interval=1.0)
    retries = r.calls - r.jobs
    assert 0 < retries <= 0.1 * r.calls + 1


def test_adaptive_throttling_rejects_locally_when_the_server_keeps_refusing() -> None:
    r = crowd(1, Policy(attempts=1, throttle=2.0), server=DOWN, jobs=200, interval=1.0)
    assert r.throttled > 0.8 * r.jobs
    assert r.calls + r.throttled == r.jobs


def test_under_overload_plain_retries_collapse_and_throttling_holds() -> None:
    result = overload(loads=(3,), policies=("once", "retries", "throttle"), duration=30)
    goodput = {p: result.value(p, 3) for p in result.policies}
    assert goodput["retries"] < 0.5 * goodput["once"]
    assert goodput["throttle"] > 0.8


# -- the experiments ----------------------------------------------------------------
def test_without_jitter_a_herd_takes_longest() -> None:
    s = sweep(clients=(100,), seeds=2)
    times = {strategy: s.value(strategy, 100, "finished") for strategy in STRATEGIES}
    assert max(times, key=times.get) == "exponential"  # type: ignore[arg-type]


def test_brookers_setup_reproduces_his_ordering() -> None:
    calls = {
        s: sum(brooker(100, s, seed=k).calls for k in range(5)) / 5 for s in ("exponential", "full", "decorrelated")
    }
    assert calls["full"] < 0.5 * calls["exponential"]
    assert calls["full"] < calls["decorrelated"] < calls["exponential"]


def test_an_optimistic_row_accepts_one_writer_per_version() -> None:
    r = crowd(30, "full", server=OptimisticRow(), latency=0.01)
    assert r.accepted == 30


def test_a_hundred_clients_simulate_in_well_under_a_second() -> None:
    started = time.perf_counter()
    for strategy in STRATEGIES:
        crowd(100, strategy)
    assert time.perf_counter() - started < 1.0


# -- bad input --------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: Backoff("linear"),
        lambda: Backoff("full", base=0),
        lambda: Policy(attempts=0),
        lambda: Policy(layers=2),
        lambda: Policy(budget=1.5),
        lambda: Policy(throttle=0.5),
        lambda: RateLimit(-1),
        lambda: crowd(0),
        lambda: overload(policies=("hope",)),
    ],
)
def test_bad_input_is_explained_in_both_languages(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ctlab.CtlabError) as info:
        make()
    assert " / " in str(info.value)


def test_retrying_forever_against_a_dead_server_stops_with_an_explanation() -> None:
    with pytest.raises(ctlab.CtlabError):
        crowd(2, "none", server=DOWN, max_calls=1000)


# -- the widget -------------------------------------------------------------------
def test_the_widget_runs_what_its_controls_say() -> None:
    lab = ScaleLab(clients=30, strategy="equal", capacity=5, seed=2)
    lab.clients.value = 40
    result = lab.click()
    assert result == crowd(40, "equal", capacity=5, seed=2)
    assert len(lab.out.outputs) == 2
