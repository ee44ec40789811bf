"""A simulation never outlives its block: a later live request reaches the real server."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import anthropic
import pytest

import ctlab
from ctlab.simulate import ask

if TYPE_CHECKING:
    from conftest import LocalClaude


def _real_client(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-test", base_url=base_url, max_retries=0)


def test_inside_a_simulation_even_a_hand_built_client_is_intercepted(local_claude: LocalClaude) -> None:
    with ctlab.simulate("200"):
        assert ask(_real_client(local_claude.url)) == "你好！Hello!"
    assert local_claude.hits == []


def test_after_a_simulation_a_live_request_reaches_the_real_server(local_claude: LocalClaude) -> None:
    ctlab.run("429 200")
    assert ask(_real_client(local_claude.url)) == "from the real server"
    assert local_claude.hits == ["/v1/messages"]


def test_the_mock_is_removed_even_when_the_block_raises(local_claude: LocalClaude) -> None:
    with pytest.raises(ZeroDivisionError), ctlab.simulate("200"):
        _ = 1 / 0
    assert ask(_real_client(local_claude.url)) == "from the real server"
    with ctlab.simulate("200"):  # and a new block can start
        pass


def test_sleep_is_real_again_after_the_block() -> None:
    with ctlab.simulate("200"):
        time.sleep(100)
    started = time.monotonic()
    time.sleep(0.05)
    assert time.monotonic() - started >= 0.04
