"""The fault server and the harness: the in-process simulation's faults and bytes over real HTTP on loopback,
and real clients run against it."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import anthropic
import pytest

import ctlab
from ctlab.faults import Reply, StreamError, status
from ctlab.harness import Exchanges, OneProcess, compare_clients, exchange, exchange_each
from ctlab.i18n import CtlabError
from ctlab.installed import version_tuple, versions
from ctlab.responses import error_response, message_response, stream_response
from ctlab.server import FaultServer, serve
from ctlab.sidebyside import NotAFunction, side_by_side
from ctlab.simulate import ask
from ctlab.wire import MAX_BODY

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "notebooks" / "js"
BODY = json.dumps(
    {"model": "claude-opus-4-7", "max_tokens": 1024, "messages": [{"role": "user", "content": "你好"}]}
).encode()
POST = b"POST /v1/messages HTTP/1.1\r\nHost: x\r\n"  # the start of a raw request, headers to follow
CHUNKED = POST + b"Transfer-Encoding: chunked\r\n\r\n"
has_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
has_node = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "@anthropic-ai" / "sdk").exists(),
    reason="node or the JS SDK (npm ci) is not installed",
)


def post(
    url: str,
    body: bytes = BODY,
    path: str = "/v1/messages",
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"content-type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def raw(url: str, data: bytes, read_timeout: float = 5.0, half_close: bool = False) -> bytes:
    """Send bytes as they are (then stop sending if ``half_close``) and read until the server closes the connection."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=read_timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def sdk(url: str, **options: object) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-test-not-a-key", base_url=url, **options)  # type: ignore[arg-type]


def raised(call: object) -> BaseException:
    try:
        call()  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001
        return error
    raise AssertionError("nothing was raised")


@pytest.fixture
def no_leaks() -> Iterator[None]:
    """Every thread a test starts is gone when it ends."""
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert left == [], f"threads left behind: {left}"


# -- the same answers as the in-process simulation ---------------------------------

SAME_CLASS_FAULTS = [
    "400", "401", "402", "403", "404", "408", "409", "413", "422", "429",
    "429(error-code=enforced_spend_limit_reached)",
    "500", "501", "503", "504", "529", "timeout", "connect-timeout", "disconnect",
]


@pytest.mark.parametrize("faults", SAME_CLASS_FAULTS)
def test_the_real_sdk_over_http_raises_the_same_class_as_in_process(faults: str) -> None:
    with serve(faults) as srv:
        over_http = raised(lambda: ask(sdk(srv.url, max_retries=0, timeout=0.3)))
    in_process = ctlab.run(faults, max_retries=0, timeout=0.3).outcome.error
    assert type(over_http) is type(in_process)
    assert getattr(over_http, "status_code", None) == getattr(in_process, "status_code", None)
    assert len(srv.requests) == 1


def test_a_529_forever_costs_exactly_3_requests_with_max_retries_2_over_http_too() -> None:
    with serve("529(retry-after-ms=1)") as srv:
        error = raised(lambda: ask(sdk(srv.url, max_retries=2)))
    assert isinstance(error, anthropic.OverloadedError)
    assert [r.answer for r in srv.requests] == [529, 529, 529]
    assert [r.retry_count for r in srv.requests] == [0, 1, 2]


def test_the_script_is_played_in_order_and_its_last_fault_repeats() -> None:
    with serve("429(retry-after-ms=1) 500(retry-after-ms=1) 200") as srv:
        assert ask(sdk(srv.url, max_retries=2)) == "你好！Hello!"
        assert ask(sdk(srv.url, max_retries=0)) == "你好！Hello!"
    assert [r.answer for r in srv.requests] == [429, 500, 200, 200]
    assert [(r.method, r.path) for r in srv.requests] == [("POST", "/v1/messages")] * 4


def test_an_error_is_the_same_bytes_as_in_process_with_retry_after() -> None:
    fault = status(429, retry_after=1)
    with serve([fault]) as srv:
        code, headers, body = post(srv.url)
    expected = error_response(fault, request_id="req_srv_000000001", now=0.0)
    assert code == 429 and body == expected.body
    for name, value in expected.headers.items():
        if not name.endswith("-reset"):  # a date: the server's clock is real
            assert headers[name] == value
    assert headers["retry-after"] == "1" and headers["request-id"] == "req_srv_000000001"


