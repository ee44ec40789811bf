"""The atlas is read from the installed SDK; only advice is written by hand."""

from __future__ import annotations

import re

import anthropic
import pytest

import ctlab
from ctlab.atlas import (
    DOCS_STATUSES,
    DOCS_TABLE,
    STATUSES,
    advice,
    docs_check,
    hierarchy,
    observe,
    observe_all,
    sdk_exception,
    sdk_retries,
)

DOCS_TABLE_CLASSES = {
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    429: "RateLimitError",
    529: "OverloadedError",
}


def test_the_catalog_covers_the_docs_table_and_the_rest() -> None:
    assert set(DOCS_STATUSES) <= set(STATUSES)
    assert set(STATUSES) >= {400, 401, 402, 403, 404, 408, 409, 413, 422, 429, 500, 503, 504, 529}


@pytest.mark.parametrize("status_code", STATUSES)
def test_each_entry_matches_what_a_simulated_response_makes_the_sdk_do(status_code: int) -> None:
    entry = ctlab.entry(status_code)
    sim = ctlab.run(str(status_code))
    assert type(sim.outcome.error) is entry.exception
    assert (sim.requests > 1) is entry.retried
    assert entry.hierarchy()[-1] == "AnthropicError"


def test_the_docs_table_names_match_the_sdk_except_500() -> None:
    for status_code, name in DOCS_TABLE_CLASSES.items():
        assert ctlab.entry(status_code).exception.__name__ == name
    # the docs page says APIStatusError for 500; the SDK raises its subclass
    assert ctlab.entry(500).exception is anthropic.InternalServerError
    assert issubclass(anthropic.InternalServerError, anthropic.APIStatusError)


def test_error_codes_and_headers_are_asked_of_the_sdk() -> None:
    assert sdk_exception(429, "enforced_spend_limit_reached").__name__ == "EnforcedSpendLimitReachedError"
    assert sdk_retries(400, {"x-should-retry": "true"}) is True
    assert sdk_retries(529, {"x-should-retry": "false"}) is False


def test_an_unknown_status_names_the_ones_there_are() -> None:
    with pytest.raises(ctlab.CtlabError, match="it has: 400, 401"):
        ctlab.entry(418)


def test_the_catalog_renders_in_each_language() -> None:
    ctlab.set_lang("en")
    text = str(ctlab.catalog((429,)))
    assert re.search(r"429\s+RateLimitError\s+rate_limit_error\s+yes", text)
    ctlab.set_lang("zh")
    assert re.search(r"429\s+RateLimitError\s+rate_limit_error\s+会", str(ctlab.catalog((429,))))
    assert "<table" in ctlab.catalog()._repr_html_()


# --- observed: the same facts, seen through the real SDK ---------------------


def test_a_529_forever_is_raised_as_overloaded_error_after_3_requests() -> None:
    seen = observe("529")
    assert seen.exception is anthropic.OverloadedError
    assert seen.requests == 3 and seen.retry_counts == [0, 1, 2]
    assert seen.retried is True and seen.status_code == 529


def test_the_request_id_on_the_exception_is_the_last_attempts() -> None:
    seen = observe("529")
    assert seen.request_id == seen.sim.attempts[-1].request_id == seen.body["request_id"]
    assert seen.request_id != seen.sim.attempts[0].request_id


def test_observing_every_status_agrees_with_the_catalog() -> None:
    for seen, entry in zip(observe_all(), ctlab.catalog(), strict=True):
        assert seen.faults == str(entry.status_code)
        assert seen.exception is entry.exception
        assert seen.retried is entry.retried
        assert seen.requests == (3 if entry.retried else 1)


def test_max_retries_limits_the_retries_not_the_rule() -> None:
    seen = observe("429", max_retries=0)
    assert seen.requests == 1 and seen.retried is True


def test_the_docs_table_has_one_wrong_class_500() -> None:
    check = docs_check()
    assert [row.status_code for row, _ in check] == list(DOCS_STATUSES)
    assert check.mismatches() == [500]
    ctlab.set_lang("en")
    assert "imprecise: the SDK raises InternalServerError, a subclass of APIStatusError" in str(check)
    assert 'class="ctlab-docs-check"' in check._repr_html_()


def test_the_docs_table_is_quoted_in_chinese_with_english_beside_it() -> None:
    actions = [row.action.zh for row in DOCS_TABLE]
    assert actions == ["检查 Key", "检查账户权限", "检查模型名称", "指数退避重试", "稍后重试", "稍后重试"]
    assert all(row.action.en for row in DOCS_TABLE)


