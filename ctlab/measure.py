"""Measure retry code under a battery of faults, side by side.

    >>> import ctlab
    >>> from ctlab.docs_loop import chat_with_retry, MESSAGES
    >>> table = compare({"docs": lambda c: chat_with_retry(c, MESSAGES)}, ["429", "529"])
    >>> [(m.faults, m.requests, m.wasted) for m in table.measurements]
    [('429', 9, 4.0), ('529', 3, 0.0)]

For each fault script a :class:`Measurement` keeps the HTTP requests sent, the
time slept, the sleep *wasted* after the final attempt, and what the caller got.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .charts import Bars
from .faults import FaultsLike, parse
from .i18n import Text, label, register, t
from .show import TableView, describe_outcome, plain
from .simulate import Simulation, run

register(
    __name__,
    {
        "measure.faults": Text("故障", "faults"),
        "measure.code": Text("代码", "code"),
        "measure.requests": Text("HTTP 请求数", "HTTP requests"),
        "measure.slept": Text("总共睡了 (s)", "slept (s)"),
        "measure.wasted": Text("最后一次之后白等 (s)", "slept after the last attempt (s)"),
        "measure.elapsed": Text("虚拟耗时 (s)", "virtual time (s)"),
        "measure.outcome": Text("调用方拿到的结果", "what the caller got"),
    },
)

Call = Callable[[Any], Any]


@dataclass(frozen=True)
class Measurement:
    """One function under one fault script."""

    name: str
    faults: str
    sim: Simulation
    printed: str

    @property
    def requests(self) -> int:
        return self.sim.requests

    @property
    def slept(self) -> float:
        return self.sim.slept

    @property
    def wasted(self) -> float:
        """Seconds slept after the final attempt: waiting for nothing."""
        return self.sim.attempts[-1].waited if self.sim.attempts else 0.0

    @property
    def elapsed(self) -> float:
        return self.sim.elapsed

    @property
    def outcome(self) -> Text:
        return describe_outcome(self.sim.outcome)


def measure(call: Call, faults: FaultsLike, *, name: str = "", seed: int = 0, **client_options: Any) -> Measurement:
    """Run ``call(client)`` once under ``faults``; what it prints is captured, not shown."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        sim = run(faults, call, seed=seed, **client_options)
    return Measurement(name, str(parse(faults)), sim, buffer.getvalue())


_COLUMNS = ("measure.faults", "measure.code", "measure.requests", "measure.slept", "measure.wasted", "measure.outcome")


@dataclass(frozen=True, repr=False)
class Comparison(TableView):
    """Several functions under the same fault scripts."""

    COLUMNS = _COLUMNS
    RIGHT = (2, 3, 4)
    CSS = "ctlab-compare"

    measurements: tuple[Measurement, ...]

    def by(self, name: str) -> list[Measurement]:
        return [m for m in self.measurements if m.name == name]

    def rows(self) -> list[list[Text]]:
        return [
            [
                plain(m.faults), plain(m.name), plain(str(m.requests)),
                plain(f"{m.slept:.2f}"), plain(f"{m.wasted:.2f}"), m.outcome,
            ]
            for m in self.measurements
        ]

    def plot(self, metric: str = "requests") -> Bars:
        """Grouped bars (inline SVG) of ``metric`` (``requests``, ``slept``, ``wasted``, ``elapsed``) per fault
        script."""
        names = list(dict.fromkeys(m.name for m in self.measurements))
        faults = list(dict.fromkeys(m.faults for m in self.measurements))
        values = {name: {m.faults: float(getattr(m, metric)) for m in self.by(name)} for name in names}
        return Bars(faults, values, ylabel=label(t(f"measure.{metric}")))


def compare(
    calls: Mapping[str, Call], faults: Sequence[FaultsLike], *, seed: int = 0, **client_options: Any
) -> Comparison:
    """Measure every function in ``calls`` under every script in ``faults``."""
    return Comparison(
        tuple(
            measure(call, script, name=name, seed=seed, **client_options)
            for script in faults
            for name, call in calls.items()
        )
    )
