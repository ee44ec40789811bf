"""The rate-limit headers: what a simulated server announces, and what a client reads back from them.

    >>> sent = requests_headers(remaining=0, reset="2026-01-01T00:00:02Z")
    >>> sent[LIMIT], sent[REMAINING]
    ('50', '0')
    >>> interval(sent), exhausted(200, sent), seconds("2"), seconds("soon")
    (1.2, True, 2.0, None)

Only the requests family (``anthropic-ratelimit-requests-*``) is simulated so
far, with ``retry-after`` on a 429; the tokens families follow the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

__all__ = [
    "EPOCH",
    "LIMIT",
    "RATE_LIMIT",
    "REMAINING",
    "RESET",
    "RETRY_AFTER",
    "exhausted",
    "interval",
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

#: Virtual time zero as a wall-clock instant (the same as :data:`ctlab.responses.EPOCH`), so reset dates are
#: reproducible.
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


def interval(headers: Mapping[str, str]) -> float | None:
    """Seconds between requests that keep to the announced limit (``60 / limit``), or ``None`` if none was announced."""
    limit = headers.get(LIMIT)
    if limit and limit.isdigit() and int(limit) > 0:
        return 60 / int(limit)
    return None


def exhausted(status_code: int, headers: Mapping[str, str]) -> bool:
    """Whether the response says to hold off: a 429, or no requests remaining."""
    return status_code == 429 or headers.get(REMAINING) == "0"


def seconds(value: str | None) -> float | None:
    """A header's number of seconds (``retry-after``), or ``None`` when absent or not a number."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
