"""The fault server: ctlab's fault scripts over real HTTP on 127.0.0.1, for curl, node or any other client.

:func:`serve` plays a fault script (:func:`ctlab.faults.parse`) to real HTTP
clients, one fault per ``POST /v1/messages``, the last repeating forever, with
the same bytes the in-process simulation sends: both answer through a
:class:`ctlab.player.Player`. It binds to loopback only, on a free port by
default, records every request it receives, and leaves no thread or port
behind when the block ends::

    >>> import urllib.error, urllib.request
    >>> with serve("529 200") as srv:
    ...     try:
    ...         urllib.request.urlopen(urllib.request.Request(srv.url + "/v1/messages", data=b"{}"))
    ...     except urllib.error.HTTPError as error:
    ...         print(error.code, error.headers["request-id"], error.read()[:40])
    529 req_srv_000000001 b'{"type": "error", "error": {"type": "ove'
    >>> [(r.method, r.path, r.answer) for r in srv.requests]
    [('POST', '/v1/messages', 529)]

``timeout`` holds the request without answering until the client gives up
(closes the connection), ``hold`` seconds pass, or the server stops — so a
client's own timeout decides how long it waits: give it a short one (1 s) to
keep real waiting short. Over HTTP ``connect-timeout`` is served the same way
(a server can only stall a connection it has accepted). ``disconnect`` closes
the connection without a response; ``stream-error`` sends a 200 event stream,
event by event, that ends in an ``error`` event. The proxy faults
(:mod:`ctlab.proxy`) are acted out in real time too: ``buffered(delay=N)``
holds the reply N seconds, then sends it whole; ``stream-reset`` resets the
connection midway through a 200 stream; an HTML page carries the proxy's own
``server`` header.

Whatever a client sends, it gets an answer shaped like the API's (see
:mod:`ctlab.wire`): a body over :data:`MAX_BODY` bytes is a 413, a malformed
request a 400. Neither plays a step of the script, but both are in the log,
which never keeps a credential header (:func:`ctlab.player.is_credential`).
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from .faults import PROXY_TYPES, Disconnect, Fault, FaultsLike, Script, Status, Timeout
from .i18n import CtlabError, Text, register
from .listener import Handler, HTTPServer, check_loopback
from .player import Attempt, Player
from .proxy import send_proxy
from .responses import Payload
from .wire import MAX_BODY, Refusal, json_problem, read_body, send_payload

__all__ = ["HOLD", "MAX_BODY", "MAX_REAL_WAIT", "MESSAGES_PATH", "FaultServer", "real_seconds", "serve"]

register(
    __name__,
    {
        "server.hold_range": Text(
            "hold 是 timeout 故障最多挂住一个请求的秒数：必须大于 0，且不超过 {limit:g}（一小时，上课绰绰有余），"
            "收到的是 {value}",
            "hold is how many seconds a timeout fault holds a request: more than 0 and at most {limit:g} (an hour, "
            "plenty for a lesson), got {value}",
        ),
        "server.refuse_for_range": Text(
            "refuse_for 是端口一开始拒绝连接的秒数：取 0 到 {limit:g} 之间（一小时，上课绰绰有余），收到的是 {value}",
            "refuse_for is how many seconds the port refuses connections at first: 0 to {limit:g} (an hour, "
            "plenty for a lesson), got {value}",
        ),
        "server.on_request": Text(
            "on_request 要么是 None，要么是函数：每收到一个请求，就把这次请求的 Attempt 传给它调用一次。"
            "收到的是 {value}",
            "on_request must be None or a function, called with each request's Attempt as it arrives; got {value}",
        ),
        "server.port": Text(
            "端口必须是 0–65535 的整数（0 表示自动挑一个空闲端口），收到的是 {value}",
            "port must be a whole number 0-65535 (0 picks a free one), got {value}",
        ),
        "server.not_running": Text(
            "服务端还没启动：先进入 with serve(...) as srv: 块，再读 srv.url",
            "the server has not started: enter `with serve(...) as srv:` before reading srv.url",
        ),
        "server.bind": Text(
            "无法在 {host} 的端口 {port} 上监听：{error}。换一个端口，或用 --port 0 自动挑一个空闲的",
            "cannot listen on {host} port {port}: {error}. Pick another port, or --port 0 for a free one",
        ),
        "server.restart": Text(
            "一个故障服务端只能启动一次：再开一个新的 serve(...)",
            "a fault server starts only once: open a new serve(...)",
        ),
    },
)

#: The one path a fault script answers; every other path is a 404, as the API does.
MESSAGES_PATH = "/v1/messages"
#: Seconds a ``timeout`` holds a request whose client never gives up.
HOLD = 60.0
#: The longest real wait an option may ask for (``hold``, ``refuse_for``, ``time_limit``): an hour, plenty for a lesson.
MAX_REAL_WAIT = 3600.0
class FaultServer:
    """A fault script served over HTTP on loopback; use as a context manager (see :func:`serve`).

    ``requests`` is the log: one :class:`ctlab.player.Attempt` per request
    received, ``at`` and ``duration`` in real seconds since the server started.
    """

    def __init__(
        self,
        faults: FaultsLike = "200",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        hold: float = HOLD,
        refuse_for: float = 0.0,
        on_request: Callable[[Attempt], None] | None = None,
    ) -> None:
        check_loopback(host)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise CtlabError("server.port", value=repr(port))
        hold = real_seconds("server.hold_range", hold, zero=False)
        refuse_for = real_seconds("server.refuse_for_range", refuse_for, zero=True)
        if on_request is not None and not callable(on_request):
            raise CtlabError("server.on_request", value=repr(on_request))
        #: Plays the script, numbers and logs the requests, in real seconds since the server started.
        self.player = Player(faults, origin="srv", now=self._elapsed)
        self.refuse_for = refuse_for
        self.host, self.port, self.hold = host, port, hold
        self.on_request = on_request
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()
        self._serving = threading.Event()
        self._start_lock = threading.Lock()
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._started = time.perf_counter()

    # -- what happened -----------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the base URL to give a client (still readable after the server stopped)."""
        if self._thread is None:
            raise CtlabError("server.not_running")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    @property
    def requests(self) -> list[Attempt]:
        """Every request received so far, in order of arrival (a copy)."""
        return self.player.snapshot()

    @property
    def script(self) -> Script:
        """The faults played, one per ``POST /v1/messages`` (the last repeats)."""
        return self.player.script

    def _elapsed(self) -> float:
        return time.perf_counter() - self._started

    # -- starting and stopping ---------------------------------------------
    def start(self) -> FaultServer:
        """Bind and serve in a background thread (``with`` does this for you)."""
        if self._httpd is not None or self._closing.is_set():
            raise CtlabError("server.restart")
        try:
            httpd = HTTPServer((self.host, self.port), self)  # bound, not yet listening
            if not self.refuse_for:
                httpd.server_activate()
                self._serving.set()
        except OSError as error:
            if "httpd" in locals():
                httpd.server_close()
            raise CtlabError("server.bind", host=self.host, port=self.port, error=error.strerror or error) from error
        self._httpd = httpd
        self._wake_r, self._wake_w = socket.socketpair()
        self.port = httpd.server_address[1]
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._serve, args=(httpd,), name=f"ctlab-server-{self.port}")
        self._thread.start()
        return self

    def _serve(self, httpd: HTTPServer) -> None:
        """Refuse connections for ``refuse_for`` seconds (the port is bound but not listening), then serve."""
        if not self._serving.is_set():
            if self._closing.wait(self.refuse_for):
                return
            with self._start_lock:
                if self._closing.is_set():
                    return
                httpd.server_activate()
                self._serving.set()
        httpd.serve_forever(poll_interval=0.05)

    def close(self) -> None:
        """Stop accepting, end held and idle connections, join every thread, free the port."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        with self._start_lock:
            self._closing.set()
            serving = self._serving.is_set()
        assert self._wake_r is not None
        assert self._wake_w is not None
        self._wake_w.send(b"x")
        if serving:
            httpd.shutdown()
        httpd.end_connections()
        httpd.server_close()  # joins every connection thread
        if self._thread is not None:
            self._thread.join()
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped" if self._thread is not None else "not started"
        return f"<FaultServer {where} faults={str(self.script)!r} requests={len(self.player)}>"

    # -- answering -----------------------------------------------------------
    def _play(self, handler: Handler, body: bytes = b"", fault: Fault | None = None) -> tuple[Attempt, Payload | None]:
        """Log a request through the player: the script's next step, or ``fault`` (which plays no step)."""
        headers = getattr(handler, "headers", None) or {}  # none yet if the request line was malformed
        method = getattr(handler, "command", None) or ""
        path = (getattr(handler, "path", None) or "").split("?")[0]
        attempt, payload = self.player.play(method, path, headers, body, fault=fault)
        if self.on_request is not None:
            self.on_request(attempt)
        return attempt, payload

    def refuse(self, handler: Handler, code: int, message: str) -> None:
        """Refuse one request with an API-shaped error that plays no step of the script."""
        """An API error the script did not ask for: unknown path, bad body, malformed request."""
        _, payload = self._play(handler, fault=Status(code, message=message))
        assert payload is not None
        send_payload(handler, payload)

    def handle(self, handler: Handler) -> None:
        """Answer one request (the listener calls this for every request it reads)."""
        path = handler.path.split("?")[0]
        try:
            body = read_body(handler.headers, handler.rfile)
        except Refusal as refusal:  # the rest of the body stays unread: answer, then close
            handler.close_connection = handler.unread = True
            return self.refuse(handler, refusal.status_code, refusal.message)
        served = hasattr(self.script, "serve")  # a rate limiter answers every path itself (ctlab.ratelimit.service)
        if path != MESSAGES_PATH and not served:
            return self.refuse(handler, 404, f"Not found: {handler.command} {path}")
        if handler.command != "POST" and not served:
            return self.refuse(handler, 405, f"Method {handler.command} not allowed on {MESSAGES_PATH}; use POST")
        problem = json_problem(body) if handler.command == "POST" else None
        if problem:
            return self.refuse(handler, 400, problem)
        attempt, payload = self._play(handler, body)
        started = time.perf_counter()
        try:
            if isinstance(attempt.fault, Timeout):
                self._hold(handler)
            elif isinstance(attempt.fault, Disconnect):
                handler.close_connection = True  # closed with no response at all
            elif isinstance(attempt.fault, PROXY_TYPES):  # held back, reset midway, or a proxy's page (ctlab.proxy)
                assert payload is not None
                send_proxy(handler, payload, attempt.fault, self._closing)
            else:
                assert payload is not None
                send_payload(handler, payload)
        finally:
            attempt.duration = time.perf_counter() - started

    def _hold(self, handler: Handler) -> None:
        """Answer nothing until the client hangs up, ``hold`` passes, or the server closes; then drop."""
        handler.close_connection = True
        deadline = time.perf_counter() + self.hold
        connection = handler.connection
        while not self._closing.is_set():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            readable, _, _ = select.select([connection, self._wake_r], [], [], remaining)
            if connection in readable:
                try:
                    if not connection.recv(1, socket.MSG_PEEK):
                        return  # the client gave up
                except OSError:
                    return
                self._closing.wait(min(0.05, remaining))  # it sent more: keep holding, without spinning


