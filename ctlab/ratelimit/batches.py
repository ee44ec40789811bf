"""Message Batches in virtual time: a batch is created, processes on its own pool, and ends; its results are JSONL.

    >>> store = BatchStore()
    >>> batch = store.create({"requests": [{"custom_id": "a", "params": {"max_tokens": 8}}]}, now=0.0)
    >>> batch["processing_status"], store.retrieve(batch["id"], now=BATCH_QUEUE + 1)["processing_status"]
    ('in_progress', 'ended')

How long a batch takes is **illustrative**: :data:`BATCH_QUEUE` seconds of
queueing plus :data:`BATCH_PER_REQUEST` seconds per request (the real API
finishes most batches within an hour, and any within 24 hours). Batches draw on
their own limits, not the RPM / ITPM / OTPM buckets of ``messages.create``, and
cost half the price of the same requests sent one by one (:data:`BATCH_DISCOUNT`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .headers import iso_time

__all__ = ["BATCH_DISCOUNT", "BATCH_PER_REQUEST", "BATCH_QUEUE", "BatchStore", "batch_seconds"]

#: Seconds a simulated batch waits before its requests are processed.
BATCH_QUEUE = 300.0
#: Seconds of processing per request in a simulated batch.
BATCH_PER_REQUEST = 0.3
#: What a batched request costs, relative to the same request sent alone.
BATCH_DISCOUNT = 0.5
#: Seconds a batch lives before it expires (24 hours).
BATCH_EXPIRY = 86_400.0


def batch_seconds(n: int) -> float:
    """How long a simulated batch of ``n`` requests takes from creation to ``ended``.

    >>> batch_seconds(1000)
    600.0
    """
    return BATCH_QUEUE + BATCH_PER_REQUEST * n


@dataclass
class _Batch:
    id: str
    created: float
    requests: list[Mapping[str, Any]]
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ends(self) -> float:
        return self.created + batch_seconds(len(self.requests))


def _empty_result(custom_id: str, params: Mapping[str, Any]) -> dict[str, Any]:  # noqa: ARG001 - an Answer
    return {"type": "succeeded", "message": {}}


#: Makes one request's result: ``(custom_id, params) -> result`` (a ``{"type": "succeeded", "message": ...}``).
Answer = Callable[[str, Mapping[str, Any]], dict[str, Any]]


class BatchStore:
    """The batches one simulated server knows, each answered by ``answer`` when it ends."""

    def __init__(self, answer: Answer | None = None, *, tag: str = "sim") -> None:
        self.answer = answer or _empty_result
        self.tag = tag
        self.batches: dict[str, _Batch] = {}

    def create(self, body: Mapping[str, Any], now: float) -> dict[str, Any]:
        requests = [r for r in body.get("requests") or [] if isinstance(r, Mapping)]
        batch = _Batch(f"msgbatch_{self.tag}_{len(self.batches) + 1:06d}", now, requests)
        self.batches[batch.id] = batch
        return self.describe(batch, now)

    def find(self, batch_id: str) -> _Batch | None:
        return self.batches.get(batch_id)

    def describe(self, batch: _Batch, now: float) -> dict[str, Any]:
        """The ``MessageBatch`` object at ``now``."""
        ended = now >= batch.ends
        counts = {"processing": 0 if ended else len(batch.requests), "succeeded": len(batch.requests) if ended else 0}
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {"canceled": 0, "errored": 0, "expired": 0, **counts},
            "created_at": iso_time(batch.created),
            "expires_at": iso_time(batch.created + BATCH_EXPIRY),
            "ended_at": iso_time(batch.ends) if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"/v1/messages/batches/{batch.id}/results" if ended else None,
        }

    def retrieve(self, batch_id: str, now: float) -> dict[str, Any] | None:
        batch = self.find(batch_id)
        return None if batch is None else self.describe(batch, now)

    def results(self, batch_id: str, now: float) -> bytes | None:
        """The JSONL results of an ended batch (``None`` if there is no such batch or it has not ended)."""
        batch = self.find(batch_id)
        if batch is None or now < batch.ends:
            return None
        lines = []
        for request in batch.requests:
            custom_id = str(request.get("custom_id", ""))
            params = request.get("params")
            result = self.answer(custom_id, params if isinstance(params, Mapping) else {})
            lines.append(json.dumps({"custom_id": custom_id, "result": result}, ensure_ascii=False))
        return ("\n".join(lines) + "\n").encode()
