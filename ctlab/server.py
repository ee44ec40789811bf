"""The same faults over real HTTP on 127.0.0.1, for curl, node or any other client.

:func:`serve` plays a fault script (:func:`ctlab.faults.parse`) to real HTTP
clients, one fault per ``POST /v1/messages``, the last repeating forever, with
the same bytes the in-process simulation sends (:func:`ctlab.responses.payload_for`).
It binds to loopback only, on a free port by default, records every request it
receives, and leaves no thread or port behind when the block ends::

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
event by event, that ends in an ``error`` event.

Whatever a client sends, it gets an answer shaped like the API's: a body over
:data:`MAX_BODY` bytes (however it is framed) is a 413 ``request_too_large``
answered before the body is read; a malformed request (bad framing, a body that
is not a JSON object or is nested too deeply to parse) is a 400
``invalid_request_error``. Neither plays a step of the script, but both are in
the log. The log never keeps a credential header (see :func:`is_credential`).
An ``x-stainless-retry-count`` that is not a plain number is logged as ``None``
and its request plays its step like any other: the API does not read that header.

:func:`exchange` runs a command (``curl``, ``node`` ...) against a fresh server
with ``ANTHROPIC_BASE_URL`` set, :func:`compare` runs several commands under
several fault scripts at once, for a table of what each client did, and
:func:`side_by_side` runs whole experiments like these at the same time.
"""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, Union, overload

from .faults import Disconnect, Fault, FaultsLike, Reply, Status, StreamError, Timeout, parse
from .i18n import CtlabError, Text, register, t
from .responses import Payload, error_response, payload_for
from .simulate import Attempt, is_credential, logged_headers, retry_count_of  # noqa: F401  (is_credential: doctest)
from .show import TableView

register(
    __name__,
    {
        "server.host_type": Text(
            "host 要写成字符串，比如 '127.0.0.1'、'::1' 或 'localhost'，收到的却是 {kind} 类型的 {value}",
            "host must be a string such as '127.0.0.1', '::1' or 'localhost', got {value} of type {kind}",
        ),
        "server.hold_range": Text(
            "hold 是 timeout 故障最多挂住一个请求的秒数：必须大于 0，且不超过 {limit:g}（一小时，上课绰绰有余），收到的是 {value}",
            "hold is how many seconds a timeout fault holds a request: more than 0 and at most {limit:g} (an hour, plenty for a lesson), got {value}",
        ),
        "server.refuse_for_range": Text(
            "refuse_for 是端口一开始拒绝连接的秒数：取 0 到 {limit:g} 之间（一小时，上课绰绰有余），收到的是 {value}",
            "refuse_for is how many seconds the port refuses connections at first: 0 to {limit:g} (an hour, plenty for a lesson), got {value}",
        ),
        "server.time_limit_range": Text(
            "time_limit 是一条命令最多能跑的秒数：必须大于 0，且不超过 {limit:g}（一小时），收到的是 {value}",
            "time_limit is how many seconds a command may run: more than 0 and at most {limit:g} (an hour), got {value}",
        ),
        "server.on_request": Text(
            "on_request 要么是 None，要么是函数：每收到一个请求，就把这次请求的 Attempt 传给它调用一次。收到的是 {value}",
            "on_request must be None or a function, called with each request's Attempt as it arrives; got {value}",
        ),
        "server.host": Text(
            "故障服务端只监听本机回环地址（127.0.0.1、::1 或 localhost），不能绑定到 {value}",
            "the fault server listens on loopback only (127.0.0.1, ::1 or localhost), not {value}",
        ),
        "server.port": Text("端口必须是 0–65535 的整数（0 表示自动挑一个空闲端口），收到的是 {value}", "port must be a whole number 0-65535 (0 picks a free one), got {value}"),
        "server.retry_counts": Text("重试计数头", "retry-count headers"),
        "server.waits": Text("等待 (s)", "waits (s)"),
        "server.not_running": Text("服务端还没启动：先进入 with serve(...) as srv: 块，再读 srv.url", "the server has not started: enter `with serve(...) as srv:` before reading srv.url"),
        "server.bind": Text(
            "无法在 {host} 的端口 {port} 上监听：{error}。换一个端口，或用 --port 0 自动挑一个空闲的",
            "cannot listen on {host} port {port}: {error}. Pick another port, or --port 0 for a free one",
        ),
        "server.restart": Text("一个故障服务端只能启动一次：再开一个新的 serve(...)", "a fault server starts only once: open a new serve(...)"),
        "server.missing": Text(
            "找不到命令 {program}：这一课需要 curl 和 Node.js（Debian/Ubuntu：apt install curl nodejs npm，然后在仓库根目录运行 npm ci）",
            "command {program} not found: this lesson needs curl and Node.js (Debian/Ubuntu: apt install curl nodejs npm, then npm ci at the repository root)",
        ),
        "server.command_timeout": Text("命令 {command} 运行超过 {seconds:g} s，已被终止", "command {command} ran longer than {seconds:g} s and was stopped"),
        "server.answers": Text("服务端依次回应", "server answered, in order"),
        "server.exit": Text("退出码 {code}", "exit code {code}"),
    },
)

