"""Many clients, one server: why backoff needs jitter (a small discrete-event simulation).

The SDK sends one request at a time; this module asks what happens when
``clients`` copies of a retry policy meet one server at once. It runs on its
own virtual time (an event queue, no sleeping, no HTTP), seeded, in well under
a second for a hundred clients::

    >>> herd = crowd(100, "full", capacity=10)
    >>> herd.calls == herd.accepted + herd.rejected, herd.succeeded
    (True, 100)

The pieces, each small: :class:`Backoff` (the wait formulas: no backoff,
exponential, full / equal / decorrelated jitter, and the SDK's own), a server
(:class:`RateLimit`, a token bucket; or :class:`OptimisticRow`, the one Marc
Brooker simulated in 2015), a client :class:`Policy` (attempts, retry layers,
the SRE book's retry budget and adaptive throttling), and :func:`crowd`, which
plays them against each other. :func:`sweep` and :func:`overload` run the
experiments notebook 05 plots; :func:`brooker` is his setup, for comparison.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any, Protocol

from anthropic._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY

from .i18n import CtlabError, Text, lang as language, register, t
from .show import plain, shown_langs, text_grid

register(
    __name__,
    {
        "scale.strategy": Text("不认识的退避策略 {value}，可选：{allowed}", "unknown backoff strategy {value}; allowed: {allowed}"),
        "scale.base_cap": Text(
            "退避参数不合法：base 必须大于 0，cap 不能小于 base（收到 base={base!r}, cap={cap!r}）",
            "invalid backoff: base must be > 0 and cap >= base (got base={base!r}, cap={cap!r})",
        ),
        "scale.capacity": Text("服务端容量必须是 >= 0 的数（次/秒），收到的是 {value!r}", "server capacity must be a number >= 0 (calls per second), got {value!r}"),
        "scale.reject_cost": Text("reject_cost 必须在 0 到 1 之间，收到的是 {value!r}", "reject_cost must be between 0 and 1, got {value!r}"),
        "scale.attempts": Text("attempts 必须是 >= 1 的整数，或 None（一直重试到成功），收到的是 {value!r}", "attempts must be a whole number >= 1, or None (retry until it succeeds), got {value!r}"),
        "scale.layers": Text("layers 必须是 >= 1 的整数；多于一层时必须给出 attempts，收到的是 {value!r}", "layers must be a whole number >= 1, and more than one layer needs attempts; got {value!r}"),
        "scale.budget": Text("重试预算 budget 必须在 0 到 1 之间（例如 0.1），收到的是 {value!r}", "the retry budget must be between 0 and 1 (e.g. 0.1), got {value!r}"),
        "scale.throttle": Text("自适应限流的 K 必须 >= 1（SRE 书中用 2），收到的是 {value!r}", "adaptive throttling's K must be >= 1 (the SRE book uses 2), got {value!r}"),
        "scale.clients": Text("客户端数必须是 1 到 10000 的整数，收到的是 {value!r}", "clients must be a whole number from 1 to 10000, got {value!r}"),
        "scale.policy": Text("不认识的客户端策略 {value}，可选：{allowed}", "unknown client policy {value}; allowed: {allowed}"),
        "scale.too_many": Text(
            "模拟的请求超过了 {value} 次，已停止：服务端可能一直拒绝，而策略又是无限重试",
            "stopped after more than {value} simulated calls: the server may never accept while the policy retries forever",
        ),
        "scale.strategy.none": Text("不退避", "no backoff"),
        "scale.strategy.exponential": Text("指数退避（无抖动）", "exponential, no jitter"),
        "scale.strategy.full": Text("全抖动", "full jitter"),
        "scale.strategy.equal": Text("等抖动", "equal jitter"),
        "scale.strategy.decorrelated": Text("去相关抖动", "decorrelated jitter"),
        "scale.strategy.sdk": Text("SDK 的退避（75–100% 抖动）", "the SDK's backoff (75-100% jitter)"),
        "scale.policy.once": Text("不重试", "no retries"),
        "scale.policy.retries": Text("最多 3 次（SDK 默认）", "up to 3 attempts (SDK default)"),
        "scale.policy.layers": Text("3 层各 3 次", "3 layers × 3 attempts"),
        "scale.policy.budget": Text("3 次 + 10% 重试预算", "3 attempts + 10% retry budget"),
        "scale.policy.throttle": Text("3 次 + 自适应限流 (K=2)", "3 attempts + adaptive throttling (K=2)"),
        "scale.summary": Text(
            "{clients} 个客户端，{strategy}：服务端共收到 {calls} 次请求（接受 {accepted}，拒绝 {rejected}），"
            "{finished:.1f} s 后全部结束，{failed} 个放弃",
            "{clients} clients, {strategy}: {calls} calls reached the server ({accepted} accepted, {rejected} rejected); "
            "all done after {finished:.1f} s, {failed} gave up",
        ),
        "scale.clients_axis": Text("客户端数", "clients"),
        "scale.metric.calls": Text("服务端收到的请求数", "calls to the server"),
        "scale.metric.finished": Text("全部完成用时 (s)", "time until all done (s)"),
        "scale.metric.failed": Text("放弃的客户端数", "clients that gave up"),
        "scale.metric.goodput": Text("有效吞吐（× 容量）", "goodput (× capacity)"),
        "scale.metric.load": Text("到达服务端的请求（× 容量）", "calls reaching the server (× capacity)"),
        "scale.metric.success": Text("成功的任务占比", "share of jobs that succeeded"),
        "scale.offered": Text("业务请求量（× 服务端容量）", "offered load (× server capacity)"),
        "scale.accepted": Text("被接受", "accepted"),
        "scale.rejected": Text("被拒绝", "rejected"),
        "scale.per_second": Text("每秒到达的请求", "calls per second"),
        "scale.plot_title": Text("{strategy}：{clients} 个客户端，{calls} 次请求", "{strategy}: {clients} clients, {calls} calls"),
    },
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "POLICIES",
    "STRATEGIES",
    "Backoff",
    "Crowd",
    "OptimisticRow",
    "Overload",
    "Policy",
    "RateLimit",
    "Sweep",
    "brooker",
    "crowd",
    "overload",
    "sweep",
]

#: The wait formulas, in the order the notebook compares them.
STRATEGIES: tuple[str, ...] = ("none", "exponential", "full", "equal", "decorrelated", "sdk")


# -- how long to wait ---------------------------------------------------------
@dataclass(frozen=True)
class Backoff:
    """A wait formula. ``n`` counts the retries already made (0 before the first), as the SDK counts.

    With ``e = min(cap, base * 2**n)``:

    - ``none``: 0
    - ``exponential``: ``e`` (no jitter)
    - ``full``: ``uniform(0, e)``
    - ``equal``: ``e/2 + uniform(0, e/2)``
    - ``decorrelated``: ``min(cap, uniform(base, previous * 3))`` (``previous`` starts at ``base``)
    - ``sdk``: ``e * (1 - 0.25 * random())``, the installed SDK's formula, with its
      ``INITIAL_RETRY_DELAY`` and ``MAX_RETRY_DELAY`` as the defaults for every strategy.

    >>> [Backoff("exponential").wait(n, 0.0, random.Random(0)) for n in range(6)]
    [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    """

    strategy: str = "sdk"
    base: float = INITIAL_RETRY_DELAY
    cap: float = MAX_RETRY_DELAY

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise CtlabError("scale.strategy", value=repr(self.strategy), allowed=", ".join(STRATEGIES))
        if not (self.base > 0 and self.cap >= self.base):
            raise CtlabError("scale.base_cap", base=self.base, cap=self.cap)

    def ceiling(self, n: int) -> float:
        """``min(cap, base * 2**n)``: the exponential part."""
        return min(self.cap, self.base * 2.0 ** min(n, 60))

    def wait(self, n: int, previous: float, rng: random.Random) -> float:
        """Seconds to wait before retry ``n + 1``; ``previous`` is the last wait (for ``decorrelated``)."""
        strategy = self.strategy
        if strategy == "none":
            return 0.0
        if strategy == "decorrelated":
            return min(self.cap, rng.uniform(self.base, previous * 3))
        e = self.ceiling(n)
        if strategy == "exponential":
            return e
        if strategy == "full":
            return rng.uniform(0, e)
        if strategy == "equal":
            return e / 2 + rng.uniform(0, e / 2)
        return e * (1 - 0.25 * rng.random())

    def label(self) -> Text:
        return t(f"scale.strategy.{self.strategy}")


# -- the server -----------------------------------------------------------------
class _ServerState(Protocol):
    def arrive(self, now: float, net: Callable[[], float]) -> tuple[float, Any]:
        """When the server decides on a call that arrives ``now``, and what it must remember."""

    def decide(self, now: float, memo: Any) -> bool:
        """Accept (``True``) or reject the call."""


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: ``capacity`` calls per second, at most ``burst`` at once (default: one second's worth).

    A rejected call (a 429 or 529) costs the server ``reject_cost`` of an accepted
    one: 0 for a cheap rate limiter in front of the work; more for a server that
    must parse, authenticate and queue a request before it can say no. The work
    owed is bounded by ``burst``. ``capacity=0`` is a server that is down.

    >>> crowd(30, "none", server=RateLimit(capacity=10)).accepted
    30
    """

    capacity: float = 10.0
    burst: float | None = None
    reject_cost: float = 0.0

    def __post_init__(self) -> None:
        if not self.capacity >= 0:
            raise CtlabError("scale.capacity", value=self.capacity)
        if not 0 <= self.reject_cost <= 1:
            raise CtlabError("scale.reject_cost", value=self.reject_cost)

    def fresh(self) -> _Bucket:
        burst = self.burst if self.burst is not None else max(1.0, self.capacity)
        return _Bucket(self.capacity, burst if self.capacity > 0 else 0.0, self.reject_cost)


class _Bucket:
    __slots__ = ("burst", "capacity", "last", "level", "reject_cost")

    def __init__(self, capacity: float, burst: float, reject_cost: float) -> None:
        self.capacity, self.burst, self.reject_cost = capacity, burst, reject_cost
        self.level, self.last = burst, 0.0

    def arrive(self, now: float, net: Callable[[], float]) -> tuple[float, Any]:
        return now, None

    def decide(self, now: float, memo: Any) -> bool:
        self.level = min(self.burst, self.level + (now - self.last) * self.capacity)
        self.last = now
        if self.level >= 1:
            self.level -= 1
            return True
        self.level = max(-self.burst, self.level - self.reject_cost)
        return False


@dataclass(frozen=True)
class OptimisticRow:
    """Brooker's server: one row; a client reads its version, then writes; the write fails if anyone wrote in between.

    The read and the write are two more network hops apart; only writes count as calls.
    """

    def fresh(self) -> _Row:
        return _Row()


class _Row:
    __slots__ = ("version",)

    def __init__(self) -> None:
        self.version = 0

    def arrive(self, now: float, net: Callable[[], float]) -> tuple[float, Any]:
        return now + net() + net(), self.version

    def decide(self, now: float, memo: Any) -> bool:
        if memo != self.version:
            return False
        self.version += 1
        return True


Server = RateLimit | OptimisticRow


# -- the client -----------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    """What every client does when a call is rejected.

    ``attempts`` counts calls per layer, the first included (``None``: until it
    succeeds); ``layers`` stacks that many retrying layers (each retrying the
    whole layer below it). ``budget`` is the SRE book's per-client retry budget:
    retry only while retries are less than that share of the calls sent (0.1).
    ``throttle`` is its adaptive throttling constant ``K`` (2.0): before each
    call, reject it locally with probability
    ``max(0, (requests - K * accepts) / (requests + 1))``; a call rejected
    locally is not retried. Both count over the whole run.

    >>> crowd(1, Policy("full", attempts=3, layers=2), capacity=0).calls
    9
    """

    backoff: Backoff = field(default_factory=Backoff)
    attempts: int | None = None
    layers: int = 1
    budget: float | None = None
    throttle: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.backoff, str):
            object.__setattr__(self, "backoff", Backoff(self.backoff))
        if self.attempts is not None and (not isinstance(self.attempts, int) or self.attempts < 1):
            raise CtlabError("scale.attempts", value=self.attempts)
        if not isinstance(self.layers, int) or self.layers < 1 or (self.layers > 1 and self.attempts is None):
            raise CtlabError("scale.layers", value=self.layers)
        if self.budget is not None and not 0 <= self.budget <= 1:
            raise CtlabError("scale.budget", value=self.budget)
        if self.throttle is not None and not self.throttle >= 1:
            raise CtlabError("scale.throttle", value=self.throttle)


def _policy(policy: Policy | Backoff | str) -> Policy:
    if isinstance(policy, Policy):
        return policy
    return Policy(policy if isinstance(policy, Backoff) else Backoff(policy))


# -- the simulation -------------------------------------------------------------
@dataclass(frozen=True)
class Crowd:
    """What happened when ``clients`` clients ran ``policy`` against one server (virtual seconds)."""

    clients: int
    policy: Policy
    seed: int
    jobs: int
    succeeded: int
    failed: int
    calls: int
    accepted: int
    rejected: int
    throttled: int
    finished: float
    call_times: tuple[float, ...] = field(repr=False)
    call_accepted: tuple[bool, ...] = field(repr=False)
    calls_by_client: tuple[int, ...] = field(repr=False)
    waits: tuple[float, ...] = field(repr=False)

    def rate(self, start: float, end: float, *, accepted_only: bool = False) -> float:
        """Calls per second reaching the server between ``start`` and ``end`` (or only the accepted ones)."""
        hits = sum(
            1 for at, ok in zip(self.call_times, self.call_accepted) if start <= at < end and (ok or not accepted_only)
        )
        return hits / (end - start)

    def summary(self) -> Text:
        return t(
            "scale.summary",
            clients=self.clients,
            strategy=self.policy.backoff.label(),
            calls=self.calls,
            accepted=self.accepted,
            rejected=self.rejected,
            finished=self.finished,
            failed=self.failed,
        )

    def __str__(self) -> str:
        return str(self.summary())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def plot(self, *, bin_seconds: float | None = None) -> Figure:
        """Calls reaching the server per second over time, accepted and rejected stacked."""
        from .figures import figure, label

        end = max(self.finished, 1e-9)
        width = bin_seconds or _nice_bin(end)
        bins = max(1, math.ceil(end / width))
        ok, no = [0] * bins, [0] * bins
        for at, accepted in zip(self.call_times, self.call_accepted):
            (ok if accepted else no)[min(bins - 1, int(at / width))] += 1
        lefts = [i * width for i in range(bins)]
        fig, ax = figure(figsize=(8, 3))
        ax.bar(lefts, [v / width for v in ok], width, align="edge", color="#2e7d32", label=label(t("scale.accepted")))
        ax.bar(lefts, [v / width for v in no], width, bottom=[v / width for v in ok], align="edge",
               color="#ef6c00", label=label(t("scale.rejected")))
        ax.set_xlabel(label(t("plot.xlabel")))
        ax.set_ylabel(label(t("scale.per_second")))
        ax.set_title(label(t("scale.plot_title", strategy=self.policy.backoff.label(), clients=self.clients, calls=self.calls)),
                     fontsize=10)
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig


def _nice_bin(span: float) -> float:
    """A round bin width giving about 60 bins over ``span`` seconds."""
    raw = span / 60
    for step in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0):
        if step >= raw:
            return step
    return math.ceil(raw)


class _Job:
    __slots__ = ("client", "previous", "tries")

    def __init__(self, client: int, layers: int, base: float) -> None:
        self.client = client
        self.tries = [0] * layers
        self.previous = [base] * layers


_SEND, _ARRIVE, _DECIDE, _REPLY = range(4)


def crowd(
    clients: int = 100,
    policy: Policy | Backoff | str = "sdk",
    *,
    capacity: float = 10.0,
    server: Server | None = None,
    latency: float = 0.05,
    jobs: float = 1,
    interval: float = 0.0,
    seed: int = 0,
    max_calls: int = 2_000_000,
) -> Crowd:
    """Run ``clients`` clients, each with ``jobs`` calls to make, against one server.

    ``policy`` is a :class:`Policy` (or just a strategy name from :data:`STRATEGIES`).
    The server is ``server``, or a :class:`RateLimit` of ``capacity`` calls per second.
    Each network hop takes ``|normal(latency, latency / 5)|`` seconds. With
    ``interval=0`` each client has ``jobs`` jobs at time 0 (a thundering herd);
    otherwise its jobs arrive at random (a Poisson stream), ``interval`` seconds
    apart on average, for ``jobs * interval`` seconds.

    >>> r = crowd(3, Policy("sdk", attempts=3), capacity=0)   # a server that is down
    >>> r.calls, r.failed, len(r.waits)
    (9, 3, 6)
    """
    if not isinstance(clients, int) or isinstance(clients, bool) or not 1 <= clients <= 10_000:
        raise CtlabError("scale.clients", value=clients)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise CtlabError("simulate.seed", value=seed)
    rules = _policy(policy)
    state: _ServerState = (server or RateLimit(capacity)).fresh()
    rng = random.Random(seed)
    normal = rng.normalvariate
    spread = latency / 5

    def net() -> float:
        return abs(normal(latency, spread))

    backoff, attempts, layers = rules.backoff, rules.attempts, rules.layers
    budget, throttle = rules.budget, rules.throttle
    heap: list[tuple[float, int, int, _Job, Any]] = []
    order = count()
    for client in range(clients):
        if interval > 0:  # a Poisson stream of jobs over jobs * interval seconds
            starts, start = [], rng.expovariate(1 / interval)
            while start < jobs * interval:
                starts.append(start)
                start += rng.expovariate(1 / interval)
        else:
            starts = [0.0] * int(jobs)
        heap.extend((start, next(order), _SEND, _Job(client, layers, backoff.base), None) for start in starts)
    heapq.heapify(heap)
    total_jobs = len(heap)

    push, pop = heapq.heappush, heapq.heappop
    sent, retries = [0] * clients, [0] * clients
    asked, accepts = [0] * clients, [0] * clients
    call_times: list[float] = []
    call_accepted: list[bool] = []
    waits: list[float] = []
    succeeded = failed = throttled = 0
    finished = 0.0
    while heap:
        now, _, kind, job, memo = pop(heap)
        c = job.client
        if kind == _SEND:
            if throttle is not None:
                p = max(0.0, (asked[c] - throttle * accepts[c]) / (asked[c] + 1))
                asked[c] += 1
                if rng.random() < p:
                    throttled += 1
                    failed += 1
                    finished = max(finished, now)
                    continue
            sent[c] += 1
            push(heap, (now + net(), next(order), _ARRIVE, job, None))
            continue
        if kind == _ARRIVE:
            when, memo = state.arrive(now, net)
            if when > now:
                push(heap, (when, next(order), _DECIDE, job, memo))
                continue
            kind = _DECIDE
        if kind == _DECIDE:
            ok = state.decide(now, memo)
            call_times.append(now)
            call_accepted.append(ok)
            if len(call_times) > max_calls:
                raise CtlabError("scale.too_many", value=max_calls)
            push(heap, (now + net(), next(order), _REPLY, job, ok))
            continue
        # _REPLY: the client hears the answer
        if memo:
            accepts[c] += 1
            succeeded += 1
            finished = max(finished, now)
            continue
        level = layers - 1
        while attempts is not None and level >= 0 and job.tries[level] >= attempts - 1:
            level -= 1
        if level < 0 or (budget is not None and retries[c] >= budget * sent[c]):
            failed += 1
            finished = max(finished, now)
            continue
        n = job.tries[level]
        job.tries[level] = n + 1
        for deeper in range(level + 1, layers):
            job.tries[deeper], job.previous[deeper] = 0, backoff.base
        wait = backoff.wait(n, job.previous[level], rng)
        job.previous[level] = wait
        waits.append(wait)
        retries[c] += 1
        push(heap, (now + wait, next(order), _SEND, job, None))

    accepted = sum(call_accepted)
    return Crowd(
        clients=clients,
        policy=rules,
        seed=seed,
        jobs=total_jobs,
        succeeded=succeeded,
        failed=failed,
        calls=len(call_times),
        accepted=accepted,
        rejected=len(call_times) - accepted,
        throttled=throttled,
        finished=finished,
        call_times=tuple(call_times),
        call_accepted=tuple(call_accepted),
        calls_by_client=tuple(sent),
        waits=tuple(waits),
    )


def brooker(clients: int = 100, strategy: str = "full", *, seed: int = 0) -> Crowd:
    """Marc Brooker's 2015 setup: :class:`OptimisticRow`, 10 ± 2 ms hops, base 5 ms, cap 2 s, retry until done.

    His attempt counter starts at 1 (first wait ``min(cap, 2 * base)``), ours at 0 like
    the SDK's, so the exponential family gets ``base=10 ms`` here; decorrelated keeps 5 ms.

    >>> brooker(20, "full").succeeded
    20
    """
    base = 0.005 if strategy == "decorrelated" else 0.010
    return crowd(clients, Backoff(strategy, base=base, cap=2.0), server=OptimisticRow(), latency=0.010, seed=seed)


# -- experiments ----------------------------------------------------------------
def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def _two_panels(
    xs: Sequence[float], lines: dict[str, str], value: Callable[[str, Any, str], float], metrics: tuple[str, str], x_label: str
) -> tuple[Figure, Any]:
    """Two side-by-side line plots (one per metric) with a line per entry of ``lines`` (label key -> name)."""
    from .figures import figure, label

    fig, axes = figure(figsize=(10, 3.6), ncols=2)
    for key, name in lines.items():
        for ax, metric in zip(axes, metrics):
            ax.plot(xs, [value(name, x, metric) for x in xs], marker="o", markersize=3, label=label(t(key)))
    for ax, metric in zip(axes, metrics):
        ax.set_xlabel(label(t(x_label)))
        ax.set_ylabel(label(t(f"scale.metric.{metric}")))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig, axes


def _metric_table(metric: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], lang: str | None) -> str:
    """One metric as a text table: a row per ``(message key, cells)``, a column per setting; ``lang`` None: each language shown."""
    header = [t(f"scale.metric.{metric}"), *map(plain, columns)]
    body = [[t(key), *map(plain, cells)] for key, cells in rows]
    if lang is None:
        return text_grid(header, body, right=tuple(range(1, len(header))))
    with language(lang):
        return text_grid(header, body, right=tuple(range(1, len(header))))


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
        rows = [(f"scale.strategy.{s}", [fmt.format(self.value(s, n, metric)) for n in self.clients]) for s in self.strategies]
        return _metric_table(metric, [str(n) for n in self.clients], rows, lang)

    def __str__(self) -> str:
        metrics = ("calls", "finished", "failed") if any(self.value(s, n, "failed") for s in self.strategies for n in self.clients) else ("calls", "finished")
        return "\n\n".join(self.table(m, lang) for lang in shown_langs() for m in metrics)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def plot(self) -> Figure:
        """Calls and completion time against the number of clients, one line per strategy."""
        fig, axes = _two_panels(self.clients, {f"scale.strategy.{k}": k for k in self.strategies}, self.value, ("calls", "finished"), "scale.clients_axis")
        axes[0].set_yscale("log")
        return fig


def sweep(
    clients: Sequence[int] = (10, 25, 50, 100, 150, 200),
    strategies: Sequence[str] = STRATEGIES,
    *,
    seeds: int = 3,
    attempts: int | None = None,
    **options: Any,
) -> Sweep:
    """:func:`crowd` for every strategy and number of clients, averaged over ``seeds`` seeds (0, 1, ...).

    ``options`` go to :func:`crowd` (``capacity``, ``latency``, ``server`` ...).

    >>> s = sweep(clients=(10, 50), strategies=("exponential", "full"), seeds=1)
    >>> s.value("exponential", 50, "finished") > s.value("full", 50, "finished")
    True
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

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def plot(self) -> Figure:
        """Goodput and load against offered load, one line per policy."""
        fig, axes = _two_panels(self.loads, {f"scale.policy.{k}": k for k in self.policies}, self.value, ("goodput", "load"), "scale.offered")
        axes[0].axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        axes[1].set_yscale("log")
        return fig


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
