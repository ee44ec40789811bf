"""FaultLab: pick faults and client options, click, and the real SDK meets the simulated server.

    >>> from ctlab.widgets import FaultLab
    >>> lab = FaultLab(faults="429 200")
    >>> lab.click().requests
    2

Results are written with ``Output.append_display_data`` (not ``print`` inside
``with out:``), so a notebook executed with the widget stays comparable by nbval.
"""

from __future__ import annotations

import html

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as w
from IPython.display import HTML, Image

from ..i18n import CtlabError, t
from ..figures import png
from ..show import plot
from ..measure import measure
from ..simulate import Simulation, ask

#: Fault scripts offered in the preset menu.
PRESETS: tuple[str, ...] = (
    "429 200",
    "429",
    "529 529 200",
    "529",
    "500 200",
    "timeout 200",
    "disconnect 200",
    "429(retry-after=3) 200",
    "400",
    "401",
    "stream-error",
)


#: The read timeouts offered (seconds); the SDK's default is 600.
TIMEOUTS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 600.0)
_WIDE = {"description_width": "initial"}
_AUTO = w.Layout(width="auto")


def _error_html(error: CtlabError) -> HTML:
    return HTML(f'<pre class="ctlab-error">{error}</pre>')


class FaultLab(w.VBox):
    """Pick faults, ``max_retries`` and ``timeout``; click to send a real SDK request to the simulated server.

    ``call(client)`` is what a click runs (default: the docs page's request);
    ``choices`` (name -> call) adds a menu to pick the code under test instead.
    Anything the code prints is shown under the timeline.
    """

    def __init__(
        self,
        faults: str = "429 200",
        *,
        max_retries: int = 2,
        timeout: float = 600.0,
        call: Callable[[Any], Any] | None = None,
        choices: Mapping[str, Callable[[Any], Any]] | None = None,
        presets: Sequence[str] = PRESETS,
        seed: int = 0,
        show_plot: bool = True,
    ) -> None:
        self.call = call
        self.code = w.Dropdown(options=list(choices.items()), description=str(t("widget.code")), style=_WIDE) if choices else None
        self.seed = seed
        self.show_plot = show_plot
        self.last: Simulation | None = None
        self.preset = w.Dropdown(options=list(presets), value=faults if faults in presets else None, description=str(t("widget.preset")), style=_WIDE)
        self.faults = w.Text(value=faults, description=str(t("widget.faults")), layout=w.Layout(width="460px"), style=_WIDE)
        self.max_retries = w.IntSlider(value=max_retries, min=0, max=8, description="max_retries", style=_WIDE)
        self.timeout = w.SelectionSlider(
            options=sorted({*TIMEOUTS, float(timeout)}), value=float(timeout), description="timeout (s)", style=_WIDE
        )
        self.button = w.Button(description=str(t("widget.run")), button_style="primary", icon="play", layout=_AUTO)
        self.clear = w.Button(description=str(t("widget.clear")), layout=_AUTO)
        self.out = w.Output()
        self.preset.observe(self._on_preset, names="value")
        self.button.on_click(lambda _: self.click())
        self.clear.on_click(lambda _: self._clear())
        help_text = w.HTML(f"<small>{t('widget.help')}</small>")
        super().__init__(
            [
                w.HBox([self.preset, self.faults]),
                help_text,
                w.HBox([self.max_retries, self.timeout]),
                *([self.code] if self.code else []),
                w.HBox([self.button, self.clear]),
                self.out,
            ]
        )

    def _on_preset(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.faults.value = change["new"]

    def settings(self) -> dict[str, Any]:
        """The seed and the SDK client options the controls hold now."""
        return {"seed": self.seed, "max_retries": self.max_retries.value, "timeout": self.timeout.value}

    def show_printed(self, printed: str, name: str = "") -> None:
        """Show what the code under test printed, if anything, under the timeline."""
        if printed:
            title = f"{name}:\n" if name else ""
            self.out.append_display_data(HTML(f'<pre class="ctlab-printed">{html.escape(title + printed)}</pre>'))

    def _clear(self) -> None:
        self.out.outputs = ()  # a state change, not a clear_output message: safe in any cell

    def click(self) -> Simulation | None:
        """What the button does: run once, show the table (and plot) below. Returns the simulation."""
        self._clear()
        try:
            measured = measure(self.code.value if self.code else (self.call or ask), self.faults.value, **self.settings())
        except CtlabError as error:
            self.out.append_display_data(_error_html(error))
            return None
        sim = self.last = measured.sim
        self.out.append_display_data(sim)
        self.show_printed(measured.printed)
        if self.show_plot:
            self.out.append_display_data(Image(png(plot(sim))))
        return sim
