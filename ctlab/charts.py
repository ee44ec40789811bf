"""The course's charts as inline SVG: drawn in about a millisecond, stored as text, shown in the reader's own font.

Three kinds, each a :class:`Drawing` a notebook shows as HTML with its words
(title, axis labels, legend) as ``text/plain``, which nbval compares:

- :class:`LineChart`: lines over a numeric x (the buckets and throughput of :mod:`ctlab.ratelimit.plots`);
- :class:`Bars`: grouped bars, one group per category (:meth:`ctlab.measure.Comparison.plot`);
- :class:`Strips`: dots per category over a shaded range and a reference mark (:meth:`ctlab.sdk.Schedule.plot`);

and :class:`Stack` shows several one above the other (the two views of a crowd experiment in :mod:`ctlab.scale`).

    >>> chart = LineChart([Series("a", [(0, 0), (1, 2), (2, 1)])], title="t", xlabel="x (s)", ylabel="y")
    >>> print(chart)
    <Figure: t | x: x (s) | y: y | a>
    >>> chart._repr_html_().count("<polyline")
    1

Coordinates have fixed decimals, so the same data draw the same bytes on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from typing import Any

__all__ = ["PALETTE", "Bars", "Drawing", "LineChart", "Series", "Stack", "Strips", "nice_ticks"]

#: Colours for series given none, in order (matplotlib's "tab10", the colours most plotting readers know).
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 250, 70, 230, 10, 44
INNER_W, INNER_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def nice_ticks(end: float, most: int = 6) -> list[float]:
    """Round tick positions from 0 to ``end`` (steps of 1, 2 or 5 times a power of ten).

    >>> nice_ticks(7.3)
    [0, 2, 4, 6]
    >>> nice_ticks(0.9)
    [0.0, 0.2, 0.4, 0.6, 0.8]
    """
    raw = max(end, 1e-9) / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(k * power for k in (1, 2, 5, 10) if k * power >= raw)
    return [round(i * step, 12) for i in range(int(end / step + 1e-9) + 1)]


def alt_text(title: str, xlabel: str, ylabel: str, legend: Sequence[str]) -> str:
    """A chart in words: ``<Figure: title | x: … | y: … | legend; entries>`` (parts left out when empty)."""
    parts = [title, f"x: {xlabel}" if xlabel else "", f"y: {ylabel}" if ylabel else "", "; ".join(legend)]
    return "<Figure: " + " | ".join(p for p in parts if p).replace("\n", " / ") + ">"


class Drawing:
    """Something a notebook shows as an SVG chart (``text/html``) and as its words (``text/plain``)."""

    def alt_text(self) -> str:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.alt_text()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:  # noqa: ARG002  (IPython passes both by keyword)
        return {"text/html": self._repr_html_(), "text/plain": self.alt_text()}


def page(title: str, body: Sequence[str], *, below: float = 0.0) -> str:
    """``body`` (SVG elements) in the chart's frame, under ``title``; ``below``: pixels added under the x axis."""
    height = HEIGHT + below
    shown = escape(title.replace("\n", " / "))
    heading = f'<div style="text-align:center;font-weight:bold">{shown}</div>' if shown else ""
    return (
        f'<div class="ctlab-chart" style="font-family:sans-serif;font-size:12px;max-width:{WIDTH}px">{heading}'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{shown}" width="{WIDTH}" '
        f'height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" style="max-width:100%">{"".join(body)}</svg></div>'
    )


def frame(xlabel: str, ylabel: str, *, below: float = 0.0) -> list[str]:
    """The box around the plot area and the two axis labels (the x label ``below`` pixels lower)."""
    return [
        f'<rect x="{LEFT}" y="{TOP}" width="{INNER_W}" height="{INNER_H}" fill="none" stroke="#555"/>',
        (
            f'<text x="{LEFT + INNER_W / 2}" y="{HEIGHT - 8 + below:.0f}" font-size="11" text-anchor="middle">'
            f"{escape(xlabel)}</text>"
        ),
        (
            f'<text transform="translate({18 - 6 * ylabel.count(chr(10))},{TOP + INNER_H / 2}) rotate(-90)" '
            f'font-size="11" text-anchor="middle">{_lines(ylabel, 0, 13)}</text>'
        ),
    ]


