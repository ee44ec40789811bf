"""Workloads and the three ways to send them — reactive, paced, fixed sleep — measured against the limiter.

    >>> jobs = chat(100)
    >>> result = run("pacer", jobs, "tier-1")
    >>> result.done, result.refused, round(result.elapsed / result.bound, 2)
    (100, 0, 1.0)

The workload model: every request is a ``messages.create`` on one model; the
simulated server answers at once (latency 0 in virtual time), so all time is
spent waiting for the buckets; ``concurrency`` workers share one client (and
one pacer); a refused request is retried by the SDK (``max_retries=10``,
honouring ``retry-after``). Request sizes are drawn from a generator seeded
with ``seed``: :func:`chat` (150-450 input tokens, ``max_tokens=256``, replies
of 60-140), :func:`long_document` (4,000-6,000 input tokens), :func:`long_output`
(``max_tokens=4096``, replies of 1,500-2,500), :func:`cached_document` (one
6,000-token document marked with ``cache_control``, a short question each) and
:func:`mixed` (all three kinds together).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic

from ..i18n import CtlabError, Text, register
from .bound import best_time, demands
from .pacer import Pacer
from .service import REPLY_HEADER, LimitedServer, Served
from .tiers import Tier, tier_of

register(
    __name__,
    {
        "ratelimit.strategy": Text(
            "没有叫 {value!r} 的策略；可选：{allowed}",
            "no strategy called {value!r}; choose one of {allowed}",
        ),
    },
)

__all__ = [
    "MODEL",
    "STRATEGIES",
    "WORKLOADS",
    "Job",
    "Result",
    "cached_document",
    "chat",
    "long_document",
    "long_output",
    "mixed",
    "run",
]

MODEL = "claude-sonnet-4-6"
#: The strategies :func:`run` knows.
STRATEGIES = ("reactive", "pacer", "fixed-sleep")


@dataclass(frozen=True)
class Job:
    """One request: the body for ``messages.create`` and how many output tokens the simulated model will write."""

    body: dict[str, Any]
    reply_tokens: int

    def kwargs(self) -> dict[str, Any]:
        """``client.messages.create(**job.kwargs())``."""
        return {**self.body, "extra_headers": {REPLY_HEADER: str(self.reply_tokens)}}


def _text(tokens: int, tag: str) -> str:
    """About ``tokens`` tokens of text (4 ASCII characters each, by ctlab's estimate), starting with ``tag``."""
    head = tag + " "
    return head + "txt " * max(0, tokens - -(-len(head) // 4))


def _job(prompt_tokens: int, tag: str, max_tokens: int, reply_tokens: int) -> Job:
    content = _text(prompt_tokens, tag)
    body = {"model": MODEL, "max_tokens": max_tokens, "messages": [{"role": "user", "content": content}]}
    return Job(body, min(max_tokens, reply_tokens))


def chat(n: int = 1000, *, seed: int = 0) -> list[Job]:
    """Short questions, short answers."""
    rng = random.Random(seed)
    return [_job(rng.randint(150, 450), f"chat-{i}", 256, rng.randint(60, 140)) for i in range(n)]


def long_document(n: int = 100, *, seed: int = 0) -> list[Job]:
    """A long document in every request, a short answer."""
    rng = random.Random(seed)
    return [_job(rng.randint(4000, 6000), f"doc-{i}", 512, rng.randint(150, 250)) for i in range(n)]


def long_output(n: int = 100, *, seed: int = 0, max_tokens: int = 4096) -> list[Job]:
    """A short prompt asking for a long answer."""
    rng = random.Random(seed)
    return [_job(rng.randint(80, 120), f"write-{i}", max_tokens, rng.randint(1500, 2500)) for i in range(n)]


def cached_document(n: int = 100, *, seed: int = 0, cache: bool = True) -> list[Job]:
    """The same 6,000-token document in every request (marked for caching unless ``cache=False``), a short question."""
    rng = random.Random(seed)
    document: dict[str, Any] = {"type": "text", "text": _text(6000, "handbook")}
    if cache:
        document["cache_control"] = {"type": "ephemeral"}
    jobs = []
    for i in range(n):
        job = _job(rng.randint(50, 150), f"question-{i}", 512, rng.randint(150, 250))
        jobs.append(Job({**job.body, "system": [document]}, job.reply_tokens))
    return jobs


def mixed(n: int = 1000, *, seed: int = 0) -> list[Job]:
    """Mostly chat (78 %); 17 % carry a 1,500-2,500-token document; 5 % ask for a long answer (``max_tokens=4096``)."""
    rng = random.Random(seed)
    jobs = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.05:
            jobs.append(_job(rng.randint(80, 120), f"mixed-{i}", 4096, rng.randint(1500, 2500)))
        elif roll < 0.22:
            jobs.append(_job(rng.randint(1500, 2500), f"mixed-{i}", 512, rng.randint(150, 250)))
        else:
            jobs.append(_job(rng.randint(150, 450), f"mixed-{i}", 256, rng.randint(60, 140)))
    return jobs


#: The workloads by name.
WORKLOADS: dict[str, Callable[..., list[Job]]] = {
    "chat": chat,
    "long-document": long_document,
    "long-output": long_output,
    "cached-document": cached_document,
    "mixed": mixed,
}


@dataclass
class Result:
    """What one strategy did with one workload: virtual seconds, requests, 429s, and the server's log."""

    strategy: str
    tier: Tier
    elapsed: float
    done: int
    refused: int
    bound: float
    per_bucket: dict[str, float]
    log: list[Served] = field(repr=False, default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.log)

    @property
    def refused_by(self) -> dict[str, int]:
        """429s per bucket that was short."""
        counts = {"requests": 0, "input": 0, "output": 0}
        for served in self.log:
            if served.short:
                counts[served.short] += 1
        return counts


def bound_of(jobs: Sequence[Job], tier: Tier | str, *, seed: int = 0) -> dict[str, float]:
    """:func:`best_time` for ``jobs``: seconds each bucket alone needs."""
    return best_time(demands([j.body for j in jobs], reply_tokens=[j.reply_tokens for j in jobs], seed=seed), tier)


def run(
    strategy: str,
    jobs: Sequence[Job],
    tier: Tier | str = "tier-1",
    *,
    concurrency: int = 4,
    seed: int = 0,
    sleep: float | None = None,
) -> Result:
    """Send ``jobs`` with ``strategy`` on a fresh :class:`LimitedServer`; ``sleep`` is the fixed sleep's interval
    between one worker's requests (default: ``concurrency * 60 / RPM``)."""
    if strategy not in STRATEGIES:
        raise CtlabError("ratelimit.strategy", value=strategy, allowed=", ".join(STRATEGIES))
    from ..aio import run_async
    from ..simulate import simulate

    tier = tier_of(tier)
    server = LimitedServer(tier, seed=seed)
    pause = sleep if sleep is not None else concurrency * 60 / tier.rpm
    queue = list(reversed(jobs))
    with simulate(server, seed=seed) as sim:
        middleware = [Pacer()] if strategy == "pacer" else []
        client = sim.async_client(max_retries=10, middleware=middleware)

        async def worker() -> None:
            while queue:
                job = queue.pop()
                if strategy == "fixed-sleep":
                    await asyncio.sleep(pause)
                try:
                    await client.messages.with_raw_response.create(**job.kwargs())
                except anthropic.RateLimitError:  # the SDK gave up after max_retries: the job goes back in line
                    queue.insert(0, job)

        async def main() -> None:
            await asyncio.gather(*(worker() for _ in range(concurrency)))

        run_async(main)
    per_bucket = bound_of(jobs, tier, seed=seed)
    done = sum(1 for s in server.log if s.status == 200)
    refused = sum(1 for s in server.log if s.status == 429)
    return Result(strategy, tier, sim.elapsed, done, refused, max(per_bucket.values()), per_bucket, server.log)
