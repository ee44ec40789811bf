"""The course's figures: the same font on every machine, and words a test can read.

Every ctlab plot is a :class:`CourseFigure` made by :func:`figure`. Its text is
drawn in DejaVu Sans (shipped with matplotlib) with Chinese from the font that
ships with ctlab (``fonts/ctlab-cjk-sans.otf``, a subset of Noto Sans CJK SC),
so a plot looks the same whether or not the machine has a CJK font, and
whenever matplotlib built its font cache. In a notebook it shows as a PNG whose
``text/plain`` is its words — title, axis labels, legend — which nbval compares.

    >>> from ctlab.i18n import Text, label
    >>> fig, ax = figure(figsize=(4, 2))
    >>> ax.set_title(label(Text("标题", "title")))
    Text(...)
    >>> ax.set_xlabel("x (s)")
    Text(...)
    >>> print(fig.alt_text())
    <Figure: 标题 / title | x: x (s)>
    >>> png(fig)[:4]
    b'\\x89PNG'
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.figure import Figure

FONT_FILE = Path(__file__).parent / "fonts" / "ctlab-cjk-sans.otf"
"""Chinese glyphs for plots: GB 2312 and every character ctlab uses (SIL OFL 1.1, see ``fonts/OFL.txt``)."""

FONT_FAMILY = ["DejaVu Sans", "ctlab CJK Sans"]
"""Latin text from matplotlib's own DejaVu Sans; a glyph it lacks comes from ctlab's CJK font."""

DPI = 100


@lru_cache(maxsize=1)
def use_course_font() -> None:
    """Register ctlab's font and make :data:`FONT_FAMILY` matplotlib's font (once per process).

    It never looks at the system's fonts, so no system font can change a plot.
    """
    font_manager.fontManager.addfont(str(FONT_FILE))
    mpl.rcParams["font.family"] = FONT_FAMILY


class CourseFigure(Figure):
    """A matplotlib figure that a notebook shows as a PNG with its words as ``text/plain``."""

    def alt_text(self) -> str:
        """Title, axis labels and legend entries of every panel, in drawing order."""
        parts: list[str] = []
        for ax in self.axes:
            parts += [ax.get_title()]
            parts += [f"x: {ax.get_xlabel()}", f"y: {ax.get_ylabel()}"]
            legend = ax.get_legend()
            if legend is not None:
                parts.append("; ".join(text.get_text() for text in legend.get_texts()))
        for legend in self.legends:
            parts.append("; ".join(text.get_text() for text in legend.get_texts()))
        kept = [p for p in parts if p and p not in ("x: ", "y: ")]
        return "<Figure: " + " | ".join(dict.fromkeys(kept)).replace("\n", " / ") + ">"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:  # noqa: ARG002  (IPython passes both by keyword)
        return {"image/png": png(self), "text/plain": self.alt_text()}

    def __repr__(self) -> str:
        return self.alt_text()


Layout = Literal["constrained", "compressed", "tight"]


def figure(*, figsize: tuple[float, float], layout: Layout | None = None, **subplots: Any) -> tuple[CourseFigure, Any]:
    """A new :class:`CourseFigure` and its axes (``subplots`` go to :meth:`Figure.subplots`).

    It is not registered with pyplot, so it never shows twice and needs no closing.
    """
    use_course_font()
    fig = CourseFigure(figsize=figsize, dpi=DPI, layout=layout)
    return fig, fig.subplots(**subplots)


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (what a notebook or a widget shows).

    A figure with a layout engine (``layout="constrained"``) already fits its words inside the canvas, so it is
    drawn once; any other is cropped to its words (``bbox_inches="tight"``), which costs a second drawing.
    """
    buffer = io.BytesIO()
    crop = None if fig.get_layout_engine() is not None else "tight"
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches=crop, metadata={"Software": None})
    return buffer.getvalue()