def _lines(text: str, x: float, step: float) -> str:
    """``text`` as SVG ``tspan`` lines, one per line break, ``step`` pixels apart, each starting at ``x``."""
    return "".join(
        f'<tspan x="{x}" dy="{0 if i == 0 else step}">{escape(line)}</tspan>' for i, line in enumerate(text.split("\n"))
    )


def x_ticks(ticks: Sequence[tuple[float, str]], *, slant: bool = False, base: float = TOP + INNER_H) -> list[str]:
    """Tick marks and labels below the plot area (whose bottom edge is at pixel ``base``), at pixel ``x``; ``slant``
    tilts labels too long to stand side by side."""
    marks = [f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="#555"/>' for x, _ in ticks]
    if slant:
        return marks + [
            f'<text transform="translate({x:.1f},{base + 14}) rotate(-12)" font-size="10" text-anchor="end">'
            f"{escape(text)}</text>"
            for x, text in ticks
        ]
    return marks + [
        f'<text x="{x:.1f}" y="{base + 16}" font-size="10" text-anchor="middle">{escape(text)}</text>'
        for x, text in ticks
    ]


def y_ticks(ticks: Sequence[tuple[float, str]]) -> list[str]:
    """Tick marks and labels left of the plot area, at pixel ``y``."""
    return [
        (
            f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT}" y2="{y:.1f}" stroke="#555"/>'
            f'<text x="{LEFT - 6}" y="{y + 3:.1f}" font-size="10" text-anchor="end">{escape(text)}</text>'
        )
        for y, text in ticks
    ]


def legend(entries: Sequence[tuple[str, str, str]]) -> list[str]:
    """``(name, colour, kind)`` beside the plot area, never over it; ``kind`` is ``line``, ``box`` or ``dot``.

    A name with a line break (``label(..., stacked=True)``) takes one line of text per part.
    """
    parts, x, y = [], WIDTH - RIGHT + 10, TOP + 12
    for name, colour, kind in entries:
        if kind == "box":
            parts.append(f'<rect x="{x}" y="{y - 9}" width="18" height="10" fill="{colour}"/>')
        elif kind == "dot":
            parts.append(f'<circle cx="{x + 9}" cy="{y - 4}" r="3" fill="{colour}"/>')
        else:
            parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{x + 24}" y="{y}" font-size="10">{_lines(name, x + 24, 12)}</text>')
        y += 12 * (name.count("\n") + 1) + 6
    return parts


def _scale(low: float, high: float) -> Callable[[float], float]:
    """Pixel ``y`` of a value on a linear axis from ``low`` (bottom) to ``high`` (top)."""
    span = (high - low) or 1.0
    return lambda value: TOP + (high - value) / span * INNER_H


@dataclass(frozen=True)
class Series:
    """One named line: ``points`` as ``(x, y)``.

    ``steps`` holds each value until the next x (a count per bin); ``fill`` shades the area under the line (drawn in
    order, so a later series covers an earlier one: stacked counts); ``dots`` marks each point; ``dashed`` draws a
    reference line; ``ticks`` draws a short vertical mark at each point instead of a line (events on a time axis).
    """

    name: str
    points: Sequence[tuple[float, float]]
    colour: str = ""
    steps: bool = False
    fill: bool = False
    dots: bool = False
    dashed: bool = False
    ticks: bool = False


def _log_ticks(low: float, high: float) -> list[float]:
    """1, 2 and 5 times the powers of ten between ``low`` and ``high`` (only the powers, if that makes too many)."""
    powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = [m * 10.0**k for k in powers for m in (1, 2, 5) if low <= m * 10.0**k <= high]
    return ticks if len(ticks) <= 8 else [v for v in ticks if math.log10(v).is_integer()]