def test_a_reply_is_the_same_bytes_as_in_process() -> None:
    with serve("200") as srv:
        code, headers, body = post(srv.url)
    expected = message_response(Reply(), request_id="req_srv_000000001", message_id="msg_srv_000000001", now=0.0)
    assert (code, headers["content-type"], body) == (200, "application/json", expected.body)


def test_a_stream_error_is_sent_as_chunked_events_that_match_the_in_process_stream() -> None:
    with serve("stream-error") as srv:
        code, headers, body = post(srv.url, json.dumps({"model": "claude-opus-4-7", "stream": True}).encode())
    expected = stream_response(StreamError(), request_id="req_srv_000000001", message_id="msg_srv_000000001", now=0.0)
    assert code == 200 and headers["transfer-encoding"] == "chunked"
    assert body == expected.body and body.rstrip().endswith(b'"request_id": "req_srv_000000001"}')


def test_the_sdk_streams_text_then_raises_on_a_stream_error_exactly_as_in_process() -> None:
    def stream(client: anthropic.Anthropic) -> list[str]:
        pieces: list[str] = []
        try:
            with client.messages.stream(
                model="claude-opus-4-7", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
            ) as events:
                pieces.extend(events.text_stream)
        except anthropic.APIStatusError as error:
            pieces.append(f"{type(error).__name__} {error.status_code}")
        return pieces

    with serve("stream-error") as srv:
        over_http = stream(sdk(srv.url, max_retries=2))
    in_process = ctlab.run("stream-error", stream).outcome.value
    assert over_http == in_process == ["你好，", "APIStatusError 200"]
    assert len(srv.requests) == 1  # an error inside a 200 stream is never retried


def test_a_streamed_reply_arrives_whole() -> None:
    with (
        serve("200") as srv,
        sdk(srv.url).messages.stream(model="m", max_tokens=64, messages=[{"role": "user", "content": "hi"}]) as events,
    ):
        assert "".join(events.text_stream) == "你好！Hello!"


def test_a_timeout_holds_the_request_until_the_client_gives_up() -> None:
    with serve("timeout", hold=30) as srv:
        started = time.perf_counter()
        error = raised(lambda: ask(sdk(srv.url, max_retries=0, timeout=0.3)))
        waited = time.perf_counter() - started
    assert isinstance(error, anthropic.APITimeoutError)
    assert 0.25 <= waited < 5
    [held] = srv.requests
    assert held.answer == "timeout" and 0.2 <= held.duration < 5  # the client left; the server did not wait 30 s


