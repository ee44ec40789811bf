"""Many clients, one server: why backoff needs jitter (a small discrete-event simulation).

The SDK sends one request at a time; this package asks what happens when
``clients`` copies of a retry policy meet one server at once. It runs on its
own virtual time (an event queue, no sleeping, no HTTP), seeded, in well under
a second for a hundred clients::

    >>> herd = crowd(100, "full", capacity=10)
    >>> herd.calls == herd.accepted + herd.rejected, herd.succeeded
    (True, 100)

The pieces, each in its own module:

- the wait formulas — :class:`Backoff` and :data:`STRATEGIES` from :mod:`ctlab.backoff`
  (no backoff, exponential, full / equal / decorrelated jitter, and the SDK's own);
- :mod:`.servers` — :class:`RateLimit` (a token bucket, from :mod:`ctlab.ratelimit`) or
  :class:`OptimisticRow` (the one Marc Brooker simulated in 2015);
- :mod:`.policy` — a client :class:`Policy` (attempts, retry layers, the SRE book's
  retry budget and adaptive throttling);
- :mod:`.engine` — :func:`crowd`, which plays them against each other, and its :class:`Crowd`;
- :mod:`.experiments` — :func:`sweep` and :func:`overload`, the experiments notebook 05
  plots, and :func:`brooker`, his setup, for comparison.
"""

from __future__ import annotations

from .engine import Crowd, crowd
from .experiments import POLICIES, Overload, Sweep, brooker, overload, sweep
from .policy import Policy
from .servers import OptimisticRow

__all__ = [
    "POLICIES",
    "Crowd",
    "OptimisticRow",
    "Overload",
    "Policy",
    "Sweep",
    "brooker",
    "crowd",
    "overload",
    "sweep",
]
