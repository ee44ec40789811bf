"""What a simulated server reads from a request's body: its JSON, whether it asked to stream, its model.

Both servers read bodies the same way, the fault player (:mod:`ctlab.responses`)
and the rate limiter (:mod:`ctlab.ratelimit.service`), and neither ever fails on
one: a body that is empty, not JSON or not an object reads as ``{}``.

    >>> request_json(b'{"model": "claude-haiku-4-5", "stream": true}')
    {'model': 'claude-haiku-4-5', 'stream': True}
    >>> request_json(b"not json"), wants_stream(b"[]"), requested_model(b"")
    ({}, False, 'claude-opus-4-7')
"""

from __future__ import annotations

import json

from .docs_loop import MODEL

__all__ = ["request_json", "requested_model", "wants_stream"]


def request_json(body: bytes) -> dict[str, object]:
    """A request body as a JSON object; ``{}`` when it is empty, not JSON, or not an object."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def wants_stream(body: bytes) -> bool:
    """Whether the request asked for ``"stream": true``."""
    return bool(request_json(body).get("stream"))


def requested_model(body: bytes) -> str:
    """The request's ``model``, or the docs page's model when it names none."""
    model = request_json(body).get("model")
    return model if isinstance(model, str) else MODEL
