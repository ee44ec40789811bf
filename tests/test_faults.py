"""The fault language: what a learner types is what the server plays."""

from __future__ import annotations

import pytest

import ctlab
from ctlab.faults import Disconnect, Reply, Status, StreamError, Timeout, parse


def test_words_become_faults_and_the_last_repeats_forever() -> None:
    script = parse("429 429 200")
    assert script.faults == (Status(429), Status(429), Reply())
    assert script.at(2) == script.at(99) == Reply()


def test_every_kind_of_word() -> None:
    assert parse("ok timeout connect-timeout disconnect stream-error").faults == (
        Reply(),
        Timeout("read"),
        Timeout("connect"),
        Disconnect(),
        StreamError(),
    )
    assert parse("stream-error(api_error)").faults == (StreamError("api_error"),)


def test_options_and_repeats() -> None:
    script = parse("429(retry-after=2, x-should-retry=false)*2, 529(error-code=foo_bar) 200")
    assert script.faults == (
        Status(429, retry_after=2.0, should_retry=False),
        Status(429, retry_after=2.0, should_retry=False),
        Status(529, error_code="foo_bar"),
        Reply(),
    )
    assert str(script) == (
        "429(retry-after=2, x-should-retry=false) 429(retry-after=2, x-should-retry=false) 529(error-code=foo_bar) 200"
    )


def test_python_values_and_text_mix() -> None:
    assert parse([ctlab.status(529, retry_after=1), "200"]).labels() == ["529(retry-after=1)", "200"]
    assert parse(ctlab.timeout()).labels() == ["timeout"]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("429x", "unknown fault"),
        ("banana", "unknown fault"),
        ("302", "cannot be simulated"),
        ("600", "cannot be simulated"),
        ("429*0", "repeat count"),
        ("429*abc", "repeat count"),
        ("429(retry-after=-1)", "invalid value"),
        ("429(retry-after=soon)", "invalid value"),
        ("429(x-should-retry=maybe)", "invalid value"),
        ("429(colour=red)", "does not take option"),
        ("timeout(retry-after=1)", "does not take option"),
    ],
)
def test_malformed_faults_get_a_bilingual_error_naming_what_is_allowed(text: str, complaint: str) -> None:
    with pytest.raises(ctlab.CtlabError) as caught:
        parse(text)
    message = str(caught.value)
    assert complaint in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)  # the Chinese half is there too


def test_status_checks_its_code() -> None:
    with pytest.raises(ctlab.CtlabError, match="400-599"):
        ctlab.status(200)
    with pytest.raises(ctlab.CtlabError, match="cannot use"):
        parse([3.5])  # type: ignore[list-item]


def test_a_quoted_retry_after_is_header_text_kept_as_typed_commas_included() -> None:
    script = parse("429(retry-after='Wed, 21 Oct 2015 07:28:00 GMT', x-should-retry=false) 429(retry-after=inf)")
    assert script.faults == (
        Status(429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT", should_retry=False),
        Status(429, retry_after=float("inf")),
    )
    assert parse(str(script)) == script


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("429*²", "repeat count"),
        ("429*10001", "repeat count"),
        ("429(retry-after='\t')", "invalid value"),
        ("429(retry-after=1, retry-after=2)", "twice"),
        ("stream-error(api_error, overloaded_error)", "one error type"),
        ("write-timeout", "unknown fault"),
    ],
)
def test_new_kinds_of_mistake_are_caught_in_the_text_too(text: str, complaint: str) -> None:
    with pytest.raises(ctlab.CtlabError, match=complaint):
        parse(text)
