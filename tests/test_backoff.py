"""ctlab.backoff: every backoff formula in one place, and the three callers that compute through it."""

from __future__ import annotations

import random

import pytest
from anthropic import _constants

import ctlab
from ctlab import retry, sdk
from ctlab.backoff import STRATEGIES, Backoff, bounds, ceiling, wait


@pytest.mark.parametrize(("base", "cap"), [(0.5, 30.0), (1, 8), (0.1, 2.0)])
def test_retry_backoff_draws_what_its_formula_always_drew(base: float, cap: float) -> None:
    for n in range(12):
        random.seed(n)
        got = retry.backoff(n, base_delay=base, max_delay=cap)
        random.seed(n)
        assert got == random.uniform(0, min(cap, base * 2**n))


def test_retry_backoff_draws_from_the_global_generator() -> None:
    random.seed(3)
    first = retry.backoff(2)
    random.seed(3)
    assert retry.backoff(2) == first


def test_the_sdk_band_is_the_sdk_formula_with_the_installed_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(1, 8):
        assert sdk.band(n) == bounds("sdk", n - 1, base=_constants.INITIAL_RETRY_DELAY, cap=_constants.MAX_RETRY_DELAY)
    assert sdk.band(1) == (0.375, 0.5)
    monkeypatch.setattr(_constants, "INITIAL_RETRY_DELAY", 1.0)
    monkeypatch.setattr(_constants, "MAX_RETRY_DELAY", 4.0)
    assert [sdk.band(n)[1] for n in range(1, 5)] == [1.0, 2.0, 4.0, 4.0], "read at call time, never copied"


def test_the_sdk_band_matches_the_jitter_sdk_py_states() -> None:
    assert sdk.band(4) == (sdk.JITTER[0] * sdk.nominal_delay(4), sdk.JITTER[1] * sdk.nominal_delay(4))


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_wait_lands_inside_its_bounds(strategy: str) -> None:
    rng = random.Random(1)
    for n in range(10):
        for previous in (0.5, 2.0, 8.0):
            low, high = bounds(strategy, n, base=0.5, cap=8.0, previous=previous)
            for _ in range(50):
                assert low <= wait(strategy, n, previous, base=0.5, cap=8.0, rng=rng) <= high


def test_the_exponent_stops_before_a_float_overflows() -> None:
    assert ceiling(5000, base=0.5, cap=8.0) == 8.0
    assert 0 <= retry.backoff(5000) <= 30.0


def test_a_backoff_names_its_strategy_in_both_languages() -> None:
    assert Backoff("full").label().en == "full jitter"
    assert Backoff("full").bounds(3) == (0.0, 4.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Backoff("linear"),
        lambda: Backoff("full", base=0),
        lambda: wait("linear", 0, 0.5, base=0.5, cap=8.0, rng=random),
    ],
)
def test_bad_input_is_explained_in_both_languages(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ctlab.CtlabError) as info:
        make()
    assert " / " in str(info.value)


