"""The bound: the soonest any client could finish a workload, from the three buckets and the workload alone.

    >>> tier = Tier(rpm=60, itpm=6_000, otpm=600)
    >>> jobs = [{"requests": 1, "input": 100, "output": 50, "max_tokens": 100}] * 90
    >>> best_time(jobs, tier)
    {'requests': 30.0, 'input': 30.0, 'output': 395.0}

Each bucket starts full (one minute's worth, ``C``) and refills at ``r = C / 60``
a second. If a workload takes ``D`` from a bucket in all, its last request
cannot be admitted before ``(D - C) / r`` seconds (0 if ``D <= C``), whatever a
client does. For output tokens the last request must find its whole
``max_tokens`` free while every other request has taken only what it wrote,
so ``D = sum(output) + min(max_tokens - output)``. Input tokens are what the
server charges (:func:`ctlab.ratelimit.tokens.input_charge`), a cacheable prefix
paid once. The bound is the largest of the three (``max(best_time(...).values())``);
the requests answer at once (latency 0 in virtual time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .tiers import BUCKETS, Tier, tier_of
from .tokens import input_charge

__all__ = ["best_time", "demands"]


def demands(bodies: Iterable[Mapping[str, Any]], *, reply_tokens: Iterable[int], seed: int = 0) -> list[dict[str, int]]:
    """What each request of a workload takes from the buckets: ``requests``, ``input`` (charged, a cached prefix only
    the first time), ``output`` (what it writes) and ``max_tokens``."""
    seen: set[str] = set()
    needs = []
    for body, reply in zip(bodies, reply_tokens, strict=True):
        total, prefix, cached = input_charge(body, seed=seed)
        if prefix is not None and prefix in seen:
            total -= cached
        if prefix is not None:
            seen.add(prefix)
        max_tokens = int(body.get("max_tokens") or 1024)
        needs.append({"requests": 1, "input": total, "output": min(reply, max_tokens), "max_tokens": max_tokens})
    return needs


def best_time(jobs: Iterable[Mapping[str, int]], tier: Tier | str) -> dict[str, float]:
    """Seconds each bucket alone needs for ``jobs`` (each a :func:`demands` entry); the bound is the largest."""
    jobs = list(jobs)
    tier = tier_of(tier)
    if not jobs:
        return dict.fromkeys(BUCKETS, 0.0)
    total = {name: float(sum(job[name] for job in jobs)) for name in BUCKETS}
    total["output"] += min(job["max_tokens"] - job["output"] for job in jobs)
    return {name: max(0.0, (total[name] - tier.limit(name)) * 60 / tier.limit(name)) for name in BUCKETS}