def test_a_client_with_no_timeout_is_dropped_after_hold_seconds() -> None:
    with serve("timeout", hold=0.3) as srv:
        started = time.perf_counter()
        reply = raw(srv.url, b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        waited = time.perf_counter() - started
    assert reply == b"" and 0.25 <= waited < 5


def test_a_disconnect_closes_the_connection_without_any_response() -> None:
    with serve("disconnect 200") as srv:
        assert raw(srv.url, b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}") == b""
        assert post(srv.url)[0] == 200
    assert [r.answer for r in srv.requests] == ["disconnect", 200]


def test_every_request_is_recorded_with_its_retry_count_header_and_time() -> None:
    with serve("200") as srv:
        post(srv.url, headers={"x-stainless-retry-count": "3", "x-api-key": "secret"})
        post(srv.url)
    first, second = srv.requests
    assert (first.number, first.retry_count, second.retry_count) == (1, 3, None)
    assert 0 <= first.at <= second.at
    assert "x-api-key" not in first.headers  # keys are never kept


def test_no_credential_header_is_kept_in_the_log_whatever_its_name_or_case() -> None:
    credentials = [
        "authorization", "Proxy-Authorization", "x-api-key", "Cookie", "set-cookie", "X-Auth-Token", "x-session-id",
        "x-client-secret", "apikey", "X-Goog-Api-Key", "x-amz-security-token", "x-password", "x-credentials",
    ]
    with serve("200") as srv:
        post(
            srv.url,
            headers={
                **dict.fromkeys(credentials, "s3cr3t"),
                "anthropic-version": "2023-06-01",
                "x-stainless-retry-count": "0",
            },
        )
    [logged] = srv.requests
    assert "s3cr3t" not in repr(logged)
    assert set(logged.headers) == {
        "anthropic-version", "x-stainless-retry-count", "content-type", "content-length", "host", "accept-encoding"
    }


@pytest.mark.parametrize("count", [b"\xb2", b"-1", b"9" * 5000], ids=["superscript-two", "negative", "5000-digits"])
def test_a_retry_count_header_that_is_not_a_number_is_logged_as_none_and_its_request_plays_its_step(
    count: bytes,
) -> None:
    with serve("429 200") as srv:
        request = POST + b"Connection: close\r\nx-stainless-retry-count: " + count + b"\r\nContent-Length: 2\r\n\r\n{}"
        reply = raw(srv.url, request)
        assert post(srv.url, headers={"x-stainless-retry-count": "1"})[0] == 200
    assert reply.startswith(b"HTTP/1.1 429 ")  # answered as the script says, as the API ignores what the header holds
    first, second = srv.requests
    logged_count = first.headers["x-stainless-retry-count"]
    assert (first.answer, first.retry_count, logged_count) == (429, None, count.decode("latin-1"))
    assert (second.answer, second.retry_count) == (200, 1)


# -- bad requests get API errors, never a crash ------------------------------------------


def api_error(body: bytes) -> tuple[str, str]:
    data = json.loads(body)
    assert data["type"] == "error" and data["request_id"].startswith("req_srv_")
    return data["error"]["type"], data["error"]["message"]


def test_an_unknown_path_is_a_404_not_found_error() -> None:
    with serve("529") as srv:
        code, _, body = post(srv.url, path="/v1/complete")
        assert post(srv.url)[0] == 529  # the script was not consumed
    assert code == 404 and api_error(body)[0] == "not_found_error"
    assert [r.answer for r in srv.requests] == [404, 529]


def test_a_wrong_method_is_a_405_and_head_gets_headers_only() -> None:
    with serve("200") as srv:
        code, _, body = post(srv.url, method="GET", body=b"")
        head = post(srv.url, method="HEAD", body=b"")
    assert code == 405 and api_error(body)[0] == "invalid_request_error"
    assert head[0] == 405 and head[2] == b""


def test_a_body_that_is_not_a_json_object_is_a_400_and_consumes_no_fault() -> None:
    with serve("529") as srv:
        code, _, body = post(srv.url, body=b"{not json")
        listed = post(srv.url, body=b"[1, 2]")[0]
        assert post(srv.url)[0] == 529
    assert (code, listed) == (400, 400) and api_error(body)[0] == "invalid_request_error"


NESTED = b'{"messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"BREW /v1/messages HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (POST + b"Content-Length: ten\r\n\r\n", 400),
        (POST + b"Content-Length: \xb2\r\n\r\n", 400),  # "²": str.isdigit() says yes, int() says no
        (POST + b"Content-Length: -1\r\n\r\n", 400),
        (POST + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
        # the client half-closes after 2 of 5 bytes (raw() shuts down writing)
        (POST + b"Content-Length: 5\r\n\r\n{}", 400),
        (POST + b"Transfer-Encoding: gzip\r\n\r\n", 400),
        (CHUNKED + b"zz\r\n", 400),
        (CHUNKED + b"0x2\r\n{}\r\n0\r\n\r\n", 400),
        (CHUNKED + b"2\r\n{}}\r\n0\r\n\r\n", 400),  # a chunk longer than its size
        (POST + f"Content-Length: {len(NESTED)}\r\n\r\n".encode() + NESTED, 400),  # RecursionError in json
    ],
    ids=[
        "garbage", "unknown-method", "bad-length", "superscript-length", "negative-length", "two-lengths", "short-body",
        "gzip", "bad-chunks", "0x-chunk", "long-chunk", "nested-100k-deep",
    ],
)
def test_a_malformed_request_gets_an_api_error_body_consumes_no_step_and_the_server_carries_on(
    request_bytes: bytes, code: int
) -> None:
    with serve("529 200") as srv:
        reply = raw(srv.url, request_bytes, half_close=True)
        assert post(srv.url)[0] == 529  # the script's first step is still there
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith((f"HTTP/1.1 {code} ".encode(), f"HTTP/1.0 {code} ".encode()))
    assert b"content-type: application/json" in head.lower()
    assert api_error(body)[0] == "invalid_request_error"
    assert [r.answer for r in srv.requests] == [code, 529]


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        (POST + f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode(), 413),
        (POST + b"Content-Length: 99999999999999999999999999\r\n\r\n", 413),
        (CHUNKED + b"-1\r\n", 400),  # malformed, not large: int("-1", 16) == -1 once let 150 MB in
        (CHUNKED + b"ffffffffffffffffffffffff\r\n", 413),
        (CHUNKED + b"80000\r\n" + b" " * 0x80000 + b"\r\n80001\r\n", 413),  # two chunks, one byte over together
    ],
    ids=["length", "huge-length", "negative-chunk", "huge-chunk", "chunks-add-up"],
)
def test_the_body_cap_holds_however_the_body_is_framed_and_is_answered_before_the_body_is_sent(
    request_bytes: bytes, code: int
) -> None:
    with serve("200") as srv:
        reply = raw(srv.url, request_bytes)  # the body itself never follows: the answer comes without it
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {code} ".encode()) and b"connection: close" in head.lower()
    assert api_error(body)[0] == ("invalid_request_error" if code == 400 else "request_too_large")
    assert [r.answer for r in srv.requests] == [code]


