"""The one simulation installed in this process, the threads it owns, and Ctrl-C that waits for installing to end.

    >>> installed() is None  # outside every `with ctlab.simulate(...)` block
    True
    >>> class Box:
    ...     size = 1
    >>> patches = Patches()
    >>> patches.set(Box, "size", 2); patches.set(Box, "colour", "red")
    >>> Box.size, Box.colour
    (2, 'red')
    >>> patches.undo(); patches.undo()  # everything back, however often it is called
    >>> Box.size, hasattr(Box, "colour")
    (1, False)

:mod:`ctlab.simulate` installs simulations here and :mod:`ctlab.clients` asks
about them; neither imports the other.

Three pieces:

* **The registry.** At most one simulation is installed in the process at a
  time. It *owns* the thread that entered its ``with`` block and the threads
  that thread (or another owned thread) starts inside the block; only those
  threads' requests, sleeps and ``random`` calls are simulated. A simulation
  whose owner thread has died, or was abandoned by :func:`ctlab.check`, is
  *stale*: it owns nothing, and it is removed the next time anyone asks, so
  it can never outlive its owner.
* **Patches.** Every attribute a simulation replaces is recorded *before* it
  is replaced, and put back by :meth:`Patches.undo`, which may run any number
  of times, from any thread, after an install that stopped half-way or not.
* **Deferred Ctrl-C.** Functions marked :func:`critical` (installing and
  removing a simulation) are never interrupted half-way: while one of them is
  running in the main thread, a ``SIGINT`` is only recorded, and raised as
  ``KeyboardInterrupt`` once the work is done or undone (at the end of
  installing, which then undoes itself, or at the end of removing). Outside
  them, Ctrl-C works as always. Other threads never receive ``SIGINT``.
"""

from __future__ import annotations

import contextvars
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from types import CodeType, FrameType
from typing import Any, Protocol, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Installed(Protocol):
    """What the registry needs from a simulation (see :class:`ctlab.simulate.Simulation`)."""

    def owns(self, thread: threading.Thread | None = None) -> bool: ...

    def stale(self) -> bool: ...

    def close(self) -> None: ...


# --- deferred Ctrl-C ---------------------------------------------------------------------

_CRITICAL: set[CodeType] = set()


def critical(fn: F) -> F:
    """Mark ``fn`` as a section Ctrl-C must not cut in half (see the module docstring)."""
    _CRITICAL.add(fn.__code__)
    return fn


_guard: dict[str, Any] = {"users": 0, "previous": None, "pending": False}


def _in_critical_section(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code in _CRITICAL:
            return True
        frame = frame.f_back
    return False


def _on_sigint(signum: int, frame: FrameType | None) -> Any:
    if _in_critical_section(frame):
        _guard["pending"] = True  # raised when the last critical section ends (see unguard_signals)
        return None
    return _previous(signum, frame)


def _previous(signum: int, frame: FrameType | None) -> Any:
    previous = _guard["previous"]
    if callable(previous) and previous is not _on_sigint:
        return previous(signum, frame)
    raise KeyboardInterrupt


def guard_signals() -> bool:
    """In the main thread, route ``SIGINT`` through ctlab's handler; whether this call did it.

    If it did, call :func:`unguard_signals` when the section ends.

    Call it first thing in a critical section: before it, a Ctrl-C finds nothing changed.
    The handler stays in place until the matching :func:`unguard_signals`; outside
    critical sections it hands each Ctrl-C to the previous handler at once.
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    if _guard["users"] == 0:
        _guard["pending"] = False  # one left from an earlier section was overtaken by a later Ctrl-C, raised already
        current = signal.getsignal(signal.SIGINT)
        if current is not _on_sigint:
            if not callable(current):  # SIG_IGN / SIG_DFL: Ctrl-C never raises here, nothing to defer
                return False
            _guard["previous"] = current
            signal.signal(signal.SIGINT, _on_sigint)  # from here on, a Ctrl-C in a critical section waits
    _guard["users"] += 1
    return True


def unguard_signals() -> None:
    """Undo one :func:`guard_signals` that returned True; the last one puts the previous handler back
    and then raises the Ctrl-C that waited, if one did — the very last thing, once all is put back."""
    _guard["users"] -= 1
    if _guard["users"] == 0:
        if signal.getsignal(signal.SIGINT) is _on_sigint:
            signal.signal(signal.SIGINT, _guard["previous"])
        deliver_pending()


def interrupt_pending() -> bool:
    """Whether a Ctrl-C is waiting for a critical section to end."""
    return bool(_guard["pending"])


def deliver_pending() -> None:
    """Raise the Ctrl-C that waited (through the previous handler), if one did."""
    if _guard["pending"]:
        _guard["pending"] = False
        _previous(signal.SIGINT, sys._getframe(1))


# --- patches ---------------------------------------------------------------------------------


_MISSING = object()


class Patches:
    """Attributes replaced, each recorded before it is replaced; :meth:`undo` puts them all back."""

    def __init__(self) -> None:
        self._saved: list[tuple[Any, str, Any]] = []

    def set(self, owner: Any, name: str, value: Any) -> None:
        self._saved.append((owner, name, vars(owner).get(name, _MISSING)))
        setattr(owner, name, value)

    def undo(self) -> None:
        """Put everything back, newest first; safe to call again, or after :meth:`set` stopped half-way."""
        saved = self._saved
        while saved:
            owner, name, original = saved[-1]
            if original is not _MISSING:
                setattr(owner, name, original)
            elif name in vars(owner):
                delattr(owner, name)
            saved.pop()


# --- the registry --------------------------------------------------------------------------

lock = threading.RLock()
_installed: list[Installed] = []  # at most one
#: The simulation whose client is sending a request right now (set by that client's middleware).
sending: contextvars.ContextVar[Installed | None] = contextvars.ContextVar("ctlab_sending", default=None)


def claim(sim: Installed, nested: Callable[[], BaseException]) -> None:
    """Make ``sim`` the installed simulation, removing a stale one; raise ``nested()`` if a live one is there."""
    with lock:
        if sim.stale():  # entered from a thread ctlab.check has given up on: it may reach no simulation
            raise nested()
        if _installed:
            if not _installed[0].stale():
                raise nested()
            _installed[0].close()
        _installed.append(sim)


def release(sim: Installed) -> None:
    with lock:
        if _installed and _installed[0] is sim:
            _installed.clear()


def installed() -> Installed | None:
    """The simulation installed in this process, in whichever thread (a stale one is removed first)."""
    with lock:
        if _installed and _installed[0].stale():
            _installed[0].close()
        return _installed[0] if _installed else None


def owner_of_this_thread() -> Installed | None:
    """The installed simulation if it owns the calling thread."""
    found = _installed[:1]
    return found[0] if found and found[0].owns() else None


def serving() -> Installed | None:
    """The simulation that answers a request sent from here now: its client's, or the one owning this thread."""
    sim = sending.get()
    if sim is not None and sim in _installed[:1]:
        return sim
    return owner_of_this_thread()


_abandoned: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def abandon(thread: threading.Thread) -> None:
    """Give up on ``thread`` (ctlab.check could not stop it): a simulation it entered, now or later, is stale."""
    _abandoned.add(thread)
    installed()


def abandoned(thread: threading.Thread) -> bool:
    return thread in _abandoned


def installation_of(sim: Any) -> Installed | None:
    """The installed simulation if it is ``sim``'s (and not stale)."""
    found = _installed[:1]
    if sim is not None and found and getattr(found[0], "sim", None) is sim and not found[0].stale():
        return found[0]
    return None
