"""Faithful Anthropic responses: error bodies, ``request-id``, rate-limit headers, SSE streams.

Everything here is plain data (status, headers, body bytes), so the in-process
simulation and a real HTTP server can send exactly the same thing::

    >>> r = error_response(status(429, retry_after=2), request_id="req_sim_000001", now=0.0)
    >>> r.status_code, r.headers["retry-after"], r.json()["error"]["type"]
    (429, '2', 'rate_limit_error')

:func:`payload_for` is the one place that decides what a request gets (an
error, a message, or a stream — as the request body asked), and
:meth:`Payload.events` splits a stream into the events a server sends one by one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from .bodies import request_json, requested_model, wants_stream
from .docs_loop import MODEL
from .faults import MAX_WAIT, Reply, Status, StreamError, header_value, status  # noqa: F401  (status: doctest)
from .ratelimit.headers import EPOCH, RATE_LIMIT, iso_time, requests_headers

#: The ``error.type`` the API sends for each status (Anthropic's documented table;
#: statuses it does not document fall back to the generic type of their class).
ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_MESSAGES: dict[str, str] = {
    "invalid_request_error": "There was an issue with the format or content of your request.",
    "authentication_error": "invalid x-api-key",
    "billing_error": "There was an issue with your account's billing.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "The requested resource could not be found.",
    "conflict_error": "The request conflicts with the current state of the resource.",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "This request would exceed your organization's rate limit. Please try again later.",
    "api_error": "Internal server error",
    "timeout_error": "The request timed out.",
    "overloaded_error": "Overloaded",
}

#: ``error.details.error_code`` values that mean a spend limit was reached: waiting a few seconds never helps.
SPEND_LIMIT_CODES = frozenset({"enforced_spend_limit_reached", "contract_spend_limit_reached"})
#: What the API says when a spend limit is reached: when access comes back (the first of the next month),
#: not "try again later".
SPEND_LIMIT_MESSAGE = (
    "You have reached your specified API usage limits. "
    f"You will regain access on {(EPOCH.replace(day=1) + timedelta(days=32)).replace(day=1):%Y-%m-%d} at 00:00 UTC."
)


def error_type_for(status_code: int) -> str:
    """The API's ``error.type`` for a status: ``error_type_for(529) == "overloaded_error"``."""
    if status_code in ERROR_TYPES:
        return ERROR_TYPES[status_code]
    return "api_error" if status_code >= 500 else "invalid_request_error"


@dataclass
class Payload:
    """A response as bytes on the wire."""

    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> object:
        return json.loads(self.body)

    def events(self) -> list[bytes]:
        """The body as server-sent events, each ending with its blank line (``[body]`` if not a stream).

        >>> stream_response(Reply("hi"), request_id="r", message_id="m", now=0.0).events()[0][:20]
        b'event: message_start'
        """
        if not self.headers.get("content-type", "").startswith("text/event-stream"):
            return [self.body]
        return [event + b"\n\n" for event in self.body.split(b"\n\n") if event]


def _rate_limit_headers(now: float, remaining: int, reset_in: float) -> dict[str, str]:
    return requests_headers(remaining=remaining, reset=iso_time(now + reset_in))


def error_body(fault: Status, request_id: str) -> dict[str, object]:
    error_type = error_type_for(fault.status_code)
    default = SPEND_LIMIT_MESSAGE if fault.error_code in SPEND_LIMIT_CODES else _MESSAGES.get(error_type, error_type)
    error: dict[str, object] = {"type": error_type, "message": fault.message or default}
    if fault.error_code:
        error["details"] = {"error_code": fault.error_code}
    return {"type": "error", "error": error, "request_id": request_id}


def _reset_in(retry_after: float | str | None) -> float:
    """Seconds until a 429's rate limit resets: what ``retry-after`` says, capped at :data:`MAX_WAIT`;
    1 s when it gives no number >= 0.

    >>> _reset_in(2.0), _reset_in(None), _reset_in("soon"), _reset_in("3"), _reset_in(float("inf"))
    (2.0, 1.0, 1.0, 3.0, 4294967.0)
    """
    if isinstance(retry_after, str):
        try:
            retry_after = float(retry_after)
        except ValueError:
            retry_after = None
    if retry_after is None or not retry_after >= 0:
        return 1.0
    return min(retry_after, MAX_WAIT)