def test_a_spend_limit_is_retried_by_the_sdk_but_advice_says_never() -> None:
    seen = observe("429(error-code=enforced_spend_limit_reached)")
    assert seen.exception is anthropic.EnforcedSpendLimitReachedError
    assert issubclass(seen.exception, anthropic.RateLimitError)
    assert seen.requests == 3  # the SDK retries what no retry can fix
    assert advice(seen.error)[1].en.startswith("do not retry")
    stopped = observe("429(error-code=enforced_spend_limit_reached, x-should-retry=false)")
    assert stopped.requests == 1 and stopped.retried is False


def test_a_timeout_is_a_connection_error_and_its_advice_says_catch_it_first() -> None:
    seen = observe("timeout")
    assert seen.hierarchy()[:2] == ["APITimeoutError", "APIConnectionError"]
    assert seen.request_id is None and seen.status_code is None
    assert "put it first" in advice(seen.error)[1].en


def test_an_error_inside_a_200_stream_is_a_plain_api_status_error_never_retried() -> None:
    seen = observe("stream-error", max_retries=5)
    assert seen.exception is anthropic.APIStatusError and seen.status_code == 200
    assert seen.requests == 1 and seen.retried is False
    assert "stream" in advice(seen.error)[0].en


@pytest.mark.parametrize(
    ("status_code", "cls", "retried"),
    [(418, anthropic.APIStatusError, False), (502, anthropic.InternalServerError, True)],
)
def test_a_status_outside_the_catalog_gets_the_sdks_fallback_class_and_rule(
    status_code: int, cls: type, retried: bool
) -> None:
    seen = observe(str(status_code))
    assert seen.exception is cls and seen.retried is retried
    cause, action = advice(seen.error)
    assert "not in ctlab's catalog" in cause.en
    assert ("retries it" in action.en) is retried


def test_a_success_has_no_exception_and_no_advice() -> None:
    seen = observe("200")
    assert seen.error is None and seen.retried is None
    ctlab.set_lang("en")
    assert "returned '你好！Hello!'" in str(seen) and "what to do" not in str(seen)
    assert advice(ValueError("not the SDK's")) is None


def test_the_card_shows_body_request_id_and_advice_in_each_language() -> None:
    seen = observe("401")
    ctlab.set_lang("en")
    text = str(seen)
    assert "AuthenticationError → APIStatusError → APIError → AnthropicError" in text
    assert "req_sim_000000001" in text and '"authentication_error"' in text
    assert "no: raised on the first failure" in text
    ctlab.set_lang("zh")
    assert "不会：第一次失败就抛出" in str(seen)
    assert 'class="ctlab-observation"' in seen._repr_html_()


def test_the_observed_table_shows_the_hierarchy_below_api_error() -> None:
    ctlab.set_lang("en")
    text = str(observe_all(["529", "timeout"]))
    assert "OverloadedError → InternalServerError → APIStatusError" in text
    assert "APITimeoutError → APIConnectionError" in text
    assert hierarchy(ValueError) == ["ValueError", "Exception"]


def test_the_tree_puts_every_raised_class_under_its_parent() -> None:
    tree = observe_all(["529", "500", "timeout", "disconnect", "stream-error"]).tree().splitlines()
    assert tree[0] == "AnthropicError"
    assert any(line.endswith("InternalServerError  ← 500") for line in tree)
    overloaded = next(i for i, line in enumerate(tree) if "OverloadedError  ← 529" in line)
    server = next(i for i, line in enumerate(tree) if "InternalServerError" in line)
    assert overloaded > server and tree[overloaded].index("OverloadedError") > tree[server].index("InternalServerError")
    timeout = next(line for line in tree if "APITimeoutError  ← timeout" in line)
    connection = next(line for line in tree if "APIConnectionError  ← disconnect" in line)
    assert timeout.index("APITimeoutError") > connection.index("APIConnectionError")


def test_the_catalog_takes_any_list_of_statuses_but_not_one_alone() -> None:
    assert [e.status_code for e in ctlab.catalog([529, 429])] == [529, 429]
    with pytest.raises(ctlab.CtlabError, match=r"for one status, use entry\(429\)"):
        ctlab.catalog(429)  # type: ignore[arg-type]
    with pytest.raises(ctlab.CtlabError, match="it has: 400"):
        ctlab.catalog(["429"])  # type: ignore[list-item]