if TYPE_CHECKING:
    from .measure import Measurement

#: The one path a fault script answers; every other path is a 404, as the API does.
MESSAGES_PATH = "/v1/messages"
#: Seconds a ``timeout`` holds a request whose client never gives up.
HOLD = 60.0
#: Request bodies larger than this get a 413, as the API does.
MAX_BODY = 1 << 20
#: The longest real wait an option may ask for (``hold``, ``refuse_for``, ``time_limit``): an hour, plenty for a lesson.
MAX_REAL_WAIT = 3600.0
#: Connections the kernel queues until the server accepts them: room for a classroom of clients arriving at once.
BACKLOG = 1024
#: Seconds spent reading and dropping the rest of a refused body before closing, so the client still gets the error.
LINGER = 2.0
#: The longest chunk-size or trailer line of a chunked body, and how many trailer lines it may have.
_LINE = 1024
_TRAILERS = 100
_TOO_LARGE = "Request exceeds the maximum allowed number of bytes."
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", which int() refuses
_HEX = re.compile(rb"[0-9A-Fa-f]+")  # int(x, 16) also takes "-1", "+5", "0x10" and "1_0"


class _Refusal(Exception):
    """A request the server answers with an API error instead of its script (its body is not read any further)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code, self.message = status_code, message


def _body_length(headers: Any) -> int | None:
    """The ``Content-Length`` to read, ``None`` if chunked; :class:`_Refusal` if it is malformed or too large."""
    encodings = headers.get_all("transfer-encoding") or []
    if encodings:
        if [coding.strip().lower() for value in encodings for coding in value.split(",")] != ["chunked"]:
            raise _Refusal(400, f"Unsupported transfer-encoding: {', '.join(encodings)!r}; only chunked is accepted.")
        return None
    lengths = {value.strip() for value in headers.get_all("content-length") or []}
    if not lengths:
        return 0
    raw = lengths.pop()
    if lengths or not _DIGITS.fullmatch(raw):
        shown = ", ".join(sorted({raw, *lengths}))
        raise _Refusal(400, f"Invalid content-length: {shown!r}")
    if len(raw.lstrip("0")) > 9 or int(raw) > MAX_BODY:
        raise _Refusal(413, _TOO_LARGE)
    return int(raw)


def _read_chunked(rfile: Any) -> bytes:
    """A chunked body; :class:`_Refusal` as soon as a size is malformed or the total passes :data:`MAX_BODY`."""
    parts: list[bytes] = []
    size = 0
    while True:
        line = rfile.readline(_LINE + 1)
        if not line.endswith(b"\n"):
            raise _Refusal(400, "Malformed chunked request body: a chunk-size line is cut short or too long.")
        digits = line.split(b";", 1)[0].strip()
        if not _HEX.fullmatch(digits):
            shown = digits.decode("latin-1")
            raise _Refusal(400, f"Malformed chunked request body: chunk size {shown!r} is not a hexadecimal number.")
        length = int(digits, 16) if len(digits.lstrip(b"0")) <= 8 else MAX_BODY + 1
        size += length
        if size > MAX_BODY:
            raise _Refusal(413, _TOO_LARGE)
        if length == 0:
            for _ in range(_TRAILERS):
                line = rfile.readline(_LINE + 1)
                if line in (b"\r\n", b"\n"):
                    return b"".join(parts)
                if not line.endswith(b"\n"):
                    break
            raise _Refusal(400, "Malformed chunked request body: the trailer section is cut short or too long.")
        chunk = rfile.read(length)
        if len(chunk) < length or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise _Refusal(400, "Malformed chunked request body: a chunk does not match its size.")
        parts.append(chunk)


def _linger(connection: socket.socket) -> None:
    """Read and drop whatever the client is still sending, for up to :data:`LINGER` seconds, then return.

    Closing a socket with unread data resets the connection, and a reset can
    destroy the error just sent before the client reads it (a client sending a
    large body reads the answer only once it has sent it all).
    """
    try:
        connection.shutdown(socket.SHUT_WR)  # the answer is complete: the client sees its end at once
        deadline = time.perf_counter() + LINGER
        while (remaining := deadline - time.perf_counter()) > 0:
            connection.settimeout(min(remaining, 0.5))
            if not connection.recv(1 << 16):
                return
    except OSError:  # a timeout, or the client is gone
        return


class _Handler(BaseHTTPRequestHandler):
    """One connection: HTTP/1.1 keep-alive, every request handed to the :class:`FaultServer`."""

    protocol_version = "HTTP/1.1"
    server_version = "ctlab-fault-server"
    server: _HTTPServer
    #: Set when a request was refused with (part of) its body still unread: linger before closing.
    unread = False

    def version_string(self) -> str:
        return self.server_version

    def _upgrade(self) -> None:
        """Answer a request that looks like HTTP/0.9 with a status line and headers all the same."""
        if self.request_version == "HTTP/0.9":
            self.request_version, self.close_connection = "HTTP/1.0", True

    def _dispatch(self) -> None:
        self._upgrade()
        self.server.fault_server._handle(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch  # noqa: N815

    def handle_expect_100(self) -> bool:
        """Send ``100 Continue`` only for a body that will be read: one too large or badly framed is refused unsent."""
        try:
            _body_length(self.headers)
        except _Refusal:
            return True  # no 100: do_* answers the 413/400 before the client sends a byte of it
        return super().handle_expect_100()

    def finish(self) -> None:
        super().finish()
        if self.unread:
            _linger(self.connection)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A malformed request (bad request line, headers too long, unknown method): an API error body, never HTML."""
        self._upgrade()
        self.close_connection = self.unread = True
        code = int(code)  # a plain number in the log, not http.server's HTTPStatus
        if code == 501:  # http.server's word for a method it has no do_* for
            code, message = 405, f"Method not allowed: {self.command}"
        self.server.fault_server._refuse(self, code, message or self.responses.get(code, ("Bad Request",))[0])

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass


