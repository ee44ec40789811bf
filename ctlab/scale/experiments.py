"""The experiments notebook 05 runs on the crowd engine: strategies by crowd size,
policies by load, and Brooker's setup.

    >>> s = sweep(clients=(10, 50), strategies=("exponential", "full"), seeds=1)
    >>> s.value("exponential", 50, "finished") > s.value("full", 50, "finished")
    True

Each result is a small table (:meth:`Sweep.table`, :meth:`Overload.table`,
drawn by :func:`ctlab.show.text_grid`) and two line charts (inline SVG).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..backoff import STRATEGIES, Backoff
from ..charts import LineChart, Series, Stack
from ..i18n import CtlabError, Text, label, register, t
from ..i18n import lang as language
from ..ratelimit import RateLimit
from ..show import plain, shown_langs, text_grid
from .engine import Crowd, crowd
from .policy import Policy
from .servers import OptimisticRow

register(
    __name__,
    {
        "scale.policy": Text(
            "不认识的客户端策略 {value}，可选：{allowed}",
            "unknown client policy {value}; allowed: {allowed}",
        ),
        "scale.policy.once": Text("不重试", "no retries"),
        "scale.policy.retries": Text("最多 3 次（SDK 默认）", "up to 3 attempts (SDK default)"),
        "scale.policy.layers": Text("3 层各 3 次", "3 layers × 3 attempts"),
        "scale.policy.budget": Text("3 次 + 10% 重试预算", "3 attempts + 10% retry budget"),
        "scale.policy.throttle": Text("3 次 + 自适应限流 (K=2)", "3 attempts + adaptive throttling (K=2)"),
        "scale.clients_axis": Text("客户端数", "clients"),
        "scale.metric.calls": Text("服务端收到的请求数", "calls to the server"),
        "scale.metric.finished": Text("全部完成用时 (s)", "time until all done (s)"),
        "scale.metric.failed": Text("放弃的客户端数", "clients that gave up"),
        "scale.metric.goodput": Text("有效吞吐（× 容量）", "goodput (× capacity)"),
        "scale.metric.load": Text("到达服务端的请求（× 容量）", "calls reaching the server (× capacity)"),
        "scale.metric.success": Text("成功的任务占比", "share of jobs that succeeded"),
        "scale.offered": Text("业务请求量（× 服务端容量）", "offered load (× server capacity)"),
        "scale.capacity": Text("服务端容量", "server capacity"),
    },
)

__all__ = ["POLICIES", "Overload", "Sweep", "brooker", "overload", "sweep"]


def brooker(clients: int = 100, strategy: str = "full", *, seed: int = 0) -> Crowd:
    """Marc Brooker's 2015 setup: :class:`~ctlab.scale.servers.OptimisticRow`, 10 ± 2 ms hops, base 5 ms, cap 2 s,
    retry until done.

    His attempt counter starts at 1 (first wait ``min(cap, 2 * base)``), ours at 0 like
    the SDK's, so the exponential family gets ``base=10 ms`` here; decorrelated keeps 5 ms.

    >>> brooker(20, "full").succeeded
    20
    """
    base = 0.005 if strategy == "decorrelated" else 0.010
    return crowd(clients, Backoff(strategy, base=base, cap=2.0), server=OptimisticRow(), latency=0.010, seed=seed)


# -- shared by both experiments ---------------------------------------------------------
def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def _two_charts(
    xs: Sequence[float],
    lines: dict[str, str],
    value: Callable[[str, Any, str], float],
    metrics: tuple[str, str],
    x_label: str,
    *,
    log: tuple[bool, bool],
    capacity_line: bool = False,
) -> Stack:
    """Two line charts, one per metric, one above the other, with a line per entry of ``lines`` (label key -> name);
    ``log`` puts a chart's y on a log scale; ``capacity_line`` draws the server's capacity (1.0) on the first."""
    charts = []
    for n, metric in enumerate(metrics):
        series = [
            Series(label(t(key), stacked=True), [(float(x), value(name, x, metric)) for x in xs], dots=True)
            for key, name in lines.items()
        ]
        if capacity_line and n == 0:
            level = [(0.0, 1.0), (float(xs[-1]), 1.0)]
            series.append(Series(label(t("scale.capacity"), stacked=True), level, "#808080", dashed=True))
        ylabel = label(t(f"scale.metric.{metric}"), stacked=True)
        charts.append(LineChart(series, title="", xlabel=label(t(x_label)), ylabel=ylabel, log_y=log[n]))
    return Stack(charts)


def _metric_table(
    metric: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], lang: str | None
) -> str:
    """One metric as a text table: a row per ``(message key, cells)``, a column per setting; ``lang`` None:
    each language shown."""
    header = [t(f"scale.metric.{metric}"), *map(plain, columns)]
    body: list[list[Text]] = [[t(key), *map(plain, cells)] for key, cells in rows]
    if lang is None:
        return text_grid(header, body, right=tuple(range(1, len(header))))
    with language(lang):
        return text_grid(header, body, right=tuple(range(1, len(header))))


# -- strategies by crowd size -------------------------------------------------------------
@dataclass(frozen=True)
class Sweep:
    """Mean calls, completion time and give-ups for each strategy and number of clients."""

    clients: tuple[int, ...]
    strategies: tuple[str, ...]
    seeds: int
    results: dict[tuple[str, int], tuple[float, float, float]] = field(repr=False)

    def value(self, strategy: str, clients: int, metric: str = "calls") -> float:
        """``metric`` is ``calls``, ``finished`` (seconds) or ``failed``."""
        return self.results[(strategy, clients)][("calls", "finished", "failed").index(metric)]

    def table(self, metric: str = "calls", lang: str | None = None) -> str:
        """One metric as a text table (in each language when the language is ``both``)."""
        fmt = "{:.1f}" if metric == "finished" else "{:.0f}"
        rows = [
            (f"backoff.strategy.{s}", [fmt.format(self.value(s, n, metric)) for n in self.clients])
            for s in self.strategies
        ]
        return _metric_table(metric, [str(n) for n in self.clients], rows, lang)

    def __str__(self) -> str:
        failed = any(self.value(s, n, "failed") for s in self.strategies for n in self.clients)
        metrics = ("calls", "finished", "failed") if failed else ("calls", "finished")
        return "\n\n".join(self.table(m, lang) for lang in shown_langs() for m in metrics)

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(str(self))

    def plot(self) -> Stack:
        """Calls and completion time against the number of clients, one line per strategy."""
        lines = {f"backoff.strategy.{k}": k for k in self.strategies}
        metrics = ("calls", "finished")
        return _two_charts(self.clients, lines, self.value, metrics, "scale.clients_axis", log=(True, False))


def sweep(
    clients: Sequence[int] = (10, 25, 50, 100, 150, 200),
    strategies: Sequence[str] = STRATEGIES,
    *,
    seeds: int = 3,
    attempts: int | None = None,
    **options: Any,
) -> Sweep:
    """:func:`~ctlab.scale.engine.crowd` for every strategy and number of clients, averaged over
    ``seeds`` seeds (0, 1, ...).

    ``options`` go to :func:`~ctlab.scale.engine.crowd` (``capacity``, ``latency``, ``server`` ...).
    """
    results = {}
    for strategy in strategies:
        for n in clients:
            runs = [crowd(n, Policy(Backoff(strategy), attempts=attempts), seed=s, **options) for s in range(seeds)]
            results[(strategy, n)] = (
                _mean(r.calls for r in runs),
                _mean(r.finished for r in runs),
                _mean(r.failed for r in runs),
            )
    return Sweep(tuple(clients), tuple(strategies), seeds, results)


# -- policies by load ---------------------------------------------------------------------
#: The client policies notebook 05 puts under overload (all use the SDK's waits).
POLICIES: dict[str, Policy] = {
    "once": Policy(attempts=1),
    "retries": Policy(attempts=3),
    "layers": Policy(attempts=3, layers=3),
    "budget": Policy(attempts=3, budget=0.1),
    "throttle": Policy(attempts=3, throttle=2.0),
}


@dataclass(frozen=True)
class Overload:
    """Goodput and server load (both as multiples of capacity) for each policy and offered load."""

    loads: tuple[float, ...]
    policies: tuple[str, ...]
    results: dict[tuple[str, float], tuple[float, float, float]] = field(repr=False)

    def value(self, policy: str, load: float, metric: str = "goodput") -> float:
        """``metric`` is ``goodput``, ``load`` (calls reaching the server) or ``success`` (share of jobs done)."""
        return self.results[(policy, load)][("goodput", "load", "success").index(metric)]

    def table(self, metric: str = "goodput", lang: str | None = None) -> str:
        """One metric as a text table (in each language when the language is ``both``)."""
        rows = [(f"scale.policy.{p}", [f"{self.value(p, x, metric):.2f}" for x in self.loads]) for p in self.policies]
        return _metric_table(metric, [f"{x:g}×" for x in self.loads], rows, lang)

    def __str__(self) -> str:
        return "\n\n".join(self.table(m, lang) for lang in shown_langs() for m in ("goodput", "load"))

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(str(self))

    def plot(self) -> Stack:
        """Goodput and load against offered load, one line per policy."""
        lines = {f"scale.policy.{k}": k for k in self.policies}
        return _two_charts(
            self.loads, lines, self.value, ("goodput", "load"), "scale.offered", log=(False, True), capacity_line=True
        )


def overload(
    loads: Sequence[float] = (0.5, 1, 1.5, 2, 3, 4),
    policies: Sequence[str] = tuple(POLICIES),
    *,
    clients: int = 10,
    capacity: float = 10.0,
    reject_cost: float = 0.1,
    duration: float = 60.0,
    seed: int = 0,
) -> Overload:
    """Steady traffic at ``load`` times the server's capacity, for ``duration`` seconds, under each policy.

    Goodput and load are measured over the last two thirds of the run, as
    multiples of ``capacity``; success is the share of all jobs that succeeded.

    >>> o = overload(loads=(3,), policies=("retries", "throttle"), duration=30)
    >>> o.value("retries", 3) < 0.5 < o.value("throttle", 3)
    True
    """
    for name in policies:
        if name not in POLICIES:
            raise CtlabError("scale.policy", value=repr(name), allowed=", ".join(POLICIES))
    server = RateLimit(capacity, reject_cost=reject_cost)
    start, end = duration / 3, duration
    results = {}
    for load in loads:
        interval = clients / (load * capacity)
        jobs = duration / interval
        for name in policies:
            r = crowd(clients, POLICIES[name], server=server, jobs=jobs, interval=interval, seed=seed)
            results[(name, load)] = (
                r.rate(start, end, accepted_only=True) / capacity,
                r.rate(start, end) / capacity,
                r.succeeded / r.jobs,
            )
    return Overload(tuple(loads), tuple(policies), results)
