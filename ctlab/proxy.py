"""What a proxy or CDN sends instead of Anthropic's answer: HTML pages, foreign error bodies, held and broken streams.

    >>> page = proxy_payload(parse("502(html)").faults[0], b"{}", request_id="req_x", message_id="m", now=0.0)
    >>> page.status_code, page.headers["content-type"], "request-id" in page.headers, page.body.splitlines()[1]
    (502, 'text/html', False, b'<head><title>502 Bad Gateway</title></head>')

The faults themselves are :mod:`ctlab.faults.proxy`; this module turns one
into bytes (:func:`proxy_payload`, for both the simulated server and the fault
server) and acts out the two that are about time and connections:
:func:`answer_in_process` for the in-process simulation (a buffered reply costs
virtual time; a reset stream breaks while the SDK reads it) and
:func:`send_proxy` for the fault server (real time, a real reset). None of this
is Anthropic's behaviour: Anthropic always sends JSON errors with a
``request-id``.
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from http import HTTPStatus
from typing import Any, Protocol

import httpcore2
import httpx

from .clock import VirtualClock
from .faults import CDN_STATUSES, PROXY_TYPES, Buffered, ProxyStatus, Reply, StreamReset, parse  # noqa: F401  (parse: doctest)
from .responses import Payload, error_body, error_response, payload_for, stream_response

__all__ = [
    "PROXY_FAULTS",
    "PROXY_TYPES",
    "STRIPPED",
    "answer_in_process",
    "html_page",
    "proxy_payload",
    "send_proxy",
    "shape_body",
]

#: One of each proxy fault, as the proxy rows of the error catalog show them (:func:`ctlab.atlas.proxy_catalog`).
PROXY_FAULTS: tuple[str, ...] = (
    "502(html)",
    "503(html)",
    "504(html)",
    "520(html)",
    "521(html)",
    "522(html)",
    "523(html)",
    "524(html)",
    "429(shape=quota)",
    "402(shape=quota)",
    "403(shape=bare)",
    "429(shape=zh)",
    "200(error-body)",
    "500(no-request-id)",
    "429(strip-retry-after)",
    "buffered(delay=700)",
    "stream-reset",
)
#: The headers a proxy with ``strip-retry-after`` drops from Anthropic's answer.
STRIPPED = ("retry-after", "retry-after-ms", "x-should-retry")
#: Cloudflare's own error codes, as its error pages title them.
CDN_TITLES: dict[int, str] = {
    520: "Web server is returning an unknown error",
    521: "Web server is down",
    522: "Connection timed out",
    523: "Origin is unreachable",
    524: "A timeout occurred",
    525: "SSL handshake failed",
    526: "Invalid SSL certificate",
    527: "Railgun Listener to origin error",
}
#: What a proxy says in Chinese, by status (``shape=zh``), as Chinese resellers' gateways word it.
ZH_MESSAGES: dict[int, str] = {
    401: "无效的令牌",
    402: "用户额度不足，请充值后再试",
    403: "该令牌额度已用尽",
    404: "模型 claude-opus-4-7 不存在或当前分组无权使用",
    429: "当前分组上游负载已饱和，请稍后再试",
    500: "上游服务请求失败，请稍后再试",
}
PROXY_HOST = "api.example-proxy.com"


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return CDN_TITLES.get(status_code, "Error")


def _ray(request_id: str) -> str:
    """A Cloudflare ray id, the same for the same request id (so pages are reproducible)."""
    return hashlib.sha256(request_id.encode()).hexdigest()[:16] + "-SJC"


def html_page(status_code: int, request_id: str) -> tuple[dict[str, str], bytes]:
    """The headers and HTML body of an error page: Cloudflare's for 520–527, nginx's for every other status."""
    if status_code in CDN_STATUSES:
        ray, title = _ray(request_id), CDN_TITLES[status_code]
        page = (
            '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n'
            f"<title>{PROXY_HOST} | {status_code}: {title}</title>\n"
            '<meta charset="UTF-8" />\n</head>\n<body>\n<div id="cf-wrapper">\n'
            f'<h1><span>{title}</span> <span class="code-label">Error code {status_code}</span></h1>\n'
            f'<p>Visit <a href="https://www.cloudflare.com/5xx-error-landing">cloudflare.com</a> for more '
            "information.</p>\n"
            f"<p>Cloudflare Ray ID: <strong>{ray.split('-')[0]}</strong> &bull; Performance &amp; security by "
            "Cloudflare</p>\n</div>\n</body>\n</html>\n"
        )
        headers = {
            "content-type": "text/html; charset=UTF-8",
            "server": "cloudflare",
            "cf-ray": ray,
            "cache-control": "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0",
            "x-frame-options": "SAMEORIGIN",
            "referrer-policy": "same-origin",
        }
        return headers, page.encode()
    line = f"{status_code} {_reason(status_code)}"
    page = (
        f"<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    return {"content-type": "text/html", "server": "nginx"}, page.encode()


def shape_body(shape: str, status_code: int) -> dict[str, object]:
    """A JSON error body in a shape other than Anthropic's (``shape`` is one of :data:`~ctlab.faults.SHAPES`).

    >>> shape_body("bare", 403)
    {'error': 'forbidden'}
    """
    if shape == "quota":
        message = "You exceeded your current quota, please check your plan and billing details."
        return {
            "error": {"message": message, "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}
        }
    if shape == "bare":
        return {"error": _reason(status_code).lower()}
    if shape == "zh":
        message = ZH_MESSAGES.get(status_code, ZH_MESSAGES[500 if status_code >= 500 else 403])
        return {"success": False, "code": status_code, "message": message}
    return {"error": {"message": "upstream error: do request failed", "type": "upstream_error"}}


def _status_headers(fault: ProxyStatus) -> dict[str, str]:
    """The ``retry-after``... headers the fault's status options ask for (none if a proxy strips them)."""
    if fault.strip_retry_after:
        return {}
    sent = error_response(
        ProxyStatus(599, fault.retry_after, fault.retry_after_ms, fault.should_retry), request_id="", now=0.0
    )
    return {name: value for name, value in sent.headers.items() if name in STRIPPED}


