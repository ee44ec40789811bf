"""ctlab.ratelimit: a token bucket, the headers every answer carries, a limiter that refuses, a pacer that waits."""

from __future__ import annotations

import math

import pytest

import ctlab
from ctlab import responses
from ctlab.faults import Reply
from ctlab.ratelimit import RATE_LIMIT, LimitedServer, Pacer, RateLimit, Tier, TokenBucket
from ctlab.ratelimit.headers import LIMIT, REMAINING, RESET, requests_headers, seconds

TWO_A_MINUTE = Tier(rpm=2, itpm=10_000, otpm=4_000)


# -- the bucket ------------------------------------------------------------------------
def test_a_bucket_starts_full_and_refills_continuously() -> None:
    bucket = TokenBucket(rate=2.0, burst=3)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.wait() == 0.5
    assert bucket.take(0.5) and not bucket.take(0.5)
    assert bucket.take(10.0) and bucket.level == 2, "never holds more than its burst"


def test_a_refusal_that_costs_work_digs_the_bucket_down_to_minus_its_burst() -> None:
    bucket = TokenBucket(rate=1.0, burst=2, reject_cost=0.5)
    for _ in range(20):
        bucket.take(0.0)
    assert bucket.level == -2
    assert bucket.wait() == 3.0


def test_a_server_with_no_capacity_never_accepts_and_never_refills() -> None:
    bucket = RateLimit(capacity=0).fresh()
    assert not any(bucket.take(t) for t in range(10))
    assert math.isinf(bucket.wait())


@pytest.mark.parametrize(
    "make",
    [
        lambda: RateLimit(-1),
        lambda: RateLimit(reject_cost=2),
        lambda: Tier(rpm=0, itpm=1, otpm=1),
        lambda: LimitedServer("tier-9"),
        lambda: Pacer(headroom=1.5),
    ],
)
def test_bad_input_is_explained_in_both_languages(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ctlab.CtlabError) as info:
        make()
    assert " / " in str(info.value)


# -- the headers -------------------------------------------------------------------------
def test_what_a_server_announces_a_client_reads_back() -> None:
    sent = requests_headers(remaining=3, reset="2026-01-01T00:01:00Z", limit=120)
    assert sent == {LIMIT: "120", REMAINING: "3", RESET: "2026-01-01T00:01:00Z"}
    assert seconds("1.5") == 1.5 and seconds(None) is None and seconds("soon") is None


def test_every_simulated_answer_carries_the_requests_headers() -> None:
    ok = responses.message_response(Reply(), request_id="r", message_id="m", now=0.0)
    assert ok.headers[LIMIT] == str(RATE_LIMIT) and ok.headers[REMAINING] == str(RATE_LIMIT - 1)
    sim = ctlab.run(LimitedServer(TWO_A_MINUTE), lambda c: [ctlab.ask(c) for _ in range(3)], max_retries=0)
    refused = sim.outcome.error.response
    assert refused.headers[LIMIT] == "2" and refused.headers[REMAINING] == "0"


# -- the limiter and the pacer --------------------------------------------------------------
def test_the_limiter_says_when_the_next_request_is_back_in_whole_seconds() -> None:
    sim = ctlab.run(LimitedServer(TWO_A_MINUTE), lambda c: [ctlab.ask(c) for _ in range(3)], max_retries=0)
    assert [a.answer for a in sim.attempts] == [200, 200, 429]
    assert sim.outcome.error.response.headers["retry-after"] == "30"


def test_the_pacer_learns_the_buckets_and_holds_everyone_after_a_429() -> None:
    pacer = Pacer()
    need = {"requests": 1.0, "input": 10.0, "output": 10.0}
    announced = {
        f"anthropic-ratelimit-{family}-{field}": value
        for family in ("requests", "input-tokens", "output-tokens")
        for field, value in (("limit", "60"), ("remaining", "0" if family == "requests" else "60"))
    }
    pacer.learn([need, 0], 200, announced, 1.0, {})
    assert pacer.delay(need, 1.0) == 1.0, "no requests left: one comes back a second later (60 a minute)"
    assert pacer.resume_at == 0.0
    pacer.learn([need, 1], 429, {"retry-after": "3"}, 10.0, {})
    assert pacer.resume_at == 13.0 and pacer.refused == 1
    pacer.learn([need, 2], 429, {}, 11.0, {})
    assert pacer.resume_at == 13.0, "never earlier than a wait already announced"
    assert pacer.delay(need, 12.0) == 1.0


# -- the spend limit ---------------------------------------------------------------------
@pytest.mark.parametrize("code", ["enforced_spend_limit_reached", "contract_spend_limit_reached"])
def test_a_spend_limit_says_when_access_comes_back_not_try_again_later(code: str) -> None:
    error = ctlab.run(f"429(error-code={code})", max_retries=0).outcome.error
    message = error.body["error"]["message"]
    assert "try again" not in message.lower()
    assert message == (
        "You have reached your specified API usage limits. You will regain access on 2026-02-01 at 00:00 UTC."
    )


def test_a_plain_429_still_asks_to_try_again_later() -> None:
    error = ctlab.run("429", max_retries=0).outcome.error
    assert "Please try again later." in error.body["error"]["message"]
