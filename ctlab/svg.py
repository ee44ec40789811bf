"""A simulation's timeline as inline SVG: what :func:`ctlab.plot` shows, and a widget draws on each click.

It takes about a millisecond, and SVG text is drawn by the browser in the
reader's own font, so nothing about this machine's fonts is stored::

    >>> import ctlab
    >>> page = timeline(ctlab.run("429 200"))
    >>> page.count("<rect"), 'class="ctlab-timeline-plot"' in page
    (3, True)
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .charts import Drawing, alt_text, nice_ticks, x_ticks
from .faults import StreamError
from .i18n import label, t

if TYPE_CHECKING:
    from .simulate import Attempt, Simulation

__all__ = ["COLOURS", "Timeline", "timeline"]

#: One colour per kind of bar, shared with :func:`ctlab.plot`'s legend keys (``plot.<kind>`` messages).
COLOURS = {"ok": "#2e7d32", "retry": "#ef6c00", "fail": "#c62828", "wait_sdk": "#90a4ae", "wait_code": "#5c6bc0"}
WIDTH, LEFT, RIGHT, ROW, TOP, BOTTOM = 760, 130, 150, 26, 8, 34


def _kind(sim: Simulation, attempt: Attempt) -> str:
    failed = attempt.answer != 200 or isinstance(attempt.fault, StreamError)
    if not failed:
        return "ok"
    return "fail" if attempt is sim.attempts[-1] else "retry"


def _bars(sim: Simulation, x: float, scale: float) -> list[str]:
    parts = []
    for row, attempt in enumerate(sim.attempts):
        y = TOP + row * ROW
        width = max(attempt.duration, sim.elapsed / 200 or 0.01)
        parts.append(
            f'<rect x="{x + attempt.at * scale:.1f}" y="{y + 4}" width="{max(width * scale, 2):.1f}" height="{ROW - 8}"'
            f' fill="{COLOURS[_kind(sim, attempt)]}"/>'
        )
        start = attempt.at + width
        for wait in attempt.waits:
            parts.append(
                f'<rect x="{x + start * scale:.1f}" y="{y + 10}" width="{wait.seconds * scale:.1f}" height="{ROW - 20}"'
                f' fill="{COLOURS[f"wait_{wait.by}"]}"/>'
            )
            start += wait.seconds
        parts.append(
            f'<text x="{x + start * scale + 4:.1f}" y="{y + ROW / 2 + 4}" font-size="11">'
            f"{escape(attempt.fault.label())}</text>"
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + ROW / 2 + 4}" font-size="11" text-anchor="end">'
            f"{escape(label(t('plot.attempt', n=attempt.number)))}</text>"
        )
    return parts


def _axis(end: float, scale: float, height: int) -> list[str]:
    base = TOP + height
    parts = [f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#555"/>']
    parts += x_ticks([(LEFT + tick * scale, f"{tick:g}") for tick in nice_ticks(end)], base=base)
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{base + 30}" font-size="11" text-anchor="middle">'
        f"{escape(label(t('plot.xlabel')))}</text>"
    )
    return parts


def timeline(sim: Simulation, *, title: str | None = None, legend: bool = True) -> str:
    """``sim``'s timeline as an HTML fragment: a title (``title``, or the usual one), an SVG of bars (one per attempt,
    one per wait), and the legend unless ``legend`` is false (for timelines stacked above another)."""
    height = ROW * max(1, len(sim.attempts))
    end = max(sim.elapsed * 1.15, 1.0)
    scale = (WIDTH - LEFT - RIGHT) / end
    svg = "".join([*_bars(sim, LEFT, scale), *_axis(end, scale, height)])
    keys = "".join(
        f'<span style="margin-right:14px;white-space:nowrap"><span style="display:inline-block;width:10px;height:10px;'
        f'background:{colour};margin-right:4px"></span>{escape(label(t(f"plot.{kind}")))}</span>'
        for kind, colour in COLOURS.items()
    )
    title = escape(title if title is not None else label(t("plot.title")))
    return (
        f'<div class="ctlab-timeline-plot" style="font-family:sans-serif;font-size:12px;max-width:{WIDTH}px;'
        f'margin-top:8px">'
        f'<div style="text-align:center;font-weight:bold">{title}</div>'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" width="{WIDTH}" '
        f'height="{TOP + height + BOTTOM}" viewBox="0 0 {WIDTH} {TOP + height + BOTTOM}" style="max-width:100%">'
        f"{svg}</svg>{f'<div>{keys}</div>' if legend else ''}</div>"
    )


class Timeline(Drawing):
    """``sim``'s timeline as a notebook shows it: the SVG of :func:`timeline`, and its words as ``text/plain``.

    >>> import ctlab
    >>> print(*str(Timeline(ctlab.run("200"))).split(" | "), sep=chr(10))  # doctest: +ELLIPSIS
    <Figure: 每次请求与等待（虚拟时间） / Attempts and waits (virtual time)
    x: 虚拟时间 (s) / virtual time (s)
    成功 / success; 失败后重试 / failed, retried; 最终失败 / final failure; SDK 在等 / SDK waiting; ...>
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim

    def alt_text(self) -> str:
        legend = [label(t(f"plot.{kind}")) for kind in COLOURS]
        return alt_text(label(t("plot.title")), label(t("plot.xlabel")), "", legend)

    def _repr_html_(self) -> str:
        return timeline(self.sim)
