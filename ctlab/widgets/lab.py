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
from IPython.display import HTML

from ..i18n import CtlabError, Text, register, t
from ..inputs import MAX_WAIT, invalid, is_whole_number
from ..measure import measure
from ..simulate import Simulation, ask
from ..svg import timeline

register(
    __name__,
    {
        "widget.faults": Text("故障脚本", "faults"),
        "widget.run": Text("发送请求", "Send request"),
        "widget.clear": Text("清空", "Clear"),
        "widget.help": Text(
            "每个词是一次请求的结果，最后一个会一直重复。例：429 429 200、529、timeout、429(retry-after=3) 200",
            "Each word is what one request gets; the last one repeats forever. E.g. 429 429 200, 529, timeout, "
            "429(retry-after=3) 200",
        ),
        "widget.preset": Text("预设", "preset"),
        "widget.code": Text("要运行的代码", "code to run"),
    },
)

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
#: The ``max_retries`` slider's range is 0 to this.
SLIDER_MAX_RETRIES = 8
_WIDE = {"description_width": "initial"}
_AUTO = w.Layout(width="auto")


def error_html(error: CtlabError) -> HTML:
    """The error, escaped: it quotes the learner's own text (``<script>`` stays text)."""
    return HTML(f'<pre class="ctlab-error">{html.escape(str(error), quote=False)}</pre>')  # type: ignore[no-untyped-call]


def _is_slider_retries(value: object) -> bool:
    return is_whole_number(value) and 0 <= value <= SLIDER_MAX_RETRIES


def _is_seconds(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= MAX_WAIT


def _is_functions(value: object) -> bool:
    """``None``, or a non-empty dict of name → function."""
    return value is None or (
        isinstance(value, Mapping) and bool(value) and all(isinstance(k, str) and callable(v) for k, v in value.items())
    )


def _is_scripts(value: object) -> bool:
    return (
        isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and all(isinstance(p, str) for p in value)
    )


def _rules() -> dict[str, tuple[Callable[[object], bool], Text]]:
    """For each argument of :class:`FaultLab`: the test a value must pass, and the words for what it takes."""
    return {
        "faults": (lambda value: isinstance(value, str), t("input.allowed.script")),
        "max_retries": (_is_slider_retries, t("input.allowed.int_range", low=0, high=SLIDER_MAX_RETRIES)),
        "timeout": (_is_seconds, t("input.allowed.seconds", limit=int(MAX_WAIT))),
        "call": (lambda value: value is None or callable(value), t("input.allowed.function")),
        "choices": (_is_functions, t("input.allowed.functions")),
        "presets": (_is_scripts, t("input.allowed.scripts")),
        "seed": (is_whole_number, t("input.allowed.int")),
        "show_plot": (lambda value: isinstance(value, bool), t("input.allowed.bool")),
    }


def _check_options(**arguments: object) -> None:
    """Refuse a bad argument with a :class:`CtlabError` naming what is allowed, before any widget exists."""
    rules = _rules()
    for name, value in arguments.items():
        accepts, allowed = rules[name]
        if not accepts(value):
            raise invalid("FaultLab", name, value, allowed)


class FaultLab(w.VBox):  # type: ignore[misc]  # ipywidgets has no type hints
    """Pick faults, ``max_retries`` and ``timeout``; click to send a real SDK request to the simulated server.

    ``call(client)`` is what a click runs (default: the docs page's request);
    ``choices`` (name -> call) adds a menu to pick the code under test instead.
    Anything the code prints is shown under the timeline.

    Every argument is checked first (a :class:`~ctlab.i18n.CtlabError` names what
    is allowed): ``max_retries`` 0 to :data:`SLIDER_MAX_RETRIES`, ``timeout``
    seconds above 0 and at most :data:`ctlab.inputs.MAX_WAIT`. The fault text is
    checked on each click, and a mistake is shown (escaped) instead of raised.
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
        _check_options(
            faults=faults, max_retries=max_retries, timeout=timeout, call=call, choices=choices, presets=presets,
            seed=seed, show_plot=show_plot,
        )
        self.call = call
        self.code: Any = None
        if choices:
            self.code = w.Dropdown(options=list(choices.items()), description=str(t("widget.code")), style=_WIDE)
        self.seed = seed
        self.show_plot = show_plot
        self.last: Simulation | None = None
        self.preset = w.Dropdown(
            options=list(presets),
            value=faults if faults in presets else None,
            description=str(t("widget.preset")),
            style=_WIDE,
        )
        self.faults = w.Text(
            value=faults, description=str(t("widget.faults")), layout=w.Layout(width="460px"), style=_WIDE
        )
        self.max_retries = w.IntSlider(
            value=max_retries, min=0, max=SLIDER_MAX_RETRIES, description="max_retries", style=_WIDE
        )
        self.timeout = w.SelectionSlider(
            options=sorted({*TIMEOUTS, float(timeout)}), value=float(timeout), description="timeout (s)", style=_WIDE
        )
        self.button = w.Button(description=str(t("widget.run")), button_style="primary", icon="play", layout=_AUTO)
        self.clear = w.Button(description=str(t("widget.clear")), layout=_AUTO)
        self.out = w.Output()
        self.preset.observe(self._on_preset, names="value")
        self.button.on_click(lambda _: self.click())
        self.clear.on_click(lambda _: self._clear())
        help_text = w.HTML(f"<small>{html.escape(str(t('widget.help')), quote=False)}</small>")
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
            printed_html = f'<pre class="ctlab-printed">{html.escape(title + printed)}</pre>'
            self.out.append_display_data(HTML(printed_html))  # type: ignore[no-untyped-call]

    def _clear(self) -> None:
        self.out.outputs = ()  # a state change, not a clear_output message: safe in any cell

    def click(self) -> Simulation | None:
        """What the button does: run once, show the table (and plot) below. Returns the simulation."""
        self._clear()
        try:
            call = self.code.value if self.code else (self.call or ask)
            measured = measure(call, self.faults.value, **self.settings())
        except CtlabError as error:
            self.out.append_display_data(error_html(error))
            return None
        sim = self.last = measured.sim
        self.out.append_display_data(sim)
        self.show_printed(measured.printed)
        if self.show_plot:
            self.out.append_display_data(HTML(timeline(sim)))  # type: ignore[no-untyped-call]
        return sim
