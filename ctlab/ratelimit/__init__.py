"""Rate limiting in one place: the limiter that refuses, and the pacer that sends before it has to.

    >>> import ctlab
    >>> from ctlab.ratelimit import LimitedServer, Pacer, Tier
    >>> hi = [{"role": "user", "content": "hi"}]
    >>> def three(client):
    ...     return [client.messages.create(model="claude-opus-4-7", max_tokens=64, messages=hi) for _ in range(3)]
    >>> sim = ctlab.run(LimitedServer(Tier(rpm=2, itpm=10_000, otpm=4_000)), three, max_retries=0)
    >>> [a.answer for a in sim.attempts], sim.outcome.error.response.headers["retry-after"]
    ([200, 200, 429], '30')
    >>> sim = ctlab.run(LimitedServer(Tier(rpm=2, itpm=10_000, otpm=4_000)), three, middleware=[Pacer()])
    >>> [a.answer for a in sim.attempts], sim.elapsed
    ([200, 200, 200], 30.0)

The model (notebooks 06 and 08), the same in-process and in the fault server:

- :mod:`.tiers` — :class:`Tier` and the illustrative :data:`TIERS` (RPM, ITPM, OTPM);
- :mod:`.tokens` — the input-token estimate, the server's charge, the prompt-caching model;
- :mod:`.buckets` — :class:`Buckets`, one model's three buckets and their headers;
- :mod:`.service` — :class:`LimitedServer`, the script that answers ``messages.create``,
  ``count_tokens`` and the Message Batches calls (:mod:`.batches`) from those buckets;
- :mod:`.pacer` — :class:`Pacer`, sync and async SDK middleware, shared by a client's
  concurrent requests, that paces on all three buckets' headers;
- :mod:`.bound` — :func:`best_time`, the fastest any client could finish a workload;
- :mod:`.workloads` — workloads and the strategies notebook 08 compares.

And the pieces the rest of ctlab shares:

- :mod:`.bucket` — :class:`TokenBucket` (refills on a clock the caller keeps) and
  :class:`RateLimit` (a server that is one; :mod:`ctlab.scale` plays crowds against it);
- :mod:`.headers` — :data:`RATE_LIMIT` and the ``anthropic-ratelimit-requests-*`` /
  ``retry-after`` headers every simulated answer carries (written by :mod:`ctlab.responses`).
"""

from __future__ import annotations

from .bucket import RateLimit, TokenBucket
from .buckets import Buckets
from .headers import RATE_LIMIT
from .pacer import Pacer
from .service import LimitedServer
from .tiers import TIERS, Tier

__all__ = [
    "RATE_LIMIT",
    "TIERS",
    "Buckets",
    "LimitedServer",
    "Pacer",
    "RateLimit",
    "Tier",
    "TokenBucket",
]
