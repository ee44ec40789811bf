"""What one step changed: only the fault scripts whose results differ from the step before, as "before → after".

    >>> import ctlab
    >>> from ctlab.docs_loop import chat_with_retry, MESSAGES
    >>> from ctlab.measure import compare
    >>> before = compare({"docs": lambda c: chat_with_retry(c, MESSAGES)}, ["529", "400"])
    >>> after = compare({"v1": lambda c: chat_with_retry(c.with_options(max_retries=0), MESSAGES)}, ["529", "400"])
    >>> ctlab.set_lang("en"); print(changes(before, after)); ctlab.set_lang("both")
    faults  HTTP requests    slept (s)  slept after the last attempt (s)  what the caller got
    529             3 → 1  1.20 → 0.00                              0.00  raised OverloadedError (529)
    docs → v1: 1 of 2 rows changed; unchanged: 400

In a changed row, a cell that did not change shows its one value; the
comparison is made on the values as the table prints them (two decimals).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from .i18n import CtlabError, Text, register, t
from .measure import Comparison
from .show import TableView, html_grid, shown_langs, text_grid

register(
    __name__,
    {
        "changes.some": Text(
            "{before} → {after}：{total} 行里 {changed} 行有变化，其余不变：{same}",
            "{before} → {after}: {changed} of {total} rows changed; unchanged: {same}",
        ),
        "changes.all": Text("{before} → {after}：{total} 行全都有变化", "{before} → {after}: all {total} rows changed"),
        "changes.none": Text(
            "{before} → {after}：{total} 行全都没有变化", "{before} → {after}: none of the {total} rows changed"
        ),
        "changes.one_name": Text(
            "changes() 要两份各只量了一段代码的 compare(...) 结果；这一份量了 {count} 段：{names}",
            "changes() needs two compare(...) results measuring one function each; this one measures {count}: {names}",
        ),
        "changes.faults": Text(
            "changes() 的两份结果要用同一组故障脚本、同样的顺序；前一份是 {before}，后一份是 {after}",
            "changes() needs both results over the same fault scripts, in the same order; "
            "before: {before}, after: {after}",
        ),
    },
)

_COLUMNS = ("measure.faults", "measure.requests", "measure.slept", "measure.wasted", "measure.outcome")
_SKIP = 1  # the "code" column of a Comparison row: the names go in the footer instead


def _name(table: Comparison) -> str:
    names = list(dict.fromkeys(m.name for m in table.measurements))
    if len(names) != 1:
        raise CtlabError("changes.one_name", count=len(names), names=", ".join(names))
    return names[0]


def _arrow(old: Text, new: Text) -> Text:
    """``old → new`` language by language, or the one value when nothing changed."""
    return new if old == new else Text(f"{old.zh} → {new.zh}", f"{old.en} → {new.en}")


@dataclass(frozen=True, repr=False)
class Changes(TableView):
    """The rows of ``after`` that differ from ``before``, each cell as ``before → after``."""

    COLUMNS = _COLUMNS
    RIGHT = (1, 2, 3)
    CSS = "ctlab-compare"

    before: Comparison
    after: Comparison

    def _pairs(self) -> list[tuple[list[Text], list[Text]]]:
        old_rows, new_rows = self.before.rows(), self.after.rows()
        return [
            ([*o[:_SKIP], *o[_SKIP + 1 :]], [*n[:_SKIP], *n[_SKIP + 1 :]])
            for o, n in zip(old_rows, new_rows, strict=True)
        ]

    def rows(self) -> list[list[Text]]:
        return [[_arrow(o, n) for o, n in zip(old, new, strict=True)] for old, new in self._pairs() if old != new]

    def footer(self) -> Text:
        pairs = self._pairs()
        same = [old[0].en for old, new in pairs if old == new]
        names = {"before": _name(self.before), "after": _name(self.after), "total": len(pairs)}
        if not same:
            return t("changes.all", **names)
        if len(same) == len(pairs):
            return t("changes.none", **names)
        return t("changes.some", changed=len(pairs) - len(same), same=Text("、".join(same), ", ".join(same)), **names)

    def __str__(self) -> str:
        body, footer = self.rows(), self.footer()
        if not body:
            return "\n".join(footer.render(lang) for lang in shown_langs())
        return text_grid([t(k) for k in self.COLUMNS], body, right=self.RIGHT, footer=footer)

    def _repr_html_(self) -> str:
        body, footer = self.rows(), self.footer()
        if not body:
            return "".join(f"<p>{html.escape(footer.render(lang))}</p>" for lang in shown_langs())
        return html_grid([t(k) for k in self.COLUMNS], body, css=self.CSS, footer=footer)


def changes(before: Comparison, after: Comparison) -> Changes:
    """Show what ``after`` changed against ``before``: two ``compare(...)`` results, one function each, same faults."""
    _name(before), _name(after)
    old: Sequence[str] = [m.faults for m in before.measurements]
    new: Sequence[str] = [m.faults for m in after.measurements]
    if old != new:
        raise CtlabError("changes.faults", before=" | ".join(old), after=" | ".join(new))
    return Changes(before, after)
