"""The crowd engine: many clients with one retry policy against one server, as a seeded discrete-event simulation.

It runs on its own virtual time (an event queue, no sleeping, no HTTP), in
well under a second for a hundred clients::

    >>> r = crowd(3, Policy("sdk", attempts=3), capacity=0)   # a server that is down
    >>> r.calls, r.failed, len(r.waits)
    (9, 3, 6)

Each job's call goes out (``SEND``), reaches the server (``ARRIVE``), is
decided (``DECIDE``) and the answer comes back (``REPLY``); a rejected call is
retried after the policy's backoff, or the job gives up. Each client's counts
live in one :class:`Client`; what happened is a :class:`Crowd`.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from ..backoff import Backoff
from ..charts import LineChart, Series
from ..i18n import CtlabError, Text, label, register, t
from ..ratelimit import RateLimit
from .policy import Policy, as_policy
from .servers import Server, ServerState, fresh

register(
    __name__,
    {
        "scale.clients": Text(
            "客户端数必须是 1 到 10000 的整数，收到的是 {value!r}",
            "clients must be a whole number from 1 to 10000, got {value!r}",
        ),
        "scale.too_many": Text(
            "模拟的请求超过了 {value} 次，已停止：服务端可能一直拒绝，而策略又是无限重试",
            "stopped after more than {value} simulated calls: the server may never accept while the policy retries "
            "forever",
        ),
        "scale.summary": Text(
            "{clients} 个客户端，{strategy}：服务端共收到 {calls} 次请求（接受 {accepted}，拒绝 {rejected}），"
            "{finished:.1f} s 后全部结束，{failed} 个放弃",
            "{clients} clients, {strategy}: {calls} calls reached the server ({accepted} accepted, "
            "{rejected} rejected); all done after {finished:.1f} s, {failed} gave up",
        ),
        "scale.accepted": Text("被接受", "accepted"),
        "scale.rejected": Text("被拒绝", "rejected"),
        "scale.per_second": Text("每秒到达的请求", "calls per second"),
        "scale.plot_title": Text(
            "{strategy}：{clients} 个客户端，{calls} 次请求",
            "{strategy}: {clients} clients, {calls} calls",
        ),
    },
)

__all__ = ["Client", "Crowd", "crowd"]


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
        calls = zip(self.call_times, self.call_accepted, strict=True)
        hits = sum(1 for at, ok in calls if start <= at < end and (ok or not accepted_only))
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

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(str(self))

    def plot(self, *, bin_seconds: float | None = None) -> LineChart:
        """Calls reaching the server per second over time (inline SVG): all of them, with the accepted ones drawn
        over them, so what shows above is the rejected calls."""
        end = max(self.finished, 1e-9)
        width = bin_seconds or nice_bin(end)
        bins = max(1, math.ceil(end / width))
        ok, no = [0] * bins, [0] * bins
        for at, accepted in zip(self.call_times, self.call_accepted, strict=True):
            (ok if accepted else no)[min(bins - 1, int(at / width))] += 1
        edges = [i * width for i in range(bins + 1)]

        def steps(counts: list[int]) -> list[tuple[float, float]]:
            rates = [c / width for c in counts]
            return list(zip(edges, [*rates, rates[-1]], strict=True))  # the last edge closes the last bin

        title = t("scale.plot_title", strategy=self.policy.backoff.label(), clients=self.clients, calls=self.calls)
        return LineChart(
            [
                Series(label(t("scale.rejected")), steps([a + b for a, b in zip(ok, no, strict=True)]), "#ef6c00",
                       steps=True, fill=True),
                Series(label(t("scale.accepted")), steps(ok), "#2e7d32", steps=True, fill=True),
            ],
            title=label(title),
            xlabel=label(t("plot.xlabel")),
            ylabel=label(t("scale.per_second")),
        )


def nice_bin(span: float) -> float:
    """A round bin width giving about 60 bins over ``span`` seconds.

    >>> nice_bin(30.0), nice_bin(1000.0)
    (0.5, 17)
    """
    raw = span / 60
    for step in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0):
        if step >= raw:
            return step
    return math.ceil(raw)


# -- the clients ----------------------------------------------------------------------
class Client:
    """One client's counts over the whole run: calls sent, retries made, and what adaptive throttling counts."""

    __slots__ = ("accepts", "requests", "retries", "sent")

    def __init__(self) -> None:
        self.sent = self.retries = self.requests = self.accepts = 0

    def throttles(self, k: float, rng: random.Random) -> bool:
        """Adaptive throttling: reject a call locally with probability
        ``max(0, (requests - k * accepts) / (requests + 1))``."""
        p = max(0.0, (self.requests - k * self.accepts) / (self.requests + 1))
        self.requests += 1
        return rng.random() < p

    def within(self, budget: float | None) -> bool:
        """Whether the retry budget (a share of the calls sent) allows another retry."""
        return budget is None or self.retries < budget * self.sent


class Job:
    """One call a client must get through: where each retry layer stands, and its last wait."""

    __slots__ = ("client", "previous", "tries")

    def __init__(self, client: Client, layers: int, base: float) -> None:
        self.client = client
        self.tries = [0] * layers
        self.previous = [base] * layers

    def next_wait(self, policy: Policy, rng: random.Random) -> float | None:
        """The wait before retrying at the deepest layer that has attempts left (deeper layers start over); ``None``:
        give up."""
        backoff, attempts, layers = policy.backoff, policy.attempts, policy.layers
        level = layers - 1
        while attempts is not None and level >= 0 and self.tries[level] >= attempts - 1:
            level -= 1
        if level < 0:
            return None
        n = self.tries[level]
        self.tries[level] = n + 1
        for deeper in range(level + 1, layers):
            self.tries[deeper], self.previous[deeper] = 0, backoff.base
        wait = backoff.wait(n, self.previous[level], rng)
        self.previous[level] = wait
        return wait


