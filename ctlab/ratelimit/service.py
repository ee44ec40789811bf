"""The simulated rate limiter: a script that answers every request from per-model RPM / ITPM / OTPM buckets.

    >>> import ctlab
    >>> from ctlab.ratelimit import Tier
    >>> server = LimitedServer(Tier(rpm=2, itpm=10_000, otpm=4_000))
    >>> hi = [{"role": "user", "content": "hi"}]
    >>> with ctlab.simulate(server) as sim:
    ...     client = sim.client(max_retries=0)
    ...     for _ in range(3):
    ...         try:
    ...             _ = client.messages.create(model="claude-opus-4-7", max_tokens=64, messages=hi)
    ...         except Exception as error:
    ...             print(type(error).__name__, error.response.headers["retry-after"], server.log[-1].short)
    RateLimitError 30 requests

The in-process simulation and the fault server answer through the same
:class:`ctlab.player.Player`, which hands each request to :meth:`LimitedServer.serve`.
It serves ``POST /v1/messages`` (limited), ``POST /v1/messages/count_tokens``
(:func:`ctlab.ratelimit.tokens.estimate`) and the Message Batches calls
(:mod:`ctlab.ratelimit.batches`). A reply writes as many output tokens as the
request's ``x-ctlab-reply-length`` header says (a simulation knob; default
:data:`REPLY_TOKENS`), at most ``max_tokens``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..bodies import request_json, wants_stream
from ..docs_loop import MODEL
from ..faults import Fault, Reply, Script, Status
from .buckets import Buckets
from .tiers import Tier, tier_of
from .tokens import CACHE_TTL, body_key, cached_prefix, charge, estimate, input_charge

__all__ = ["REPLY_HEADER", "REPLY_TOKENS", "LimitedServer", "Served"]

#: The request header that tells the simulated model how many output tokens to write.
REPLY_HEADER = "x-ctlab-reply-length"
#: Output tokens a reply has when the request does not say.
REPLY_TOKENS = 100
_WHAT = {"requests": "requests", "input": "input tokens", "output": "output tokens"}
_BATCH = re.compile(r"/v1/messages/batches(?:/([A-Za-z0-9_]+)(/results)?)?$")


@dataclass(frozen=True)
class Served:
    """One ``messages.create`` the limiter judged: when, what it needed, what it charged, which bucket was short."""

    at: float
    model: str
    status: int
    input_tokens: int
    cache_read: int
    max_tokens: int
    output_tokens: int
    short: str | None
    levels: tuple[float, float, float]


def _whole(value: Any, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


class LimitedServer(Script):
    """A fault script answered by a rate limiter: one :class:`Buckets` per model, on the server's clock.

    ``tier`` is a :class:`Tier` or a preset's name (:data:`ctlab.ratelimit.TIERS`); ``seed`` fixes how the
    server's input-token charge differs from the estimate. A reply is written at once (latency 0 in
    virtual time), so its output reservation is settled as soon as it is made. Use a fresh one per run: it
    remembers.
    """

    def __init__(self, tier: Tier | str = "tier-1", *, seed: int = 0, text: str = "你好！Hello!") -> None:
        object.__setattr__(self, "faults", (Reply(text),))
        self.tier, self.seed, self.text = tier_of(tier), seed, text
        self.models: dict[str, Buckets] = {}
        self.cache: dict[str, float] = {}
        self.log: list[Served] = []
        self.charged: dict[bytes, tuple[int, str | None, int]] = {}  # input_charge of each request body seen
        from .batches import BatchStore

        self.batches = BatchStore(self._batch_result)

    def __setattr__(self, name: str, value: Any) -> None:  # a Script is frozen; this one keeps state
        object.__setattr__(self, name, value)

    def labels(self) -> list[str]:
        return [f"rate-limits({self.tier.name}: {self.tier.rpm} RPM, {self.tier.itpm} ITPM, {self.tier.otpm} OTPM)"]

    def buckets(self, model: str) -> Buckets:
        if model not in self.models:
            self.models[model] = Buckets(self.tier)
        return self.models[model]

    # -- answering ---------------------------------------------------------------
    def serve(self, attempt: Any, body: bytes, message_id: str) -> tuple[Fault, Any]:
        """What ``attempt`` (method, path, headers, arrival time) gets: the fault to log and the payload to send."""
        from ..responses import Payload, error_response

        path, now, data = str(attempt.path), float(attempt.at), request_json(body)
        headers = {"content-type": "application/json", "request-id": attempt.request_id}
        if path.endswith("/v1/messages/count_tokens"):
            return Reply(), Payload(200, headers, json.dumps({"input_tokens": estimate(data)}).encode())
        batch = _BATCH.search(path)
        if batch:
            found = self._batch(attempt.method, batch.group(1), bool(batch.group(2)), data, now)
            if found is not None:
                return Reply(), Payload(200, headers, found)
        elif path.endswith("/v1/messages"):
            return self._message(attempt, data, message_id, body)
        missing = Status(404, message=f"Not found: {attempt.method} {path}")
        return missing, error_response(missing, request_id=attempt.request_id, now=now)

    def _batch(
        self, method: str, batch_id: str | None, results: bool, data: dict[str, Any], now: float
    ) -> bytes | None:
        if batch_id is None:
            return json.dumps(self.batches.create(data, now)).encode() if method == "POST" else None
        if results:
            return self.batches.results(batch_id, now)
        found = self.batches.retrieve(batch_id, now)
        return None if found is None else json.dumps(found).encode()

    def charges(self, data: Mapping[str, Any], now: float, *, body: bytes | None = None) -> tuple[int, int, int]:
        """The input tokens the server charges for a request body at ``now``: ``(total, cache read, cache written)``.

        Given the raw ``body`` that ``data`` was parsed from, a retry of the same request reuses the first count.
        """
        found = None if body is None else self.charged.get(body)
        if found is None:
            found = input_charge(data, seed=self.seed)
            if body is not None:
                self.charged[body] = found
        total, prefix, cached = found
        if prefix is None:
            return total, 0, 0
        hit = self.cache.get(prefix, -math.inf) > now
        return total, cached if hit else 0, 0 if hit else cached

    def _message(self, attempt: Any, data: dict[str, Any], message_id: str, body: bytes) -> tuple[Fault, Any]:
        from ..responses import error_response, message_response, stream_response

        now, model = float(attempt.at), str(data.get("model") or MODEL)
        max_tokens = _whole(data.get("max_tokens"), 1024)
        total, read, written = self.charges(data, now, body=body)
        limits = self.buckets(model)
        refused = limits.admit(now, input_tokens=total - read, max_tokens=max_tokens)
        output = 0
        if refused is None:
            output = min(max_tokens, _whole(attempt.headers.get(REPLY_HEADER), REPLY_TOKENS))
            limits.settle(max_tokens=max_tokens, output_tokens=output)  # the reply is written at once
            prefix = cached_prefix(data)
            if (read or written) and prefix is not None:
                self.cache[prefix[0]] = now + CACHE_TTL
        levels = (
            limits.requests.level / limits.requests.burst,
            limits.input.level / limits.input.burst,
            limits.output.level / limits.output.burst,
        )
        self.log.append(
            Served(
                now,
                model,
                429 if refused else 200,
                total - read,
                read,
                max_tokens,
                output,
                refused[0] if refused else None,
                levels,
            )
        )
        headers = limits.headers(now)
        if refused is not None:
            name, wait = refused
            limit = self.tier.limit(name)
            message = (
                f"This request would exceed your organization's rate limit of {limit:,} {_WHAT[name]} per minute "
                f"(model: {model}). Please reduce the prompt length or the maximum tokens requested, or try "
                "again later."
            )
            fault = Status(429, retry_after=max(1, math.ceil(wait)) if wait < math.inf else 60, message=message)
            payload = error_response(fault, request_id=attempt.request_id, now=now)
            payload.headers.update(headers)
            return fault, payload
        reply = Reply(self.text)
        ids = {"request_id": attempt.request_id, "message_id": message_id, "now": now, "model": model}
        if wants_stream(data):
            payload = stream_response(reply, **ids)
        else:
            payload = message_response(reply, **ids)
            message = json.loads(payload.body)
            message["usage"] = {
                "input_tokens": total - read - written,
                "output_tokens": output,
                "cache_creation_input_tokens": written,
                "cache_read_input_tokens": read,
            }
            message["stop_reason"] = "max_tokens" if output == max_tokens else "end_turn"
            payload.body = json.dumps(message, ensure_ascii=False).encode()
        payload.headers.update(headers)
        return reply, payload

    def _batch_result(self, custom_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        total = charge(estimate(params), seed=self.seed, key=body_key(params))
        output = min(_whole(params.get("max_tokens"), 1024), REPLY_TOKENS)
        message = {
            "id": f"msg_batch_{custom_id}",
            "type": "message",
            "role": "assistant",
            "model": str(params.get("model") or MODEL),
            "content": [{"type": "text", "text": self.text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": total, "output_tokens": output},
        }
        return {"type": "succeeded", "message": message}