def test_a_client_that_sends_an_oversized_body_anyway_still_reads_its_413() -> None:
    with serve("200") as srv:
        code, _, body = post(srv.url, body=b" " * (4 * MAX_BODY))
        expect = raw(srv.url, POST + f"Content-Length: {4 * MAX_BODY}\r\nExpect: 100-continue\r\n\r\n".encode())
        assert post(srv.url, body=b" " * (MAX_BODY - 2) + b"{}")[0] == 200  # exactly MAX_BODY bytes is fine
    assert code == 413
    assert api_error(body) == ("request_too_large", "Request exceeds the maximum allowed number of bytes.")
    assert expect.startswith(b"HTTP/1.1 413 ")  # no "100 Continue": the body is refused before it is sent


def test_a_chunked_request_body_is_read() -> None:
    with serve("200") as srv:
        reply = raw(
            srv.url,
            b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2\r\n{}\r\n0\r\n\r\n",
        )
    assert reply.startswith(b"HTTP/1.1 200 ")


# -- concurrency ------------------------------------------------------------------------


def test_concurrent_clients_are_all_answered_and_all_recorded_once() -> None:
    clients, each = 8, 5
    codes: list[int] = []
    lock = threading.Lock()
    with serve("429*20 200") as srv:

        def client() -> None:
            for _ in range(each):
                code = post(srv.url)[0]
                with lock:
                    codes.append(code)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    log = srv.requests
    assert sorted(codes) == [200] * 20 + [429] * 20  # each scripted fault played exactly once
    assert [r.number for r in log] == list(range(1, clients * each + 1))
    assert len({r.request_id for r in log}) == clients * each


def crowd(port: int, clients: int, timeout: float) -> dict[int, bytes]:
    """``clients`` connections opened at once (non-blocking, one thread), each sending one request: each one's reply."""
    request = POST + b"Connection: close\r\nContent-Length: 2\r\n\r\n{}"
    selector, replies = selectors.DefaultSelector(), {}
    for number in range(clients):
        sock = socket.socket()
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.connect(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_WRITE, (number, bytearray()))
    deadline = time.perf_counter() + timeout
    try:
        while selector.get_map() and (left := deadline - time.perf_counter()) > 0:
            for key, events in selector.select(left):
                sock, (number, reply) = key.fileobj, key.data  # type: ignore[assignment]
                if events & selectors.EVENT_WRITE:
                    sock.send(request)  # type: ignore[union-attr]
                    selector.modify(sock, selectors.EVENT_READ, key.data)
                    continue
                chunk = sock.recv(1 << 16)  # type: ignore[union-attr]
                reply += chunk
                if not chunk:
                    replies[number] = bytes(reply)
                    selector.unregister(sock)
                    sock.close()  # type: ignore[union-attr]
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
    return replies


def test_200_clients_connecting_at_the_same_moment_are_all_answered() -> None:
    resource = pytest.importorskip("resource")  # POSIX; both ends of 200 connections live in this process
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 500:
        pytest.skip("fewer than 500 open files allowed (ulimit -n)")
    with serve("200") as srv:
        replies = crowd(srv.port, 200, timeout=5)
    assert len(replies) == 200 and all(reply.startswith(b"HTTP/1.1 200 ") for reply in replies.values())
    assert len(srv.requests) == 200


def test_concurrent_sdk_clients_with_held_requests_do_not_block_each_other() -> None:
    errors: list[str] = []
    with serve("timeout 200") as srv:
        def held_request() -> None:
            errors.append(type(raised(lambda: ask(sdk(srv.url, max_retries=0, timeout=0.5)))).__name__)

        threads = [threading.Thread(target=held_request)]
        threads[0].start()
        time.sleep(0.1)
        started = time.perf_counter()
        assert ask(sdk(srv.url, max_retries=0)) == "你好！Hello!"  # answered while the first one is held
        assert time.perf_counter() - started < 0.4
        threads[0].join()
    assert errors == ["APITimeoutError"]


