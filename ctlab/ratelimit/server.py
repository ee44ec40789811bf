"""The server side of a rate limit: a fault script that answers from a token bucket on the simulation's clock.

``200`` while the bucket has a token; else ``429`` with the ``retry-after`` a
rate limiter would send (the ``anthropic-ratelimit-requests-*`` headers come
with every answer, from :mod:`ctlab.responses`)::

    >>> import ctlab
    >>> sim = ctlab.run(RateLimitedServer(burst=1), lambda c: [ctlab.ask(c), ctlab.ask(c)], max_retries=0)
    >>> [a.answer for a in sim.attempts], sim.outcome.error.response.headers["retry-after"]
    ([200, 429], '2')
"""

from __future__ import annotations

import math

from ..faults import Fault, Reply, Script, status
from ..i18n import CtlabError, Text, register
from .bucket import RateLimit, TokenBucket
from .headers import RATE_LIMIT

register(
    __name__,
    {
        "ratelimit.rate": Text(
            "限流参数不合法：per_minute 必须大于 0，burst 必须 >= 1（收到 per_minute={per_minute!r}, burst={burst!r}）",
            "invalid rate limit: per_minute must be > 0 and burst >= 1 (got per_minute={per_minute!r}, "
            "burst={burst!r})",
        ),
    },
)

__all__ = ["RateLimitedServer"]


class RateLimitedServer(Script):
    """A fault script answered by a token bucket on the simulation's virtual clock.

    ``per_minute`` requests a minute (default: what the simulated
    ``anthropic-ratelimit-requests-limit`` header says), at most ``burst`` at
    once; a request without allowance gets ``429`` with ``retry-after`` in whole
    seconds until the next one, as a rate limiter would say. Use a fresh one per
    simulation: it remembers what it has let through.

    >>> import ctlab
    >>> sim = ctlab.run(RateLimitedServer(burst=1), lambda c: [ctlab.ask(c), ctlab.ask(c)], max_retries=0)
    >>> [a.answer for a in sim.attempts], sim.attempts[-1].waits
    ([200, 429], [])
    """

    per_minute: float
    bucket: TokenBucket

    def __init__(self, per_minute: float = RATE_LIMIT, *, burst: int = 5) -> None:
        if not per_minute > 0 or not burst >= 1:
            raise CtlabError("ratelimit.rate", per_minute=per_minute, burst=burst)
        object.__setattr__(self, "faults", (Reply(),))
        object.__setattr__(self, "per_minute", float(per_minute))
        object.__setattr__(self, "bucket", RateLimit(per_minute / 60, burst=burst).fresh())

    def at(self, _attempt: int) -> Fault:
        # Imported here: ctlab.responses reads this package's headers, and ctlab.simulate imports responses.
        from ..simulate import active

        sim = active()
        now = sim.clock.now if sim is not None else 0.0
        if self.bucket.take(now):
            return Reply()
        return status(429, retry_after=math.ceil(self.bucket.wait()))

    def labels(self) -> list[str]:
        return [f"rate-limit({self.per_minute:g}/min)"]
