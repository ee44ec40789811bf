"""Player: one fault script played to incoming requests — the attempt count, the log, the ids, the scrubbed headers.

    >>> player = Player("429 200")
    >>> headers = {"x-api-key": "sk-ant-secret", "x-stainless-retry-count": "0"}
    >>> attempt, payload = player.play("POST", "/v1/messages", headers, b"{}")
    >>> attempt.number, attempt.answer, attempt.request_id, attempt.headers, payload.status_code
    (1, 429, 'req_sim_000000001', {'x-stainless-retry-count': '0'}, 429)
    >>> [a.answer for a in player.attempts]
    [429]

The in-process simulation (:mod:`ctlab.simulate`) and the fault server
(:mod:`ctlab.server`) both answer through a player, so what they have in
common lives here once: which fault answers which request, how attempts are
numbered and logged, which request and message ids they carry, and that no
credential header ever reaches the log. What each side keeps for itself is
time (the simulation's virtual clock, the server's real one: the player asks
the ``now`` function it is given) and how a fault is acted out (an exception
raised in-process, a held or dropped connection over HTTP).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from .clock import Sleeper
from .faults import PROXY_TYPES, Disconnect, Fault, FaultsLike, Reply, Status, StreamError, Timeout, parse
from .proxy import proxy_payload
from .responses import Payload, payload_for


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
        if isinstance(self.fault, Status):
            return self.fault.status_code
        if isinstance(self.fault, (Reply, StreamError)):
            return 200
        return self.fault.label()

    @property
    def waited(self) -> float:
        return sum((w.seconds for w in self.waits), 0.0)


#: A header whose lower-case name contains one of these is a credential, kept out of every request log.
CREDENTIAL_WORDS = ("auth", "cookie", "credential", "key", "password", "secret", "session", "token")
_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: str.isdigit() also takes "²", which int() refuses


@lru_cache(maxsize=1024)  # every request asks again about the same few header names
def is_credential(name: str) -> bool:
    """Whether header ``name`` may carry a secret: its lower-case name contains one of :data:`CREDENTIAL_WORDS`.

    Deliberately broad (``idempotency-key`` goes too): a header wrongly left out
    of the log costs nothing; a key wrongly kept leaks.

    >>> [h for h in ("x-api-key", "Proxy-Authorization", "Cookie", "x-session-id", "user-agent") if is_credential(h)]
    ['x-api-key', 'Proxy-Authorization', 'Cookie', 'x-session-id']
    """
    lowered = name.lower()
    return any(word in lowered for word in CREDENTIAL_WORDS)


def logged_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """What a request log keeps of ``headers``: every header but credentials, names in lower case."""
    return {str(k).lower(): str(v) for k, v in headers.items() if not is_credential(str(k))}


def retry_count_of(headers: Mapping[str, str]) -> int | None:
    """The attempt's ``x-stainless-retry-count``; ``None`` if absent or not a plain number (``²``, ``-1``).

    The API does not read this header, so whatever it holds, the request plays
    its step of the script like any other; its text stays in the logged headers.

    >>> retry_count_of({"x-stainless-retry-count": "2"}), retry_count_of({"x-stainless-retry-count": "²"})
    (2, None)
    """
    count = str(headers.get("x-stainless-retry-count") or "").strip()
    return int(count) if _DIGITS.fullmatch(count) else None


def _zero() -> float:
    return 0.0


class Player:
    """A fault script, the log of the requests it answered, and the ids it gave them; safe to share between threads.

    ``origin`` tags the ids (``"sim"`` in-process, ``"srv"`` over HTTP) and
    ``seed`` is part of them, so two simulations with different seeds never
    share a request id. ``now()`` says when a request arrives (seconds).
    """

    def __init__(
        self, faults: FaultsLike = "200", *, origin: str = "sim", seed: int = 0, now: Callable[[], float] = _zero
    ) -> None:
        self.script = parse(faults)
        self.origin, self.seed, self.now = origin, seed, now
        #: Every request received, in order of arrival (appended under the player's lock:
        #: read a :meth:`snapshot` from other threads).
        self.attempts: list[Attempt] = []
        self._steps = 0
        self._lock = threading.Lock()

    def ids(self, number: int) -> tuple[str, str]:
        """The request id and message id of attempt ``number``.

        >>> Player(origin="srv").ids(7)
        ('req_srv_000000007', 'msg_srv_000000007')
        """
        tag = f"{self.origin}_{self.seed:03d}{number:06d}"
        return f"req_{tag}", f"msg_{tag}"

    def play(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes = b"", *, fault: Fault | None = None
    ) -> tuple[Attempt, Payload | None]:
        """Log one request and decide its answer: the logged :class:`Attempt` (its ``fault`` is the one to play) and
        what to send.

        The fault is the script's next step, or ``fault`` if given (an answer
        the script did not ask for, such as the server's 404: it plays no step).
        The payload is ``None`` when the fault sends nothing (a timeout or a
        disconnect); otherwise the attempt's ``request_id`` is the one it carries.
        """
        retry_count, kept = retry_count_of(headers), logged_headers(headers)
        # A script with serve(attempt, body, message_id) answers from the request itself: a rate limiter
        # (ctlab.ratelimit.service). It decides under the lock, so concurrent requests meet its buckets in order.
        serve = getattr(self.script, "serve", None) if fault is None else None
        with self._lock:  # number, step, time and place in the log are taken together
            if fault is None:
                fault = self.script.at(self._steps)
                self._steps += 1
            attempt = Attempt(len(self.attempts) + 1, self.now(), method, path, retry_count, fault, headers=kept)
            self.attempts.append(attempt)
            if serve is not None:
                attempt.request_id, message_id = self.ids(attempt.number)
                attempt.fault, served = serve(attempt, body, message_id)
                return attempt, served
        if isinstance(fault, (Timeout, Disconnect)):
            return attempt, None
        attempt.request_id, message_id = self.ids(attempt.number)
        if isinstance(fault, PROXY_TYPES):  # a proxy's answer (ctlab.proxy): it may carry no request-id
            payload = proxy_payload(fault, body, request_id=attempt.request_id, message_id=message_id, now=attempt.at)
            attempt.request_id = payload.headers.get("request-id")
            return attempt, payload
        return attempt, payload_for(fault, body, request_id=attempt.request_id, message_id=message_id, now=attempt.at)

    def snapshot(self) -> list[Attempt]:
        """A copy of the log, taken under the lock (for a thread other than the ones answering)."""
        with self._lock:
            return list(self.attempts)

    def __len__(self) -> int:
        return len(self.attempts)
