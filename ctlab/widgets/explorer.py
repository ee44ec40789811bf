"""ErrorExplorer: pick an error (or type one), click, and see what the real SDK raised and what to do about it.

    >>> from ctlab.widgets.explorer import ErrorExplorer
    >>> explorer = ErrorExplorer("529")
    >>> seen = explorer.click()
    >>> seen.exception.__name__, seen.requests
    ('OverloadedError', 3)

Each click shows the observation card (exception, class hierarchy, ``body``,
``request_id``, retries, cause, what to do) and the attempt timeline, written
with ``Output.append_display_data`` so an executed notebook stays comparable by nbval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from ..advice import STATUSES
from ..i18n import CtlabError, Text, register, t
from ..observation import Observation, observe
from .lab import error_html

register(
    __name__,
    {
        "explorer.choice": Text("从速查表里选", "pick one"),
        "explorer.fault": Text("或者输入", "or type one"),
        "explorer.run": Text("触发这个错误", "Trigger it"),
        "explorer.help": Text(
            "选一个，或者自己输入：任意 400–599 的状态码（如 418、502），可以带选项，如 "
            "429(error-code=enforced_spend_limit_reached)、529(x-should-retry=false)；也可以是 timeout、disconnect、"
            "stream-error。"
            "点按钮，真实的 SDK 就会碰上它（这个词会一直重复，直到 SDK 放弃）。",
            "Pick one or type your own: any status 400–599 (e.g. 418, 502), with options such as "
            "429(error-code=enforced_spend_limit_reached) or 529(x-should-retry=false); or timeout, disconnect, "
            "stream-error. "
            "Click, and the real SDK meets it (the word repeats until the SDK gives up).",
        ),
    },
)

#: What the menu offers: every status in the catalog, then the failures that are not just a status.
CHOICES: tuple[str, ...] = (
    *(str(s) for s in STATUSES),
    "429(error-code=enforced_spend_limit_reached)",
    "timeout",
    "disconnect",
    "stream-error",
)


def _label(faults: str) -> str:
    """``"529 · OverloadedError"``: the word and the class the real SDK raises for it (asked once, with no retries)."""
    error = observe(faults, max_retries=0).error
    return f"{faults} · {type(error).__name__}" if error is not None else faults


class ErrorExplorer(w.VBox):  # type: ignore[misc]  # ipywidgets has no type hints
    """Choose an error from the catalog or type one; click to have the real SDK meet it."""

    def __init__(
        self, faults: str = "529", *, max_retries: int = 2, choices: Sequence[str] = CHOICES, seed: int = 0
    ) -> None:
        self.seed = seed
        self.last: Observation | None = None
        wide, label = w.Layout(width="600px"), {"description_width": "initial"}
        self.choice = w.Dropdown(
            options=[(_label(c), c) for c in choices],
            value=faults if faults in choices else None,
            description=str(t("explorer.choice")),
            layout=wide,
            style=label,
        )
        self.faults = w.Text(value=faults, description=str(t("explorer.fault")), layout=wide, style=label)
        self.max_retries = w.IntSlider(value=max_retries, min=0, max=8, description="max_retries")
        self.button = w.Button(
            description=str(t("explorer.run")), button_style="primary", icon="search", layout=w.Layout(width="auto")
        )
        self.out = w.Output()
        self.choice.observe(self._on_choice, names="value")
        self.button.on_click(lambda _: self.click())
        super().__init__(
            [
                self.choice,
                self.faults,
                w.HTML(f"<small>{t('explorer.help')}</small>"),
                w.HBox([self.max_retries, self.button]),
                self.out,
            ]
        )

    def _on_choice(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.faults.value = change["new"]

    def click(self) -> Observation | None:
        """What the button does: one request through the real SDK; the card and the timeline below."""
        self.out.outputs = ()  # a state change, not a clear_output message: safe in any cell
        try:
            seen = observe(self.faults.value, max_retries=self.max_retries.value, seed=self.seed)
        except CtlabError as error:
            self.out.append_display_data(error_html(error))
            return None
        self.last = seen
        self.out.append_display_data(seen)
        self.out.append_display_data(seen.sim)
        return seen
