"""Showing a simulation: a text table, an HTML table, and a timeline (inline SVG).

    >>> import ctlab
    >>> sim = ctlab.run("429 200")
    >>> ctlab.set_lang("en"); print(text_table(sim)); ctlab.set_lang("both")
    attempt  at (s)  retry-count header  server answered  then waited (s)  who waited
          1   0.000                   0  429                        0.394  SDK
          2   0.394                   1  200 OK                         -  -
    HTTP requests: 2; virtual time 0.39 s (0.39 s waiting); outcome: returned '你好！Hello!'
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from .faults import Disconnect, Reply, Status, StreamError, Timeout
from .i18n import CtlabError, Lang, Text, get_lang, register, t
from .inputs import short_repr

register(
    __name__,
    {
        "outcome.returned": Text("返回了 {value}", "returned {value}"),
        "outcome.raised": Text("抛出了 {value}", "raised {value}"),
        "outcome.pending": Text("还没有运行", "not run yet"),
        "table.attempt": Text("序号", "attempt"),
        "table.at": Text("时刻 (s)", "at (s)"),
        "table.retry_count": Text("重试计数头", "retry-count header"),
        "table.answer": Text("服务端的回应", "server answered"),
        "table.wait": Text("之后等待 (s)", "then waited (s)"),
        "table.by": Text("谁在等", "who waited"),
        "summary": Text(
            "共 {requests} 次 HTTP 请求，虚拟耗时 {elapsed:.2f} s（其中等待 {slept:.2f} s），结果：{outcome}",
            "HTTP requests: {requests}; virtual time {elapsed:.2f} s ({slept:.2f} s waiting); outcome: {outcome}",
        ),
        "wait.sdk": Text("SDK", "SDK"),
        "wait.code": Text("你的代码", "your code"),
        "answer.timeout": Text("超时（{seconds:.4g} s 无响应）", "timed out (no answer for {seconds:.4g} s)"),
        "answer.disconnect": Text("连接被断开", "connection dropped"),
        "answer.stream_error": Text("流式响应（200）中途出错：{error_type}", "200 stream, then {error_type} midway"),
        "answer.ok": Text("200 成功", "200 OK"),
        "plot.sim": Text(
            "plot() 要的是一次模拟：ctlab.run(...) 的返回值，或 with ctlab.simulate(...) as sim 里的 sim；收到的是 "
            "{value}",
            "plot() needs a simulation: what ctlab.run(...) returns, or the sim of `with ctlab.simulate(...) as sim`; "
            "got {value}",
        ),
        "plot.title": Text("每次请求与等待（虚拟时间）", "Attempts and waits (virtual time)"),
        "plot.xlabel": Text("虚拟时间 (s)", "virtual time (s)"),
        "plot.ok": Text("成功", "success"),
        "plot.retry": Text("失败后重试", "failed, retried"),
        "plot.fail": Text("最终失败", "final failure"),
        "plot.wait_sdk": Text("SDK 在等", "SDK waiting"),
        "plot.wait_code": Text("你的代码在等", "your code waiting"),
        "plot.attempt": Text("第 {n} 次", "attempt {n}"),
        "yes": Text("会", "yes"),
        "no": Text("不会", "no"),
    },
)

if TYPE_CHECKING:
    from .simulate import Attempt, Outcome, Simulation
    from .svg import Timeline

_COLUMNS = ("table.attempt", "table.at", "table.retry_count", "table.answer", "table.wait", "table.by")


def describe_answer(attempt: Attempt) -> Text:
    """What the server did on one attempt, in words."""
    fault = attempt.fault
    if isinstance(fault, Status):
        return Text(fault.label(), fault.label())
    if isinstance(fault, Timeout):
        return t("answer.timeout", seconds=attempt.duration)
    if isinstance(fault, Disconnect):
        return t("answer.disconnect")
    if isinstance(fault, StreamError):
        return t("answer.stream_error", error_type=fault.error_type)
    assert isinstance(fault, Reply)
    return t("answer.ok")


def describe_error(error: BaseException) -> str:
    """``RateLimitError (429)``, ``APITimeoutError``, ``ValueError: ...``."""
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    if status is not None:
        return f"{name} ({status})"
    if type(error).__module__.startswith("anthropic"):
        return name
    return f"{name}: {error}"


def describe_outcome(outcome: Outcome | None) -> Text:
    if outcome is None:
        return t("outcome.pending")
    if outcome.error is not None:
        return t("outcome.raised", value=describe_error(outcome.error))
    return t("outcome.returned", value=describe_value(outcome.value))


def describe_value(value: object) -> Text:
    """How a returned value reads: a ctlab result that has ``describe()`` says it in words; anything else is its repr.

    >>> print(describe_value("hi").render("en"))
    'hi'
    """
    describe = getattr(value, "describe", None)
    text = describe() if callable(describe) else None
    return text if isinstance(text, Text) else plain(repr(value))


def _who(attempt: Attempt) -> Text:
    who = [t(f"wait.{w}") for w in ("sdk", "code") if any(x.by == w for x in attempt.waits)]
    return Text(" + ".join(w.zh for w in who) or "-", " + ".join(w.en for w in who) or "-")


def plain(text: str) -> Text:
    return Text(text, text)


def rows(sim: Simulation) -> list[list[Text]]:
    """One row per attempt, in :data:`_COLUMNS` order."""
    return [
        [
            plain(str(a.number)),
            plain(f"{a.at:.3f}"),
            plain("-" if a.retry_count is None else str(a.retry_count)),
            describe_answer(a),
            plain(f"{a.waited:.3f}" if a.waits else "-"),
            _who(a),
        ]
        for a in sim.attempts
    ]


def summary(sim: Simulation) -> Text:
    """One line: requests, virtual time, time waiting, outcome."""
    outcome = describe_outcome(sim.outcome)
    return t("summary", requests=sim.requests, elapsed=sim.elapsed, slept=sim.slept, outcome=outcome)


def display_width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


def align_row(row: list[str], widths: list[int], right: tuple[int, ...]) -> str:
    """One table line: columns in ``right`` right-aligned, the rest left-aligned."""
    pads = [" " * (w - display_width(c)) for c, w in zip(row, widths, strict=True)]
    cells = [pad + c if i in right else c + pad for i, (c, pad) in enumerate(zip(row, pads, strict=True))]
    return "  ".join(cells).rstrip()


def shown_langs() -> tuple[Lang, ...]:
    lang = get_lang()
    return ("zh", "en") if lang == "both" else (lang,)


def text_grid(
    columns: Sequence[Text], body: Sequence[Sequence[Text]], *, right: tuple[int, ...] = (), footer: Text | None = None
) -> str:
    """An aligned plain-text table; with the language ``both``, once per language.

    >>> import ctlab; ctlab.set_lang("en")
    >>> print(text_grid([Text("名", "name"), Text("数", "n")], [[Text("甲", "a"), Text("10", "10")]], right=(1,)))
    name   n
    a     10
    >>> ctlab.set_lang("both")
    """
    blocks = []
    for lang in shown_langs():
        table = [[c.render(lang) for c in columns], *([c.render(lang) for c in row] for row in body)]
        widths = [max(display_width(row[i]) for row in table) for i in range(len(columns))]
        lines = [align_row(row, widths, right) for row in table]
        blocks.append("\n".join(lines + ([footer.render(lang)] if footer else [])))
    return "\n\n".join(blocks)


#: How the second language looks under the first in ctlab's HTML (smaller, grey; the class is for your own CSS).
SECOND_LANGUAGE = '<span class="ctlab-en" style="color:#6a6a6a;font-size:0.92em">{}</span>'


def _shared_tail(zh: str, en: str) -> str:
    """The end both languages share, if it holds Chinese (a value that is already bilingual), else ``""``."""
    size = 0
    while size < min(len(zh), len(en)) and zh[-1 - size] == en[-1 - size]:
        size += 1
    tail = zh[len(zh) - size :]
    return tail if any("\u4e00" <= ch <= "\u9fff" for ch in tail) else ""


def html_text(*texts: Text) -> str:
    """Lines of text as HTML in the current language(s): with ``both``, Chinese first and English under it,
    in :data:`SECOND_LANGUAGE`'s style; a value both languages end with (itself bilingual) is shown once.

    >>> import ctlab
    >>> html_text(Text("抛出了 E('失败 / failed')", "raised E('失败 / failed')"))
    '抛出了 <span class="ctlab-en" style="color:#6a6a6a;font-size:0.92em">raised</span> E(&#x27;失败 / failed&#x27;)'
    """
    lang = get_lang()
    if lang != "both":
        return "<br>".join(html.escape(text.render(lang)) for text in texts)
    lines = []
    for text in texts:
        tail = _shared_tail(text.zh, text.en)
        zh, en = text.zh[: len(text.zh) - len(tail)], text.en[: len(text.en) - len(tail)]
        if zh == en:
            lines.append(html.escape(text.zh))
        elif tail:
            second = SECOND_LANGUAGE.format(html.escape(en.strip()))
            lines.append(f"{html.escape(zh.rstrip())} {second} {html.escape(tail.lstrip())}")
        else:
            lines.append(f"{html.escape(zh)}<br>{SECOND_LANGUAGE.format(html.escape(en))}")
    return "<br>".join(lines)


def _cell(text: Text, tag: str = "td") -> str:
    return f"<{tag}>{html_text(text)}</{tag}>"


def html_grid(columns: Sequence[Text], body: Sequence[Sequence[Text]], *, css: str, footer: Text | None = None) -> str:
    """An HTML table with class ``css``; with the language ``both``, each cell carries both."""
    head = "".join(_cell(c, "th") for c in columns)
    rows_html = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in body)
    foot = "".join(f"<p>{html.escape(footer.render(lang))}</p>" for lang in shown_langs()) if footer else ""
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{rows_html}</tbody></table>{foot}'


class TableView:
    """Mixin for results that print as a table and show as one in a notebook, in the current language.

    A subclass names its columns (message keys) in ``COLUMNS``, its right-aligned
    columns in ``RIGHT`` and its CSS class in ``CSS``, and defines ``rows()``
    (and, if it has one, ``footer()``). Dataclasses using it need ``repr=False``.
    """

    COLUMNS: ClassVar[tuple[str, ...]] = ()
    RIGHT: ClassVar[tuple[int, ...]] = ()
    CSS: ClassVar[str] = "ctlab-table"

    def rows(self) -> Sequence[Sequence[Text]]:
        raise NotImplementedError

    def footer(self) -> Text | None:
        return None

    def __str__(self) -> str:
        return text_grid([t(k) for k in self.COLUMNS], self.rows(), right=self.RIGHT, footer=self.footer())

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return html_grid([t(k) for k in self.COLUMNS], self.rows(), css=self.CSS, footer=self.footer())


def text_table(sim: Simulation) -> str:
    """The attempts as an aligned plain-text table, then the summary."""
    return text_grid([t(k) for k in _COLUMNS], rows(sim), right=(0, 1, 2, 4), footer=summary(sim))


def html_table(sim: Simulation) -> str:
    """The attempts as an HTML table (what a notebook shows)."""
    return html_grid([t(k) for k in _COLUMNS], rows(sim), css="ctlab-timeline", footer=summary(sim))


def plot(sim: Simulation) -> Timeline:
    """A timeline as inline SVG: one bar per attempt (coloured by answer), one per wait.

    ``sim`` is a :class:`~ctlab.simulate.Simulation` (what :func:`ctlab.run` returns).
    A notebook shows the chart; ``print`` gives its words.
    """
    from .svg import Timeline

    if not (hasattr(sim, "attempts") and hasattr(sim, "elapsed")):  # a Simulation (show never imports simulate)
        raise CtlabError("plot.sim", value=short_repr(sim))
    return Timeline(sim)
