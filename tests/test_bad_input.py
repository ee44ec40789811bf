"""Bad input gets a clear bilingual error where it enters;
odd but possible server behaviour is simulated, not crashed on."""

from __future__ import annotations

import itertools
import math
import random
import urllib.error
import urllib.request
from collections.abc import Callable

import anthropic
import httpx2
import pytest
from anthropic._models import FinalRequestOptions

import ctlab
from ctlab.__main__ import main
from ctlab.atlas import entry, sdk_retries
from ctlab.faults import (
    MAX_FAULTS,
    MAX_SCRIPT_TEXT,
    MAX_WAIT,
    Status,
    StreamError,
    Timeout,
    header_value,
    parse,
    status,
)
from ctlab.responses import error_response
from ctlab.sdk import probe_client
from ctlab.widgets import FaultLab


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _refused(action: Callable[[], object]) -> ctlab.CtlabError:
    """The CtlabError ``action`` raises, after checking it carries a Chinese and an English message."""
    with pytest.raises(ctlab.CtlabError) as caught:
        action()
    error = caught.value
    assert _chinese(error.text.zh) and not _chinese(error.text.en)
    assert error.text.zh in str(error) and error.text.en in str(error)
    return error


def _simulation() -> ctlab.Simulation:
    return ctlab.run("200")


