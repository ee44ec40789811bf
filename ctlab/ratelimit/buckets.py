"""Three token buckets per model — requests, input tokens, output tokens — and the headers that report them.

    >>> limits = Buckets(Tier(rpm=60, itpm=600, otpm=120))
    >>> limits.admit(0.0, input_tokens=500, max_tokens=100), limits.short(0.0, 200, 10)
    (None, ('input', 10.0))
    >>> limits.settle(max_tokens=100, output_tokens=40)       # 60 unused output tokens come back
    >>> round(limits.output.level), limits.headers(0.0)["anthropic-ratelimit-output-tokens-remaining"]
    (80, '80')

A request is admitted only if every bucket holds what it needs: 1 request, its
input tokens (the server's charge, cache reads excluded) and its whole
``max_tokens`` of output, reserved at the start and settled to the reply's real
``usage.output_tokens`` at the end. Each bucket holds one minute's worth and
refills continuously (``limit / 60`` a second): it does not reset on the minute.
"""

from __future__ import annotations

import math

from .bucket import EPSILON, TokenBucket
from .headers import iso_time
from .tiers import BUCKETS, Tier

__all__ = ["HEADER_NAMES", "Buckets"]

#: The header family of each bucket (``anthropic-ratelimit-<family>-{limit,remaining,reset}``).
HEADER_NAMES = {"requests": "requests", "input": "input-tokens", "output": "output-tokens"}


class Buckets:
    """One model's RPM, ITPM and OTPM buckets, full at time 0."""

    def __init__(self, tier: Tier) -> None:
        self.tier = tier
        self.requests, self.input, self.output = (
            TokenBucket(tier.limit(name) / 60, tier.limit(name)) for name in BUCKETS
        )
        #: Output reservations to give back later: ``(when, tokens)``, in order (see :meth:`settle`).
        self.returns: list[tuple[float, float]] = []

    def catch_up(self, now: float) -> None:
        """Refill every bucket up to ``now``, giving back each reservation due by then at its time."""
        while self.returns and self.returns[0][0] <= now:
            when, tokens = self.returns.pop(0)
            self.output.refill(when)
            self.output.give(tokens)
        for name in BUCKETS:
            self.bucket(name).refill(now)

    def bucket(self, name: str) -> TokenBucket:
        return {"requests": self.requests, "input": self.input, "output": self.output}[name]

    def needs(self, input_tokens: int, max_tokens: int) -> dict[str, float]:
        return {"requests": 1.0, "input": float(input_tokens), "output": float(max_tokens)}

    def short(self, now: float, input_tokens: int, max_tokens: int) -> tuple[str, float] | None:
        """The first bucket that cannot cover the request at ``now``, and seconds until it can; ``None`` if all can."""
        self.catch_up(now)
        for name, amount in self.needs(input_tokens, max_tokens).items():
            bucket = self.bucket(name)
            if bucket.level + EPSILON < amount:
                return name, bucket.wait(amount)
        return None

    def admit(self, now: float, *, input_tokens: int, max_tokens: int) -> tuple[str, float] | None:
        """Take what the request needs from every bucket; or take nothing and say which bucket is short (and for how
        long)."""
        refused = self.short(now, input_tokens, max_tokens)
        if refused is None:
            for name, amount in self.needs(input_tokens, max_tokens).items():
                self.bucket(name).take(now, amount)
        return refused

    def settle(self, *, max_tokens: int, output_tokens: int, at: float | None = None) -> None:
        """Give back the part of the output reservation the reply did not use: now, or ``at`` (when the reply is
        finished)."""
        unused = max(0, max_tokens - output_tokens)
        if at is None:
            self.output.give(unused)
        else:
            self.returns.append((at, unused))
            self.returns.sort()

    def headers(self, now: float) -> dict[str, str]:
        """The ``anthropic-ratelimit-*`` headers at ``now``: limit, whole tokens remaining, and when the bucket is full
        again (RFC 3339). The ``tokens-*`` family repeats whichever token bucket has less left."""
        headers: dict[str, str] = {}
        self.catch_up(now)
        for name in BUCKETS:
            bucket = self.bucket(name)
            family = f"anthropic-ratelimit-{HEADER_NAMES[name]}"
            headers[f"{family}-limit"] = str(self.tier.limit(name))
            headers[f"{family}-remaining"] = str(max(0, math.floor(bucket.level)))
            headers[f"{family}-reset"] = iso_time(now + (bucket.burst - bucket.level) / bucket.rate)
        tightest = min(("input", "output"), key=lambda n: self.bucket(n).level / self.bucket(n).burst)
        for part in ("limit", "remaining", "reset"):
            headers[f"anthropic-ratelimit-tokens-{part}"] = headers[
                f"anthropic-ratelimit-{HEADER_NAMES[tightest]}-{part}"
            ]
        return headers
