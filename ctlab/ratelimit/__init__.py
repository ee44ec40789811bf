"""Rate limiting in one place: the limiter, the server that refuses with it, and the client that paces to it.

    >>> import ctlab
    >>> from ctlab.ratelimit import RateLimitedServer
    >>> server = RateLimitedServer(per_minute=60, burst=2)
    >>> sim = ctlab.run(server, lambda c: [ctlab.ask(c) for _ in range(3)], max_retries=0)
    >>> [a.answer for a in sim.attempts], sim.outcome.error.response.headers["retry-after"]
    ([200, 200, 429], '1')

- :mod:`.bucket` — :class:`TokenBucket` (refills on a clock the caller keeps) and
  :class:`RateLimit` (a server that is one; :mod:`ctlab.scale` plays crowds against it);
- :mod:`.headers` — :data:`RATE_LIMIT` and the ``anthropic-ratelimit-requests-*`` /
  ``retry-after`` headers, written by :mod:`ctlab.responses`, read by the gate;
- :mod:`.server` — :class:`RateLimitedServer`, a fault script answered from a bucket
  on the simulation's virtual clock (``ctlab.aio.RateLimitedServer`` is this one);
- :mod:`.gate` — :class:`RateLimitGate`, async SDK middleware that paces concurrent
  requests on those headers (``ctlab.patterns.RateLimitGate`` is this one).

The full model (notebook 08), the same in-process and in the fault server:

- :mod:`.tiers` — :class:`Tier` and the illustrative :data:`TIERS` (RPM, ITPM, OTPM);
- :mod:`.tokens` — the input-token estimate, the server's charge, the prompt-caching model;
- :mod:`.buckets` — :class:`Buckets`, one model's three buckets and their headers;
- :mod:`.service` — :class:`LimitedServer`, the script that answers ``messages.create``,
  ``count_tokens`` and the Message Batches calls (:mod:`.batches`) from those buckets;
- :mod:`.pacer` — :class:`Pacer`, sync and async middleware that paces on all three;
- :mod:`.bound` — :func:`best_time`, the fastest any client could finish a workload;
- :mod:`.workloads` — workloads and the strategies notebook 08 compares.
"""

from __future__ import annotations

from .bucket import RateLimit, TokenBucket
from .buckets import Buckets
from .gate import RateLimitGate
from .headers import RATE_LIMIT
from .pacer import Pacer
from .server import RateLimitedServer
from .service import LimitedServer
from .tiers import TIERS, Tier

__all__ = [
    "RATE_LIMIT",
    "TIERS",
    "Buckets",
    "LimitedServer",
    "Pacer",
    "RateLimit",
    "RateLimitGate",
    "RateLimitedServer",
    "Tier",
    "TokenBucket",
]