# -- loopback only, clean start and shutdown --------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", ""])
def test_the_server_refuses_to_listen_beyond_loopback(host: str) -> None:
    with pytest.raises(CtlabError, match="loopback"):
        serve("200", host=host)


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("port", -1, "0-65535"), ("port", 70000, "0-65535"),
        ("host", 2130706433, "'127.0.0.1', '::1' or 'localhost'"),
        ("host", b"127.0.0.1", "'127.0.0.1', '::1' or 'localhost'"),
        ("hold", 0, "at most 3600"), ("hold", float("inf"), "at most 3600"),
        ("hold", float("nan"), "at most 3600"), ("hold", 3601, "at most 3600"),
        ("refuse_for", -1, "0 to 3600"), ("refuse_for", float("inf"), "0 to 3600"), ("refuse_for", True, "0 to 3600"),
        ("on_request", "x", "None or a function"),
    ],
)
def test_bad_options_are_refused_in_both_languages_naming_what_is_allowed(
    option: str, value: object, allowed: str
) -> None:
    with pytest.raises(CtlabError) as caught:
        serve("200", **{option: value})  # type: ignore[arg-type]  # before any thread or socket exists
    message = str(caught.value)
    assert re.search(r"[\u4e00-\u9fff]", message) and option in message and allowed in message


@pytest.mark.parametrize(
    "call",
    [
        lambda: exchange(["true"], time_limit=float("inf")),
        lambda: compare_clients({"x": ["true"]}, ["200"], hold=1e9),
        lambda: compare_clients({"x": ["true"]}, ["200"], refuse_for=float("inf")),
    ],
    ids=["exchange-time_limit-inf", "compare-hold-1e9", "compare-refuse_for-inf"],
)
def test_exchange_and_compare_refuse_endless_waits_before_running_anything(call: Callable[[], object]) -> None:
    with pytest.raises(CtlabError, match="3600"):
        call()


def test_bad_faults_are_refused_before_anything_listens() -> None:
    with pytest.raises(CtlabError):
        serve("299")


def test_shutdown_leaves_no_thread_and_frees_the_port_even_with_held_and_idle_connections(no_leaks: None) -> None:
    srv = serve("timeout", hold=60)
    with srv:
        port = srv.port
        idle = socket.create_connection(("127.0.0.1", port))  # connected, never sends anything
        held = threading.Thread(
            target=lambda: raw(srv.url, b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 30)
        )
        held.start()
        deadline = time.perf_counter() + 5
        while not srv.requests and time.perf_counter() < deadline:
            time.sleep(0.01)
        assert srv.requests, "the held request arrived"
        started = time.perf_counter()
    assert time.perf_counter() - started < 2, "closing does not wait for the hold"
    held.join(5)
    idle.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with serve("200", port=port) as again:  # the port can be bound again at once
        assert post(again.url)[0] == 200
    assert srv.url.endswith(f":{port}")  # still readable after the block


def test_a_server_that_refuses_connections_first_then_serves(no_leaks: None) -> None:
    with serve("200", refuse_for=0.5) as srv:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()
        time.sleep(0.7)
        assert post(srv.url)[0] == 200


def test_closing_while_still_refusing_is_immediate(no_leaks: None) -> None:
    started = time.perf_counter()
    with serve("200", refuse_for=30):
        pass
    assert time.perf_counter() - started < 2


def test_a_busy_port_is_explained_in_both_languages(no_leaks: None) -> None:
    with serve("200") as busy, pytest.raises(CtlabError, match=f"端口 {busy.port}.*port {busy.port}"):
        serve("200", port=busy.port).start()


def test_a_server_starts_once_and_has_no_url_before_it_starts() -> None:
    srv = FaultServer("200")
    with pytest.raises(CtlabError):
        _ = srv.url
    with srv, pytest.raises(CtlabError):
        srv.start()
    with pytest.raises(CtlabError):
        srv.start()


def test_the_ipv6_loopback_works_where_the_machine_has_it() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    srv = serve("529", host="::1")
    try:
        srv.start()
    except OSError:
        pytest.skip("::1 is not configured here")
    try:
        assert srv.url.startswith("http://[::1]:")
        assert post(srv.url)[0] == 529
    finally:
        srv.close()


# -- from the shell -----------------------------------------------------------------------