class _HTTPServer(ThreadingHTTPServer):
    """Joins every connection thread on close; knows its open connections so it can end them."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = BACKLOG  # socketserver's default of 5 makes a crowd of clients wait seconds to connect

    def __init__(self, address: tuple[str, int], fault_server: FaultServer) -> None:
        self.fault_server = fault_server
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler, bind_and_activate=False)
        try:
            self.server_bind()
        except BaseException:
            self.server_close()
            raise

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse DNS look-up of the host (slow or hanging offline)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:  # registered before its thread starts: close() can always end it
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def end_connections(self) -> None:
        with self.connections_lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that vanished mid-answer is not the server's problem


def _check_loopback(host: object) -> None:
    if not isinstance(host, str):
        raise CtlabError("server.host_type", value=repr(host), kind=type(host).__name__)
    try:
        loopback = host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise CtlabError("server.host", value=repr(host))


class FaultServer:
    """A fault script served over HTTP on loopback; use as a context manager (see :func:`serve`).

    ``requests`` is the log: one :class:`ctlab.simulate.Attempt` per request
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
        _check_loopback(host)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise CtlabError("server.port", value=repr(port))
        hold = _seconds("server.hold_range", hold, zero=False)
        refuse_for = _seconds("server.refuse_for_range", refuse_for, zero=True)
        if on_request is not None and not callable(on_request):
            raise CtlabError("server.on_request", value=repr(on_request))
        self.script = parse(faults)
        self.refuse_for = refuse_for
        self.host, self.port, self.hold = host, port, hold
        self.on_request = on_request
        self._log: list[Attempt] = []
        self._steps = 0
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
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
        with self._lock:
            return list(self._log)

    # -- starting and stopping ---------------------------------------------
    def start(self) -> FaultServer:
        """Bind and serve in a background thread (``with`` does this for you)."""
        if self._httpd is not None or self._closing.is_set():
            raise CtlabError("server.restart")
        try:
            httpd = _HTTPServer((self.host, self.port), self)  # bound, not yet listening
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

    def _serve(self, httpd: _HTTPServer) -> None:
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
        assert self._wake_r is not None and self._wake_w is not None
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

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped" if self._thread is not None else "not started"
        return f"<FaultServer {where} faults={str(self.script)!r} requests={len(self._log)}>"

    # -- answering -----------------------------------------------------------
    def _record(self, handler: _Handler, fault: Fault | None = None) -> Attempt:
        """Log a request; with no ``fault`` it plays the script's next step, taken and logged together.

        An ``x-stainless-retry-count`` that is not a plain number (``²``, ``-1``)
        is logged as ``None`` (its text stays in ``headers``); the request is
        answered as the script says, as the API answers whatever that header holds.
        """
        headers = getattr(handler, "headers", None) or {}  # none yet if the request line was malformed
        retry_count = retry_count_of(headers)
        kept = logged_headers(headers)
        method = getattr(handler, "command", None) or ""
        path = (getattr(handler, "path", None) or "").split("?")[0]
        with self._lock:
            if fault is None:
                fault = self.script.at(self._steps)
                self._steps += 1
            attempt = Attempt(
                number=len(self._log) + 1,
                at=time.perf_counter() - self._started,
                method=method,
                path=path,
                retry_count=retry_count,
                fault=fault,
                headers=kept,
            )
            self._log.append(attempt)
        attempt.request_id = f"req_srv_{attempt.number:09d}"
        if self.on_request is not None:
            self.on_request(attempt)
        return attempt

    def _refuse(self, handler: _Handler, code: int, message: str) -> None:
        """An API error the script did not ask for: unknown path, bad body, malformed request."""
        fault = Status(code, message=message)
        attempt = self._record(handler, fault)
        self._send(handler, error_response(fault, request_id=attempt.request_id or "", now=attempt.at))

    def _handle(self, handler: _Handler) -> None:
        path = handler.path.split("?")[0]
        try:
            body = self._read_body(handler)
        except _Refusal as refusal:  # the rest of the body stays unread: answer, then close
            handler.close_connection = handler.unread = True
            return self._refuse(handler, refusal.status_code, refusal.message)
        if path != MESSAGES_PATH:
            return self._refuse(handler, 404, f"Not found: {handler.command} {path}")
        if handler.command != "POST":
            return self._refuse(handler, 405, f"Method {handler.command} not allowed on {MESSAGES_PATH}; use POST")
        problem = _json_problem(body)
        if problem:
            return self._refuse(handler, 400, problem)
        attempt = self._record(handler)
        fault = attempt.fault
        started = time.perf_counter()
        try:
            if isinstance(fault, Timeout):
                self._hold(handler)
            elif isinstance(fault, Disconnect):
                handler.close_connection = True  # closed with no response at all
            else:
                assert isinstance(fault, (Status, Reply, StreamError))
                message_id = f"msg_srv_{attempt.number:09d}"
                self._send(handler, payload_for(fault, body, request_id=attempt.request_id or "", message_id=message_id, now=attempt.at))
        finally:
            attempt.duration = time.perf_counter() - started

    def _read_body(self, handler: _Handler) -> bytes:
        """The request body, at most :data:`MAX_BODY` bytes however it is framed; :class:`_Refusal` if not readable."""
        length = _body_length(handler.headers)
        if length is None:
            return _read_chunked(handler.rfile)
        body = handler.rfile.read(length) if length else b""
        if len(body) < length:
            raise _Refusal(400, f"The request body ended after {len(body)} of its {length} bytes (content-length).")
        return body

    def _hold(self, handler: _Handler) -> None:
        """Answer nothing until the client hangs up, ``hold`` passes, or the server closes; then drop."""
        handler.close_connection = True
        deadline = time.perf_counter() + self.hold
        connection = handler.connection
        while not self._closing.is_set():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            readable, _, _ = select.select([connection, self._wake_r], [], [], remaining)  # type: ignore[list-item]
            if connection in readable:
                try:
                    if not connection.recv(1, socket.MSG_PEEK):
                        return  # the client gave up
                except OSError:
                    return
                self._closing.wait(min(0.05, remaining))  # it sent more: keep holding, without spinning

    def _send(self, handler: _Handler, payload: Payload) -> None:
        events = payload.events()
        streaming = len(events) > 1 or payload.headers.get("content-type", "").startswith("text/event-stream")
        try:
            handler.send_response(payload.status_code)
            for name, value in payload.headers.items():
                handler.send_header(name, value)
            handler.send_header("transfer-encoding" if streaming else "content-length", "chunked" if streaming else str(len(payload.body)))
            if handler.close_connection:
                handler.send_header("connection", "close")
            handler.end_headers()
            if handler.command == "HEAD":
                return
            if not streaming:
                handler.wfile.write(payload.body)
                return
            for event in events:  # one chunk per event, as the API streams them
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                handler.wfile.flush()
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            handler.close_connection = True


