"""Loopback HTTP plumbing for the fault server: keep-alive connections, API-shaped refusals, a clean shutdown.

:class:`HTTPServer` accepts connections on loopback only and hands every request
its :class:`Handler` reads to an :class:`Answerer` (the :class:`ctlab.server.FaultServer`);
it knows its open connections, so closing it ends them all and joins every thread::

    >>> check_loopback("127.0.0.1")
    >>> try:
    ...     check_loopback("0.0.0.0")
    ... except CtlabError as error:
    ...     print(error.text.en)
    the fault server listens on loopback only (127.0.0.1, ::1 or localhost), not '0.0.0.0'
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from typing import Any, Protocol

from .i18n import CtlabError, Text, register
from .wire import Refusal, body_length, linger

__all__ = ["BACKLOG", "Answerer", "HTTPServer", "Handler", "check_loopback"]

register(
    __name__,
    {
        "server.host_type": Text(
            "host 要写成字符串，比如 '127.0.0.1'、'::1' 或 'localhost'，收到的却是 {kind} 类型的 {value}",
            "host must be a string such as '127.0.0.1', '::1' or 'localhost', got {value} of type {kind}",
        ),
        "server.host": Text(
            "故障服务端只监听本机回环地址（127.0.0.1、::1 或 localhost），不能绑定到 {value}",
            "the fault server listens on loopback only (127.0.0.1, ::1 or localhost), not {value}",
        ),
    },
)

#: Connections the kernel queues until the server accepts them: room for a classroom of clients arriving at once.
BACKLOG = 1024


class Answerer(Protocol):
    """What answers the requests a :class:`Handler` reads (the fault server)."""

    def handle(self, handler: Handler) -> None: ...

    def refuse(self, handler: Handler, code: int, message: str) -> None: ...


class Handler(BaseHTTPRequestHandler):
    """One connection: HTTP/1.1 keep-alive, every request handed to the server's :class:`Answerer`."""

    protocol_version = "HTTP/1.1"
    server_version = "ctlab-fault-server"
    server: HTTPServer
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
        self.server.answerer.handle(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch  # noqa: N815

    def handle_expect_100(self) -> bool:
        """Send ``100 Continue`` only for a body that will be read: one too large or badly framed is refused unsent."""
        try:
            body_length(self.headers)
        except Refusal:
            return True  # no 100: do_* answers the 413/400 before the client sends a byte of it
        return super().handle_expect_100()

    def finish(self) -> None:
        super().finish()
        if self.unread:
            linger(self.connection)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:  # noqa: ARG002  (http.server's signature)
        """A malformed request (bad request line, headers too long, unknown method): an API error body, never HTML."""
        self._upgrade()
        self.close_connection = self.unread = True
        code = int(code)  # a plain number in the log, not http.server's HTTPStatus
        if code == 501:  # http.server's word for a method it has no do_* for
            code, message = 405, f"Method not allowed: {self.command}"
        self.server.answerer.refuse(self, code, message or self.responses.get(code, ("Bad Request",))[0])

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass


class HTTPServer(ThreadingHTTPServer):
    """Joins every connection thread on close; knows its open connections so it can end them."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = BACKLOG  # socketserver's default of 5 makes a crowd of clients wait seconds to connect

    def __init__(self, address: tuple[str, int], answerer: Answerer) -> None:
        self.answerer = answerer
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, Handler, bind_and_activate=False)
        try:
            self.server_bind()
        except BaseException:
            self.server_close()
            raise

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse DNS look-up of the host (slow or hanging offline)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

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
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that vanished mid-answer is not the server's problem


def check_loopback(host: object) -> None:
    """Refuse any host but a loopback address (in both languages)."""
    if not isinstance(host, str):
        raise CtlabError("server.host_type", value=repr(host), kind=type(host).__name__)
    try:
        loopback = host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise CtlabError("server.host", value=repr(host))
