"""simulate(...): the real ``anthropic`` SDK against a respx-mocked server, in virtual time.

    >>> import anthropic, ctlab
    >>> with ctlab.simulate("429 200") as sim:
    ...     reply = sim.client().messages.create(
    ...         model="claude-opus-4-7", max_tokens=64, messages=[{"role": "user", "content": "hi"}])
    >>> [a.answer for a in sim.attempts], reply.content[0].text
    ([429, 200], '你好！Hello!')

Inside the block every request the SDK sends (any host) is answered by the
fault script, sleeps are virtual, and ``random`` is seeded; on exit the mock,
the clock and the random state are all put back.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpcore2
import httpx
import respx
from respx.mocks import HTTPCoreMocker

from .clock import Sleeper, VirtualClock
from .faults import Disconnect, Fault, FaultsLike, Reply, Status, StreamError, Timeout, parse
from .i18n import CtlabError
from .responses import Payload, payload_for


class HTTPCore2Mocker(HTTPCoreMocker):
    """respx's httpcore mocker, pointed at ``httpcore2`` (what anthropic >= 1.0 sends through)."""

    name = "httpcore2"
    targets = [
        "httpcore2._sync.connection.HTTPConnection",
        "httpcore2._sync.connection_pool.ConnectionPool",
        "httpcore2._sync.http_proxy.HTTPProxy",
        "httpcore2._async.connection.AsyncHTTPConnection",
        "httpcore2._async.connection_pool.AsyncConnectionPool",
        "httpcore2._async.http_proxy.AsyncHTTPProxy",
    ]


@dataclass
class Wait:
    """A virtual sleep, and who asked for it (``"sdk"`` or ``"code"``)."""

    seconds: float
    by: Sleeper


@dataclass
class Attempt:
    """One HTTP attempt as the simulated server saw it."""

    number: int
    at: float
    method: str
    path: str
    retry_count: int | None
    fault: Fault
    request_id: str | None = None
    duration: float = 0.0
    waits: list[Wait] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def answer(self) -> int | str:
        """The status sent, or what happened instead: ``"timeout"``, ``"disconnect"``."""
        if isinstance(self.fault, (Status,)):
            return self.fault.status_code
        if isinstance(self.fault, (Reply, StreamError)):
            return 200
        return self.fault.label()

    @property
    def waited(self) -> float:
        return sum((w.seconds for w in self.waits), 0.0)


@dataclass
class Outcome:
    """What the code under simulation finally returned or raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_active: Simulation | None = None
_active_lock = threading.Lock()


def active() -> Simulation | None:
    """The simulation currently installed, if any."""
    return _active


class Simulation:
    """A fault script served to the SDK, a virtual clock, and one record per attempt.

    Use as a context manager (see :func:`simulate`). After the block,
    ``attempts``, ``elapsed`` and ``outcome`` stay readable.
    """

    def __init__(self, faults: FaultsLike = "200", *, seed: int = 0) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise CtlabError("simulate.seed", value=seed)
        self.script = parse(faults)
        self.seed = seed
        self.clock = VirtualClock(self._on_sleep)
        self.attempts: list[Attempt] = []
        self.waits_before_first: list[Wait] = []
        self.outcome: Outcome | None = None
        self._stack: ExitStack | None = None

    # -- what happened -----------------------------------------------------
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
        from .clients import simulated_client

        return simulated_client(**options)

    def async_client(self, **options: Any) -> Any:
        """An ``anthropic.AsyncAnthropic`` for this simulation."""
        from .clients import simulated_client

        return simulated_client(async_=True, **options)

    # -- installing --------------------------------------------------------
    def __enter__(self) -> Simulation:
        global _active
        with _active_lock:
            if _active is not None:
                raise CtlabError("simulate.nested")
            _active = self
        stack = ExitStack()
        try:
            router = stack.enter_context(respx.mock(using="httpcore2", assert_all_called=False))
            router.route().mock(side_effect=self._answer)
            stack.enter_context(self.clock.installed())
            saved = random.getstate()
            stack.callback(random.setstate, saved)
            random.seed(self.seed)
        except BaseException:
            stack.close()
            _active = None
            raise
        self._stack = stack
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        global _active
        try:
            if self._stack is not None:
                self._stack.close()
        finally:
            self._stack = None
            _active = None

    # -- the server --------------------------------------------------------
    def _on_sleep(self, seconds: float, by: Sleeper) -> None:
        target = self.attempts[-1].waits if self.attempts else self.waits_before_first
        target.append(Wait(seconds, by))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        number = len(self.attempts) + 1
        fault = self.script.at(number - 1)
        count = request.headers.get("x-stainless-retry-count")
        attempt = Attempt(
            number=number,
            at=self.clock.now,
            method=request.method,
            path=request.url.path,
            retry_count=int(count) if count and count.isdigit() else None,
            fault=fault,
            headers={k: v for k, v in request.headers.items() if k.lower() not in ("x-api-key", "authorization")},
        )
        self.attempts.append(attempt)
        if isinstance(fault, Timeout):
            limits = request.extensions.get("timeout", {})
            attempt.duration = float(limits.get(fault.phase) or 0.0)
            self.clock.advance(attempt.duration)
            raise (httpcore2.ReadTimeout if fault.phase == "read" else httpcore2.ConnectTimeout)("simulated timeout")
        if isinstance(fault, Disconnect):
            raise httpcore2.RemoteProtocolError("Server disconnected without sending a response.")
        attempt.request_id = f"req_sim_{self.seed:03d}{number:06d}"
        payload = self._payload(fault, request, attempt.request_id, number)
        return httpx.Response(payload.status_code, headers=payload.headers, content=payload.body)

    def _payload(self, fault: Fault, request: httpx.Request, request_id: str, number: int) -> Payload:
        assert isinstance(fault, (Status, Reply, StreamError))
        message_id = f"msg_sim_{self.seed:03d}{number:06d}"
        return payload_for(fault, request.content or b"", request_id=request_id, message_id=message_id, now=self.clock.now)

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


#: What the docs page asks for; any request works in a simulation.
MESSAGES: list[dict[str, str]] = [{"role": "user", "content": "你好"}]


def ask(client: Any, messages: list[dict[str, str]] | None = None) -> str:
    """The docs page's call: ``messages.create`` and the reply's text."""
    response = client.messages.create(model="claude-opus-4-7", max_tokens=1024, messages=messages or MESSAGES)
    return response.content[0].text


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
