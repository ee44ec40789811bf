"""Proxy faults: written in the fault language, sent the same in-process and by the fault server, and what the
real SDK makes of each."""

from __future__ import annotations

import time

import anthropic
import pytest

import ctlab
from ctlab.faults import Buffered, ProxyStatus, StreamReset, buffered, parse, proxy_status, stream_reset
from ctlab.i18n import CtlabError
from ctlab.proxy import PROXY_FAULTS, proxy_payload
from ctlab.server import serve
from ctlab.simulate import run
from ctlab.streams import stream_text

MESSAGES = [{"role": "user", "content": "hi"}]


def create(client: anthropic.Anthropic) -> object:
    return client.messages.create(model="claude-opus-4-7", max_tokens=16, messages=MESSAGES)


def test_the_words_parse_to_proxy_faults_and_print_back_as_written() -> None:
    words = (
        "502(html) 524(html) 429(shape=quota) 403(shape=bare) 429(shape=zh) 200(error-body) 200(shape=quota) "
        "500(no-request-id) 429(strip-retry-after, retry-after=2) buffered(delay=0.5) buffered stream-reset"
    )
    script = parse(words)
    assert " ".join(script.labels()) == words.replace("200(shape=quota)", "200(shape=quota)")
    assert all(isinstance(f, (ProxyStatus, Buffered, StreamReset)) for f in script.faults)
    assert proxy_status(502, html=True) == script.faults[0]
    assert buffered(delay=0.5) == script.faults[9] and stream_reset() == script.faults[-1]


@pytest.mark.parametrize(
    ("word", "says"),
    [
        ("200(html)", "200 goes only with an error body"),
        ("502(shape=odd)", "quota (another API's quota error)"),
        ("502(html=yes)", "write the name alone"),
        ("buffered(delay=-1)", "a number of seconds >= 0"),
        ("502(fancy)", "strip-retry-after"),
        ("stream-reset(x)", "does not take option"),
        ("proxy-page", "proxy faults: 502(html)"),
    ],
)
def test_a_bad_word_is_refused_in_both_languages(word: str, says: str) -> None:
    with pytest.raises(CtlabError) as caught:
        parse(word)
    assert says in caught.value.text.en and caught.value.text.zh


def test_html_pages_carry_no_request_id_and_look_like_nginx_or_cloudflare() -> None:
    nginx = proxy_payload(parse("502(html)").faults[0], b"{}", request_id="req_1", message_id="m", now=0.0)
    cdn = proxy_payload(parse("524(html)").faults[0], b"{}", request_id="req_1", message_id="m", now=0.0)
    assert nginx.headers["server"] == "nginx" and b"<center>nginx</center>" in nginx.body
    assert cdn.headers["server"] == "cloudflare" and "cf-ray" in cdn.headers and b"524: A timeout occurred" in cdn.body
    assert "request-id" not in nginx.headers and "request-id" not in cdn.headers


def test_strip_retry_after_keeps_anthropic_error_and_id_but_drops_the_retry_headers() -> None:
    fault = parse("429(strip-retry-after, retry-after=2, x-should-retry=true)").faults[0]
    sent = proxy_payload(fault, b"{}", request_id="req_1", message_id="m", now=0.0)
    assert sent.headers["request-id"] == "req_1" and sent.json()["error"]["type"] == "rate_limit_error"  # type: ignore[index]
    assert not {"retry-after", "retry-after-ms", "x-should-retry"} & set(sent.headers)


