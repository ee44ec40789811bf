"""HTTP/1.1 on the wire for the fault server: a request body read within limits,
a payload written whole or event by event.

    >>> import io
    >>> read_chunked(io.BytesIO(b"2\\r\\n{}\\r\\n0\\r\\n\\r\\n"))
    b'{}'
    >>> json_problem(b"[1, 2]")
    'The request body is not a JSON object.'
    >>> import http.client
    >>> try:
    ...     body_length(http.client.parse_headers(io.BytesIO(b"Content-Length: 2000000\\r\\n\\r\\n")))
    ... except Refusal as refusal:
    ...     print(refusal.status_code, refusal.message)
    413 Request exceeds the maximum allowed number of bytes.

A body over :data:`MAX_BODY` bytes, however it is framed, is refused before it
is read (as the API does, with a 413); a body framed wrongly, cut short, or
that is not a JSON object is a 400. A :class:`Refusal` carries the status and
the API's message; :func:`linger` then drains what the client is still
sending, so that it reads the error instead of a connection reset.
"""

from __future__ import annotations

import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

from .responses import Payload

#: Request bodies larger than this get a 413, as the API does.
MAX_BODY = 1 << 20
#: Seconds spent reading and dropping the rest of a refused body before closing, so the client still gets the error.
LINGER = 2.0
#: The longest chunk-size or trailer line of a chunked body, and how many trailer lines it may have.
LINE = 1024
TRAILERS = 100
TOO_LARGE = "Request exceeds the maximum allowed number of bytes."
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", which int() refuses
_HEX = re.compile(rb"[0-9A-Fa-f]+")  # int(x, 16) also takes "-1", "+5", "0x10" and "1_0"


class Readable(Protocol):
    """What a body is read from: a connection's ``rfile`` (or a ``BytesIO``)."""

    def read(self, size: int, /) -> bytes: ...
    def readline(self, size: int, /) -> bytes: ...


class Refusal(Exception):  # noqa: N818  (an answer the server sends, not a failure of its own)
    """A request the server answers with an API error instead of its script (its body is not read any further)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code, self.message = status_code, message


def body_length(headers: Any) -> int | None:
    """The ``Content-Length`` to read, ``None`` if chunked; :class:`Refusal` if it is malformed or too large."""
    encodings = headers.get_all("transfer-encoding") or []
    if encodings:
        if [coding.strip().lower() for value in encodings for coding in value.split(",")] != ["chunked"]:
            raise Refusal(400, f"Unsupported transfer-encoding: {', '.join(encodings)!r}; only chunked is accepted.")
        return None
    lengths = {value.strip() for value in headers.get_all("content-length") or []}
    if not lengths:
        return 0
    raw = lengths.pop()
    if lengths or not _DIGITS.fullmatch(raw):
        shown = ", ".join(sorted({raw, *lengths}))
        raise Refusal(400, f"Invalid content-length: {shown!r}")
    if len(raw.lstrip("0")) > 9 or int(raw) > MAX_BODY:
        raise Refusal(413, TOO_LARGE)
    return int(raw)


def read_chunked(rfile: Readable) -> bytes:
    """A chunked body; :class:`Refusal` as soon as a size is malformed or the total passes :data:`MAX_BODY`."""
    parts: list[bytes] = []
    size = 0
    while True:
        line = rfile.readline(LINE + 1)
        if not line.endswith(b"\n"):
            raise Refusal(400, "Malformed chunked request body: a chunk-size line is cut short or too long.")
        digits = line.split(b";", 1)[0].strip()
        if not _HEX.fullmatch(digits):
            shown = digits.decode("latin-1")
            raise Refusal(400, f"Malformed chunked request body: chunk size {shown!r} is not a hexadecimal number.")
        length = int(digits, 16) if len(digits.lstrip(b"0")) <= 8 else MAX_BODY + 1
        size += length
        if size > MAX_BODY:
            raise Refusal(413, TOO_LARGE)
        if length == 0:
            _read_trailers(rfile)
            return b"".join(parts)
        chunk = rfile.read(length)
        if len(chunk) < length or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise Refusal(400, "Malformed chunked request body: a chunk does not match its size.")
        parts.append(chunk)


def _read_trailers(rfile: Readable) -> None:
    """Skip a chunked body's trailer section, up to its blank line; :class:`Refusal` if it is cut short or too long."""
    for _ in range(TRAILERS):
        line = rfile.readline(LINE + 1)
        if line in (b"\r\n", b"\n"):
            return
        if not line.endswith(b"\n"):
            break
    raise Refusal(400, "Malformed chunked request body: the trailer section is cut short or too long.")


def read_body(headers: Any, rfile: Readable) -> bytes:
    """The request body, at most :data:`MAX_BODY` bytes however it is framed; :class:`Refusal` if not readable."""
    length = body_length(headers)
    if length is None:
        return read_chunked(rfile)
    body = rfile.read(length) if length else b""
    if len(body) < length:
        raise Refusal(400, f"The request body ended after {len(body)} of its {length} bytes (content-length).")
    return body


def json_problem(body: bytes) -> str | None:
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


def linger(connection: socket.socket) -> None:
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


def send_payload(handler: BaseHTTPRequestHandler, payload: Payload) -> None:
    """Write ``payload`` as the answer: whole with a ``content-length``, or a stream, one chunk per event
    as the API sends them."""
    events = payload.events()
    streaming = len(events) > 1 or payload.headers.get("content-type", "").startswith("text/event-stream")
    try:
        handler.send_response(payload.status_code)
        for name, value in payload.headers.items():
            handler.send_header(name, value)
        if streaming:
            handler.send_header("transfer-encoding", "chunked")
        else:
            handler.send_header("content-length", str(len(payload.body)))
        if handler.close_connection:
            handler.send_header("connection", "close")
        handler.end_headers()
        if handler.command == "HEAD":
            return
        if not streaming:
            handler.wfile.write(payload.body)
            return
        for event in events:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            handler.wfile.flush()
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:
        handler.close_connection = True
