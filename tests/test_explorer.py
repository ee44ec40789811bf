"""The error explorer: pick or type an error, click, and see what the real SDK raised and what to do."""

from __future__ import annotations

import anthropic

import ctlab
from ctlab.widgets.explorer import CHOICES, ErrorExplorer

HTML = "text/html"


def _html(explorer: ErrorExplorer) -> list[str]:
    return [o["data"].get(HTML, "") for o in explorer.out.outputs]


def test_the_menu_offers_every_catalog_status_and_the_failures_that_are_not_statuses() -> None:
    explorer = ErrorExplorer()
    words = [value for _, value in explorer.choice.options]
    assert words == list(CHOICES)
    assert {"timeout", "disconnect", "stream-error"} <= set(words)
    assert all(str(e.status_code) in words for e in ctlab.catalog())


def test_each_menu_label_names_the_class_the_real_sdk_raised() -> None:
    labels = {value: label for label, value in ErrorExplorer().choice.options}
    assert labels["529"] == "529 · OverloadedError"
    assert labels["timeout"] == "timeout · APITimeoutError"
    assert labels["stream-error"] == "stream-error · APIStatusError"
    assert labels["429(error-code=enforced_spend_limit_reached)"].endswith("EnforcedSpendLimitReachedError")


def test_a_click_appends_the_card_and_the_timeline_as_display_data() -> None:
    explorer = ErrorExplorer("529")
    seen = explorer.click()
    assert seen is explorer.last and seen.exception is anthropic.OverloadedError and seen.requests == 3
    assert [o["output_type"] for o in explorer.out.outputs] == ["display_data", "display_data"]
    card, timeline = _html(explorer)
    assert 'class="ctlab-observation"' in card and "req_sim_000000003" in card
    assert 'class="ctlab-timeline"' in timeline


def test_the_main_button_is_primary_and_a_second_click_replaces_the_first() -> None:
    explorer = ErrorExplorer("401")
    assert explorer.button.button_style == "primary"
    explorer.click()
    explorer.click()
    assert len(explorer.out.outputs) == 2


def test_picking_from_the_menu_fills_the_text_and_typing_any_status_works() -> None:
    explorer = ErrorExplorer("529")
    explorer.choice.value = "stream-error"
    assert explorer.faults.value == "stream-error"
    assert explorer.click().status_code == 200
    explorer.faults.value = "418"
    assert explorer.choice.value == "stream-error"  # typing does not move the menu
    assert explorer.click().exception is anthropic.APIStatusError


def test_the_slider_sets_max_retries() -> None:
    explorer = ErrorExplorer("529", max_retries=0)
    assert explorer.click().requests == 1
    explorer.max_retries.value = 4
    assert explorer.click().requests == 5


def test_a_typo_shows_a_bilingual_message_instead_of_raising() -> None:
    explorer = ErrorExplorer()
    explorer.faults.value = "42x"
    assert explorer.click() is None
    (message,) = _html(explorer)
    assert 'class="ctlab-error"' in message and "看不懂的故障" in message and "unknown fault" in message


def test_a_value_outside_the_menu_starts_with_no_menu_choice() -> None:
    explorer = ErrorExplorer("502")
    assert explorer.choice.value is None and explorer.faults.value == "502"
    assert explorer.click().exception is anthropic.InternalServerError
