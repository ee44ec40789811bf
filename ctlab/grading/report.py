"""What ``ctlab.check`` hands back: one entry per scenario, shown as a table in a notebook or as text in a terminal.

    >>> from ctlab.i18n import Text
    >>> report = Report("chat", Text("练习", "exercise"), (), problem=Text("坏了", "broken"))
    >>> report.passed
    False
    >>> print(report.render("en"))
    ctlab.check(chat) · exercise
    ✗ grading could not finish
    broken
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from ..i18n import Lang, Text, get_lang, t
from ..show import shown_langs
from .battery import Scenario, Verdict
from .runner import Run

_COLUMNS = ("check.col.result", "check.col.scenario", "check.col.did", "check.col.why")
#: JupyterLab right-aligns and vertically centres table cells; sentences read better left and top.
_LEFT = ' style="text-align:left;vertical-align:top"'


@dataclass(frozen=True)
class Entry:
    """One scenario: what was simulated, what the function did, and the verdict."""

    scenario: Scenario
    runs: tuple[Run, ...]
    verdict: Verdict
    did: tuple[Text, ...]

    @property
    def passed(self) -> bool:
        return self.verdict.passed

    @property
    def requests(self) -> int:
        """HTTP requests in the first run."""
        return self.runs[0].measurement.requests if self.runs else 0

    def why(self) -> tuple[Text, ...]:
        hint = self.verdict.hint
        return (self.verdict.why,) if hint is None else (self.verdict.why, t("check.hint", hint=hint))


def _html(*texts: Text) -> str:
    """Lines of text in the current language(s): Chinese first, English under it in grey."""
    lines = {lang: "<br>".join(html.escape(x.render(lang)) for x in texts) for lang in ("zh", "en")}
    if get_lang() != "both":
        return lines[get_lang()]
    if lines["zh"] == lines["en"]:
        return lines["en"]
    return f'{lines["zh"]}<br><span class="ctlab-en" style="color:#666">{lines["en"]}</span>'


@dataclass(frozen=True)
class Report:
    """The verdict on one function; ``passed`` only if every scenario passed."""

    name: str
    scope: Text
    entries: tuple[Entry, ...]
    problem: Text | None = None
    seconds: float = field(default=0.0, compare=False)  # real time the grading took

    @property
    def passed(self) -> bool:
        return self.problem is None and bool(self.entries) and all(e.passed for e in self.entries)

    @property
    def failed(self) -> list[Entry]:
        return [e for e in self.entries if not e.passed]

    def title(self) -> Text:
        return t("check.title", name=self.name, scope=self.scope)

    def summary(self) -> Text:
        if self.problem is not None:
            return t("check.summary_problem")
        if self.passed:
            return t("check.summary_pass", total=len(self.entries))
        return t("check.summary_fail", failed=len(self.failed), total=len(self.entries))

    def render(self, lang: Lang) -> str:
        """The report as plain text in one language."""
        lines = [self.title().render(lang), self.summary().render(lang)]
        if self.problem is not None:
            lines.append(self.problem.render(lang))
        for entry in self.entries:
            mark = "✓" if entry.passed else "✗"
            lines.append(f"{mark} {entry.scenario.describe().render(lang)}")
            lines += [f"    {x.render(lang)}" for x in entry.did]
            if not entry.passed:
                lines += [f"    → {x.render(lang)}" for x in entry.why()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return "\n\n".join(self.render(lang) for lang in shown_langs())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = f"<p><b>{_html(self.title())}</b><br>{_html(self.summary())}</p>"
        if self.problem is not None:
            head += f'<p class="ctlab-check-problem">{_html(self.problem)}</p>'
        if not self.entries:
            return f'<div class="ctlab-check">{head}</div>'
        columns = "".join(f"<th{_LEFT}>{_html(t(k))}</th>" for k in _COLUMNS)
        rows = "".join(
            f'<tr><td style="text-align:left;vertical-align:top;white-space:nowrap;color:{"#2e7d32" if e.passed else "#c62828"}">'
            f"{_html(t('check.pass' if e.passed else 'check.fail'))}</td>"
            f"<td{_LEFT}>{_html(e.scenario.describe())}</td><td{_LEFT}>{_html(*e.did)}</td><td{_LEFT}>{_html(*e.why())}</td></tr>"
            for e in self.entries
        )
        table = f'<table class="ctlab-check"><thead><tr>{columns}</tr></thead><tbody>{rows}</tbody></table>'
        return f'<div class="ctlab-check">{head}{table}</div>'
