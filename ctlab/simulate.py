"""simulate(...): the real ``anthropic`` SDK against a respx-mocked server, in virtual time.

    >>> import anthropic, ctlab
    >>> with ctlab.simulate("429 200") as sim:
    ...     reply = sim.client().messages.create(
    ...         model="claude-opus-4-7", max_tokens=64, messages=[{"role": "user", "content": "hi"}])
    >>> [a.answer for a in sim.attempts], reply.content[0].text
    ([429, 200], '你好！Hello!')

Inside the block every request sent from the block's thread (any host, any
client) is answered by the fault script, sleeps are virtual, and ``random``
draws from a generator seeded with ``seed``; on exit all of it is put back.

A simulation owns the thread that runs its ``with`` block and every thread
that thread (or another of its threads) starts inside the block: requests,
sleeps and ``random`` there are simulated, and they share one clock and one
seeded generator. Other threads are left alone — their requests go to the
real transport, their sleeps are real, their ``random`` is the global one,
untouched — and a client made inside the block is answered by it from any
thread. When the block ends, its threads (even ones still running) are no
longer its: their requests go to the real transport, and ctlab's clients
refuse them. Ctrl-C never stops installing or removing half-way: it is
delivered just after. One simulation at a time per process.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

import anthropic._base_client as _sdk
import httpcore2
import httpx
from respx.mocks import HTTPCoreMocker

from . import _active
from ._active import Patches, critical, guard_signals, unguard_signals
from .clients import simulated_client
from .clock import Sleeper, VirtualClock
from .docs_loop import MESSAGES, MODEL
from .faults import Disconnect, FaultsLike, Script, Timeout
from .i18n import CtlabError, Text, register
from .player import Attempt, Player, Wait
from .proxy import PROXY_TYPES, answer_in_process, is_unread

__all__ = ["Attempt", "Outcome", "Simulation", "Wait", "active", "ask", "run", "simulate"]

register(
    __name__,
    {
        "simulate.nested": Text(
            "已经有一个 ctlab.simulate(...) 正在运行：模拟不能嵌套，请先退出外层的 with 块",
            "a ctlab.simulate(...) block is already active: simulations do not nest; leave the outer `with` first",
        ),
        "simulate.seed": Text(
            "seed 必须是整数，收到的是 {value!r}",
            "seed must be a whole number, got {value!r}",
        ),
    },
)


class HTTPCore2Mocker(HTTPCoreMocker):
    """respx's httpcore mocker, pointed at ``httpcore2`` (what anthropic >= 1.0 sends through)."""

    name = "httpcore2"
    targets: ClassVar[list[str]] = [
        "httpcore2._sync.connection.HTTPConnection",
        "httpcore2._sync.connection_pool.ConnectionPool",
        "httpcore2._sync.http_proxy.HTTPProxy",
        "httpcore2._async.connection.AsyncHTTPConnection",
        "httpcore2._async.connection_pool.AsyncConnectionPool",
        "httpcore2._async.http_proxy.AsyncHTTPProxy",
    ]