def test_python_m_ctlab_serve_prints_its_url_logs_requests_and_stops_cleanly_on_sigterm_and_repeated_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ctlab", "serve", "429 200", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "CTLAB_LANG": "both"},
    )
    try:
        first = process.stdout.readline()  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert url, first
        assert [post(url[0])[0] for _ in range(3)] == [429, 200, 200]
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGINT):  # Ctrl+C pressed twice more while it stops
            process.send_signal(signum)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill() if process.poll() is None else None
    assert process.returncode == 0 and err == "", err
    assert "故障服务端已启动" in first and "fault server listening on" in first
    assert len(re.findall(r"#\d: POST /v1/messages", out)) == 3 and "server stopped after 3 requests" in out


# -- real clients: exchange and compare ----------------------------------------------------


@has_curl
def test_curl_retry_sends_exactly_one_request_on_a_529() -> None:
    ex = exchange(["curl", "-s", "--retry", "3", "--retry-delay", "1", "-d", "{}", "{url}/v1/messages"], "529")
    assert (ex.requests, ex.answers, ex.returncode) == (1, [529], 0)


@has_curl
def test_curl_retry_obeys_retry_after_and_its_announced_wait_is_read_from_stderr() -> None:
    ex = exchange(
        'curl --no-progress-meter --retry 3 -o /dev/null -w "%{http_code}" -d "{}" "$ANTHROPIC_BASE_URL/v1/messages"',
        "429(retry-after=1) 200",
    )
    if version_tuple(versions()["curl"]) < (8, 14):
        assert (ex.returncode, ex.requests) == (23, 1)  # "Failed to truncate file": -o /dev/null breaks --retry
    else:
        assert (ex.returncode, ex.requests, ex.stdout) == (0, 2, "200")
    assert ex.waits == [1.0]


@has_curl
def test_a_command_that_outlives_its_time_limit_is_stopped_with_a_clear_error(no_leaks: None) -> None:
    with pytest.raises(CtlabError, match=re.escape("0.5")):
        exchange(["curl", "-s", "-d", "{}", "{url}/v1/messages"], "timeout", hold=30, time_limit=0.5)


def test_a_missing_program_is_explained() -> None:
    with pytest.raises(CtlabError, match="no-such-client"):
        exchange(["no-such-client", "{url}"])


@has_node
def test_the_js_sdk_retries_a_529_like_python_and_throws_overloaded_error() -> None:
    ex = exchange(["node", str(JS / "run.mjs"), "sdk", "--timeout", "5000"], "529")
    assert ex.requests == 3 and ex.retry_counts == [0, 1, 2]
    assert ex.result["threw"] == "OverloadedError" and "InternalServerError" in ex.result["chain"]  # type: ignore[index]
    assert [w > 0 for w in ex.waits] == [True, True]


@has_node
def test_node_sleeps_are_virtual_by_default_and_real_when_asked() -> None:
    virtual = exchange(["node", str(JS / "run.mjs"), "sdk", "--timeout", "5000"], "429(retry-after=1)")
    real = exchange(["node", str(JS / "run.mjs"), "sdk", "--timeout", "5000", "--real-sleep"], "429(retry-after=1)")
    assert virtual.waits == real.waits == [1.0, 1.0]
    assert max(virtual.gaps) < 0.9 <= min(real.gaps)


@has_node
def test_the_docs_js_loop_multiplies_requests_and_the_corrected_loop_does_not() -> None:
    table = compare_clients(
        {
            "docs": OneProcess(["node", str(JS / "run.mjs"), "docs-loop", "--timeout", "5000"]),
            "fixed": OneProcess(["node", str(JS / "run.mjs"), "retry-loop", "--timeout", "5000"]),
        },
        ["429(retry-after=1)", "400"],
    )
    docs, fixed = table.get("docs", "429(retry-after=1)"), table.get("fixed", "429(retry-after=1)")
    assert docs.requests == 9 and docs.retry_counts == [0, 1, 2] * 3
    assert docs.result["threw"] == "Error" and docs.waits[-1] == 4  # type: ignore[index]  # slept after the last request
    assert fixed.requests == 4 and fixed.retry_counts == [0] * 4 and fixed.result["threw"] == "RateLimitError"  # type: ignore[index]
    assert table.get("fixed", "400").requests == 1 and table.get("docs", "400").result["threw"] == "BadRequestError"  # type: ignore[index]


@has_node
def test_the_corrected_js_loop_keeps_to_its_deadline_counting_virtual_waits() -> None:
    ex = exchange(
        ["node", str(JS / "run.mjs"), "retry-loop", "--timeout", "5000", "--deadline", "2500"], "429(retry-after=1)"
    )
    assert ex.requests == 3 and ex.waits == [1.0, 1.0]  # a third 1 s wait would end past 2.5 s: it gives up instead
    assert ex.result["threw"] == "RateLimitError" and ex.result["attempts"] == 3  # type: ignore[index]


