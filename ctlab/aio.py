"""Concurrent asyncio code in virtual time, and a server whose answers depend on that time.

ctlab's clock makes ``asyncio.sleep`` virtual in the threads a simulation owns,
but each sleep moves the clock by its whole length at once: five tasks that
each sleep one second *concurrently* move it five seconds, not one. That is
fine for one request at a time, wrong for many. :func:`run_async` runs a
coroutine on an event loop whose clock *is* the simulation's, so concurrent
sleepers wake in time order, as on a real loop::

    >>> import asyncio, ctlab
    >>> async def five_sleepers():
    ...     await asyncio.gather(*(asyncio.sleep(1) for _ in range(5)))
    >>> with ctlab.simulate() as sim:
    ...     run_async(five_sleepers)
    >>> sim.elapsed
    1.0

:class:`RateLimitedServer` is a fault script that answers from a token bucket
on that clock: ``200`` while there is allowance, else ``429`` with the
``retry-after`` a rate limiter would send. With it, what concurrent clients do
to each other can be measured.
"""

from __future__ import annotations

import asyncio
import math
import selectors
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .faults import Fault, Reply, Script, status
from .i18n import CtlabError, Text, register
from .responses import RATE_LIMIT
from .scale import RateLimit
from .simulate import active

register(
    __name__,
    {
        "aio.outside": Text(
            "run_async 只能在 ctlab.simulate(...) 的 with 块里使用：它用模拟的虚拟时钟计时",
            "run_async only works inside a `with ctlab.simulate(...)` block: it keeps time on the simulation's virtual clock",
        ),
        "aio.rate": Text(
            "限流参数不合法：per_minute 必须大于 0，burst 必须 >= 1（收到 per_minute={per_minute!r}, burst={burst!r}）",
            "invalid rate limit: per_minute must be > 0 and burst >= 1 (got per_minute={per_minute!r}, burst={burst!r})",
        ),
    },
)

__all__ = ["RateLimitedServer", "run_async"]

T = TypeVar("T")


class _JumpingSelector(selectors.DefaultSelector):
    """Never blocks: when the loop would wait ``timeout`` seconds, the clock jumps instead."""

    def __init__(self, advance: Callable[[float], None]) -> None:
        super().__init__()
        self._advance = advance

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:  # nothing scheduled: only another thread can wake the loop
            return super().select(0.05)
        if timeout > 0:
            self._advance(timeout)
        return super().select(0)


class _VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self, now: Callable[[], float], advance: Callable[[float], None]) -> None:
        self._now = now
        super().__init__(selector=_JumpingSelector(advance))

    def time(self) -> float:
        return self._now()

    def run_in_executor(self, executor: Any, func: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Run ``func`` here and now: a real worker thread would race the virtual clock.

        (The async SDK client looks up its platform headers this way, with ``asyncio.to_thread``.)
        """
        future: asyncio.Future[T] = self.create_future()
        try:
            future.set_result(func(*args))
        except BaseException as error:  # noqa: BLE001 - delivered through the future, as an executor would
            future.set_exception(error)
        return future


def run_async(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main()`` to completion on an event loop timed by the active simulation's clock.

    Call it inside ``ctlab.simulate(...)``. It runs on a helper thread (so it
    works in a notebook, whose own loop is already running) and returns what
    ``main()`` returns, or raises what it raises. Work the loop would hand to
    a thread pool (``asyncio.to_thread``) runs inline, so no real thread races
    the virtual clock.

    >>> import ctlab
    >>> with ctlab.simulate("200") as sim:
    ...     client = sim.async_client()
    ...     reply = run_async(lambda: client.messages.create(model="claude-opus-4-7", max_tokens=8, messages=[{"role": "user", "content": "hi"}]))
    >>> reply.content[0].text
    '你好！Hello!'
    """
    sim = active()
    if sim is None:
        raise CtlabError("aio.outside")
    clock = sim.clock
    box: dict[str, Any] = {}

    def target() -> None:
        loop = _VirtualLoop(lambda: clock.now, clock.advance)
        try:
            asyncio.set_event_loop(loop)
            box["value"] = loop.run_until_complete(main())
        except BaseException as error:  # noqa: BLE001 - handed back to the caller's thread
            box["error"] = error
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()

    thread = threading.Thread(target=target, name="ctlab-virtual-loop")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


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

    def __init__(self, per_minute: float = RATE_LIMIT, *, burst: int = 5) -> None:
        if not per_minute > 0 or not burst >= 1:
            raise CtlabError("aio.rate", per_minute=per_minute, burst=burst)
        object.__setattr__(self, "faults", (Reply(),))
        object.__setattr__(self, "per_minute", float(per_minute))
        object.__setattr__(self, "_bucket", RateLimit(per_minute / 60, burst=burst).fresh())

    def at(self, attempt: int) -> Fault:
        sim = active()
        now = sim.clock.now if sim is not None else 0.0
        bucket = self._bucket  # type: ignore[attr-defined]
        if bucket.decide(now, None):
            return Reply()
        return status(429, retry_after=math.ceil(max(0.0, 1 - bucket.level) / bucket.capacity))

    def labels(self) -> list[str]:
        return [f"rate-limit({self.per_minute:g}/min)"]  # type: ignore[attr-defined]
