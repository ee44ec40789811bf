"""The rate-limit headers: what a simulated server announces, and what a client reads back from them.

    >>> sent = requests_headers(remaining=0, reset="2026-01-01T00:00:02Z")
    >>> sent[LIMIT], sent[REMAINING]
    ('50', '0')
    >>> seconds("2"), seconds("soon")
    (2.0, None)

A plain fault script announces the requests family (``anthropic-ratelimit-requests-*``);
:class:`ctlab.ratelimit.LimitedServer` announces all four families from its buckets.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

__all__ = [
    "EPOCH",
    "LIMIT",
    "RATE_LIMIT",
    "REMAINING",
    "RESET",
    "RETRY_AFTER",
    "iso_time",
    "requests_headers",
    "seconds",
]

#: Requests a minute the simulated organisation may send (what ``anthropic-ratelimit-requests-limit`` says).
RATE_LIMIT = 50

LIMIT = "anthropic-ratelimit-requests-limit"
REMAINING = "anthropic-ratelimit-requests-remaining"
RESET = "anthropic-ratelimit-requests-reset"
RETRY_AFTER = "retry-after"

#: Virtual time zero as a wall-clock instant, so every simulated header date is reproducible.
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
#: The last instant a header date can name (seconds after :data:`EPOCH`).
_LATEST = (datetime(9999, 12, 31, tzinfo=timezone.utc) - EPOCH).total_seconds()


def iso_time(now: float) -> str:
    """The instant ``now`` virtual seconds after :data:`EPOCH`, as an RFC 3339 header date (never past year 9999).

    >>> iso_time(90.5)
    '2026-01-01T00:01:30.500000Z'
    """
    if not now <= _LATEST:
        now = _LATEST
    return (EPOCH + timedelta(seconds=now)).isoformat().replace("+00:00", "Z")


def requests_headers(*, remaining: int, reset: str, limit: int = RATE_LIMIT) -> dict[str, str]:
    """The ``anthropic-ratelimit-requests-*`` headers; ``reset`` is an RFC 3339 time, as the API writes it."""
    return {LIMIT: str(limit), REMAINING: str(remaining), RESET: reset}


def seconds(value: str | None) -> float | None:
    """A header's number of seconds (``retry-after``), or ``None`` when absent or not a number."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