@has_node
def test_the_docs_js_client_without_base_url_would_go_to_anthropic_and_the_runner_stays_on_loopback() -> None:
    docs_client = exchange(["node", str(JS / "run.mjs"), "docs-client"])
    assert docs_client.result == {"returned": "https://api.anthropic.com", "waits": []}
    elsewhere = subprocess.run(
        ["node", str(JS / "run.mjs"), "sdk"],
        capture_output=True,
        text=True,
        env={**os.environ, "ANTHROPIC_BASE_URL": "https://api.anthropic.com"},
        check=False,
    )
    assert elsewhere.returncode != 0 and "only talks to ctlab's local fault server" in elsewhere.stderr


@has_curl
def test_compare_clients_puts_real_clients_and_the_in_process_sdk_in_one_table() -> None:
    table = compare_clients(
        {"curl": ["curl", "-s", "-d", "{}", "{url}/v1/messages"], "Python SDK": ask},
        {"curl": ["529", "400"], "Python SDK": ["529"]},
        max_retries=1,
    )
    assert [(row.name, row.faults, row.requests) for row in table] == [
        ("curl", "529", 1), ("curl", "400", 1), ("Python SDK", "529", 2)
    ]
    assert isinstance(table.only("curl"), Exchanges) and len(table.only("curl")) == 2
    ctlab.set_lang("en")
    text = str(table)
    assert "server answered, in order" in text and "raised OverloadedError (529)" in text and "exit code 0" in text
    assert '<table class="ctlab-exchanges">' in table._repr_html_()


@has_curl
def test_compare_clients_gives_each_command_a_server_that_refuses_connections_first() -> None:
    command = 'curl -s -o /dev/null -w "%{http_code}" -d "{}" "$ANTHROPIC_BASE_URL/v1/messages"'
    # curl gives up at once; closing a refusing server is immediate
    table = compare_clients({"curl": command}, ["200"], refuse_for=30)
    [row] = table
    assert (row.returncode, row.stdout, row.requests) == (7, "000", 0)  # 7: could not connect


#: A OneProcess command in bash: one curl per server URL it is given, each run's output ended by a JSON line.
EACH_URL = (
    'for url in $CTLAB_BASE_URLS; do echo "to $url"; '
    'curl -s -o /dev/null -w "%{http_code}\\n" -d "{}" "$url/v1/messages"; echo \'{"waits": []}\'; done'
)


@has_curl
def test_a_one_process_command_plays_each_script_on_its_own_server_and_each_row_keeps_its_own_output() -> None:
    table = compare_clients({"loop": OneProcess(["bash", "-c", EACH_URL]), "curl": ["curl", "-s", "{url}"]},
                            {"loop": ["529", "400", "429 200"], "curl": ["200"]})
    loop = table.only("loop")
    assert [(row.faults, row.answers, row.lines[1:]) for row in loop] == [
        ("529", [529], ["529", '{"waits": []}']),
        ("400", [400], ["400", '{"waits": []}']),
        ("429 200", [429], ["429", '{"waits": []}']),
    ]
    assert len({row.lines[0] for row in loop}) == 3  # three servers, one URL each
    assert [row.name for row in table] == ["loop", "loop", "loop", "curl"]  # rows in the order given


@has_curl
def test_the_scripts_that_wait_out_a_timeout_get_a_process_of_their_own_and_the_rows_keep_their_order() -> None:
    each_pid = (
        'for url in $CTLAB_BASE_URLS; do echo "pid $$"; '
        'curl -s -o /dev/null -w "%{http_code}\\n" --max-time 0.2 -d "{}" "$url/v1/messages"; '
        'echo \'{"waits": []}\'; done'
    )
    table = compare_clients({"loop": OneProcess(["bash", "-c", each_pid])}, ["200", "timeout", "529", "timeout"])
    assert [(row.faults, row.lines[1]) for row in table] == [
        ("200", "200"), ("timeout", "000"), ("529", "529"), ("timeout", "000")
    ]
    pids = [row.lines[0] for row in table]
    assert pids[0] == pids[2] and pids[1] == pids[3] and pids[0] != pids[1]  # two processes: the timeouts overlap


