"""SDKLab: the SDK's own retry under a fault you pick — and, one button away, the docs' loop under the same fault.

    >>> from ctlab.widgets.sdk import SDKLab
    >>> lab = SDKLab(faults="429")
    >>> lab.click().requests
    3
    >>> [m.requests for m in lab.compare().measurements]
    [3, 9]

Like :class:`~ctlab.widgets.FaultLab` (which it extends), it writes its results with
``Output.append_display_data``, so a notebook that stores a click stays comparable by nbval.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Sequence
from typing import Any

import ipywidgets as w
from IPython.display import HTML

from .. import docs_loop
from ..i18n import CtlabError, Text, label, register, t
from ..measure import Comparison, compare
from ..simulate import ask
from ..svg import timeline
from .lab import FaultLab, error_html

register(
    __name__,
    {
        "sdk.code.sdk": Text("SDK 内置重试", "SDK built-in retry"),
        "sdk.code.docs": Text("文档页的循环", "the docs' loop"),
        "sdk.widget.compare": Text("再用文档页的循环跑一遍", "Also run the docs' loop"),
        "sdk.widget.help": Text(
            "滑块设置的是 SDK 客户端的 max_retries 和 timeout。文档页的循环把这个客户端包在里面，自己最多调用它 "
            "{rounds} 次。",
            "The sliders set the SDK client's max_retries and timeout. The docs' loop wraps that client and calls it "
            "up to {rounds} times.",
        ),
    },
)

#: Fault scripts that show one SDK behaviour each.
SDK_PRESETS: tuple[str, ...] = (
    "529 529 200",
    "529",
    "429",
    "429(retry-after=3) 200",
    "429(retry-after-ms=1500) 200",
    "timeout",
    "connect-timeout",
    "disconnect 200",
    "400",
    "529(x-should-retry=false)",
    "400(x-should-retry=true) 200",
    "408 409 500 503 200",
)

#: How many times the docs' loop calls the client (its own ``max_retries`` default).
DOCS_ROUNDS: int = inspect.signature(docs_loop.chat_with_retry).parameters["max_retries"].default


def docs(client: Any) -> str:
    """The docs page's loop with its own defaults, on ``client``."""
    return docs_loop.chat_with_retry(client, docs_loop.MESSAGES)


class SDKLab(FaultLab):
    """Sliders for the SDK client's ``max_retries`` and ``timeout``, a fault picker, the SDK's timeline;
    plus a button (:meth:`compare`) that runs the same fault and client through the docs' loop too."""

    children: tuple[Any, ...]  # ipywidgets' trait, declared for the type checker only

    def __init__(self, faults: str = "529 529 200", *, presets: Sequence[str] = SDK_PRESETS, **options: Any) -> None:
        super().__init__(faults, call=ask, presets=presets, **options)
        self.compare_button = w.Button(description=str(t("sdk.widget.compare")), icon="columns")
        for button in (self.button, self.compare_button):  # two-language labels need more than the default width
            button.layout.width = "auto"
        self.compare_button.on_click(lambda _: self.compare())
        children: tuple[Any, ...] = tuple(self.children)
        buttons = next(c for c in children if isinstance(c, w.HBox) and self.button in c.children)
        buttons.children = (*buttons.children, self.compare_button)
        hint = w.HTML(f"<small>{html.escape(str(t('sdk.widget.help', rounds=DOCS_ROUNDS)))}</small>")
        self.children = (*children[:-1], hint, self.out)

    def compare(self) -> Comparison | None:
        """What the second button does: the same fault, client options and seed, through both; table and timelines."""
        self._clear()
        labels = (t("sdk.code.sdk"), t("sdk.code.docs"))
        try:
            table = compare({str(labels[0]): ask, str(labels[1]): docs}, [self.faults.value], **self.settings())
        except CtlabError as error:
            self.out.append_display_data(error_html(error))
            return None
        self.out.append_display_data(table)
        for m in table.measurements:
            self.show_printed(m.printed, m.name)
        if self.show_plot:
            self.out.append_display_data(HTML(_timelines(table, labels)))  # type: ignore[no-untyped-call]
        return table


def _timelines(table: Comparison, labels: Sequence[Text]) -> str:
    """One timeline per measurement, stacked, each titled by its label and its virtual time; one legend, underneath."""
    last = len(table.measurements) - 1
    return "".join(
        timeline(m.sim, title=f"{label(name)} · {m.sim.elapsed:.2f} s", legend=i == last)
        for i, (m, name) in enumerate(zip(table.measurements, labels, strict=True))
    )