@dataclass
class Outcome:
    """What the code under simulation finally returned or raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def active() -> Simulation | None:
    """The simulation serving this thread: the one that owns it, or whose client is sending from it."""
    installation = _active.serving()
    return installation.sim if isinstance(installation, _Installation) else None


#: What a simulation replaces to answer requests: httpcore2's request handlers (respx's targets).
_TRANSPORTS = tuple(
    (cls, method)
    for target in HTTPCore2Mocker.targets
    for cls in [getattr(importlib.import_module(target.rpartition(".")[0]), target.rpartition(".")[2])]
    for method in HTTPCore2Mocker.target_methods
    if method in vars(cls)
)
#: The functions of ``random`` that draw from, or reset, its global generator without going through
#: ``random._inst.random`` / ``.getrandbits`` (all the others, ``uniform`` included, do go through those).
_RANDOM_STATE = ("random", "getrandbits", "seed", "getstate", "setstate", "gauss")


class _Installation:
    """One ``with`` of a simulation: who owns it, what it replaced; once closed, what it put in acts as the original."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.owner = threading.current_thread()
        self.threads: set[threading.Thread] = {self.owner}
        self.open = True
        self.patches = Patches()
        self.signals = False
        self.rng = random.Random(sim.seed)

    def respond(self, request: httpx.Request) -> httpx.Response:
        """The fault script's answer to ``request`` (an exception it raises is raised as is).

        The script is the only route, so it is called directly: a respx router around it
        would match, inspect and record every request again, a fifth of a simulated
        request's cost, for a record nobody reads (the player keeps the log).
        """
        return self.sim._answer(request)

    def stale(self) -> bool:
        """Its owner thread is gone, or was abandoned by ``ctlab.check``: it owns nothing and can be removed."""
        return not self.owner.is_alive() or _active.abandoned(self.owner)

    def owns(self, thread: threading.Thread | None = None) -> bool:
        return self.open and (thread or threading.current_thread()) in self.threads and not self.stale()

    def serves(self) -> bool:
        """Whether a request sent from here now is this simulation's to answer."""
        return self.open and (self.owns() or _active.sending.get() is self)

    @critical
    def close(self) -> None:
        """Put back everything, from any thread, any number of times."""
        with _active.lock:
            self.open = False
            self.threads = set()
            self.patches.undo()
            _active.release(self)
            signals = self.signals and threading.current_thread() is threading.main_thread()
            if signals:
                self.signals = False
        if signals:
            unguard_signals()  # the very last thing: from here on a Ctrl-C finds everything put back

    # -- what it replaces --------------------------------------------------
    def install(self) -> None:
        patches = self.patches
        for cls, method in _TRANSPORTS:
            patches.set(cls, method, self._intercepting(vars(cls)[method]))
        self.sim.clock.install(patches, self.owns)
        generator = random._inst
        for name in ("random", "getrandbits"):  # what uniform, choice... draw from, even taken before the block
            patches.set(generator, name, self._seeded(name, getattr(generator, name)))
        for name in _RANDOM_STATE:
            patches.set(random, name, self._seeded(name, getattr(random, name)))
        patches.set(_sdk, "random", random.random)  # the SDK's jitter: its own `from random import random`
        patches.set(threading.Thread, "start", self._adopting(threading.Thread.start))

    def _intercepting(self, original: Any) -> Any:
        """``handle_request`` of an httpcore2 class: the simulation answers what it serves, the rest goes through."""
        answer = self.respond
        mocker: Any = HTTPCore2Mocker  # respx's conversion helpers carry no type hints
        if inspect.iscoroutinefunction(original):

            async def handle_async_request(pool: Any, request: Any) -> Any:
                if not self.serves():
                    return await original(pool, request)
                sent = mocker.to_httpx_request(request=request)
                sent, _ = await mocker.prepare_async_request(sent, request=request)
                response = answer(sent)
                if not is_unread(response):  # a proxy's reset stream breaks only as the SDK reads it
                    response.read()
                return await mocker.from_async_httpx_response(response, pool, request=request)

            return handle_async_request

        def handle_request(pool: Any, request: Any) -> Any:
            if not self.serves():
                return original(pool, request)
            sent = mocker.to_httpx_request(request=request)
            sent, _ = mocker.prepare_sync_request(sent, request=request)
            response = answer(sent)
            if not is_unread(response):
                response.read()
            return mocker.from_sync_httpx_response(response, pool, request=request)

        return handle_request

    def _seeded(self, name: str, original: Any) -> Any:
        """``random.<name>``: the simulation's seeded generator in its threads, the original everywhere else."""
        seeded = getattr(self.rng, name)
        owns = self.owns

        def draw(*args: Any, **kwargs: Any) -> Any:
            return seeded(*args, **kwargs) if owns() else original(*args, **kwargs)

        draw.__name__ = draw.__qualname__ = name
        draw.__doc__ = getattr(original, "__doc__", None)
        return draw

    def _adopting(self, original: Any) -> Any:
        """``Thread.start``: a thread started from one of this simulation's threads is one of them too."""
        owns = self.owns

        @functools.wraps(original)
        def start(thread: threading.Thread) -> None:
            if owns():
                self.threads = self.threads | {thread}
            original(thread)

        return start


