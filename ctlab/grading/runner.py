"""Run a learner's function once under a fault script, safely: it cannot retry forever, hang the kernel, or print.

    >>> from ctlab.simulate import ask
    >>> run = guarded(lambda client, messages: ask(client, messages), "429 200")
    >>> run.measurement.requests, run.stopped, run.streamed
    (2, False, (False, False))

Two guards, because virtual time never blocks:

* **Request count.** A loop that retries forever costs no real time — every
  sleep is virtual — so it is stopped by counting: the client's middleware
  raises :class:`Runaway` on request ``RUNAWAY + 1``. ``Runaway`` is a
  ``BaseException``, so ``except Exception`` in the learner's loop cannot
  swallow it; the run records :class:`Stopped` as what the function raised.
* **Real time.** A loop that neither sends requests nor sleeps (``while True:
  pass``) is bounded by running the function in a worker thread and waiting
  for it with a time limit. Python cannot kill a thread: ctlab asks it to stop
  by raising :class:`Hung` inside it (CPython's ``PyThreadState_SetAsyncExc``),
  which ends any pure-Python loop that does not catch ``BaseException``. If the
  thread still runs (blocked in C, say ``threading.Event().wait()``), the
  :class:`Hung` result says so and ctlab *abandons* it: the thread keeps
  running, but its simulation is removed at once and it can never reach one
  again — its requests go to the real transport, and ctlab's clients refuse
  them. Nothing stays installed, and later checks work.

Ctrl-C while a scenario runs stops it the same way and is raised once the
scenario's simulation is removed.
"""

from __future__ import annotations

import copy
import ctypes
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

import anthropic

from .._active import abandon, critical, guard_signals, interrupt_pending, unguard_signals
from ..docs_loop import MESSAGES
from ..measure import Measurement, measure

#: Requests after which a function that is still retrying is stopped.
RUNAWAY = 30
#: Real seconds one run may take before it counts as hung (a normal run takes a few milliseconds).
TIME_LIMIT = 3.0

RetryFunction = Callable[[Any, list[dict[str, str]]], Any]


class Runaway(BaseException):
    """Raised by the simulated client when a function will not stop retrying (past ``except Exception``)."""


class Hung(BaseException):
    """Raised inside a worker thread that ran out of real time."""


class Stopped(Exception):  # noqa: N818  (a signal to a runaway loop, not an error of its own)
    """What a run records as raised when ctlab had to stop an endless retry loop."""


def source_file(fn: Any) -> str | None:
    """The file (or notebook cell) ``fn``'s code lives in."""
    target = getattr(fn, "__wrapped__", fn)
    code = getattr(target, "__code__", None)
    if code is None and callable(target):  # an object with a __call__ method: that method's code
        code = getattr(type(target).__call__, "__code__", None)
    return getattr(code, "co_filename", None)


class _Guard(anthropic.Middleware):  # type: ignore[misc]  # the SDK is Any to mypy (skipped on purpose)
    """Counts the attempts of one run, notes whether each asked for a stream, and stops a runaway."""

    def __init__(self, limit: int, filename: str | None) -> None:
        self.limit = limit
        self.filename = filename
        self.requests = 0
        self.streamed: list[bool] = []
        #: Per attempt, what the SDK got: the HTTP response (which a status error it raises carries),
        #: or the exception it raised for a timeout or a dropped connection.
        self.answers: list[Any] = []
        self.tripped = False
        self.inside = False  # the learner's function is running (only then may the worker be interrupted)
        self.lock = threading.Lock()  # ``inside`` and the stop request change together
        self.traced = False
        self.previous_trace: Any = None

    def handle(self, request: Any, call_next: Any) -> Any:
        self.requests += 1
        if self.requests > self.limit:
            if self.tripped:  # the last Runaway was swallowed by a bare ``except:``
                self._forbid_learner_code()
            self.tripped = True
            raise Runaway(f"more than {self.limit} requests")
        self.streamed.append(bool(getattr(request, "stream", False)))
        try:
            result = call_next(request)
        except Exception as error:  # a timeout or a dropped connection: the SDK's own exception object
            self.answers.append(error)
            raise
        self.answers.append(getattr(result, "http_response", None))
        return result

    def _forbid_learner_code(self) -> None:
        """From now on, any line of the learner's file run in this thread raises :class:`Runaway`.

        An exception raised in an ``except`` block is not caught by that block,
        so even ``while True: try: ... except: pass`` has to let it out.
        """
        filename = self.filename

        def tracer(frame: Any, event: str, _arg: Any) -> Any:
            if frame.f_code.co_filename != filename:
                return None
            if event == "line":
                raise Runaway("stopped")
            return tracer

        if filename is None:
            return
        if not self.traced:
            self.traced, self.previous_trace = True, sys.gettrace()
        sys.settrace(tracer)  # this (worker) thread only; put back when the run ends
        frame: FrameType | None = sys._getframe()
        while frame is not None:
            if frame.f_code.co_filename == filename:
                frame.f_trace = tracer
            frame = frame.f_back


