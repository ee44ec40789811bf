"""ScaleLab: pick how many clients, their backoff and the server's capacity; click to run and plot.

    >>> from ctlab.widgets.scale import ScaleLab
    >>> lab = ScaleLab(clients=50, strategy="full", capacity=10)
    >>> lab.click().succeeded
    50

It runs :func:`ctlab.scale.crowd` (a thundering herd: every client starts at
time 0 and retries until it gets through) and shows the summary and the calls
per second the server received. Results are written with
``Output.append_display_data``, so an executed notebook stays comparable by nbval.
"""

from __future__ import annotations

import html

import ipywidgets as w
from IPython.display import HTML

from ..backoff import STRATEGIES
from ..i18n import CtlabError, Text, register, t
from ..scale import Crowd, crowd

register(
    __name__,
    {
        "widget.scale.clients": Text("客户端数", "clients"),
        "widget.scale.strategy": Text("退避策略", "backoff"),
        "widget.scale.capacity": Text("容量 (次/秒)", "capacity (/s)"),
        "widget.scale.run": Text("运行模拟", "Run simulation"),
    },
)

_WIDE = {"description_width": "initial"}


class ScaleLab(w.VBox):  # type: ignore[misc]  # ipywidgets has no type hints
    """Sliders for clients and capacity, a strategy menu, a button; the result appears below."""

    def __init__(self, clients: int = 100, strategy: str = "full", capacity: int = 10, *, seed: int = 0) -> None:
        if strategy not in STRATEGIES:
            raise CtlabError("backoff.strategy", value=repr(strategy), allowed=", ".join(STRATEGIES))
        self.seed = seed
        self.last: Crowd | None = None
        self.clients = w.IntSlider(
            value=clients, min=10, max=200, step=10, description=str(t("widget.scale.clients")), style=_WIDE
        )
        self.strategy = w.Dropdown(
            options=[(str(t(f"backoff.strategy.{s}")), s) for s in STRATEGIES],
            value=strategy,
            description=str(t("widget.scale.strategy")),
            style=_WIDE,
            layout=w.Layout(width="420px"),
        )
        self.capacity = w.IntSlider(
            value=capacity, min=1, max=50, description=str(t("widget.scale.capacity")), style=_WIDE
        )
        self.button = w.Button(  # a two-language label needs more than the default width
            description=str(t("widget.scale.run")), button_style="primary", icon="play", layout=w.Layout(width="auto")
        )
        self.out = w.Output()
        self.button.on_click(lambda _: self.click())
        super().__init__([w.HBox([self.clients, self.capacity]), self.strategy, self.button, self.out])

    def click(self) -> Crowd:
        """What the button does: run once, show the summary and the plot. Returns the result."""
        self.out.outputs = ()
        result = crowd(self.clients.value, self.strategy.value, capacity=self.capacity.value, seed=self.seed)
        self.last = result
        summary = html.escape(str(result.summary()))
        self.out.append_display_data(HTML(f'<p class="ctlab-scale">{summary}</p>'))  # type: ignore[no-untyped-call]
        self.out.append_display_data(HTML(result.plot()._repr_html_()))  # type: ignore[no-untyped-call]
        return result