@dataclass(frozen=True, repr=False)
class LineChart(Drawing):
    """Lines on shared axes. ``ylim`` fixes the y range (default: 0, or the lowest point on a ``log_y`` axis, to the
    highest point); x runs from 0 to the last point."""

    series: Sequence[Series]
    title: str
    xlabel: str
    ylabel: str
    ylim: tuple[float, float] | None = None
    log_y: bool = False

    def alt_text(self) -> str:
        return alt_text(self.title, self.xlabel, self.ylabel, [s.name for s in self.series])

    def _colour(self, index: int) -> str:
        return self.series[index].colour or PALETTE[index % len(PALETTE)]

    def _y(self) -> tuple[Callable[[float], float], list[float], float]:
        """Pixel y of a value, the y ticks, and the value at the bottom of the axis."""
        ys = [y for s in self.series for _, y in s.points]
        if self.log_y:
            positive = [y for y in ys if y > 0] or [1.0]
            low, high = self.ylim or (min(positive) / 1.3, max(positive) * 1.3)
            linear = _scale(math.log10(low), math.log10(high))
            return (lambda v: linear(math.log10(max(v, low)))), _log_ticks(low, high), low
        low, high = self.ylim if self.ylim is not None else (0.0, (max(ys, default=1.0) or 1.0) * 1.05)  # headroom
        return _scale(low, high), [v for v in nice_ticks(high, most=5) if v >= low], low

    def _repr_html_(self) -> str:
        x_end = max((x for s in self.series for x, _ in s.points), default=1.0) or 1.0
        to_y, yticks, bottom = self._y()

        def pixel(x: float, y: float) -> tuple[float, float]:
            return LEFT + x / x_end * INNER_W, to_y(y)

        body = frame(self.xlabel, self.ylabel)
        body += x_ticks([(LEFT + v / x_end * INNER_W, f"{v:g}") for v in nice_ticks(x_end)])
        body += y_ticks([(to_y(v), f"{v:g}") for v in yticks])
        for index, series in enumerate(self.series):
            body += self._draw(series, self._colour(index), pixel, bottom)
        body += legend([(s.name, self._colour(i), "box" if s.fill else "line") for i, s in enumerate(self.series)])
        return page(self.title, body)

    @staticmethod
    def _draw(
        series: Series, colour: str, pixel: Callable[[float, float], tuple[float, float]], bottom: float
    ) -> list[str]:
        def at(x: float, y: float) -> str:
            px, py = pixel(x, y)
            return f"{px:.1f},{py:.1f}"

        if series.ticks:
            marks = "".join(f"M{at(x, y)}v-8" for x, y in series.points)
            return [f'<path d="{marks}" stroke="{colour}" stroke-width="1"/>']
        points = list(series.points)
        if series.steps:  # hold each value until the next x
            points = [p for (x0, y0), (x1, _) in pairwise(points) for p in ((x0, y0), (x1, y0))] + points[-1:]
        line = " ".join(at(x, y) for x, y in points)
        if series.fill and points:
            ends = f"{at(points[-1][0], bottom)} {at(points[0][0], bottom)}"
            return [f'<polygon points="{line} {ends}" fill="{colour}" stroke="none"/>']
        dash = ' stroke-dasharray="5,4"' if series.dashed else ""
        parts = [f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.2"{dash}/>']
        if series.dots:
            for x, y in series.points:
                px, py = pixel(x, y)
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
        return parts


@dataclass(frozen=True, repr=False)
class Stack(Drawing):
    """Drawings shown one above the other (two views of one experiment); in words, one line each."""

    parts: Sequence[Drawing]

    def alt_text(self) -> str:
        return "\n".join(part.alt_text() for part in self.parts)

    def _repr_html_(self) -> str:
        return "".join(part._repr_html_() for part in self.parts)


@dataclass(frozen=True, repr=False)
class Bars(Drawing):
    """Grouped bars: for each category on x, one bar per name (``values[name][category]``, missing = 0)."""

    categories: Sequence[str]
    values: dict[str, dict[str, float]]
    ylabel: str
    title: str = ""
    xlabel: str = ""

    def alt_text(self) -> str:
        return alt_text(self.title, self.xlabel, self.ylabel, list(self.values))

    def _repr_html_(self) -> str:
        high = max((v for row in self.values.values() for v in row.values()), default=1.0) or 1.0
        ticks = nice_ticks(high, most=5)
        high = max(high, ticks[-1]) * 1.05
        to_y = _scale(0.0, high)
        group = INNER_W / max(1, len(self.categories))
        width = group * 0.8 / max(1, len(self.values))
        longest = max((len(c) for c in self.categories), default=0) * 6.0  # about 6 px a character
        slant = longest > group
        below = max(0.0, longest * 0.21 - 20) if slant else 0.0  # sin(12°): how far a tilted label reaches down
        body = frame(self.xlabel, self.ylabel, below=below)
        body += x_ticks([(LEFT + group * (j + 0.5), c) for j, c in enumerate(self.categories)], slant=slant)
        body += y_ticks([(to_y(v), f"{v:g}") for v in ticks])
        for i, (name, row) in enumerate(self.values.items()):
            colour = PALETTE[i % len(PALETTE)]
            for j, category in enumerate(self.categories):
                value = row.get(category, 0.0)
                x, y = LEFT + group * (j + 0.1) + i * width, to_y(value)
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{TOP + INNER_H - y:.1f}" '
                    f'fill="{colour}"><title>{escape(name)}: {value:g}</title></rect>'
                )
        body += legend([(name, PALETTE[i % len(PALETTE)], "box") for i, name in enumerate(self.values)])
        return page(self.title, body, below=below)