@has_curl
def test_a_one_process_command_that_stops_early_leaves_the_rest_of_its_rows_empty_with_its_exit_code() -> None:
    first_only = 'for url in $CTLAB_BASE_URLS; do echo \'{"waits": []}\'; exit 3; done'
    rows = exchange_each(OneProcess(["bash", "-c", first_only]), ["200", "529"], name="early")
    assert [(row.stdout, row.returncode, row.requests) for row in rows] == [('{"waits": []}\n', 3, 0), ("", 3, 0)]
    assert exchange_each(OneProcess(["bash", "-c", first_only]), []) == []


@pytest.mark.parametrize("command", ["node js/run.mjs sdk", [], ["node", 3]])
def test_one_process_explains_in_both_languages_that_it_needs_a_list_of_the_command_s_parts(command: object) -> None:
    with pytest.raises(CtlabError) as caught:
        OneProcess(command)  # type: ignore[arg-type]
    assert "OneProcess 要的是" in str(caught.value) and "non-empty list of its parts" in str(caught.value)


@has_node
def test_node_in_one_process_runs_each_script_as_a_fresh_process_would() -> None:
    sdk = ["node", str(JS / "run.mjs"), "sdk", "--timeout", "5000"]
    together = exchange_each(OneProcess(sdk), ["529", "529", "429(retry-after=1) 200"])
    alone = exchange(sdk, "529")
    assert together[0].waits == together[1].waits == alone.waits  # the same seeded jitter, no waits carried over
    assert [row.requests for row in together] == [3, 3, 2] and together[2].result["returned"]  # type: ignore[index]
    assert together[2].waits == [1.0]


# -- side_by_side: whole experiments at the same time ----------------------------------------


def test_side_by_side_runs_experiments_at_the_same_time_and_returns_results_in_the_order_given(no_leaks: None) -> None:
    together = threading.Barrier(3, timeout=5)  # broken (an error) unless all three are running at once
    finished: list[int] = []

    def experiment(number: int) -> int:
        together.wait()
        time.sleep(0.02 * (3 - number))  # the last one given finishes first
        finished.append(number)
        return number * 10

    assert side_by_side([lambda: experiment(1), lambda: experiment(2), lambda: experiment(3)]) == [10, 20, 30]
    assert finished == [3, 2, 1]
    named = side_by_side({"b": lambda: experiment(1), "a": lambda: experiment(2), "c": lambda: experiment(3)})
    assert list(named.items()) == [("b", 10), ("a", 20), ("c", 30)]
    assert side_by_side([]) == [] and side_by_side({}) == {}


def test_side_by_side_experiments_each_on_their_own_server_keep_separate_logs(no_leaks: None) -> None:
    def experiment(faults: str, requests: int) -> list[int | str]:
        with serve(faults) as srv:
            for _ in range(requests):
                post(srv.url)
        return [r.answer for r in srv.requests]

    scripts = {"429 200": 3, "529": 2, "500 200": 1}
    logs = side_by_side([lambda f=faults, n=count: experiment(f, n) for faults, count in scripts.items()])  # type: ignore[misc]
    assert logs == [[429, 200, 200], [529, 529], [500]]


def test_side_by_side_with_one_worker_runs_one_experiment_at_a_time(no_leaks: None) -> None:
    running, most = [0], [0]
    lock = threading.Lock()

    def experiment() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1

    side_by_side([experiment] * 4, workers=1)
    assert most == [1]


def test_side_by_side_lets_every_experiment_finish_then_raises_the_first_failure_in_order(no_leaks: None) -> None:
    done: list[str] = []

    def slow() -> str:
        time.sleep(0.1)
        done.append("slow")
        return "slow"

    def fails(message: str) -> None:
        raise RuntimeError(message)

    with pytest.raises(RuntimeError, match="first"):
        side_by_side([slow, lambda: fails("first"), lambda: fails("second")])
    assert done == ["slow"]  # it was not abandoned: no experiment is left running


@pytest.mark.parametrize("experiments", [["curl -s"], {"x": 42}], ids=["a-string", "a-number"])
def test_side_by_side_explains_in_both_languages_that_it_needs_functions(experiments: object) -> None:
    with pytest.raises(TypeError) as caught:
        side_by_side(experiments)  # type: ignore[call-overload]
    message = str(caught.value)
    assert re.search(r"[\u4e00-\u9fff]", message) and "functions called with no arguments" in message
    # a TypeError, and ctlab's own message
    assert isinstance(caught.value, NotAFunction) and isinstance(caught.value, CtlabError)
    assert caught.value.key == "harness.not_a_function"
