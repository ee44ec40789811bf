"""One player answers both ways: the same script gives the same attempts, ids and scrubbed headers
in-process and over HTTP."""

from __future__ import annotations

import threading

import anthropic
import pytest

import ctlab
from ctlab.faults import Reply, status
from ctlab.player import Attempt, Player
from ctlab.server import serve
from ctlab.simulate import ask

SECRET = "sk-ant-test-only"  # shaped like a key, too short to be one
#: A disconnect, two statuses that ask for a short wait (10 ms: real over HTTP), and a reply.
SCRIPT = "disconnect 429(retry-after-ms=10) 529(retry-after-ms=10) 200"


def _without_origin(request_id: str | None) -> str | None:
    """``req_srv_000000002`` and ``req_sim_000000002`` differ only in the tag that says which side answered."""
    return None if request_id is None else request_id.replace("_srv_", "_").replace("_sim_", "_")


def _seen(attempts: list[Attempt]) -> list[tuple[object, ...]]:
    return [
        (a.number, a.method, a.path, a.retry_count, a.answer, _without_origin(a.request_id), a.headers)
        for a in attempts
    ]


def test_the_same_script_gives_the_same_attempts_ids_and_scrubbed_headers_in_process_and_over_http() -> None:
    with serve(SCRIPT) as srv:  # the real SDK over real HTTP
        over_http = anthropic.Anthropic(api_key=SECRET, base_url=srv.url, max_retries=3, timeout=5.0)
        http_reply = over_http.messages.with_raw_response.create(
            model="claude-opus-4-7", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
        )
    with ctlab.simulate(SCRIPT) as sim:  # the same client, answered in-process (any host is the simulation's)
        in_process = anthropic.Anthropic(api_key=SECRET, base_url=srv.url, max_retries=3, timeout=5.0)
        sim_reply = in_process.messages.with_raw_response.create(
            model="claude-opus-4-7", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
        )

    http_log, sim_log = srv.requests, sim.attempts
    assert [a.answer for a in sim_log] == ["disconnect", 429, 529, 200]
    assert [a.retry_count for a in sim_log] == [0, 1, 2, 3]
    assert [a.request_id for a in sim_log] == [None, "req_sim_000000002", "req_sim_000000003", "req_sim_000000004"]
    assert [a.request_id for a in http_log] == [None, "req_srv_000000002", "req_srv_000000003", "req_srv_000000004"]
    assert _seen(http_log) == _seen(sim_log)  # headers included, every one of them
    # the ids sent
    assert (http_reply.request_id, sim_reply.request_id) == (http_log[-1].request_id, sim_log[-1].request_id)
    assert http_reply.parse().content[0].text == sim_reply.parse().content[0].text

    for attempt in [*http_log, *sim_log]:
        assert "x-api-key" not in attempt.headers and "x-stainless-retry-count" in attempt.headers
        assert SECRET not in repr(attempt)


def test_a_fault_given_plays_no_step_of_the_script_but_is_numbered_and_logged() -> None:
    player = Player("429 200", origin="srv")
    refused, payload = player.play("GET", "/v1/models", {}, fault=status(404, message="Not found"))
    assert (refused.number, refused.answer, payload is not None and payload.status_code) == (1, 404, 404)
    player.play("POST", "/v1/messages", {}, b"{}")
    _, payload = player.play("POST", "/v1/messages", {}, b"{}")
    assert [(a.number, a.answer) for a in player.snapshot()] == [(1, 404), (2, 429), (3, 200)]
    assert payload is not None and payload.json()["id"] == "msg_srv_000000003"


def test_a_fault_that_sends_nothing_has_no_payload_and_no_request_id() -> None:
    player = Player("timeout disconnect 200")
    for answer in ("timeout", "disconnect"):
        attempt, payload = player.play("POST", "/v1/messages", {})
        assert (attempt.answer, attempt.request_id, payload) == (answer, None, None)


def test_ids_carry_the_origin_and_the_seed() -> None:
    assert Player(seed=7).ids(12) == ("req_sim_007000012", "msg_sim_007000012")
    assert Player(origin="srv").ids(1) == ("req_srv_000000001", "msg_srv_000000001")


def test_credentials_and_odd_retry_counts_are_logged_as_the_api_would_read_them() -> None:
    headers = {
        "X-Api-Key": SECRET,
        "Authorization": f"Bearer {SECRET}",
        "Cookie": "s=1",
        "X-Stainless-Retry-Count": "²",
        "User-Agent": "me",
    }
    attempt, _ = Player().play("POST", "/v1/messages", headers)
    assert attempt.headers == {"x-stainless-retry-count": "²", "user-agent": "me"} and attempt.retry_count is None


def test_threads_playing_at_once_each_get_their_own_step_number_and_time() -> None:
    ticks = iter(range(1000))
    player = Player([status(429)] * 50 + [Reply()], now=lambda: float(next(ticks)))
    start = threading.Barrier(10)

    def client() -> None:
        start.wait()
        for _ in range(10):
            player.play("POST", "/v1/messages", {}, b"{}")

    threads = [threading.Thread(target=client) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = player.snapshot()
    assert [a.number for a in log] == list(range(1, 101)) and [a.at for a in log] == [float(n) for n in range(100)]
    assert [a.answer for a in log] == [429] * 50 + [200] * 50  # every step played once, in order of arrival
    assert len({a.request_id for a in log}) == 100


@pytest.mark.parametrize("faults", ["429 200", "timeout 200"])
def test_a_simulation_s_attempts_are_its_player_s_log(faults: str) -> None:
    with ctlab.simulate(faults) as sim:
        ask(sim.client(timeout=1.0))
    assert sim.attempts is sim.player.attempts and sim.script is sim.player.script
    assert [str(a.answer) for a in sim.attempts] == faults.split()
    assert sim.attempts[0].at == 0.0
