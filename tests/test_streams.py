"""Errors inside a 200 stream: the SDK raises a plain APIStatusError and never retries; ctlab.streams restarts once."""

from __future__ import annotations

import anthropic
import pytest

import ctlab
from ctlab.streams import mid_stream_error_type, stream_text, stream_with_restart, worth_restarting


def test_a_mid_stream_error_is_status_200_not_overloaded_and_never_retried() -> None:
    pieces: list[str] = []
    sim = ctlab.run("stream-error", lambda c: stream_text(c, on_text=pieces.append), max_retries=5)
    error = sim.outcome.error
    assert type(error) is anthropic.APIStatusError and not isinstance(error, anthropic.OverloadedError)
    assert error.status_code == 200 and sim.requests == 1
    assert mid_stream_error_type(error) == "overloaded_error"
    assert "".join(pieces) == "你好，"  # the text already yielded stays with the caller


def test_an_error_before_the_stream_starts_is_the_sdks_to_retry() -> None:
    sim = ctlab.run("529", stream_with_restart)
    assert type(sim.outcome.error) is anthropic.OverloadedError and sim.requests == 3
    assert mid_stream_error_type(sim.outcome.error) is None


def test_one_fresh_stream_recovers_and_the_broken_text_is_kept_apart() -> None:
    shown: list[str] = []
    restarted: list[BaseException] = []
    sim = ctlab.run(
        "stream-error 200", lambda c: stream_with_restart(c, on_text=shown.append, on_restart=restarted.append)
    )
    result = sim.outcome.value
    assert result.complete and result.text == "你好！Hello!" and result.streams == 2
    assert result.dropped == ["你好，"] and len(restarted) == 1
    assert "".join(shown) == "你好，" + "你好！Hello!"  # a UI saw both: mark the first part on restart
    assert sim.requests == 2 and len(sim.waits(by="code")) == 1 and 0 <= sim.waits(by="code")[0] <= 0.5


def test_when_restarts_run_out_the_partial_text_comes_back_with_the_error() -> None:
    result = ctlab.run("stream-error", stream_with_restart).outcome.value
    assert not result.complete and result.streams == 2
    assert result.text == "你好，" and result.dropped == ["你好，"]
    assert type(result.error) is anthropic.APIStatusError and result.error.status_code == 200


def test_restarts_zero_means_one_stream_and_no_wait() -> None:
    sim = ctlab.run("stream-error 200", lambda c: stream_with_restart(c, restarts=0))
    assert sim.outcome.value.streams == 1 and not sim.outcome.value.complete and sim.waits() == []


def test_an_error_type_the_sdk_would_not_retry_is_not_restarted() -> None:
    sim = ctlab.run("stream-error(invalid_request_error) 200", stream_with_restart)
    result = sim.outcome.value
    assert not worth_restarting(result.error)
    assert result.streams == 1 and sim.requests == 1


def test_a_fresh_stream_still_gets_the_sdks_own_retries() -> None:
    sim = ctlab.run("stream-error 529 200", stream_with_restart)
    assert sim.outcome.value.complete and sim.requests == 3
    assert [a.retry_count for a in sim.attempts] == [0, 0, 1]


@pytest.mark.parametrize("restarts", [-1, 1.5, True])
def test_restarts_must_be_a_whole_number(restarts: object) -> None:
    with pytest.raises(ctlab.CtlabError, match="restarts must be a whole number"):
        stream_with_restart(None, restarts=restarts)  # type: ignore[arg-type]  # checked before any request
