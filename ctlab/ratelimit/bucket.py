"""A token bucket on a clock: the one limiter behind every simulated rate limit in ctlab.

Tokens refill continuously at ``rate`` a second up to ``burst``; a call takes
one, or is refused. Time is whatever the caller says it is (a virtual clock)::

    >>> bucket = TokenBucket(rate=1.0, burst=2)
    >>> [bucket.take(0.0), bucket.take(0.0), bucket.take(0.0)], bucket.wait()
    ([True, True, False], 1.0)
    >>> bucket.take(1.0)
    True

:class:`RateLimit` describes one (calls a second, burst, what a refusal
costs) and makes a fresh bucket for each run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..i18n import CtlabError, Text, register

register(
    __name__,
    {
        "ratelimit.capacity": Text(
            "服务端容量必须是 >= 0 的数（次/秒），收到的是 {value!r}",
            "server capacity must be a number >= 0 (calls per second), got {value!r}",
        ),
        "ratelimit.reject_cost": Text(
            "reject_cost 必须在 0 到 1 之间，收到的是 {value!r}",
            "reject_cost must be between 0 and 1, got {value!r}",
        ),
    },
)

__all__ = ["EPSILON", "RateLimit", "TokenBucket"]

#: A level this close below what is asked counts as enough (refill arithmetic in floating point is not exact).
EPSILON = 1e-9


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` held; a refusal costs ``reject_cost`` of a token
    (down to ``-burst``).

    It starts full, at time 0. ``level`` is what it holds after the last call.
    """

    __slots__ = ("burst", "last", "level", "rate", "reject_cost")

    def __init__(self, rate: float, burst: float, reject_cost: float = 0.0) -> None:
        self.rate, self.burst, self.reject_cost = rate, burst, reject_cost
        self.level, self.last = burst, 0.0

    def refill(self, now: float) -> float:
        """Refill up to ``now`` (never back in time) and return the level."""
        if now > self.last:
            self.level = min(self.burst, self.level + (now - self.last) * self.rate)
            self.last = now
        return self.level

    def take(self, now: float, amount: float = 1.0) -> bool:
        """Refill up to ``now``, then take ``amount`` tokens if there are (``True``), else refuse (``False``)."""
        if self.refill(now) + EPSILON >= amount:
            self.level -= amount
            return True
        self.level = max(-self.burst, self.level - self.reject_cost)
        return False

    def give(self, amount: float) -> None:
        """Put ``amount`` tokens back (a settled reservation), up to ``burst``."""
        self.level = min(self.burst, self.level + amount)

    def wait(self, amount: float = 1.0) -> float:
        """Seconds from the last call until ``amount`` tokens are there (``inf`` if never)."""
        if self.level + EPSILON >= amount:
            return 0.0
        if self.rate <= 0 or amount > self.burst:
            return math.inf
        return (amount - self.level) / self.rate


@dataclass(frozen=True)
class RateLimit:
    """A server that is a token bucket: ``capacity`` calls per second, at most ``burst`` at once (default:
    one second's worth).

    A rejected call (a 429 or 529) costs the server ``reject_cost`` of an accepted
    one: 0 for a cheap rate limiter in front of the work; more for a server that
    must parse, authenticate and queue a request before it can say no. The work
    owed is bounded by ``burst``. ``capacity=0`` is a server that is down.

    >>> RateLimit(capacity=10).fresh().burst, RateLimit(capacity=0).fresh().burst
    (10, 0.0)
    """

    capacity: float = 10.0
    burst: float | None = None
    reject_cost: float = 0.0

    def __post_init__(self) -> None:
        if not self.capacity >= 0:
            raise CtlabError("ratelimit.capacity", value=self.capacity)
        if not 0 <= self.reject_cost <= 1:
            raise CtlabError("ratelimit.reject_cost", value=self.reject_cost)

    def fresh(self) -> TokenBucket:
        """A full bucket at time 0."""
        burst = self.burst if self.burst is not None else max(1.0, self.capacity)
        return TokenBucket(self.capacity, burst if self.capacity > 0 else 0.0, self.reject_cost)
