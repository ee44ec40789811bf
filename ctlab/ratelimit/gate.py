"""The client side of a rate limit: one gate, shared by concurrent requests, that paces them on the server's headers.

    >>> import ctlab
    >>> from ctlab.aio import run_async
    >>> from ctlab.docs_loop import MESSAGES
    >>> gate = RateLimitGate()
    >>> with ctlab.simulate("200") as sim:
    ...     client = sim.async_client(middleware=[gate])
    ...     for _ in range(3):
    ...         _ = run_async(lambda: client.messages.create(model="claude-opus-4-7", max_tokens=8, messages=MESSAGES))
    >>> [round(a.at, 1) for a in sim.attempts], gate.held     # 50 a minute: 1.2 s apart
    ([0.0, 1.2, 2.4], 2)

It reads ``anthropic-ratelimit-requests-limit`` (to space attempts),
``anthropic-ratelimit-requests-remaining`` and ``retry-after`` (to hold every
attempt after a 429); the SDK itself reads none of them but ``retry-after``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import anthropic

from .headers import RETRY_AFTER, exhausted, interval, seconds

__all__ = ["RateLimitGate"]


class RateLimitGate(anthropic.Middleware):  # type: ignore[misc]  # the SDK is Any to mypy (skipped on purpose)
    """Async SDK middleware shared by every concurrent request of one client.

    Before each attempt it waits for its turn: attempts are spaced
    ``60 / anthropic-ratelimit-requests-limit`` seconds apart once a response
    has announced the limit, and none starts before ``retry-after`` has passed
    since the last 429. It decides nothing about retrying — the SDK still does
    that, once — it only keeps concurrent requests from all learning the same
    lesson separately. ``held`` counts attempts it made wait; ``pace=False``
    only holds after a 429.
    """

    def __init__(self, *, pace: bool = True) -> None:
        self.pace = pace
        self.interval = 0.0
        self.last_start = float("-inf")
        self.resume_at = 0.0
        self.held = 0

    async def handle_async(self, request: Any, call_next: Any) -> Any:
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self.resume_at, self.last_start + self.interval if self.pace else now)
        self.last_start = start
        if start > now:
            self.held += 1
            await asyncio.sleep(start - now)
        response = await call_next(request)
        self.learn(response.status_code, response.headers, loop.time())
        return response

    def learn(self, status_code: int, headers: Mapping[str, str], now: float) -> None:
        """Take in what a response announced at ``now``: the pace, and whether to hold everyone."""
        announced = interval(headers)
        if announced is not None:
            self.interval = announced
        if exhausted(status_code, headers):
            wait = seconds(headers.get(RETRY_AFTER))
            self.resume_at = max(self.resume_at, now + (wait if wait is not None else self.interval or 1.0))