def _error_payload(fault: ProxyStatus, request_id: str, now: float) -> Payload:
    if fault.kind == "strip-retry-after":
        anthropic = error_response(fault, request_id=request_id, now=now)
        headers = {name: value for name, value in anthropic.headers.items() if name not in STRIPPED}
        return Payload(fault.status_code, headers, anthropic.body)
    if fault.html:
        headers, body = html_page(fault.status_code, request_id)
    elif fault.shape in (None, "anthropic"):
        data = error_body(fault, request_id)
        del data["request_id"]  # written by the proxy in Anthropic's shape: no id anywhere
        headers, body = {"content-type": "application/json"}, json.dumps(data).encode()
    else:
        data = shape_body(fault.shape, fault.status_code)
        headers = {"content-type": "application/json; charset=utf-8"}
        body = json.dumps(data, ensure_ascii=False).encode()
    headers.update(_status_headers(fault))
    headers.update(fault.headers)
    return Payload(fault.status_code, headers, body)


def proxy_payload(
    fault: ProxyStatus | Buffered | StreamReset, body: bytes, *, request_id: str, message_id: str, now: float
) -> Payload:
    """What the proxy sends for ``fault`` (a held reply and a reset stream send Anthropic's bytes, or part of them)."""
    if isinstance(fault, ProxyStatus):
        return _error_payload(fault, request_id, now)
    if isinstance(fault, StreamReset):
        whole = stream_response(Reply(fault.after), request_id=request_id, message_id=message_id, now=now)
        events = whole.events()
        cut = next(i for i, event in enumerate(events) if event.startswith(b"event: content_block_stop"))
        return Payload(200, whole.headers, b"".join(events[:cut]))
    return payload_for(Reply(fault.text), body, request_id=request_id, message_id=message_id, now=now)


# --- acted out in-process ----------------------------------------------------------------------------------------


class Timed(Protocol):
    """An attempt as :func:`answer_in_process` sees it (a :class:`ctlab.player.Attempt`): its fault, its duration."""

    fault: Any
    duration: float


class ResetStream(httpx.SyncByteStream, httpx.AsyncByteStream):  # type: ignore[misc]  # httpx: no stubs here
    """A response body that yields its events, then fails as a connection reset by the peer does."""

    def __init__(self, events: list[bytes]) -> None:
        self.events = events

    def _reset(self) -> httpcore2.ReadError:
        return httpcore2.ReadError("[Errno 104] Connection reset by peer")

    def __iter__(self) -> Iterator[bytes]:
        yield from self.events
        raise self._reset()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self.events:
            yield event
        raise self._reset()


def answer_in_process(attempt: Timed, payload: Payload, request: httpx.Request, clock: VirtualClock) -> httpx.Response:
    """The response the simulated server gives for a proxy fault (a held reply costs virtual time, or times out)."""
    fault = attempt.fault
    if isinstance(fault, Buffered):
        limit = request.extensions.get("timeout", {}).get("read")
        attempt.duration = fault.delay if limit is None else min(fault.delay, float(limit))
        clock.advance(attempt.duration)
        if limit is not None and fault.delay > limit:
            raise httpcore2.ReadTimeout("simulated timeout: the proxy held the reply back")
    if isinstance(fault, StreamReset):
        return httpx.Response(payload.status_code, headers=payload.headers, stream=ResetStream(payload.events()))
    return httpx.Response(payload.status_code, headers=payload.headers, content=payload.body)


def is_unread(response: httpx.Response) -> bool:
    """Whether ``response`` must reach the SDK unread (its body breaks while the SDK reads it)."""
    return isinstance(response.stream, ResetStream)


# --- acted out over HTTP -----------------------------------------------------------------------------------------


def send_proxy(
    handler: Any, payload: Payload, fault: ProxyStatus | Buffered | StreamReset, closing: threading.Event
) -> None:
    """Send a proxy fault's answer on the fault server: held back, cut off by a reset, or with the proxy's
    ``server`` header."""
    headers = dict(payload.headers)
    own = handler.server_version
    handler.server_version = headers.pop("server", own)
    try:
        if isinstance(fault, Buffered) and closing.wait(fault.delay):
            handler.close_connection = True
            return
        handler.send_response(payload.status_code)
        for name, value in headers.items():
            handler.send_header(name, value)
        if isinstance(fault, StreamReset):
            _send_then_reset(handler, payload)
            return
        handler.send_header("content-length", str(len(payload.body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload.body)  # all at once, as a buffering proxy does
    except OSError:
        handler.close_connection = True
    finally:
        handler.server_version = own


def _send_then_reset(handler: Any, payload: Payload) -> None:
    handler.send_header("transfer-encoding", "chunked")
    handler.end_headers()
    for event in payload.events():
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        handler.wfile.flush()
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