def _json_problem(body: bytes) -> str | None:
    """Why ``body`` is not a request the API would read (``None``: it is a JSON object, or empty)."""
    if not body.strip():
        return None
    try:
        data = json.loads(body)
    except RecursionError:
        return "The request body is nested too deeply to parse."
    except ValueError:
        return "The request body is not a JSON object."
    if not isinstance(data, dict):
        return "The request body is not a JSON object."
    try:  # JSON "\ud800" parses, but is no character: echoed back (the model, in a stream) it cannot be encoded
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return "The request body contains a lone surrogate escape, which is not valid Unicode."
    return None


def _seconds(key: str, value: object, *, zero: bool) -> float:
    """``value`` as real seconds: a number > 0 (>= 0 if ``zero``), at most :data:`MAX_REAL_WAIT`; else ``CtlabError``."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and (0 <= value if zero else 0 < value) and value <= MAX_REAL_WAIT):  # type: ignore[operator]
        raise CtlabError(key, value=repr(value), limit=MAX_REAL_WAIT)
    return float(value)  # type: ignore[arg-type]


def serve(faults: FaultsLike = "200", **options: Any) -> FaultServer:
    """A :class:`FaultServer` for ``faults``; ``with serve("429 200") as srv:`` starts it and ``srv.url`` is its address.

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