def test_what_the_sdk_does_with_each_proxy_fault_in_process() -> None:
    html = run("502(html)")
    assert type(html.outcome.error) is anthropic.InternalServerError and html.requests == 3
    assert str(html.outcome.error).startswith("<html>") and html.outcome.error.request_id is None
    quota = run("429(shape=quota)")
    assert type(quota.outcome.error) is anthropic.RateLimitError and quota.requests == 3  # retried for nothing
    assert run("402(shape=quota)").requests == 1
    error_200 = run("200(error-body)", create)
    assert error_200.outcome.ok and error_200.outcome.value.content is None
    held = run("buffered(delay=3)", stream_text)
    assert held.outcome.value == ctlab.faults.Reply().text and held.elapsed == 3.0
    assert type(run("buffered(delay=700)").outcome.error) is anthropic.APITimeoutError
    reset = run("stream-reset", stream_text)
    assert reset.requests == 1 and "reset" in str(reset.outcome.error)


def _over_http(word: str, stream: bool = False) -> tuple[object, list[int | str]]:
    with serve(word) as srv:
        client = anthropic.Anthropic(base_url=srv.url, api_key="sk-ant-test", max_retries=0, timeout=1.0)
        try:
            result: object = stream_text(client) if stream else create(client)
        except Exception as error:  # noqa: BLE001
            result = error
        return result, [r.answer for r in srv.requests]


def test_the_fault_server_sends_the_same_proxy_answers() -> None:
    page, answers = _over_http("502(html)")
    assert isinstance(page, anthropic.InternalServerError) and page.response.headers["server"] == "nginx"
    assert page.request_id is None and answers == [502]
    held, _ = _over_http("buffered(delay=0.2)", stream=True)
    assert held == ctlab.faults.Reply().text
    reset, answers = _over_http("stream-reset", stream=True)
    assert type(reset).__name__ in ("RemoteProtocolError", "ReadError") and answers == [200]
    late, _ = _over_http("buffered(delay=1.5)")
    assert isinstance(late, anthropic.APITimeoutError)


def test_the_proxy_rows_of_the_catalog_cover_every_proxy_fault_and_say_they_are_proxy_behaviour() -> None:
    table = ctlab.atlas.proxy_catalog()
    assert [row.fault for row in table] == list(PROXY_FAULTS)
    assert "not Anthropic's" in table.footer().en


# --- exercise 9: a proxy-aware retry --------------------------------------------------------------------------------


def _retries_quota(client: anthropic.Anthropic, messages: list[object]) -> str:
    """Exercise 3's answer: right about everything but the proxy."""
    return ctlab.solution(3)(client, messages)


def _returns_error_text(client: anthropic.Anthropic, messages: list[object]) -> str:
    """Knows a quota error, but hands an error-shaped 200's text back as the reply."""
    from ctlab.diagnosis import diagnose
    from ctlab.retry import backoff, is_retryable

    once = client.with_options(max_retries=0)
    for attempt in range(4):
        try:
            raw = once.messages.with_raw_response.create(model="claude-opus-4-7", max_tokens=16, messages=messages)
        except anthropic.APIError as error:
            if attempt == 3 or diagnose(error).quota or not is_retryable(error):
                raise
            time.sleep(backoff(attempt))
            continue
        message = raw.parse()
        return message.content[0].text if message.content else raw.http_response.text
    raise AssertionError("unreachable")


def test_exercise_9_passes_the_reference_and_fails_a_quota_retry_or_an_error_200_returned() -> None:
    assert ctlab.check(ctlab.solution(9), exercise=9).passed
    failed = {e.scenario.faults: e.verdict.rule for e in ctlab.check(_retries_quota, exercise=9).failed}
    assert failed == {"429(shape=quota)": "quota", "200(error-body)": "error_200_crash"}
    failed = {e.scenario.faults: e.verdict.rule for e in ctlab.check(_returns_error_text, exercise=9).failed}
    assert failed == {"200(error-body)": "error_200"}


def test_the_existing_batteries_are_unchanged() -> None:
    from ctlab.grading import EXERCISES

    assert [len(EXERCISES[n]) for n in (1, 2, 3, 4)] == [9, 14, 17, 7]
    assert not any(
        "(" in s.faults and ("html" in s.faults or "shape" in s.faults) for n in (1, 2, 3, 4) for s in EXERCISES[n]
    )
