"""diagnose(): every proxy fault and every genuine Anthropic error status, in-process and over the fault server."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

import ctlab
from ctlab.advice import STATUSES
from ctlab.diagnosis import diagnose, readable_message
from ctlab.i18n import CtlabError
from ctlab.proxy import PROXY_FAULTS
from ctlab.server import serve
from ctlab.simulate import run
from ctlab.streams import stream_text

#: Where each proxy fault comes from, as diagnose must say.
EXPECTED: dict[str, str] = {
    **{f"{code}(html)": "proxy" for code in (400, 403, 404, 429, 500, 502, 503, 504)},
    **{f"{code}(html)": "network" for code in range(520, 528)},
    "429(shape=quota)": "proxy",
    "402(shape=quota)": "proxy",
    "403(shape=bare)": "proxy",
    "429(shape=zh)": "proxy",
    "402(shape=zh)": "proxy",
    "500(shape=zh)": "proxy",
    "200(error-body)": "proxy",
    "200(shape=quota)": "proxy",
    "200(shape=zh)": "proxy",
    "500(no-request-id)": "proxy",
    "529(shape=anthropic)": "proxy",
    "429(strip-retry-after)": "anthropic",
    "503(strip-retry-after, retry-after=5)": "anthropic",
    "buffered(delay=700)": "network",
    "stream-reset": "network",
}
QUOTA = {"429(shape=quota)", "402(shape=quota)", "402(shape=zh)", "200(shape=quota)", "200(shape=zh)"}
NOT_ANTHROPIC = {
    **{f"{code}(html)": "network" if code >= 520 else "proxy" for code in (502, 504, 524)},
    "429(shape=quota)": "proxy",
    "200(error-body)": "proxy",
    "stream-reset": "network",
}


def create(client: anthropic.Anthropic) -> object:
    return client.messages.create(model="claude-opus-4-7", max_tokens=16, messages=[{"role": "user", "content": "hi"}])


def _call(word: str) -> Any:
    return stream_text if "stream" in word or "buffered" in word else create


def _result(outcome: Any) -> object:
    return outcome.error if outcome.error is not None else outcome.value


def test_every_proxy_fault_of_the_catalog_is_in_the_expected_table() -> None:
    assert set(PROXY_FAULTS) <= set(EXPECTED)


@pytest.mark.parametrize("word", sorted(EXPECTED))
def test_each_proxy_fault_in_process(word: str) -> None:
    found = diagnose(_result(run(word, _call(word), max_retries=0).outcome))
    assert found.origin == EXPECTED[word] and found.error
    assert found.quota == (word in QUOTA)
    assert not (found.quota and found.retry)
    assert found.confidence in ("almost_certain", "likely") and found.evidence


def test_every_error_status_anthropic_sends_is_anthropics_in_process() -> None:
    for code in range(400, 600):
        found = diagnose(run(str(code), max_retries=0).outcome.error)
        assert (found.origin, found.confidence) == ("anthropic", "almost_certain"), code
        assert found.request_id and found.request_id.startswith("req_sim_"), code
    assert diagnose(run("stream-error", stream_text, max_retries=0).outcome.error).origin == "anthropic"
    assert diagnose(run("200", create).outcome.value).error is False


def _over_http(client: anthropic.Anthropic, word: str) -> object:
    try:
        return _call(word)(client)
    except Exception as error:  # noqa: BLE001 - what the learner would catch
        return error


def test_every_catalog_status_and_the_proxy_faults_over_the_fault_server() -> None:
    """Every status of the catalog and a few it does not document (each HTTP exchange costs ~40 ms here)."""
    statuses = [str(code) for code in (*STATUSES, 405, 418, 451, 501, 502, 507, 599)]
    words = [w for w in sorted(EXPECTED) if w != "buffered(delay=700)"] + ["buffered(delay=1)"]
    with serve(" ".join(statuses + words)) as srv:  # one server plays them all, in order
        client = anthropic.Anthropic(base_url=srv.url, api_key="sk-ant-test", max_retries=0, timeout=0.5)
        for code in statuses:
            assert diagnose(_over_http(client, code)).origin == "anthropic", code
        for word in words:
            assert diagnose(_over_http(client, word)).origin == EXPECTED.get(word, "network"), word
        assert [r.answer for r in srv.requests][-len(words) : -1] == [
            200 if w.startswith(("200", "buffered", "stream")) else int(w[:3]) for w in words[:-1]
        ]


def test_the_answer_is_worded_with_a_confidence_never_as_a_certainty() -> None:
    ctlab.set_lang("both")
    text = str(diagnose(run("524(html)", max_retries=0).outcome.error))
    assert text.startswith("几乎可以肯定来自网络或 CDN") and "almost certainly from the network or a CDN" in text
    assert "cf-ray" in text and "pay twice" in text
    for word in NOT_ANTHROPIC:
        assert "certainly from" not in str(diagnose(_result(run(word, _call(word), max_retries=0).outcome))).replace(
            "almost certainly from", ""
        )


def test_a_readable_message_from_an_html_page_and_a_foreign_body() -> None:
    assert readable_message(run("502(html)", max_retries=0).outcome.error) == "502 Bad Gateway"
    assert readable_message(run("429(shape=zh)", max_retries=0).outcome.error) == "当前分组上游负载已饱和，请稍后再试"
    assert readable_message(run("403(shape=bare)", max_retries=0).outcome.error) == "forbidden"


def test_anything_else_is_refused_in_both_languages() -> None:
    with pytest.raises(CtlabError) as caught:
        diagnose("502")
    assert "diagnose() takes" in caught.value.text.en and "diagnose()" in caught.value.text.zh
