"""The atlas is read from the installed SDK; only advice is written by hand."""

from __future__ import annotations

import re

import anthropic
import pytest

import ctlab
from ctlab.catalog import DOCS_STATUSES, STATUSES, sdk_exception, sdk_retries

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
