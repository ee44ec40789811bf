"""A simulation never outlives its block: a later live request reaches the real server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anthropic
import pytest

import ctlab
from ctlab.simulate import ask


class _Claude(BaseHTTPRequestHandler):
    """A tiny real HTTP server on loopback that answers like the API."""

    hits: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers["content-length"]))
        _Claude.hits.append(self.path)
        body = json.dumps(
            {
                "id": "msg_real",
                "type": "message",
                "role": "assistant",
                "model": "m",
                "content": [{"type": "text", "text": "from the real server"}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 1, "output_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def real_server() -> Iterator[str]:
    _Claude.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Claude)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _real_client(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-test", base_url=base_url, max_retries=0)


def test_inside_a_simulation_even_a_hand_built_client_is_intercepted(real_server: str) -> None:
    with ctlab.simulate("200"):
        assert ask(_real_client(real_server)) == "你好！Hello!"
    assert _Claude.hits == []


def test_after_a_simulation_a_live_request_reaches_the_real_server(real_server: str) -> None:
    ctlab.run("429 200")
    assert ask(_real_client(real_server)) == "from the real server"
    assert _Claude.hits == ["/v1/messages"]


def test_the_mock_is_removed_even_when_the_block_raises(real_server: str) -> None:
    with pytest.raises(ZeroDivisionError):
        with ctlab.simulate("200"):
            1 / 0
    assert ask(_real_client(real_server)) == "from the real server"
    with ctlab.simulate("200"):  # and a new block can start
        pass


def test_sleep_is_real_again_after_the_block() -> None:
    with ctlab.simulate("200"):
        time.sleep(100)
    started = time.monotonic()
    time.sleep(0.05)
    assert time.monotonic() - started >= 0.04