def real_seconds(key: str, value: object, *, zero: bool) -> float:
    """``value`` as real seconds: a number > 0 (>= 0 if ``zero``), at most :data:`MAX_REAL_WAIT`;
    else ``CtlabError``."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and (value >= 0 if zero else value > 0) and value <= MAX_REAL_WAIT):  # type: ignore[operator]
        raise CtlabError(key, value=repr(value), limit=MAX_REAL_WAIT)
    return float(value)  # type: ignore[arg-type]


def serve(faults: FaultsLike = "200", **options: Any) -> FaultServer:
    """A :class:`FaultServer` for ``faults``; ``with serve("429 200") as srv:`` starts it
    and ``srv.url`` is its address.

    ``host`` is a loopback address (``"127.0.0.1"``, ``"::1"`` or ``"localhost"``);
    ``port=0`` picks a free port. ``hold`` caps how long a ``timeout`` holds a
    request whose client never gives up (then the connection is dropped): more
    than 0 and at most :data:`MAX_REAL_WAIT` (3600) seconds. ``refuse_for``
    keeps the port refusing connections for that many seconds first (a proxy
    restarting): 0 to 3600. ``on_request(attempt)``, a callable or ``None``, is
    called (from the server's thread) as each request arrives. A bad option is
    a :class:`ctlab.CtlabError` here, before anything listens.
    """
    return FaultServer(faults, **options)