BAD_INPUT: dict[str, tuple[Callable[[], object], str]] = {
    # what was given: (the call, what the English message must name as allowed)
    "parse('429*²')": (lambda: parse("429*²"), "a whole number from 1 to 10000"),
    "parse('429*10001')": (lambda: parse("429*10001"), "from 1 to 10000"),
    "parse('429*' + 5000 digits)": (lambda: parse("429*" + "9" * 5000), "from 1 to 10000"),
    "parse('4' * 5000)": (lambda: parse("4" * 5000), "error statuses must be 400-599"),
    "parse('429*6000 529*6000')": (lambda: parse("429*6000 529*6000"), "at most 10000 faults"),
    "parse(endless generator)": (lambda: parse(itertools.repeat(status(429))), "at most 10000 faults"),
    "parse(a megabyte of text)": (lambda: parse("200 " * (MAX_SCRIPT_TEXT // 4 + 1)), "Write repeats with *N"),
    "parse('429(retry-after=soon)')": (lambda: parse("429(retry-after=soon)"), "\"429(retry-after='soon')\""),
    "parse('429(retry-after=nan)')": (lambda: parse("429(retry-after=nan)"), "put the text in quotes"),
    "parse('429(retry-after=-1)')": (lambda: parse("429(retry-after=-1)"), "a number >= 0"),
    "parse(quoted control character)": (lambda: parse("429(retry-after='\x07')"), "printable ASCII"),
    "parse('429(retry-after=1, retry-after=2)')": (
        lambda: parse("429(retry-after=1, retry-after=2)"),
        "sets option retry-after twice",
    ),
    "parse('stream-error(api_error, overloaded_error)')": (
        lambda: parse("stream-error(api_error, overloaded_error)"),
        "takes one error type",
    ),
    "parse(b'429')": (lambda: parse(b"429"), "pass a string"),  # type: ignore[arg-type]
    "status(429, bogus=1)": (
        lambda: status(429, bogus=1),
        "allowed options: retry_after, retry_after_ms, should_retry",
    ),
    "status(429, retry_after=nan)": (lambda: status(429, retry_after=math.nan), "status(429, retry_after='soon')"),
    "status(429, retry_after=-1)": (lambda: status(429, retry_after=-1), "a number >= 0"),
    "status(429, retry_after=True)": (lambda: status(429, retry_after=True), "a number >= 0"),
    "status(429, retry_after='2\\r\\nx: y')": (lambda: status(429, retry_after="2\r\nx: y"), "printable ASCII"),
    "status(429, should_retry='yes')": (lambda: status(429, should_retry="yes"), "True, False, or None"),
    "status(429, error_code='Spend Limit')": (lambda: status(429, error_code="Spend Limit"), "snake_case"),
    "status(429, message=None-like 42)": (lambda: status(429, message=42), "a str of at most"),
    "status(429, headers={'content-length': '1'})": (
        lambda: status(429, headers={"content-length": "1"}),
        "other than content-length",
    ),
    "status(429, headers=['x'])": (lambda: status(429, headers=["x"]), "a dict of header name"),
    "Status(429.0)": (lambda: Status(429.0), "must be 400-599"),  # type: ignore[arg-type]
    "ok(None)": (lambda: ctlab.ok(None), "a str of at most 100000 characters"),  # type: ignore[arg-type]
    "ok(megabytes)": (lambda: ctlab.ok("x" * 1_000_000), "a str of at most 100000 characters"),
    "timeout('write')": (lambda: ctlab.timeout("write"), "'read' (the server never answers) or 'connect'"),  # type: ignore[arg-type]
    "Timeout('pool')": (lambda: Timeout("pool"), "ctlab simulates no 'write' or 'pool' timeout"),  # type: ignore[arg-type]
    "stream_error(None)": (lambda: ctlab.stream_error(None), "snake_case, e.g. overloaded_error"),  # type: ignore[arg-type]
    "stream_error(after=None)": (lambda: ctlab.stream_error(after=None), "a str of at most"),  # type: ignore[arg-type]
    "catalog(429)": (lambda: ctlab.catalog(429), "for one status, use entry(429)"),  # type: ignore[arg-type]
    "catalog('429')": (lambda: ctlab.catalog("429"), "the catalog has: 400, 401"),  # type: ignore[arg-type]
    "entry('429')": (lambda: entry("429"), "it has: 400, 401"),  # type: ignore[arg-type]
    "entry(True)": (lambda: entry(True), "it has: 400, 401"),
    "plot(None)": (lambda: ctlab.plot(None), "what ctlab.run(...) returns"),  # type: ignore[arg-type]
    "FaultLab(faults=None)": (lambda: FaultLab(faults=None), "a fault script as text"),  # type: ignore[arg-type]
    "FaultLab(max_retries=100)": (lambda: FaultLab(max_retries=100), "a whole number from 0 to 8"),
    "FaultLab(timeout=inf)": (lambda: FaultLab(timeout=math.inf), "at most 4294967"),
    "FaultLab(presets='429')": (lambda: FaultLab(presets="429"), "a list of fault scripts"),
    "FaultLab(choices={})": (lambda: FaultLab(choices={}), "at least one entry"),
    "FaultLab(call=42)": (lambda: FaultLab(call=42), "a function call(client)"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("given", list(BAD_INPUT))
def test_bad_input_gets_a_bilingual_ctlab_error_that_names_what_is_allowed(given: str) -> None:
    action, allowed = BAD_INPUT[given]
    assert allowed in _refused(action).text.en


def test_the_terminal_demo_answers_a_bad_repeat_count_in_both_languages_without_a_traceback(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "429*²"]) == 2
    err = capsys.readouterr().err
    assert "重复次数 '²' 不合法" in err and "invalid repeat count '²'" in err and "Traceback" not in err


def test_a_bad_word_is_quoted_short_in_the_error_however_long_it_is() -> None:
    error = _refused(lambda: parse("x" * 100_000))
    assert len(str(error)) < 1_000


def test_the_bounds_leave_room_for_a_few_thousand_requests() -> None:
    assert len(parse("429*3000 200").faults) == 3001
    assert len(parse(["429*5000", "529*4999", ctlab.ok()]).faults) == MAX_FAULTS


# --- a retry-after no client can use is still a 429, and the SDK decides ---------

UNREADABLE = ["'soon'", "inf", "'inf'", "'nan'", "1e12", "1e999", "'-1'", "''", "'Wed, 21 Oct 2015 07:28:00 GMT'"]


def _sdk_waits(fault: Status, max_retries: int, seed: int) -> list[float]:
    """The oracle: the waits the installed SDK's own rule computes from the headers ctlab sends for ``fault``."""
    headers = httpx2.Headers(error_response(fault, request_id="req", now=0.0).headers)
    options = FinalRequestOptions(method="post", url="/v1/messages", max_retries=max_retries)
    saved = random.getstate()
    random.seed(seed)
    try:
        return [probe_client()._calculate_retry_timeout(max_retries - n, options, headers) for n in range(max_retries)]
    finally:
        random.setstate(saved)


@pytest.mark.parametrize("value", UNREADABLE)
@pytest.mark.parametrize("header", ["retry-after", "retry-after-ms"])
def test_an_unreadable_or_huge_retry_after_reaches_the_sdk_as_a_429_and_the_sdk_decides_the_waits(
    header: str, value: str
) -> None:
    faults = f"429({header}={value})"
    fault = parse(faults).faults[0]
    assert isinstance(fault, Status)
    sim = ctlab.run(faults, max_retries=2)
    assert type(sim.outcome.error) is anthropic.RateLimitError
    assert sim.requests == (3 if sdk_retries(429, error_response(fault, request_id="r", now=0.0).headers) else 1)
    assert sim.waits(by="sdk") == _sdk_waits(fault, 2, seed=0)
    assert max(sim.waits()) <= MAX_WAIT


def test_a_quoted_retry_after_is_sent_as_typed_and_its_label_reads_back_as_the_same_fault() -> None:
    script = parse("429(retry-after='Soon', x-should-retry=TRUE) 429(retry-after=inf) 200")
    assert script.faults[0] == Status(429, retry_after="Soon", should_retry=True)
    assert str(script) == "429(retry-after='Soon', x-should-retry=true) 429(retry-after=inf) 200"
    assert parse(str(script)) == script
    headers = error_response(script.faults[0], request_id="r", now=0.0).headers  # type: ignore[arg-type]
    assert headers["retry-after"] == "Soon"
    assert parse(str(parse([status(429, retry_after="it's")]))).faults[0] == status(429, retry_after="it's")


def test_python_numbers_are_kept_as_floats_so_labels_and_headers_stay_the_same() -> None:
    assert status(429, retry_after=2) == Status(429, retry_after=2.0) == parse("429(retry-after=2)").faults[0]
    assert status(429, retry_after=2).label() == "429(retry-after=2)"
    assert status(429, retry_after=10**400).retry_after == math.inf


def test_the_rate_limit_reset_date_stays_within_the_calendar_whatever_the_wait_and_the_clock() -> None:
    headers = error_response(status(429, retry_after=1e300), request_id="r", now=math.inf).headers
    assert headers["retry-after"] == "1e+300"
    assert headers["anthropic-ratelimit-requests-reset"].startswith("9999-12-31")
    response = error_response(status(429, retry_after=math.inf), request_id="r", now=0.0)
    reset = response.headers["anthropic-ratelimit-requests-reset"]
    assert reset == "2026-02-19T17:02:47Z"  # MAX_WAIT (about 49.7 days) after virtual time zero


@pytest.mark.parametrize("faults", ["429(retry-after=inf)", "429(retry-after='soon')"])
def test_the_fault_server_sends_an_unreadable_retry_after_as_is_instead_of_dropping_the_connection(faults: str) -> None:
    with ctlab.serve(faults) as srv:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(urllib.request.Request(srv.url + "/v1/messages", data=b"{}"), timeout=5)
        body = caught.value.read()  # before the server stops: stopping closes the connection, unread body or not
    assert caught.value.code == 429
    assert caught.value.headers["retry-after"] == header_value(parse(faults).faults[0].retry_after)  # type: ignore[union-attr]
    assert body.startswith(b'{"type": "error"')


def test_a_stream_error_type_from_the_fault_language_is_checked_too() -> None:
    assert parse("stream-error(API_ERROR)").faults == (StreamError("api_error"),)
    assert "takes one error type" in _refused(lambda: parse("stream-error(bad type)")).text.en


# --- FaultLab never puts the learner's text into its HTML unescaped ----------------


@pytest.mark.parametrize("faults", ["<script>alert(1)</script>", "429(retry-after='<script>alert(1)</script>') 200"])
def test_the_fault_lab_escapes_the_learners_text(faults: str) -> None:
    lab = FaultLab(faults=faults, show_plot=False)
    lab.click()
    shown = [output["data"].get("text/html", "") for output in lab.out.outputs]
    assert shown and all("<script>" not in html for html in shown)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in html for html in shown)


# --- bounds enforced in clients.py, grading/__init__.py and the CLI ---------------------


def test_a_simulated_client_refuses_a_runaway_max_retries_before_sending_anything() -> None:
    assert "a whole number from 0 to 10000" in _refused(lambda: ctlab.run("429", max_retries=10**9)).text.en


def test_with_options_cannot_slip_past_the_retry_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctlab.clients

    monkeypatch.setattr(ctlab.clients, "MAX_RETRIES", 3)
    sim = ctlab.run("429", lambda c: ctlab.ask(c.with_options(max_retries=10**9)))
    assert isinstance(sim.outcome.error, ctlab.CtlabError) and sim.requests == 4


def test_an_endless_client_timeout_is_refused() -> None:
    assert "at most 4294967" in _refused(lambda: ctlab.run("timeout", timeout=math.inf)).text.en
    assert "at most 4294967" in _refused(lambda: ctlab.run("timeout", timeout=anthropic.Timeout(math.inf))).text.en


def test_the_terminal_demo_refuses_a_runaway_max_retries_at_once(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "429", "--max-retries", "100000"]) == 2
    assert "from 0 to 10000" in capsys.readouterr().err


def test_check_refuses_an_endless_time_limit_a_bool_exercise_and_a_stream_that_is_not_a_bool() -> None:
    from ctlab.retry import chat_with_retry

    assert "at most 3600" in _refused(lambda: ctlab.check(chat_with_retry, time_limit=math.inf)).text.en
    assert "choose one of: 1, 2, 3, 4" in _refused(lambda: ctlab.check(chat_with_retry, exercise=True)).text.en
    assert "choose one of: 1, 2, 3, 4" in _refused(lambda: ctlab.check(chat_with_retry, exercise=1.0)).text.en
    assert "True or False" in _refused(lambda: ctlab.check(chat_with_retry, stream="yes")).text.en


# --- secrets: what a live client shows and which key it takes ---------------------


@pytest.mark.parametrize("value", ["true", "1", "yes", "on", " TRUE ", "Yes"])
def test_any_truthy_ci_value_refuses_live_mode(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert "CI" in _refused(lambda: ctlab.client(live=True, api_key="sk-ant-explicit")).text.en


@pytest.fixture
def live_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")


def test_an_explicit_api_key_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch, live_outside_ci: None) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake-env")
    assert ctlab.client(live=True, api_key="sk-ant-explicit").api_key == "sk-ant-explicit"


def test_credentials_in_the_base_url_are_never_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], live_outside_ci: None
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://user:sk-ant-fake-url@proxy.example/")
    ctlab.client(live=True, api_key="sk-ant-explicit")
    shown = capsys.readouterr().out
    assert "proxy.example" in shown and "sk-ant-fake-url" not in shown and "user:" not in shown
    assert "sk-ant-explicit" not in shown