class Simulation:
    """A fault script served to the SDK, a virtual clock, and one record per attempt.

    Use as a context manager (see :func:`simulate`). After the block,
    ``attempts``, ``elapsed`` and ``outcome`` stay readable.
    """

    def __init__(self, faults: FaultsLike = "200", *, seed: int = 0) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise CtlabError("simulate.seed", value=seed)
        self.seed = seed
        self.clock = VirtualClock(self._on_sleep)
        #: Plays the script, numbers and logs the attempts, in virtual time (shared with :func:`ctlab.serve`).
        self.player = Player(faults, origin="sim", seed=seed, now=lambda: self.clock.now)
        self.waits_before_first: list[Wait] = []
        self.outcome: Outcome | None = None
        self._installation: _Installation | None = None

    # -- what happened -----------------------------------------------------
    @property
    def script(self) -> Script:
        """The faults played, one per attempt (the last repeats)."""
        return self.player.script

    @property
    def attempts(self) -> list[Attempt]:
        """One :class:`Attempt` per request answered, in order."""
        return self.player.attempts

    @property
    def elapsed(self) -> float:
        """Virtual seconds from the start of the block to its end (or now)."""
        return self.clock.now

    @property
    def requests(self) -> int:
        return len(self.attempts)

    @property
    def slept(self) -> float:
        return sum(w.seconds for w in self.waits_before_first) + sum(a.waited for a in self.attempts)

    def waits(self, by: Sleeper | None = None) -> list[float]:
        """Every wait in order, optionally only the SDK's or only your code's."""
        every = self.waits_before_first + [w for a in self.attempts for w in a.waits]
        return [w.seconds for w in every if by is None or w.by == by]

    # -- clients -----------------------------------------------------------
    def client(self, **options: Any) -> Any:
        """A sync ``anthropic.Anthropic`` for this simulation (see :func:`ctlab.client`)."""
        return simulated_client(simulation=self, **options)

    def async_client(self, **options: Any) -> Any:
        """An ``anthropic.AsyncAnthropic`` for this simulation."""
        return simulated_client(async_=True, simulation=self, **options)

    # -- installing --------------------------------------------------------
    @property
    def installed(self) -> bool:
        """Whether the simulation is in place now."""
        installation = self._installation
        return installation is not None and installation.open

    @critical
    def __enter__(self) -> Simulation:
        installation = _Installation(self)
        try:
            installation.signals = guard_signals()
            with _active.lock:  # whoever removes it (ctlab.check, from its own thread) waits until it is all in place
                _active.claim(installation, lambda: CtlabError("simulate.nested"))
                self._installation = installation
                installation.install()
        except BaseException:
            installation.close()
            raise
        if installation.signals and _active.interrupt_pending():  # Ctrl-C while installing: undo, then raise it
            installation.close()
            _active.deliver_pending()
        return self

    @critical
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @critical
    def close(self) -> None:
        """Remove the simulation now (what leaving the ``with`` block does); from any thread, any number of times."""
        installation = self._installation
        if installation is not None:
            installation.close()

    # -- the server --------------------------------------------------------
    def _on_sleep(self, seconds: float, by: Sleeper) -> None:
        target = self.attempts[-1].waits if self.attempts else self.waits_before_first
        target.append(Wait(seconds, by))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        """Play the script's next fault to ``request``: a response, or the exception the transport would raise."""
        attempt, payload = self.player.play(request.method, request.url.path, request.headers, request.content or b"")
        fault = attempt.fault
        if isinstance(fault, Timeout):
            limits = request.extensions.get("timeout", {})
            attempt.duration = float(limits.get(fault.phase) or 0.0)
            self.clock.advance(attempt.duration)
            raise (httpcore2.ReadTimeout if fault.phase == "read" else httpcore2.ConnectTimeout)("simulated timeout")
        if isinstance(fault, Disconnect):
            raise httpcore2.RemoteProtocolError("Server disconnected without sending a response.")
        assert payload is not None
        if isinstance(fault, PROXY_TYPES):  # held back, or cut off midway (ctlab.proxy)
            return answer_in_process(attempt, payload, request, self.clock)
        return httpx.Response(payload.status_code, headers=payload.headers, content=payload.body, request=request)

    def __iter__(self) -> Iterator[Attempt]:
        return iter(self.attempts)

    def __repr__(self) -> str:
        from .show import text_table

        return text_table(self)

    def _repr_html_(self) -> str:
        from .show import html_table

        return html_table(self)


def simulate(faults: FaultsLike = "200", *, seed: int = 0) -> Simulation:
    """A :class:`Simulation` of ``faults`` (text like ``"429 429 200"`` or fault objects).

    ``seed`` fixes the SDK's jitter (and any ``random`` your code uses) inside the block.
    """
    return Simulation(faults, seed=seed)


def ask(client: Any, messages: list[dict[str, str]] | None = None) -> str:
    """The docs page's call: ``messages.create`` and the reply's text."""
    response = client.messages.create(model=MODEL, max_tokens=1024, messages=messages or MESSAGES)
    text: str = response.content[0].text
    return text


def run(
    faults: FaultsLike = "200",
    call: Any = None,
    *,
    seed: int = 0,
    **client_options: Any,
) -> Simulation:
    """Simulate ``faults``, run ``call(client)`` (default: :func:`ask`), and keep what it returned or raised.

    ``client_options`` are the SDK's (``max_retries=..., timeout=...``).

    >>> sim = run("529", max_retries=1)
    >>> sim.requests, type(sim.outcome.error).__name__
    (2, 'OverloadedError')
    """
    with simulate(faults, seed=seed) as sim:
        client = sim.client(**client_options)
        try:
            sim.outcome = Outcome(value=(call or ask)(client))
        except Exception as error:  # noqa: BLE001 - the point is to show what escaped
            sim.outcome = Outcome(error=error)
    return sim
