"""The virtual clock: sleeps that cost no real time, for one thread, and always undone.

While a clock is installed, ``time.sleep``, ``asyncio.sleep`` and ``anyio.sleep``
called *from the installing thread* advance the clock instead of waiting, and
``time.monotonic()`` / ``time.time()`` called from code in that thread move with
it (so a deadline in your code sees simulated timeouts and waits). Every other
thread (a Jupyter kernel's heartbeat, say) and the event-loop machinery itself
(asyncio, anyio, tornado, zmq) keep real time, and the originals come back on
exit, whatever happens inside the block::

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
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import anyio
import anyio._backends._asyncio  # noqa: F401  - bind its own `asyncio.sleep` now, never to a virtual one

from .i18n import CtlabError

Sleeper = Literal["sdk", "code"]
SleepListener = Callable[[float, Sleeper], None]

#: Callers that must keep real time even in the clock's thread: event loops and I/O machinery.
_REAL_TIME_CALLERS = ("asyncio", "anyio", "tornado", "zmq", "ipykernel", "jupyter_client", "selectors", "concurrent")


def _caller_module(frame_depth: int) -> str:
    return sys._getframe(frame_depth + 1).f_globals.get("__name__", "")


def _sleeper(frame_depth: int) -> Sleeper:
    """Whether the SDK or someone else's code asked for the sleep."""
    caller = sys._getframe(frame_depth).f_globals.get("__name__", "")
    return "sdk" if caller.startswith("anthropic.") else "code"


class VirtualClock:
    """Seconds since the simulation started; moves only when something waits."""

    def __init__(self, listener: SleepListener | None = None) -> None:
        self.now = 0.0
        self._listener = listener
        self._owner: int | None = None

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

    def _owns_this_thread(self) -> bool:
        return self._owner == threading.get_ident()

    @contextmanager
    def installed(self) -> Iterator[VirtualClock]:
        """Make this thread's ``time.sleep``/``asyncio.sleep``/``anyio.sleep`` virtual."""
        clock = self
        real_time_sleep, real_asyncio_sleep, real_anyio_sleep = time.sleep, asyncio.sleep, anyio.sleep
        real_monotonic, real_time = time.monotonic, time.time
        monotonic_zero, time_zero = real_monotonic() - self.now, real_time() - self.now

        def virtual(now: Callable[[], float], zero: float) -> Callable[[], float]:
            def read() -> float:
                if not clock._owns_this_thread() or _caller_module(1).startswith(_REAL_TIME_CALLERS):
                    return now()
                return zero + clock.now

            return read

        def time_sleep(seconds: float) -> None:
            if not clock._owns_this_thread():
                return real_time_sleep(seconds)
            clock.sleep(max(float(seconds), 0.0), _sleeper(2))

        async def asyncio_sleep(delay: float, result: Any = None) -> Any:
            if not clock._owns_this_thread():
                return await real_asyncio_sleep(delay, result)
            clock.sleep(max(float(delay), 0.0), _sleeper(2))
            await real_asyncio_sleep(0)
            return result

        async def anyio_sleep(delay: float) -> None:
            if not clock._owns_this_thread():
                return await real_anyio_sleep(delay)
            clock.sleep(max(float(delay), 0.0), _sleeper(2))
            await real_anyio_sleep(0)

        self._owner = threading.get_ident()
        time.sleep, asyncio.sleep, anyio.sleep = time_sleep, asyncio_sleep, anyio_sleep  # type: ignore[assignment]
        time.monotonic, time.time = virtual(real_monotonic, monotonic_zero), virtual(real_time, time_zero)  # type: ignore[assignment]
        try:
            yield self
        finally:
            time.sleep, asyncio.sleep, anyio.sleep = real_time_sleep, real_asyncio_sleep, real_anyio_sleep  # type: ignore[assignment]
            time.monotonic, time.time = real_monotonic, real_time  # type: ignore[assignment]
            self._owner = None