# -- running clients against it ----------------------------------------------

Command = Union[str, Sequence[str]]
#: How a client's waits show in its output: curl's retry warnings, the shell loop's
#: virtual ``sleep`` (see notebook 04), and nothing else.
_DECLARED_WAIT = re.compile(r"(?:Will retry in|virtual sleep) (\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Exchange:
    """One client command run against a fresh server: what the server saw and what the command said."""

    name: str
    faults: str
    received: tuple[Attempt, ...]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float

    @property
    def requests(self) -> int:
        """How many requests reached the server."""
        return len(self.received)

    @property
    def answers(self) -> list[int | str]:
        """What the server did with each request: a status, ``"timeout"`` or ``"disconnect"``."""
        return [a.answer for a in self.received]

    @property
    def retry_counts(self) -> list[int | None]:
        """The ``x-stainless-retry-count`` header of each request (``None``: not sent, as with curl)."""
        return [a.retry_count for a in self.received]

    @property
    def gaps(self) -> list[float]:
        """Real seconds from the end of each answer to the next request, as the server measured them."""
        return [max(0.0, b.at - (a.at + a.duration)) for a, b in zip(self.received, self.received[1:])]

    @property
    def lines(self) -> list[str]:
        """What the command printed on stdout, line by line."""
        return [line for line in self.stdout.splitlines() if line.strip()]

    @property
    def result(self) -> dict[str, Any] | None:
        """The last stdout line as JSON, if it is a JSON object (``notebooks/js/run.mjs`` prints one)."""
        try:
            data = json.loads(self.lines[-1]) if self.lines else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    @property
    def waits(self) -> list[float]:
        """Every wait the client declared, in seconds: the node runner's record, or curl's "Will retry in N seconds"."""
        result = self.result
        if result is not None and isinstance(result.get("waits"), list):
            return [float(w["seconds"]) for w in result["waits"]]
        return [float(s) for s in _DECLARED_WAIT.findall(self.stderr)]

    @property
    def outcome(self) -> Text:
        """What the caller got, as ``ctlab.measure`` says it: ``raised RateLimitError (429)``, ``returned '…'``, or the exit code and last line."""
        result = self.result
        if result is not None and "threw" in result:
            if result.get("status") is not None:
                value = f"{result['threw']} ({result['status']})"
            elif "AnthropicError" in result.get("chain", ()):
                value = str(result["threw"])
            else:
                value = f"{result['threw']}: {result.get('message', '')}"
            return t("outcome.raised", value=value)
        if result is not None and "returned" in result:
            return t("outcome.returned", value=repr(result["returned"]))
        code = t("server.exit", code=self.returncode)
        last = _short(self.lines[-1]) if self.lines else ""
        return Text(f"{code.zh}：{last}", f"{code.en}: {last}") if last else code


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _argv(command: Command, url: str) -> list[str]:
    if isinstance(command, str):
        return ["bash", "-c", command]
    return [part.replace("{url}", url) for part in command]


def _display(command: Command) -> str:
    return command if isinstance(command, str) else shlex.join(command)


def exchange(
    command: Command,
    faults: FaultsLike = "200",
    *,
    name: str = "",
    hold: float = HOLD,
    refuse_for: float = 0.0,
    time_limit: float = 120.0,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> Exchange:
    """Run ``command`` against a fresh server playing ``faults``, and keep both sides of the story.

    A string runs in ``bash`` with ``$ANTHROPIC_BASE_URL`` set to the server;
    in a list, ``{url}`` is replaced by it. Proxies are bypassed for loopback.
    The server's log is complete when this returns (the server has stopped).
    A command still running after ``time_limit`` seconds (more than 0, at most
    :data:`MAX_REAL_WAIT`) is killed (:class:`CtlabError`).

    >>> ex = exchange(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-d", "{}", "{url}/v1/messages"], "429")
    >>> ex.requests, ex.answers, ex.stdout, ex.returncode
    (1, [429], '429', 0)
    """
    time_limit = _seconds("server.time_limit_range", time_limit, zero=False)
    program = "bash" if isinstance(command, str) else command[0]
    if shutil.which(program) is None:
        raise CtlabError("server.missing", program=program)
    with serve(faults, hold=hold, refuse_for=refuse_for) as srv:
        environment = {**os.environ, "ANTHROPIC_BASE_URL": srv.url, **(env or {})}
        for key in ("NO_PROXY", "no_proxy"):
            environment[key] = ",".join(filter(None, [environment.get(key), "127.0.0.1", "localhost", "::1"]))
        started = time.perf_counter()
        try:
            done = subprocess.run(_argv(command, srv.url), env=environment, cwd=cwd, capture_output=True, text=True, timeout=time_limit)
        except subprocess.TimeoutExpired as expired:
            raise CtlabError("server.command_timeout", command=_display(command), seconds=time_limit) from expired
        elapsed = time.perf_counter() - started
    return Exchange(name or _display(command), str(parse(faults)), tuple(srv.requests), done.returncode, done.stdout, done.stderr, elapsed)


_COLUMNS = ("measure.faults", "measure.code", "measure.requests", "server.retry_counts", "server.answers", "server.waits", "measure.outcome")
Row = Union[Exchange, "Measurement"]


def _attempts(row: Row) -> Sequence[Attempt]:
    return row.received if isinstance(row, Exchange) else row.sim.attempts


def _waits(row: Row) -> list[float]:
    return row.waits if isinstance(row, Exchange) else row.sim.waits()


class Exchanges(TableView, list):  # type: ignore[type-arg]
    """Rows of :class:`Exchange` (real clients) and :class:`ctlab.measure.Measurement` (the in-process SDK), as one table."""

    COLUMNS = _COLUMNS
    RIGHT = (2,)
    CSS = "ctlab-exchanges"

    def by(self, name: str) -> list[Row]:
        """Every row of client ``name``."""
        return [row for row in self if row.name == name]

    def only(self, *names: str) -> Exchanges:
        """The rows of these clients, in table order (e.g. ``table.only("Python SDK", "JS SDK")``)."""
        return Exchanges(row for row in self if row.name in names)

    def get(self, name: str, faults: FaultsLike) -> Row:
        """The row for client ``name`` under ``faults``."""
        label = str(parse(faults))
        for row in self:
            if row.name == name and row.faults == label:
                return row
        raise KeyError((name, label))

    def rows(self) -> list[list[Text]]:
        def plain(text: str) -> Text:
            return Text(text, text)

        def spaced(values: Sequence[object]) -> Text:
            return plain(" ".join("-" if v is None else str(v) for v in values) or "-")

        return [
            [
                plain(row.faults),
                plain(row.name),
                plain(str(row.requests)),
                spaced([a.retry_count for a in _attempts(row)]),
                spaced([a.answer for a in _attempts(row)]),
                spaced([f"{w:.2f}" for w in _waits(row)]),
                row.outcome,
            ]
            for row in self
        ]



def compare(
    clients: Mapping[str, Command | Callable[[Any], Any]],
    faults: Sequence[FaultsLike] | Mapping[str, Sequence[FaultsLike]],
    *,
    hold: float = HOLD,
    refuse_for: float = 0.0,
    time_limit: float = 120.0,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    workers: int = 6,
    **client_options: Any,
) -> Exchanges:
    """Every client under every fault script, in one table (rows in the order given).

    ``faults`` is one battery for all clients, or a mapping from client name to
    its own battery. A Python callable ``call(client)`` runs first, in-process,
    with :func:`ctlab.measure.measure` and ``client_options`` (``max_retries``,
    ``timeout``). Then each command (see :func:`exchange`) runs for real on its
    own server, ``workers`` at a time — real clients really wait, so they
    overlap; more at once would starve the CPU and let short client timeouts
    fire for the wrong reason. ``hold``, ``refuse_for`` (each command's server
    refuses connections that long first) and ``time_limit`` are bounded as for
    :func:`exchange` (at most :data:`MAX_REAL_WAIT` seconds), and checked first.

    >>> import ctlab
    >>> table = compare({"curl": ["curl", "-s", "-d", "{}", "{url}/v1/messages"], "Python SDK": ctlab.ask}, ["529"], max_retries=1)
    >>> [(row.name, row.requests) for row in table]
    [('curl', 1), ('Python SDK', 2)]
    """
    from .measure import measure

    _seconds("server.hold_range", hold, zero=False)  # here, before anything runs, not in a worker thread
    _seconds("server.refuse_for_range", refuse_for, zero=True)
    _seconds("server.time_limit_range", time_limit, zero=False)
    if isinstance(faults, Mapping):
        jobs = [(name, clients[name], script) for name, scripts in faults.items() for script in scripts]
    else:
        jobs = [(name, client, script) for script in faults for name, client in clients.items()]
    rows: dict[int, Row] = {
        i: measure(client, script, name=name, **client_options) for i, (name, client, script) in enumerate(jobs) if callable(client)
    }
    commands = [(i, name, client, script) for i, (name, client, script) in enumerate(jobs) if i not in rows]
    commands.sort(key=lambda job: -sum(isinstance(f, Timeout) for f in parse(job[3]).faults))  # the slowest start first
    runs = {
        i: partial(exchange, client, script, name=name, hold=hold, refuse_for=refuse_for, time_limit=time_limit, env=env, cwd=cwd)  # type: ignore[arg-type]
        for i, name, client, script in commands
    }
    rows.update(side_by_side(runs, workers=workers))
    return Exchanges(rows[i] for i in range(len(jobs)))


K = TypeVar("K")
T = TypeVar("T")


@overload
def side_by_side(experiments: Mapping[K, Callable[[], T]], *, workers: int = ...) -> dict[K, T]: ...
@overload
def side_by_side(experiments: Sequence[Callable[[], T]], *, workers: int = ...) -> list[T]: ...
def side_by_side(experiments: Mapping[K, Callable[[], T]] | Sequence[Callable[[], T]], *, workers: int = 8) -> dict[K, T] | list[T]:
    """Run ``experiments`` (functions called with no arguments) at the same time; their results in the order given.

    Made for experiments that wait in real time — :func:`exchange`,
    :func:`compare`, a client against a slow or silent :func:`serve` — which
    side by side take about as long as the slowest of them, not the sum. Each
    one must start its own server (``exchange`` and ``compare`` do), so each
    log holds only its own requests. ``workers`` run at once (at least 1). A
    mapping gives a dict with the same keys in the same order. If some fail,
    all the others still run to the end, then the first failure in the order
    given is raised; interrupted (Ctrl+C), it starts no more of them and waits
    for the ones running, so none is left behind.

    >>> from functools import partial
    >>> curl = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-d", "{}", "{url}/v1/messages"]
    >>> runs = side_by_side({"529": partial(exchange, curl, "529"), "200": partial(exchange, curl, "200")})
    >>> [(faults, run.stdout, run.requests) for faults, run in runs.items()]
    [('529', '529', 1), ('200', '200', 1)]
    """
    keys: list[K] | None = None
    if isinstance(experiments, Mapping):
        keys, calls = list(experiments), list(experiments.values())
    else:
        calls = list(experiments)
    for call in calls:
        if not callable(call):
            shown = _short(repr(call), 60)
            raise TypeError(
                Text(
                    f"side_by_side 要的是不带参数的函数（比如 functools.partial(exchange, ...)），收到的是 {shown}",
                    f"side_by_side takes functions called with no arguments (e.g. functools.partial(exchange, ...)), got {shown}",
                ).render("both")
            )
    if not calls:
        return {} if keys is not None else []
    pool = ThreadPoolExecutor(max_workers=max(1, min(int(workers), len(calls))), thread_name_prefix="ctlab-side-by-side")
    try:
        futures: list[Future[T]] = [pool.submit(call) for call in calls]
        wait(futures)
    except BaseException:  # Ctrl+C: start no more, let the running ones finish
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    results = [future.result() for future in futures]  # the first failure, in the order given
    return dict(zip(keys, results)) if keys is not None else results


def versions() -> dict[str, str]:
    """The versions of the real clients notebook 04 runs: curl, node and the JS SDK (``"-"`` if missing).

    >>> sorted(versions())
    ['@anthropic-ai/sdk', 'curl', 'node']
    """
    found = {"curl": "-", "node": "-", "@anthropic-ai/sdk": "-"}
    if shutil.which("curl"):
        first = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()
        found["curl"] = first[1] if len(first) > 1 else "-"
    if shutil.which("node"):
        found["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip().lstrip("v")
        package = Path(__file__).resolve().parents[1] / "node_modules" / "@anthropic-ai" / "sdk" / "package.json"
        if package.exists():
            found["@anthropic-ai/sdk"] = json.loads(package.read_text(encoding="utf-8"))["version"]
    return found


def version_tuple(version: str) -> tuple[int, ...]:
    """``"7.88.1"`` -> ``(7, 88, 1)``, for comparisons like ``version_tuple(v) < (8, 14)``.

    >>> version_tuple("7.88.1") < (8, 14)
    True
    """
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])