def error_response(fault: Status, *, request_id: str, now: float) -> Payload:
    """The status, headers and JSON body Anthropic sends for an error.

    ``retry-after`` and ``retry-after-ms`` carry the fault's value as it is
    (header text verbatim, even text no client can read); only the rate-limit
    reset date is computed from it, from a bounded value (:func:`_reset_in`).
    """
    headers = {"content-type": "application/json", "request-id": request_id}
    if fault.status_code == 429:
        headers.update(_rate_limit_headers(now, remaining=0, reset_in=_reset_in(fault.retry_after)))
    if fault.retry_after is not None:
        headers["retry-after"] = header_value(fault.retry_after)
    if fault.retry_after_ms is not None:
        headers["retry-after-ms"] = header_value(fault.retry_after_ms)
    if fault.should_retry is not None:
        headers["x-should-retry"] = header_value(fault.should_retry)
    headers.update(fault.headers)
    body = json.dumps(error_body(fault, request_id)).encode()
    return Payload(fault.status_code, headers, body)


def _message(fault: Reply, message_id: str, model: str) -> dict[str, object]:
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": fault.text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": max(1, len(fault.text) // 2)},
    }


def message_response(fault: Reply, *, request_id: str, message_id: str, now: float, model: str = MODEL) -> Payload:
    """A ``200`` with a complete message."""
    headers = {"content-type": "application/json", "request-id": request_id}
    headers.update(_rate_limit_headers(now, remaining=RATE_LIMIT - 1, reset_in=60.0))
    return Payload(200, headers, json.dumps(_message(fault, message_id, model)).encode())


def sse(event: str, data: dict[str, object]) -> bytes:
    """One server-sent event, as the API frames it."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _stream_start(message_id: str, model: str) -> list[bytes]:
    start = _message(Reply(""), message_id, model) | {"content": [], "stop_reason": None}
    return [
        sse("message_start", {"type": "message_start", "message": start}),
        sse(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        sse("ping", {"type": "ping"}),
    ]


def _deltas(text: str) -> list[bytes]:
    pieces = [text[i : i + 4] for i in range(0, len(text), 4)]
    return [
        sse(
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
        )
        for piece in pieces
    ]


def stream_response(
    fault: Reply | StreamError,
    *,
    request_id: str,
    message_id: str,
    now: float,  # noqa: ARG001  (payload_for passes it to every builder by keyword)
    model: str = MODEL,
) -> Payload:
    """A ``200`` event stream; a :class:`StreamError` ends it with an ``error`` event."""
    headers = {
        "content-type": "text/event-stream; charset=utf-8", "request-id": request_id, "cache-control": "no-cache",
    }
    events = _stream_start(message_id, model)
    if isinstance(fault, StreamError):
        events += _deltas(fault.after)
        error = {"type": fault.error_type, "message": _MESSAGES.get(fault.error_type, fault.error_type)}
        events.append(sse("error", {"type": "error", "error": error, "request_id": request_id}))
    else:
        events += _deltas(fault.text)
        events += [
            sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
            sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": max(1, len(fault.text) // 2)},
                },
            ),
            sse("message_stop", {"type": "message_stop"}),
        ]
    return Payload(200, headers, b"".join(events))


def payload_for(
    fault: Status | Reply | StreamError, body: bytes, *, request_id: str, message_id: str, now: float
) -> Payload:
    """What the API sends for ``fault`` to a request with ``body``: an error, a message, or a stream.

    A :class:`StreamError` is always a stream; a :class:`Reply` is one when the request asked to stream.

    >>> payload_for(Reply(), b'{"stream": true}', request_id="r", message_id="m", now=0.0).headers["content-type"]
    'text/event-stream; charset=utf-8'
    """
    if isinstance(fault, Status):
        return error_response(fault, request_id=request_id, now=now)
    data = request_json(body)
    model = requested_model(data)
    if isinstance(fault, StreamError) or wants_stream(data):
        return stream_response(fault, request_id=request_id, message_id=message_id, now=now, model=model)
    return message_response(fault, request_id=request_id, message_id=message_id, now=now, model=model)
