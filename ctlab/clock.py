"""The virtual clock: sleeps that cost no real time, only for the threads that own it, and always undone.

While a clock is installed, ``time.sleep``, ``asyncio.sleep`` and ``anyio.sleep``
called *from a thread it owns* advance the clock instead of waiting, and
``time.monotonic()`` / ``time.time()`` called from code in such a thread move
with it (so a deadline in your code sees simulated timeouts and waits). With
``clock.installed()`` the owner is the thread that entered the ``with``; in a
simulation, its threads (see :mod:`ctlab.simulate`). Every other thread (a
Jupyter kernel's heartbeat, say), the event-loop machinery itself (asyncio,
anyio, tornado, zmq) and an event loop that keeps virtual time itself
(:func:`ctlab.aio.run_async`) keep real time, and the originals come back on
exit, whatever happens inside the block — a Ctrl-C waits until installing or
removing is over::

    >>> import time
    >>> clock = VirtualClock()
    >>> with clock.installed():
    ...     start = time.monotonic()
    ...     time.sleep(30)
    ...     round(time.monotonic() - start, 6)
    30.0
    >>> clock.now
    30.0
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal

import anyio
import anyio._backends._asyncio  # binds its own `asyncio.sleep` now, never a virtual one

from ._active import Patches, critical, deliver_pending, guard_signals, interrupt_pending, unguard_signals
from .i18n import CtlabError, Text, register

register(
    __name__,
    {
        "clock.negative": Text(
            "等待时长不能为负数：{value!r}",
            "a wait cannot be negative: {value!r}",
        ),
    },
)

Sleeper = Literal["sdk", "code"]
SleepListener = Callable[[float, Sleeper], None]
Owns = Callable[[], bool]

#: Callers that must keep real time even in the clock's thread: event loops and I/O machinery.
_REAL_TIME_CALLERS = ("asyncio", "anyio", "tornado", "zmq", "ipykernel", "jupyter_client", "selectors", "concurrent")


def _caller_module(frame_depth: int) -> str:
    name: str = sys._getframe(frame_depth + 1).f_globals.get("__name__", "")
    return name


def _sleeper(frame_depth: int) -> Sleeper:
    """Whether the SDK or someone else's code asked for the sleep."""
    caller = sys._getframe(frame_depth).f_globals.get("__name__", "")
    return "sdk" if caller.startswith("anthropic.") else "code"


def _loop_keeps_virtual_time() -> bool:
    """Whether the running event loop is ctlab's own, whose clock is already virtual (:mod:`ctlab.aio`)."""
    loop = asyncio._get_running_loop()
    return loop is not None and type(loop).__module__.startswith("ctlab.")


class VirtualClock:
    """Seconds since the simulation started; moves only when something waits."""

    def __init__(self, listener: SleepListener | None = None) -> None:
        self.now = 0.0
        self._listener = listener

    def advance(self, seconds: float) -> None:
        """Move time forward (a simulated request that took ``seconds``)."""
        if seconds < 0:
            raise CtlabError("clock.negative", value=seconds)
        self.now += float(seconds)

    def sleep(self, seconds: float, by: Sleeper = "code") -> None:
        """A wait: advances the clock and tells the listener who waited."""
        self.advance(seconds)
        if self._listener is not None:
            self._listener(float(seconds), by)

    def install(self, patches: Patches, owns: Owns) -> None:
        """Make sleeps virtual, and ``time`` move with the clock, in the threads ``owns()`` says are the clock's.

        Each replacement is recorded in ``patches`` first: ``patches.undo()`` removes them all.
        Once ``owns()`` says no, a replacement someone kept (``from time import sleep``) waits for real.
        """
        clock = self
        real_time_sleep, real_asyncio_sleep, real_anyio_sleep = time.sleep, asyncio.sleep, anyio.sleep
        real_monotonic, real_time = time.monotonic, time.time
        monotonic_zero, time_zero = real_monotonic() - self.now, real_time() - self.now

        def virtual(now: Callable[[], float], zero: float) -> Callable[[], float]:
            def read() -> float:
                if not owns() or _caller_module(1).startswith(_REAL_TIME_CALLERS):
                    return now()
                return zero + clock.now

            return read

        def time_sleep(seconds: float) -> None:
            if not owns() or not math.isfinite(seconds):
                real_time_sleep(seconds)  # inf and nan raise, as time.sleep always does
                return
            clock.sleep(max(float(seconds), 0.0), _sleeper(2))

        async def asyncio_sleep(delay: float, result: Any = None) -> Any:
            if not owns() or _loop_keeps_virtual_time():
                return await real_asyncio_sleep(delay, result)
            clock.sleep(max(float(delay), 0.0), _sleeper(2))
            await real_asyncio_sleep(0)
            return result

        async def anyio_sleep(delay: float) -> None:
            if not owns() or _loop_keeps_virtual_time():
                await real_anyio_sleep(delay)
                return
            clock.sleep(max(float(delay), 0.0), _sleeper(2))
            await real_anyio_sleep(0)

        patches.set(time, "sleep", time_sleep)
        patches.set(asyncio, "sleep", asyncio_sleep)
        patches.set(anyio, "sleep", anyio_sleep)
        patches.set(time, "monotonic", virtual(real_monotonic, monotonic_zero))
        patches.set(time, "time", virtual(real_time, time_zero))

    def installed(self) -> InstalledClock:
        """Make this thread's ``time.sleep``/``asyncio.sleep``/``anyio.sleep`` virtual for a ``with`` block."""
        return InstalledClock(self)


class InstalledClock:
    """``with clock.installed():`` — virtual time for the thread that enters, put back on exit."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._patches = Patches()
        self._owner: threading.Thread | None = None
        self._signals = False

    def _owns(self) -> bool:
        return self._owner is not None and threading.current_thread() is self._owner

    @critical
    def __enter__(self) -> VirtualClock:
        try:
            self._signals = guard_signals()
            self._owner = threading.current_thread()
            self.clock.install(self._patches, self._owns)
        except BaseException:
            self._close()
            raise
        if self._signals and interrupt_pending():  # Ctrl-C while installing: undo, then raise it
            self._close()
            deliver_pending()
        return self.clock

    @critical
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    @critical
    def _close(self) -> None:
        self._owner = None
        self._patches.undo()
        if self._signals:
            self._signals = False
            unguard_signals()
