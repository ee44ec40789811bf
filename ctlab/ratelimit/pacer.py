"""The pacer: SDK middleware that waits *before* sending until all three buckets have room, so the server never refuses.

    >>> import ctlab
    >>> from ctlab.ratelimit.service import LimitedServer
    >>> pacer = Pacer()
    >>> hi = [{"role": "user", "content": "hi"}]
    >>> with ctlab.simulate(LimitedServer(Tier(rpm=6, itpm=10_000, otpm=4_000))) as sim:
    ...     client = sim.client(middleware=[pacer])
    ...     for _ in range(8):
    ...         _ = client.messages.create(model="claude-opus-4-7", max_tokens=64, messages=hi)
    >>> [a.answer for a in sim.attempts].count(429), round(sim.elapsed, 1)     # 6 at once, then one every 10 s
    (0, 20.0)

It reads the ``anthropic-ratelimit-{requests,input-tokens,output-tokens}-{limit,remaining}``
headers of every response and keeps a copy of each bucket (a :class:`TokenBucket`
refilling at ``limit / 60`` a second). Before an attempt it books what the
request needs — 1 request, its input tokens (:func:`ctlab.ratelimit.tokens.estimate`
plus ``headroom``, less a prefix it has had cached in the last 5 minutes) and
its ``max_tokens`` — and sleeps until every copy holds it. Booked needs of
answers still on their way are kept off the copies, so concurrent requests
(``handle_async``, one pacer shared by all tasks) never overbook: they take
turns, first come first served, to decide when to go. Until the first headers
arrive it lets one request through at a time.

It decides nothing about retrying: under the SDK's retries or ``ctlab.retry.chat_with_retry``
(one layer), a 429 that still comes is retried by that layer, and the pacer
holds every request until its ``retry-after`` has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections.abc import Mapping
from typing import Any

import anthropic

from ..i18n import CtlabError, Text, register
from .bucket import TokenBucket
from .buckets import HEADER_NAMES
from .headers import RETRY_AFTER, seconds
from .tiers import BUCKETS, Tier  # noqa: F401  (Tier: doctest)
from .tokens import CACHE_TTL, MIN_CACHEABLE, cached_prefix, estimate

register(
    __name__,
    {
        "ratelimit.too_big": Text(
            "这个请求需要 {need:g} 个{what}，超过了整个桶的容量 {limit}：怎么等都发不出去，先把请求拆小",
            "this request needs {need:g} {what}, more than the whole bucket holds ({limit}): no wait can fit it; "
            "split the request",
        ),
        "ratelimit.headroom": Text(
            "headroom 必须在 0 到 1 之间（比如 0.05 表示多留 5%），收到的是 {value!r}",
            "headroom must be between 0 and 1 (0.05 keeps 5 % spare), got {value!r}",
        ),
    },
)

__all__ = ["Pacer"]

_WHAT = {
    "requests": Text("请求", "requests"),
    "input": Text("输入令牌", "input tokens"),
    "output": Text("输出令牌", "output tokens"),
}


def _is_messages(url: str) -> bool:
    return url.split("?", 1)[0].rstrip("/").endswith("/v1/messages")


class Pacer(anthropic.Middleware):  # type: ignore[misc]  # the SDK is Any to mypy (skipped on purpose)
    """Paces one client's ``messages.create`` calls to the three buckets its responses announce.

    ``headroom`` is the share added to each input estimate (the server's count
    differs from it by a few percent). ``held`` counts attempts it made wait,
    ``waited`` the seconds they waited; ``refused`` counts 429s that came anyway.
    """

    def __init__(self, *, headroom: float = 0.05) -> None:
        if not (isinstance(headroom, (int, float)) and 0 <= headroom <= 1):
            raise CtlabError("ratelimit.headroom", value=headroom)
        self.headroom = float(headroom)
        self.copies: dict[str, TokenBucket] = {}
        #: Booked requests not yet learned from: ``[need, seq]``, ``seq`` set when sent (its place in send order).
        self.pending: list[list[Any]] = []
        self.sent, self.newest = 0, -1
        self.cached: dict[str, float] = {}
        self.resume_at = 0.0
        self.held, self.waited, self.refused = 0, 0.0, 0
        self._turn: asyncio.Lock | None = None
        self._news: asyncio.Event | None = None
        self._sync_turn = threading.Lock()

    # -- what a request needs, and when it may go ------------------------------
    def needs(self, body: Mapping[str, Any], now: float) -> dict[str, float]:
        """What ``body`` will take from each bucket, as far as the pacer can tell."""
        tokens = estimate(body)
        prefix = cached_prefix(body)
        if prefix is not None and prefix[1] >= MIN_CACHEABLE and self.cached.get(prefix[0], -math.inf) > now:
            tokens -= prefix[1]
        max_tokens = body.get("max_tokens")
        output = float(max_tokens) if isinstance(max_tokens, (int, float)) else 1024.0
        return {"requests": 1.0, "input": math.ceil(tokens * (1 + self.headroom)), "output": output}

    def delay(self, need: Mapping[str, float], now: float) -> float:
        """Seconds from ``now`` until every bucket copy holds ``need`` (0 before any headers were seen)."""
        wait = max(0.0, self.resume_at - now)
        for name, bucket in self.copies.items():
            if need[name] > bucket.burst:
                raise CtlabError("ratelimit.too_big", need=need[name], what=_WHAT[name], limit=int(bucket.burst))
            bucket.refill(now)
            wait = max(wait, bucket.wait(need[name]))
        return wait

    def book(self, need: dict[str, float], now: float) -> tuple[list[Any], float]:
        """Reserve ``need`` on the copies: the booking, and how long to wait before sending."""
        wait = self.delay(need, now)
        for name, bucket in self.copies.items():
            bucket.level -= need[name]
        booking: list[Any] = [need, None]
        self.pending.append(booking)
        if wait > 0:
            self.held += 1
            self.waited += wait
        return booking, wait

    def send(self, booking: list[Any]) -> None:
        """Mark ``booking`` as sent now."""
        booking[1] = self.sent
        self.sent += 1

    def drop(self, booking: list[Any]) -> None:
        if booking in self.pending:
            self.pending.remove(booking)

    def learn(
        self, booking: list[Any], status_code: int, headers: Mapping[str, str], now: float, body: Mapping[str, Any]
    ) -> None:
        """Take in a response at ``now``: each bucket's level, less what requests sent after it (or not sent yet) have
        booked. A response to a request sent before one already learned from is older news: its levels are skipped."""
        self.drop(booking)
        seq = booking[1] if booking[1] is not None else self.sent
        fresh = seq > self.newest
        self.newest = max(self.newest, seq)
        later = [b[0] for b in self.pending if b[1] is None or b[1] > seq]
        for name in BUCKETS if fresh else ():
            family = f"anthropic-ratelimit-{HEADER_NAMES[name]}"
            limit, remaining = headers.get(f"{family}-limit"), headers.get(f"{family}-remaining")
            if limit is None or remaining is None or not limit.isdigit() or not remaining.isdigit():
                continue
            bucket = self.copies.get(name) or TokenBucket(int(limit) / 60, int(limit))
            bucket.rate, bucket.burst, bucket.last = int(limit) / 60, int(limit), now
            bucket.level = int(remaining) - sum(need[name] for need in later)
            self.copies[name] = bucket
        if status_code == 429:
            self.refused += 1
            wait = seconds(headers.get(RETRY_AFTER))
            self.resume_at = max(self.resume_at, now + (wait if wait is not None else 1.0))
        elif status_code == 200:
            prefix = cached_prefix(body)
            if prefix is not None:
                self.cached[prefix[0]] = now + CACHE_TTL
        if self._news is not None:
            self._news.set()

    # -- as SDK middleware ----------------------------------------------------------
    def handle(self, request: Any, call_next: Any) -> Any:
        body = request.json if isinstance(request.json, Mapping) else None
        if body is None or request.method.upper() != "POST" or not _is_messages(request.url):
            return call_next(request)
        with self._sync_turn:  # threads sharing the client take turns to decide when to go
            booking, wait = self.book(self.needs(body, time.monotonic()), time.monotonic())
            if wait > 0:
                time.sleep(wait)
            self.send(booking)
        try:
            response = call_next(request)
        except BaseException:
            self.drop(booking)
            raise
        self.learn(booking, response.status_code, response.headers, time.monotonic(), body)
        return response

    async def handle_async(self, request: Any, call_next: Any) -> Any:
        body = request.json if isinstance(request.json, Mapping) else None
        if body is None or request.method.upper() != "POST" or not _is_messages(request.url):
            return await call_next(request)
        loop = asyncio.get_running_loop()
        if self._turn is None:
            self._turn = asyncio.Lock()
        async with self._turn:  # one request at a time decides when to go (first come, first served)
            need = self.needs(body, loop.time())
            started = loop.time()
            while (wait := self.delay(need, loop.time())) > 0:  # sleep, but look again whenever an answer comes
                self._news = asyncio.Event()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._news.wait(), wait)
            if loop.time() > started:
                self.held += 1
                self.waited += loop.time() - started
            booking, _ = self.book(need, loop.time())
            self.send(booking)
            sending = asyncio.ensure_future(call_next(request))
            if len(self.copies) < len(BUCKETS):  # no limits known yet: hold the others until this one's answer
                await asyncio.wait([sending])
        try:
            response = await sending
        except BaseException:
            self.drop(booking)
            raise
        self.learn(booking, response.status_code, response.headers, loop.time(), body)
        return response