def _starts(rng: random.Random, jobs: float, interval: float) -> list[float]:
    """When one client's jobs begin: all at 0 (``interval=0``), else a Poisson stream over ``jobs * interval``
    seconds."""
    if interval <= 0:
        return [0.0] * int(jobs)
    starts, start = [], rng.expovariate(1 / interval)
    while start < jobs * interval:
        starts.append(start)
        start += rng.expovariate(1 / interval)
    return starts


# -- the run --------------------------------------------------------------------------
SEND, ARRIVE, DECIDE, REPLY = range(4)

Event = tuple[float, int, int, Job, Any]


class Run:
    """One run's event queue and tallies: :meth:`play` takes events in time order until none is left."""

    def __init__(self, policy: Policy, server: ServerState, rng: random.Random, latency: float, max_calls: int) -> None:
        self.policy, self.server, self.rng, self.max_calls = policy, server, rng, max_calls
        normal, spread = rng.normalvariate, latency / 5

        def net() -> float:
            """One network hop: ``|normal(latency, latency / 5)|`` seconds."""
            return abs(normal(latency, spread))

        self.net = net
        self.heap: list[Event] = []
        self.order = count()
        self.call_times: list[float] = []
        self.call_accepted: list[bool] = []
        self.waits: list[float] = []
        self.succeeded = self.failed = self.throttled = 0
        self.finished = 0.0

    def start(self, jobs: list[tuple[float, Job]]) -> int:
        """Queue each job's first call at its start time; returns how many jobs there are."""
        self.heap = [(at, next(self.order), SEND, job, None) for at, job in jobs]
        heapq.heapify(self.heap)
        return len(self.heap)

    def play(self) -> None:
        heap, pop, push, order, net = self.heap, heapq.heappop, heapq.heappush, self.order, self.net
        throttle = self.policy.throttle
        while heap:
            now, _, kind, job, memo = pop(heap)
            if kind == SEND:
                if throttle is not None and job.client.throttles(throttle, self.rng):
                    self.throttled += 1
                    self.end(now, ok=False)
                    continue
                job.client.sent += 1
                push(heap, (now + net(), next(order), ARRIVE, job, None))
                continue
            if kind == ARRIVE:
                when, memo = self.server.arrive(now, net)
                if when > now:
                    push(heap, (when, next(order), DECIDE, job, memo))
                    continue
                kind = DECIDE
            if kind == DECIDE:
                push(heap, (now + net(), next(order), REPLY, job, self.decide(now, memo)))
                continue
            self.reply(now, job, accepted=memo)

    def decide(self, now: float, memo: Any) -> bool:
        """The server decides on a call; it is counted as a call to the server."""
        ok = self.server.decide(now, memo)
        self.call_times.append(now)
        self.call_accepted.append(ok)
        if len(self.call_times) > self.max_calls:
            raise CtlabError("scale.too_many", value=self.max_calls)
        return ok

    def reply(self, now: float, job: Job, *, accepted: bool) -> None:
        """The client hears the answer: done, give up, or retry after the policy's wait."""
        if accepted:
            job.client.accepts += 1
            self.end(now, ok=True)
            return
        wait = job.next_wait(self.policy, self.rng) if job.client.within(self.policy.budget) else None
        if wait is None:
            self.end(now, ok=False)
            return
        self.waits.append(wait)
        job.client.retries += 1
        heapq.heappush(self.heap, (now + wait, next(self.order), SEND, job, None))

    def end(self, now: float, *, ok: bool) -> None:
        if ok:
            self.succeeded += 1
        else:
            self.failed += 1
        self.finished = max(self.finished, now)


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

    ``policy`` is a :class:`~ctlab.scale.policy.Policy` (or just a strategy name from
    :data:`ctlab.backoff.STRATEGIES`). The server is ``server``, or a
    :class:`~ctlab.ratelimit.RateLimit` of ``capacity`` calls per second.
    Each network hop takes ``|normal(latency, latency / 5)|`` seconds. With
    ``interval=0`` each client has ``jobs`` jobs at time 0 (a thundering herd);
    otherwise its jobs arrive at random (a Poisson stream), ``interval`` seconds
    apart on average, for ``jobs * interval`` seconds.

    >>> crowd(30, "none", server=RateLimit(capacity=10)).accepted
    30
    """
    if not isinstance(clients, int) or isinstance(clients, bool) or not 1 <= clients <= 10_000:
        raise CtlabError("scale.clients", value=clients)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise CtlabError("simulate.seed", value=seed)
    rules = as_policy(policy)
    rng = random.Random(seed)
    run = Run(rules, fresh(server or RateLimit(capacity)), rng, latency, max_calls)
    people = [Client() for _ in range(clients)]
    total = run.start(
        [(at, Job(c, rules.layers, rules.backoff.base)) for c in people for at in _starts(rng, jobs, interval)]
    )
    run.play()
    accepted = sum(run.call_accepted)
    return Crowd(
        clients=clients,
        policy=rules,
        seed=seed,
        jobs=total,
        succeeded=run.succeeded,
        failed=run.failed,
        calls=len(run.call_times),
        accepted=accepted,
        rejected=len(run.call_times) - accepted,
        throttled=run.throttled,
        finished=run.finished,
        call_times=tuple(run.call_times),
        call_accepted=tuple(run.call_accepted),
        calls_by_client=tuple(c.sent for c in people),
        waits=tuple(run.waits),
    )
