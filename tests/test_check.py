"""ctlab.check grades a retry function: sound ones pass, each kind of flaw fails with its own explanation."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from typing import Any

import anthropic
import pytest

import ctlab
from ctlab import docs_loop
from ctlab.grading import EXERCISES, Report, check, solution
from ctlab.grading.runner import RUNAWAY
from ctlab.i18n import t
from ctlab.retry import chat_with_retry, is_retryable, retry_after

MODEL = "claude-opus-4-7"
Fn = Callable[[Any, list[dict[str, str]]], str]


def ask(client: Any, messages: list[dict[str, str]]) -> str:
    return client.messages.create(model=MODEL, max_tokens=64, messages=messages).content[0].text


def full_jitter(attempt: int, error: BaseException) -> float:
    return random.uniform(0, 0.5 * 2**attempt)


def loop(
    wait: Callable[[int, BaseException], float] = lambda a, e: retry_after(e) or full_jitter(a, e),
    *,
    retryable: Callable[[BaseException], bool] = is_retryable,
    attempts: int = 4,
    one_layer: bool = True,
) -> Fn:
    """A retry loop that is sound unless told otherwise."""

    def chat(client: Any, messages: list[dict[str, str]]) -> str:
        c = client.with_options(max_retries=0) if one_layer else client
        for attempt in range(attempts):
            try:
                return ask(c, messages)
            except anthropic.APIError as error:
                if attempt == attempts - 1 or not retryable(error):
                    raise
                time.sleep(wait(attempt, error))
        raise AssertionError("unreachable")

    return chat


def failures(report: Report) -> dict[str, str | None]:
    """Scenario -> the rule it failed (the last scenario with the same faults wins)."""
    return {e.scenario.faults: e.verdict.rule for e in report.failed}


FATAL = ["400", "401", "403", "404"]
PERSISTENT = ["429", "529", "timeout", "disconnect"]


# --- sound functions pass ------------------------------------------------------------

def test_the_corrected_loop_passes_all_17_scenarios_in_well_under_a_second() -> None:
    reports = [check(chat_with_retry) for _ in range(3)]  # the first SDK client in a process costs more
    assert all(r.passed and len(r.entries) == 17 and r.problem is None for r in reports)
    assert all(r.sdk_note() is None for r in reports)  # one layer: every request and sleep was its own
    # about 0.07 s on an idle machine; the best of three absorbs a busy one
    assert min(r.seconds for r in reports) < 0.5


def test_the_sdk_alone_with_its_default_retries_passes_too() -> None:
    assert check(ask).passed


def test_a_loop_that_wraps_the_error_with_from_keeps_the_original_and_passes() -> None:
    def chained(client: Any, messages: list[dict[str, str]]) -> str:
        try:
            return ask(client, messages)
        except anthropic.APIError as error:
            raise RuntimeError("the reply could not be fetched") from error

    assert check(chained).passed


# --- each flaw fails where it shows, with its own explanation -------------------------

def test_retrying_a_4xx_fails_every_fatal_scenario() -> None:
    report = check(loop(retryable=lambda _error: True))
    assert failures(report) == dict.fromkeys(FATAL, "retried_fatal")
    entry = next(e for e in report.failed if e.scenario.faults == "400")
    assert entry.verdict.why == t("check.bad.retried_fatal", error="BadRequestError (400)", requests=4)


@pytest.mark.parametrize(
    ("fault", "cls"),
    [
        ("429", anthropic.RateLimitError),
        ("500", anthropic.InternalServerError),
        ("529", anthropic.OverloadedError),
        ("timeout", anthropic.APITimeoutError),
        ("disconnect", anthropic.APIConnectionError),
    ],
)
def test_not_retrying_a_transient_failure_fails_its_scenario(fault: str, cls: type[BaseException]) -> None:
    skips = loop(retryable=lambda e: is_retryable(e) and type(e) is not cls)
    assert failures(check(skips, 2)) == {f"{fault} {fault} 200": "gave_up"}


def test_no_retry_layer_at_all_gives_up_on_every_brief_failure() -> None:
    report = check(lambda client, messages: ask(client.with_options(max_retries=0), messages), 2)
    assert set(failures(report).values()) == {"gave_up"} and len(report.failed) == 5


LONG = "429(retry-after=600) 200"


def test_retrying_at_once_is_no_backoff() -> None:
    report = check(loop(lambda _attempt, _error: 0))
    assert failures(report) == {
        "529 529 200": "no_backoff",
        "429(retry-after=3) 200": "ignored_retry_after",
        LONG: "ignored_retry_after",
    }
    assert report.failed[0].verdict.why == t("check.bad.no_backoff", n=2)


def test_the_same_waits_under_every_seed_is_no_jitter() -> None:
    report = check(loop(lambda attempt, error: retry_after(error) or 2**attempt))
    assert failures(report) == {"529 529 200": "no_jitter"}
    assert report.failed[0].verdict.why == t("check.bad.no_jitter", runs=3, waits=[1.0, 2.0])


def test_waiting_less_than_retry_after_asks_is_caught() -> None:
    report = check(loop(full_jitter))
    assert failures(report) == {"429(retry-after=3) 200": "ignored_retry_after", LONG: "ignored_retry_after"}


def test_capping_the_servers_wait_retries_too_early_and_fails() -> None:
    report = check(loop(lambda attempt, error: min(retry_after(error) or full_jitter(attempt, error), 30.0)))
    assert failures(report) == {LONG: "ignored_retry_after"}
    assert report.failed[0].verdict.why == t("check.bad.ignored_retry_after", asked=600.0, waited=30.0)


def test_a_long_retry_after_may_be_waited_out_or_raised_at_once_but_not_slept_on_then_raised() -> None:
    def gives_up_on_long_waits(sleep_first: bool) -> Fn:
        def chat(client: Any, messages: list[dict[str, str]]) -> str:
            once = client.with_options(max_retries=0)
            for attempt in range(4):
                try:
                    return ask(once, messages)
                except anthropic.APIError as error:
                    wait = retry_after(error)
                    if attempt == 3 or not is_retryable(error) or (wait is not None and wait > 60):
                        if sleep_first:
                            time.sleep(5)
                        raise
                    time.sleep(wait if wait is not None else full_jitter(attempt, error))
            raise AssertionError("unreachable")

        return chat

    report = check(gives_up_on_long_waits(sleep_first=False))
    assert report.passed
    entry = next(e for e in report.entries if e.scenario.faults == LONG)
    assert entry.requests == 1 and entry.verdict.why == t("check.ok.long_retry_after", error="RateLimitError (429)")
    assert failures(check(gives_up_on_long_waits(sleep_first=True)))[LONG] == "wasted"
    assert check(ask).passed  # the SDK alone waits the full 600 s


def test_a_loop_without_a_bound_is_stopped_after_a_fixed_number_of_requests() -> None:
    def forever(client: Any, messages: list[dict[str, str]]) -> str:
        once = client.with_options(max_retries=0)
        while True:
            try:
                return ask(once, messages)
            except anthropic.APIError as error:
                if not is_retryable(error):
                    raise
                time.sleep(retry_after(error) or random.uniform(0, 1))

    report = check(forever)
    assert failures(report) == dict.fromkeys(PERSISTENT, "stopped")
    assert report.failed[0].did[0] == t("check.did_stopped", requests=RUNAWAY)
    assert report.seconds < 10.0  # it ends: in virtual time an endless loop costs requests, not waiting


def test_a_loop_over_the_sdks_own_retries_multiplies_the_requests() -> None:
    report = check(loop(one_layer=False))
    assert failures(report) == dict.fromkeys(PERSISTENT, "layers")
    entry = report.failed[0]
    assert entry.requests == 12  # 4 calls x 3 SDK attempts
    assert entry.verdict.why == t("check.bad.layers", calls=4, requests=12, counts="0,1,2,0,1,2,0,1,2,0,1,2")


def test_too_many_attempts_is_caught_even_when_bounded() -> None:
    assert failures(check(loop(attempts=20), 1)) == dict.fromkeys(PERSISTENT, "too_many")


def test_sleeping_after_the_final_attempt_is_wasted() -> None:
    def sleeps_then_raises(client: Any, messages: list[dict[str, str]]) -> str:
        once = client.with_options(max_retries=0)
        last: anthropic.APIError | None = None
        for attempt in range(3):
            try:
                return ask(once, messages)
            except anthropic.APIError as error:
                if not is_retryable(error):
                    raise
                last = error
                time.sleep(2**attempt)
        assert last is not None
        raise last

    report = check(sleeps_then_raises, 1)
    assert failures(report) == dict.fromkeys(PERSISTENT, "wasted")
    assert report.failed[0].verdict.why == t("check.bad.wasted", wasted=4.0)


def test_returning_instead_of_raising_hides_the_failure() -> None:
    def returns_none(client: Any, messages: list[dict[str, str]]) -> Any:
        try:
            return ask(client, messages)
        except anthropic.APIError:
            return None

    assert failures(check(returns_none, 1)) == dict.fromkeys(FATAL + PERSISTENT, "swallowed")


def test_a_sound_loop_that_raises_its_own_error_instead_of_the_sdks_fails() -> None:
    def request_failed(client: Any, messages: list[dict[str, str]]) -> str:
        try:
            return loop()(client, messages)
        except anthropic.APIError:
            raise RuntimeError("request failed")  # noqa: B904 - the flaw under test: no ``from``

    report = check(request_failed)
    assert failures(report) == dict.fromkeys(FATAL + PERSISTENT, "lost")


@pytest.mark.parametrize(
    "rebuild",
    [
        lambda e: anthropic.APIStatusError(str(e), response=e.response, body=e.body),  # another class, same response
        lambda e: type(e)(str(e), response=e.response, body=e.body),  # the same class, built anew
    ],
    ids=["another-class", "a-copy"],
)
def test_raising_a_rebuilt_status_error_instead_of_the_sdks_own_is_replaced(
    rebuild: Callable[[Any], BaseException],
) -> None:
    def rebuilds(client: Any, messages: list[dict[str, str]]) -> str:
        try:
            return ask(client.with_options(max_retries=0), messages)
        except anthropic.APIStatusError as error:
            raise rebuild(error)  # noqa: B904 - the flaw under test
        except anthropic.APIConnectionError:
            raise

    report = check(rebuilds, 1)
    assert failures(report) == dict.fromkeys([*FATAL, "429", "529"], "replaced")
    assert report.failed[0].verdict.hint == t("check.hint.lost")


def test_a_new_connection_error_in_place_of_the_sdks_is_replaced_but_one_raised_from_it_is_not() -> None:
    def renews(chain: bool) -> Fn:
        def chat(client: Any, messages: list[dict[str, str]]) -> str:
            try:
                return ask(client.with_options(max_retries=0), messages)
            except anthropic.APIConnectionError as error:
                fresh = type(error)(request=error.request)  # the same class, built anew
                if chain:
                    raise fresh from error
                raise fresh from None

        return chat

    assert failures(check(renews(chain=False), 1)) == {"timeout": "replaced", "disconnect": "replaced"}
    assert failures(check(renews(chain=True), 1)) == {}


def test_the_report_names_the_work_the_sdks_own_retries_did() -> None:
    report = check(docs_loop.chat_with_retry)
    entry = next(e for e in report.entries if e.scenario.faults == "529 529 200" and e.scenario.kind == "transient")
    assert entry.passed and entry.sdk_retries == 2
    assert entry.did[1].en.startswith(
        "2 of these requests were the SDK's own retries, and 1.20 s of the sleep was the SDK's"
    )
    assert report.sdk_note() == t("check.summary_sdk", n=12)
    ctlab.set_lang("en")
    assert str(report).splitlines()[2] == str(t("check.summary_sdk", n=12))


def test_a_bare_exception_without_its_cause_loses_the_original_error() -> None:
    report = check(docs_loop.chat_with_retry, 1)  # the docs page: raise Exception("...max retries...")
    assert failures(report) == {"429": "layers", "timeout": "layers", "disconnect": "lost"}
    lost = report.failed[-1].verdict.why
    assert lost.en.startswith("the SDK raised APIConnectionError, but your function raised Exception: ")


def test_returning_the_message_instead_of_its_text_is_the_wrong_value() -> None:
    def returns_message(client: Any, messages: list[dict[str, str]]) -> Any:
        return client.messages.create(model=MODEL, max_tokens=64, messages=messages)

    assert failures(check(returns_message, 1)) == {"200": "wrong_value"}


# --- functions that cannot be graded get a message, never a crash ---------------------

def test_a_type_error_is_reported_with_the_line_that_raised_it() -> None:
    def broken(client: Any, messages: list[dict[str, str]]) -> str:
        return client.messages.create(messages)  # type: ignore[no-any-return]

    report = check(broken)
    assert not report.passed and report.entries == () and report.problem is not None
    assert report.problem.en.startswith("the server answered 200 at once, yet your function failed: TypeError")
    assert "return client.messages.create(messages)" in report.problem.en
    assert "the other scenarios were not run" in report.problem.en


def test_a_bug_in_the_except_block_is_a_crash_not_a_lost_error() -> None:
    def typo(client: Any, messages: list[dict[str, str]]) -> str:
        try:
            return ask(client.with_options(max_retries=0), messages)
        except anthropic.APIError as error:
            raise RuntimeError(error.status)  # type: ignore[attr-defined]  # noqa: B904 - no such attribute: the bug under test

    entry = next(e for e in check(typo, 1).failed if e.scenario.faults == "400")
    assert entry.verdict.rule == "crashed" and "AttributeError" in entry.verdict.why.en
    assert "raise RuntimeError(error.status)" in entry.verdict.why.en


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (
            lambda messages: "hi",  # noqa: ARG005 - the parameter names are what the message shows
            "ctlab.check calls your function as <lambda>(client, messages), but its signature is <lambda>(messages)",
        ),
        (
            lambda client, messages, retries: "hi",  # noqa: ARG005 - the parameter names are what the message shows
            "signature is <lambda>(client, messages, retries)",
        ),
        ("chat", "ctlab.check needs a function"),
    ],
)
def test_something_that_cannot_take_client_and_messages_is_refused_with_a_message(fn: Any, message: str) -> None:
    report = check(fn)
    assert not report.passed and report.problem is not None and message in report.problem.en


def test_an_async_function_is_refused_with_a_message() -> None:
    async def chat(client: Any, messages: list[dict[str, str]]) -> str:
        return "hi"

    assert check(chat).problem == t("check.async", name="chat")


def test_a_function_that_spins_without_requests_is_stopped_by_real_time_and_ctlab_stays_usable() -> None:
    def spins(client: Any, messages: list[dict[str, str]]) -> str:
        while True:
            pass

    stdout = sys.stdout
    started = time.perf_counter()
    report = check(spins, time_limit=0.3)
    assert time.perf_counter() - started < 5.0
    assert report.problem is not None and "still running after 0.3 s of real time" in report.problem.en
    assert "ctlab stopped it" in report.problem.en
    assert sys.stdout is stdout and ctlab.run("429 200").requests == 2  # no simulation or redirect left behind


def test_a_bare_except_cannot_swallow_the_stop() -> None:
    def swallows(client: Any, messages: list[dict[str, str]]) -> str:
        while True:
            try:
                return ask(client, messages)
            except:  # noqa: E722 - the flaw under test
                time.sleep(1)

    report = check(swallows, 1)
    assert failures(report) == dict.fromkeys(FATAL + PERSISTENT, "stopped")
    assert ctlab.run("200").outcome.ok


def test_sys_exit_in_the_function_is_reported_not_raised() -> None:
    def exits(client: Any, messages: list[dict[str, str]]) -> str:
        try:
            return ask(client, messages)
        except anthropic.APIError:
            sys.exit(1)

    report = check(exits)
    assert report.problem == t("check.escaped", scenario="400", error="SystemExit")
    assert [e.scenario.faults for e in report.entries] == ["200"]


def test_check_inside_a_simulation_is_refused_because_simulations_do_not_nest() -> None:
    with ctlab.simulate("200"), pytest.raises(ctlab.CtlabError, match="simulations do not nest"):
        check(ask)
    assert check(ask).passed


def test_check_refuses_bad_arguments_in_both_languages() -> None:
    with pytest.raises(ctlab.CtlabError, match=r"没有练习 99.*there is no exercise 99"):
        check(ask, 99)
    with pytest.raises(ctlab.CtlabError, match="exercise 4 is the streaming battery"):
        check(ask, 1, stream=True)
    with pytest.raises(ctlab.CtlabError, match="time_limit must be a positive number"):
        check(ask, time_limit=0)


# --- streams ----------------------------------------------------------------------------

def stream_once(client: Any, messages: list[dict[str, str]]) -> str:
    with client.messages.stream(model=MODEL, max_tokens=64, messages=messages) as stream:
        return "".join(stream.text_stream)


def test_a_stream_error_is_never_retried_by_the_sdk_so_a_plain_stream_fails() -> None:
    report = check(stream_once, stream=True)
    assert failures(report) == {"stream-error 200": "gave_up", "stream-error stream-error 200": "gave_up"}
    assert "APIStatusError (200)" in report.failed[0].verdict.why.en


def test_keeping_the_broken_streams_text_is_caught() -> None:
    def keeps_leftovers(client: Any, messages: list[dict[str, str]]) -> str:
        parts: list[str] = []
        for attempt in range(4):
            try:
                with client.messages.stream(model=MODEL, max_tokens=64, messages=messages) as stream:
                    parts.extend(stream.text_stream)
                return "".join(parts)
            except anthropic.APIStatusError as error:
                if attempt == 3 or error.status_code != 200:
                    raise
                time.sleep(random.uniform(0, 0.5 * 2**attempt))
        raise AssertionError("unreachable")

    report = check(keeps_leftovers, stream=True)
    assert failures(report) == {"stream-error 200": "leftovers", "stream-error stream-error 200": "leftovers"}
    assert report.failed[0].verdict.why == t("check.bad.leftovers", value="'你好，你好！Hello!'", partial="'你好，'")


def test_a_non_streaming_function_fails_the_streaming_battery_for_that_reason() -> None:
    report = check(chat_with_retry, stream=True)
    assert set(failures(report).values()) == {"not_streaming"}


# --- the exercises of notebook 07 ---------------------------------------------------------

def test_each_reference_solution_passes_its_exercise_and_each_exercise_adds_scenarios() -> None:
    for exercise in EXERCISES:
        assert check(solution(exercise), exercise).passed, exercise
    assert set(EXERCISES[1]) < set(EXERCISES[2]) < set(EXERCISES[3])


def test_each_reference_is_the_next_exercises_starting_point_and_fails_it() -> None:
    assert failures(check(solution(1), 2)) == {f"{f} {f} 200": "gave_up" for f in ("500", "529", "disconnect")}
    assert failures(check(solution(2), 3)) == {
        "529 529 200": "no_jitter",
        "429(retry-after=3) 200": "ignored_retry_after",
        LONG: "ignored_retry_after",
    }


def test_a_solution_shows_its_source_and_the_helpers_it_uses() -> None:
    ctlab.set_lang("en")
    text = str(solution(2))
    assert text.startswith("# exercise 2: a reference solution. Try it yourself first!\ndef retry_what_can_succeed(")
    assert "# it uses ctlab.retry.is_retryable:\ndef is_retryable(" in text
    assert solution(3).fn is chat_with_retry
    assert ctlab.solution is solution and ctlab.EXERCISES is EXERCISES
    with pytest.raises(ctlab.CtlabError, match="there is no exercise 5"):
        solution(5)


# --- what the learner sees ------------------------------------------------------------------

def test_the_report_prints_in_the_chosen_language_and_shows_as_an_html_table() -> None:
    report = check(docs_loop.chat_with_retry, 1)
    ctlab.set_lang("en")
    text = str(report)
    assert text.splitlines()[:2] == [
        "ctlab.check(ctlab.docs_loop.chat_with_retry) · exercise 1: one retry layer, and an honest failure",
        "✗ 3 of 9 scenarios failed",
    ]
    assert "✗ disconnect: fails every time, forever" in text and "→ Hint: re-raise the original" in text
    english = text.replace("请求失败,已达最大重试次数", "").replace("你好！", "")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english)
    ctlab.set_lang("zh")
    assert str(report).splitlines()[1] == "✗ 9 个场景中有 3 个没通过"
    ctlab.set_lang("both")
    page = report._repr_html_()
    assert page.count("<tr>") == 1 + 9 and "模拟的故障<br>" in page and "what was simulated" in page
