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

from dataclasses import dataclass, field

from ..i18n import Lang, Text, t
from ..show import html_text, shown_langs
from .battery import Scenario, Verdict
from .evidence import sdk_work
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

    @property
    def sdk_retries(self) -> int:
        """Requests in the first run that were the SDK's own retries, not the function's."""
        return sdk_work(self.runs[0])[0] if self.runs else 0

    def why(self) -> tuple[Text, ...]:
        hint = self.verdict.hint
        return (self.verdict.why,) if hint is None else (self.verdict.why, t("check.hint", hint=hint))


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

    def sdk_note(self) -> Text | None:
        """Whether the SDK's own retries did work the function is credited with, and in how many scenarios."""
        helped = sum(1 for e in self.entries if e.sdk_retries)
        return t("check.summary_sdk", n=helped) if helped else None

    def render(self, lang: Lang) -> str:
        """The report as plain text in one language."""
        note = self.sdk_note()
        lines = [self.title().render(lang), self.summary().render(lang)] + ([note.render(lang)] if note else [])
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
        note = self.sdk_note()
        noted = f"<br>{html_text(note)}" if note else ""
        head = f"<p><b>{html_text(self.title())}</b><br>{html_text(self.summary())}{noted}</p>"
        if self.problem is not None:
            head += f'<p class="ctlab-check-problem">{html_text(self.problem)}</p>'
        if not self.entries:
            return f'<div class="ctlab-check">{head}</div>'
        columns = "".join(f"<th{_LEFT}>{html_text(t(k))}</th>" for k in _COLUMNS)
        rows = "".join(
            '<tr><td style="text-align:left;vertical-align:top;white-space:nowrap;'
            f'color:{"#2e7d32" if e.passed else "#c62828"}">'
            f"{html_text(t('check.pass' if e.passed else 'check.fail'))}</td>"
            f"<td{_LEFT}>{html_text(e.scenario.describe())}</td><td{_LEFT}>{html_text(*e.did)}</td><td{_LEFT}>{html_text(*e.why())}</td></tr>"
            for e in self.entries
        )
        table = f'<table class="ctlab-check"><thead><tr>{columns}</tr></thead><tbody>{rows}</tbody></table>'
        return f'<div class="ctlab-check">{head}{table}</div>'
