"""What a crowd's calls meet: a server that accepts or rejects each call, on the crowd's virtual time.

    >>> row = fresh(OptimisticRow())
    >>> row.arrive(0.0, lambda: 0.01)     # read the version, two hops later write it
    (0.02, 0)
    >>> row.decide(0.02, 0), row.decide(0.03, 0)
    (True, False)

Two servers: :class:`~ctlab.ratelimit.RateLimit` (a token bucket, the one
limiter of :mod:`ctlab.ratelimit`) and :class:`OptimisticRow` (the one Marc
Brooker simulated in 2015). :func:`fresh` gives either one's state for a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..ratelimit import RateLimit, TokenBucket

__all__ = ["OptimisticRow", "Server", "ServerState", "fresh"]


class ServerState(Protocol):
    """A server during one run."""

    def arrive(self, now: float, net: Callable[[], float]) -> tuple[float, Any]:
        """When the server decides on a call that arrives ``now``, and what it must remember."""

    def decide(self, now: float, memo: Any) -> bool:
        """Accept (``True``) or reject the call."""


@dataclass(frozen=True)
class OptimisticRow:
    """Brooker's server: one row; a client reads its version, then writes; the write fails if anyone wrote in between.

    The read and the write are two more network hops apart; only writes count as calls.
    """

    def fresh(self) -> Row:
        return Row()


class Row:
    """An :class:`OptimisticRow` during a run: its version."""

    __slots__ = ("version",)

    def __init__(self) -> None:
        self.version = 0

    def arrive(self, now: float, net: Callable[[], float]) -> tuple[float, Any]:
        return now + net() + net(), self.version

    def decide(self, _now: float, memo: Any) -> bool:
        if memo != self.version:
            return False
        self.version += 1
        return True


class Limited:
    """A :class:`~ctlab.ratelimit.RateLimit` during a run: each call arriving takes a token, or is rejected."""

    __slots__ = ("bucket",)

    def __init__(self, bucket: TokenBucket) -> None:
        self.bucket = bucket

    def arrive(self, now: float, _net: Callable[[], float]) -> tuple[float, Any]:
        return now, None

    def decide(self, now: float, _memo: Any) -> bool:
        return self.bucket.take(now)


Server = RateLimit | OptimisticRow


def fresh(server: Server) -> ServerState:
    """``server`` as it is at the start of a run."""
    if isinstance(server, RateLimit):
        return Limited(server.fresh())
    return server.fresh()
