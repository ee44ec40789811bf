"""The simulated limiter: three buckets per model, their headers, caching, the charge, count_tokens, batches, curl."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime

import anthropic
import pytest

import ctlab
from ctlab.ratelimit import TIERS, Buckets, LimitedServer, Tier
from ctlab.ratelimit.headers import EPOCH
from ctlab.ratelimit.service import REPLY_HEADER
from ctlab.ratelimit.tokens import charge, estimate, text_tokens
from ctlab.ratelimit.workloads import cached_document

HI = [{"role": "user", "content": "hi"}]


def _create(client: anthropic.Anthropic, max_tokens: int = 64, reply: int = 10, **extra: object) -> object:
    return client.messages.with_raw_response.create(
        model="claude-opus-4-7",
        max_tokens=max_tokens,
        messages=HI,
        extra_headers={REPLY_HEADER: str(reply)},
        **extra,  # type: ignore[arg-type]
    )


# -- the buckets themselves --------------------------------------------------------------
def test_each_bucket_refills_at_its_limit_a_minute_up_to_one_minute_s_worth() -> None:
    limits = Buckets(Tier(rpm=60, itpm=6_000, otpm=600))
    assert limits.admit(0.0, input_tokens=6_000, max_tokens=600) is None
    assert limits.short(0.0, 1, 1) == ("input", 0.01)  # 100 input tokens a second: 1 token in 0.01 s
    assert limits.short(30.0, 3_000, 300) is None  # half a minute refills half of each
    limits.input.refill(1_000.0)
    assert limits.input.level == 6_000, "never more than the limit"


def test_output_is_reserved_from_max_tokens_and_settled_to_what_was_written() -> None:
    limits = Buckets(Tier(rpm=60, itpm=6_000, otpm=600))
    assert limits.admit(0.0, input_tokens=10, max_tokens=500) is None
    assert limits.output.level == 100
    assert limits.short(0.0, 10, 200) == ("output", 10.0), "the reservation blocks a second request"
    limits.settle(max_tokens=500, output_tokens=50)
    assert limits.output.level == 550
    assert limits.short(0.0, 10, 200) is None


def test_a_refused_request_takes_nothing() -> None:
    limits = Buckets(Tier(rpm=60, itpm=6_000, otpm=600))
    limits.admit(0.0, input_tokens=5_000, max_tokens=10)
    before = (limits.requests.level, limits.input.level, limits.output.level)
    assert limits.admit(0.0, input_tokens=2_000, max_tokens=10) == ("input", 10.0)
    assert (limits.requests.level, limits.input.level, limits.output.level) == before
    assert limits.admit(0.0, input_tokens=7_000, max_tokens=10) == ("input", float("inf")), "more than a minute's worth"


def test_headers_report_the_buckets() -> None:
    limits = Buckets(Tier(rpm=60, itpm=6_000, otpm=600))
    limits.admit(0.0, input_tokens=3_000, max_tokens=600)
    headers = limits.headers(0.0)
    assert headers["anthropic-ratelimit-requests-remaining"] == "59"
    assert headers["anthropic-ratelimit-input-tokens-remaining"] == "3000"
    assert headers["anthropic-ratelimit-output-tokens-remaining"] == "0"
    assert headers["anthropic-ratelimit-tokens-remaining"] == "0", "the tokens family is the tighter token bucket"
    reset = datetime.fromisoformat(headers["anthropic-ratelimit-input-tokens-reset"].replace("Z", "+00:00"))
    assert (reset - EPOCH).total_seconds() == 30.0, "full again when 3,000 tokens have refilled at 100/s"


# -- through the real SDK ------------------------------------------------------------------
def test_a_429_names_the_bucket_and_retry_after_comes_from_it() -> None:
    server = LimitedServer(Tier(rpm=1_000, itpm=100_000, otpm=120))
    with ctlab.simulate(server) as sim:
        client = sim.client(max_retries=0)
        _create(client, max_tokens=100, reply=100)
        with pytest.raises(anthropic.RateLimitError) as caught:
            _create(client, max_tokens=100)
    error = caught.value
    assert error.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    assert "120 output tokens per minute" in error.message
    assert error.response.headers["retry-after"] == "40"  # 80 missing tokens at 2 a second
    assert error.response.headers["anthropic-ratelimit-output-tokens-remaining"] == "20"
    assert [s.short for s in server.log] == [None, "output"]


def test_every_reply_carries_every_header_consistent_with_the_server_s_buckets() -> None:
    server = LimitedServer("tier-1")
    with ctlab.simulate(server) as sim:
        raw = _create(sim.client(), max_tokens=200, reply=30)
    usage = raw.parse().usage  # type: ignore[attr-defined]
    headers = raw.headers  # type: ignore[attr-defined]
    for family in ("requests", "tokens", "input-tokens", "output-tokens"):
        for part in ("limit", "remaining", "reset"):
            assert f"anthropic-ratelimit-{family}-{part}" in headers
    assert usage.output_tokens == 30
    assert int(headers["anthropic-ratelimit-output-tokens-remaining"]) == 8_000 - 30
    assert int(headers["anthropic-ratelimit-input-tokens-remaining"]) == 30_000 - usage.input_tokens
    assert headers == {**headers, **server.models["claude-opus-4-7"].headers(0.0)}


def test_cache_reads_do_not_count_toward_itpm() -> None:
    jobs = cached_document(3)
    server = LimitedServer("tier-2")
    with ctlab.simulate(server) as sim:
        client = sim.client()
        usages = [client.messages.create(**job.kwargs()).usage for job in jobs]
    assert usages[0].cache_creation_input_tokens > 6_000 > usages[0].input_tokens
    assert usages[1].cache_read_input_tokens == usages[0].cache_creation_input_tokens
    assert [s.input_tokens for s in server.log][1] < 200, "a read is not charged to ITPM"
    assert server.log[0].input_tokens > 6_000, "a cache write is"


def test_count_tokens_is_an_estimate_the_server_s_charge_differs_from_by_a_few_percent() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "x" * 40_000}]}
    with ctlab.simulate(LimitedServer("tier-2")) as sim:
        counted = sim.client().messages.count_tokens(model="m", messages=body["messages"])
    assert isinstance(counted, anthropic.types.MessageTokensCount)
    assert counted.input_tokens == estimate(body) == 10_000 + 4 + 3
    charges = {charge(10_000, seed=s, key="k") for s in range(50)}
    assert min(charges) >= 9_800 and max(charges) <= 10_400 and len(charges) > 40
    assert text_tokens("你好，世界") == 5


def test_the_same_seed_gives_the_same_run_and_another_seed_another_charge() -> None:
    def run(seed: int) -> list[tuple[int, int]]:
        server = LimitedServer("tier-1", seed=seed)
        with ctlab.simulate(server, seed=seed) as sim:
            for job in cached_document(2, cache=False):
                sim.client().messages.create(**job.kwargs())
        return [(s.input_tokens, s.output_tokens) for s in server.log]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_message_batches_run_in_virtual_time_through_the_sdk() -> None:
    with ctlab.simulate(LimitedServer("tier-1")) as sim:
        client = sim.client()
        requests = [
            {"custom_id": f"r{i}", "params": {"model": "m", "max_tokens": 50, "messages": HI}} for i in range(3)
        ]
        batch = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
        assert batch.processing_status == "in_progress"
        while client.messages.batches.retrieve(batch.id).processing_status != "ended":
            sim.clock.sleep(60)
        results = list(client.messages.batches.results(batch.id))
    assert [r.custom_id for r in results] == ["r0", "r1", "r2"]
    assert results[0].result.type == "succeeded"
    assert sim.elapsed == 360


def test_tiers_are_the_illustrative_presets() -> None:
    assert (TIERS["tier-1"].rpm, TIERS["tier-1"].itpm, TIERS["tier-1"].otpm) == (50, 30_000, 8_000)
    assert (TIERS["tier-4"].rpm, TIERS["tier-4"].itpm, TIERS["tier-4"].otpm) == (4_000, 2_000_000, 400_000)
    with pytest.raises(ctlab.CtlabError):
        LimitedServer("tier-9")


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_fault_server_serves_the_same_limiter_to_curl() -> None:
    body = json.dumps({"model": "m", "max_tokens": 10, "messages": HI})
    with ctlab.serve(LimitedServer(Tier(rpm=1, itpm=1_000, otpm=1_000))) as srv:

        def curl(path: str) -> str:
            command = ["curl", "-s", "-i", srv.url + path, "-H", "content-type: application/json", "-d", body]
            return subprocess.run(command, capture_output=True, text=True, timeout=10, check=True).stdout

        first, second, counted = curl("/v1/messages"), curl("/v1/messages"), curl("/v1/messages/count_tokens")
    assert first.startswith("HTTP/1.1 200") and "anthropic-ratelimit-requests-remaining: 0" in first
    assert second.startswith("HTTP/1.1 429") and "retry-after: 60" in second and "1 requests per minute" in second
    assert counted.rstrip().endswith('{"input_tokens": 8}')
