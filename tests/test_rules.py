"""The rule set is stated once, in both languages, and the grader holds a function to every rule."""

from __future__ import annotations

import ctlab
from ctlab.grading import battery
from ctlab.rules import RULES, rules


def test_every_rule_reads_in_both_languages_with_a_reason() -> None:
    for rule in RULES:
        for text in (rule.text, rule.why):
            assert text.zh and text.en and text.zh != text.en
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh), rule.name


def test_the_rules_show_as_a_numbered_table_in_the_chosen_language() -> None:
    ctlab.set_lang("en")
    lines = str(rules()).splitlines()
    assert lines[0].split() == ["#", "rule", "why"] and len(lines) == 1 + len(RULES)
    assert lines[1].lstrip().startswith("1  One retry layer")
    ctlab.set_lang("both")
    page = rules()._repr_html_()
    assert 'class="ctlab-rules"' in page and page.count("<tr>") == 1 + len(RULES) and "只留一层重试" in page


def test_every_rule_is_checked_by_the_grader() -> None:
    checks = {rule.__name__.lstrip("_") for kind in battery.RULES.values() for rule in kind}
    for rule in RULES:
        assert rule.checked_by and set(rule.checked_by) <= checks, rule.name
