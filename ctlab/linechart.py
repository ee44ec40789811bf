"""A line chart as inline SVG: drawn in about a millisecond, stored as text, shown in the reader's own font.

:mod:`ctlab.ratelimit.plots` draws with it, for notebook 08 and for each click
of :class:`ctlab.widgets.RateLimitLab`, where a PNG would cost more than the run::

    >>> chart = LineChart([Series("a", [(0, 0), (1, 2), (2, 1)])], title="t", xlabel="x (s)", ylabel="y")
    >>> print(chart)
    <Figure: t | x: x (s) | y: y | a>
    >>> chart._repr_html_().count("<polyline")
    1

Its ``text/plain`` is its words (title, axis labels, legend), as for
:class:`ctlab.figures.CourseFigure`, so a notebook test compares what a reader
would read; the SVG has fixed decimals, so the same data draw the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from typing import Any

from .svg import nice_ticks

__all__ = ["COLOURS", "LineChart", "Series"]

#: Colours for series given none, in order (matplotlib's first four, so the course's plots look alike).
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 250, 70, 230, 10, 44


@dataclass(frozen=True)
class Series:
    """One named line: ``points`` as ``(x, y)``; ``steps`` holds each value until the next x (a per-minute count);
    ``ticks`` draws a short vertical mark at each point instead of a line (events on a time axis)."""

    name: str
    points: Sequence[tuple[float, float]]
    colour: str = ""
    steps: bool = False
    ticks: bool = False


@dataclass(frozen=True)
class LineChart:
    """Lines on shared axes, the legend beside them (never over the curves).

    ``ylim`` fixes the y range (default: from 0 to the highest point); x runs from 0 to the last point.
    """

    series: Sequence[Series]
    title: str
    xlabel: str
    ylabel: str
    ylim: tuple[float, float] | None = None
    colours: tuple[str, ...] = field(default=COLOURS, repr=False)

    def alt_text(self) -> str:
        """Title, axis labels and legend: what the chart says in words."""
        legend = "; ".join(s.name for s in self.series)
        parts = [self.title, f"x: {self.xlabel}", f"y: {self.ylabel}", legend]
        return "<Figure: " + " | ".join(p for p in parts if p).replace("\n", " / ") + ">"

    def __repr__(self) -> str:
        return self.alt_text()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:  # noqa: ARG002  (IPython passes both by keyword)
        return {"text/html": self._repr_html_(), "text/plain": self.alt_text()}

    def _colour(self, index: int) -> str:
        return self.series[index].colour or self.colours[index % len(self.colours)]

    def _ranges(self) -> tuple[float, float, float]:
        xs = [x for s in self.series for x, _ in s.points]
        ys = [y for s in self.series for _, y in s.points]
        x_end = max(xs, default=1.0) or 1.0
        low, high = self.ylim if self.ylim is not None else (0.0, max(ys, default=1.0) or 1.0)
        return x_end, low, high

    def _svg(self) -> str:
        x_end, low, high = self._ranges()
        inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

        def at(x: float, y: float) -> str:
            return f"{LEFT + x / x_end * inner_w:.1f},{TOP + (high - y) / (high - low) * inner_h:.1f}"

        return "".join([*self._axes(x_end, low, high), *self._lines(at), *self._legend()])

    def _axes(self, x_end: float, low: float, high: float) -> list[str]:
        inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        base = TOP + inner_h
        parts = [f'<rect x="{LEFT}" y="{TOP}" width="{inner_w}" height="{inner_h}" fill="none" stroke="#555"/>']
        for tick in nice_ticks(x_end):
            x = LEFT + tick / x_end * inner_w
            parts.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="#555"/>')
            parts.append(f'<text x="{x:.1f}" y="{base + 16}" font-size="10" text-anchor="middle">{tick:g}</text>')
        for tick in (v for v in nice_ticks(high, most=5) if v >= low):  # round values, 0 included
            y = TOP + (high - tick) / (high - low) * inner_h
            parts.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="#555"/>')
            parts.append(f'<text x="{LEFT - 6}" y="{y + 3:.1f}" font-size="10" text-anchor="end">{tick:g}</text>')
        parts.append(
            f'<text x="{LEFT + inner_w / 2}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle">'
            f"{escape(self.xlabel)}</text>"
        )
        parts.append(
            f'<text transform="translate(14,{TOP + inner_h / 2}) rotate(-90)" font-size="11" text-anchor="middle">'
            f"{escape(self.ylabel)}</text>"
        )
        return parts

    def _lines(self, at: Callable[[float, float], str]) -> list[str]:
        parts = []
        for index, series in enumerate(self.series):
            colour = self._colour(index)
            if series.ticks:
                marks = "".join(f"M{at(x, y)}v-8" for x, y in series.points)
                parts.append(f'<path d="{marks}" stroke="{colour}" stroke-width="1"/>')
                continue
            points = list(series.points)
            if series.steps:  # hold each value until the next x
                points = [p for (x0, y0), (x1, _) in pairwise(points) for p in ((x0, y0), (x1, y0))] + points[-1:]
            line = " ".join(at(x, y) for x, y in points)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.2"/>')
        return parts

    def _legend(self) -> list[str]:
        parts, x = [], WIDTH - RIGHT + 10
        for index, series in enumerate(self.series):
            y = TOP + 12 + index * 18
            parts.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="{self._colour(index)}" '
                'stroke-width="2"/>'
            )
            parts.append(f'<text x="{x + 24}" y="{y}" font-size="10">{escape(series.name)}</text>')
        return parts

    def _repr_html_(self) -> str:
        title = escape(self.title.replace("\n", " / "))
        return (
            f'<div class="ctlab-line-chart" style="font-family:sans-serif;font-size:12px;max-width:{WIDTH}px">'
            f'<div style="text-align:center;font-weight:bold">{title}</div>'
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" width="{WIDTH}" '
            f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" style="max-width:100%">{self._svg()}</svg></div>'
        )