@dataclass(frozen=True)
class Run:
    """One function under one fault script: the measurement, and what the guards saw.

    ``answers`` holds, per attempt, the SDK's HTTP response or the exception it
    raised without one: what "the SDK's original error" is made of.
    """

    measurement: Measurement
    stopped: bool
    streamed: tuple[bool, ...]
    answers: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Hang:
    """The function was still running when its real time ran out."""

    limit: float
    stopped: bool
    runaway: bool = False  # it went on after ctlab stopped its retries (a bare ``except:`` swallowed the stop)


@dataclass(frozen=True)
class Escaped:
    """The function raised a ``BaseException`` (``SystemExit``, ``KeyboardInterrupt``...) that gets past ``run``."""

    error: BaseException


Result = Run | Hang | Escaped


class _Retracted(BaseException):
    """Raised in a helper thread only, to clear CPython's process-wide flag that a stop request is waiting."""


def _set_async_exc(thread_id: int, error: type[BaseException] | None) -> None:
    """Raise ``error`` in thread ``thread_id`` at its next bytecode (``None``: take back one not raised yet).

    CPython only; elsewhere nothing happens."""
    set_async_exc = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async_exc is not None:
        set_async_exc(ctypes.c_ulong(thread_id), None if error is None else ctypes.py_object(error))


def _retract_stop(thread: threading.Thread) -> None:
    """Take back the :class:`Hung` a thread blocked in C never received.

    Left waiting, it would keep CPython's process-wide "an exception is pending"
    flag set: every thread would check it at every call, and a thread being
    traced (a debugger) would spin on it forever. Taking it back leaves the flag
    set too, so a helper thread receives one exception of its own, which clears it.
    """
    _set_async_exc(thread.ident or 0, None)

    def receive() -> None:
        try:
            _set_async_exc(threading.get_ident(), _Retracted)
            for _ in range(1000):  # bytecode to run: the exception lands here
                pass
        except _Retracted:
            pass

    helper = threading.Thread(target=receive, name="ctlab-check-retract", daemon=True)
    helper.start()
    helper.join()


def _call(fn: RetryFunction, guard: _Guard) -> Callable[[Any], Any]:
    def call(client: Any) -> Any:
        guard.inside = True
        try:
            return fn(client, copy.deepcopy(MESSAGES))
        except Runaway:
            raise Stopped(f"stopped after {guard.limit} requests") from None
        finally:
            with guard.lock:  # a stop asked for as the function ended lands here at the latest, not in the clean-up
                guard.inside = False

    return call


def _stop(thread: threading.Thread, guard: _Guard, grace: float = 1.0) -> bool:
    """Ask ``thread`` to stop by raising :class:`Hung` in it; whether it ended within ``grace`` seconds.

    The exception is raised again every few milliseconds while the learner's
    function is still running: a bare ``except:`` may catch one, but sooner or
    later one lands outside the ``try``. Once the function has returned, nothing
    more is raised, so the simulation's own clean-up is never interrupted.
    """
    for _ in range(max(1, int(grace / 0.02))):
        with guard.lock:
            if guard.inside:
                _set_async_exc(thread.ident or 0, Hung)
        thread.join(0.02)
        if not thread.is_alive():
            return True
    return False


@critical
def guarded(fn: RetryFunction, faults: str, *, seed: int = 0, time_limit: float = TIME_LIMIT) -> Result:
    """Run ``fn(client, messages)`` under ``faults`` in a worker thread, with both guards.

    Whatever happens — a hang, a Ctrl-C — no simulation is left installed when it returns.
    """
    guard = _Guard(RUNAWAY, source_file(fn))
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["measurement"] = measure(_call(fn, guard), faults, seed=seed, middleware=[guard])
        except BaseException as error:  # noqa: BLE001 - reported, or re-raised in the caller's thread
            box["error"] = error
        finally:
            if guard.traced:
                sys.settrace(guard.previous_trace)

    stdout = sys.stdout  # measure() redirects it for the whole process while the worker runs
    worker = threading.Thread(target=work, name="ctlab-check", daemon=True)
    signals = guard_signals()  # a Ctrl-C now waits until the worker is stopped and its simulation removed
    try:
        worker.start()
        deadline = time.perf_counter() + time_limit
        while worker.is_alive() and not interrupt_pending():
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            worker.join(min(left, 0.05))
        if worker.is_alive():
            stopped = _stop(worker, guard)
            abandon(worker)  # whatever it does from now on, it reaches no simulation
            if not stopped:
                _retract_stop(worker)
            sys.stdout = stdout
            return Hang(time_limit, stopped, guard.tripped)
    finally:
        if signals:
            unguard_signals()  # a Ctrl-C that waited is raised here
    error = box.get("error")
    if error is not None:
        if isinstance(error, Exception):  # ctlab's own errors, e.g. called inside another simulation
            raise error
        return Escaped(error)
    return Run(box["measurement"], guard.tripped, tuple(guard.streamed), tuple(guard.answers))