@dataclass(frozen=True, repr=False)
class Strips(Drawing):
    """For each category on x: a shaded range (``bands``), a reference mark (``marks``) and dots spread sideways
    (``dots`` as ``(category index, sideways offset from -0.5 to 0.5, value)``), on a log-2 y axis with ``yticks``.

    ``names`` label the mark, the range and the dots in the legend.
    """

    categories: Sequence[str]
    bands: Sequence[tuple[float, float]]
    marks: Sequence[float]
    dots: Sequence[tuple[int, float, float]]
    yticks: Sequence[float]
    names: tuple[str, str, str]
    title: str
    xlabel: str
    ylabel: str

    def alt_text(self) -> str:
        return alt_text(self.title, self.xlabel, self.ylabel, self.names)

    def _repr_html_(self) -> str:
        values = [v for band in self.bands for v in band] + list(self.marks) + [v for *_, v in self.dots]
        positive = [v for v in values if v > 0] or [1.0]
        low, high = math.log2(min(positive)) - 0.3, math.log2(max(positive)) + 0.3
        linear = _scale(low, high)

        def to_y(value: float) -> float:
            return linear(math.log2(max(value, 2.0**low)))

        group = INNER_W / max(1, len(self.categories))

        def centre(j: float) -> float:
            return LEFT + group * (j + 0.5)

        body = frame(self.xlabel, self.ylabel)
        body += x_ticks([(centre(j), c) for j, c in enumerate(self.categories)])
        body += y_ticks([(to_y(v), f"{v:g}") for v in self.yticks])
        half = group * 0.35
        for j, (bottom, top) in enumerate(self.bands):
            y = to_y(top)
            body.append(
                f'<rect x="{centre(j) - half:.1f}" y="{y:.1f}" width="{2 * half:.1f}" height="{to_y(bottom) - y:.1f}" '
                'fill="#ffe0b2"/>'
            )
        for j, mark in enumerate(self.marks):
            y = to_y(mark)
            body.append(
                f'<line x1="{centre(j) - half:.1f}" y1="{y:.1f}" x2="{centre(j) + half:.1f}" y2="{y:.1f}" '
                'stroke="#37474f" stroke-width="1.5"/>'
            )
        body += [
            f'<circle cx="{centre(j) + offset * 2 * half:.1f}" cy="{to_y(value):.1f}" r="2" fill="#1565c0" '
            'fill-opacity="0.6"/>'
            for j, offset, value in self.dots
        ]
        mark_name, band_name, dot_name = self.names
        body += legend([(mark_name, "#37474f", "line"), (band_name, "#ffe0b2", "box"), (dot_name, "#1565c0", "dot")])
        return page(self.title, body)
