"""Concurrent asyncio code in virtual time: an event loop whose clock is the simulation's.

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

With it, what concurrent clients do to each other can be measured, e.g.
against :class:`ctlab.ratelimit.LimitedServer` (a rate limiter on that clock).
"""

from __future__ import annotations

import asyncio
import selectors
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .i18n import CtlabError, Text, register
from .simulate import active

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from typing_extensions import TypeVarTuple, Unpack

    _Ts = TypeVarTuple("_Ts")

register(
    __name__,
    {
        "aio.outside": Text(
            "run_async 只能在 ctlab.simulate(...) 的 with 块里使用：它用模拟的虚拟时钟计时",
            "run_async only works inside a `with ctlab.simulate(...)` block: it keeps time on the simulation's virtual "
            "clock",
        ),
    },
)

__all__ = ["run_async"]

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

    def run_in_executor(  # the signature of asyncio's, executor unused
        self, executor: Executor | None, func: Callable[[Unpack[_Ts]], T], *args: Unpack[_Ts]  # noqa: ARG002
    ) -> asyncio.Future[T]:
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
    ...     hi = [{"role": "user", "content": "hi"}]
    ...     reply = run_async(lambda: client.messages.create(model="claude-opus-4-7", max_tokens=8, messages=hi))
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
    return cast("T", box["value"])
