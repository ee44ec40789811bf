"""What a simulated server reads from a request's body: its JSON, whether it asked to stream, its model.

Both servers read bodies the same way, the fault player (:mod:`ctlab.responses`)
and the rate limiter (:mod:`ctlab.ratelimit.service`), and neither ever fails on
one: a body that is empty, not JSON or not an object reads as ``{}``. A body is
parsed once; the questions are asked of its JSON.

    >>> data = request_json(b'{"model": "claude-haiku-4-5", "stream": true}')
    >>> data, wants_stream(data), requested_model(data)
    ({'model': 'claude-haiku-4-5', 'stream': True}, True, 'claude-haiku-4-5')
    >>> request_json(b"not json"), wants_stream(request_json(b"[]")), requested_model(request_json(b""))
    ({}, False, 'claude-opus-4-7')
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .docs_loop import MODEL

__all__ = ["request_json", "requested_model", "wants_stream"]


def request_json(body: bytes) -> dict[str, object]:
    """A request body as a JSON object; ``{}`` when it is empty, not JSON, or not an object."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def wants_stream(data: Mapping[str, object]) -> bool:
    """Whether the request (its :func:`request_json`) asked for ``"stream": true``."""
    return bool(data.get("stream"))


def requested_model(data: Mapping[str, object]) -> str:
    """The request's ``model`` (from its :func:`request_json`), or the docs page's model when it names none."""
    model = data.get("model")
    return model if isinstance(model, str) else MODEL
