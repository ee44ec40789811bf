"""What the simulated server does on each attempt: fault values, and the scripts they make.

A fault is a small value (:mod:`ctlab.faults.values`); a :class:`Script` is the
sequence a server plays, one fault per HTTP attempt, **the last one repeating
forever** (:mod:`ctlab.faults.script`). Build faults in Python or type them as
text::

    >>> parse("429(retry-after=2)*2 200").labels()
    ['429(retry-after=2)', '429(retry-after=2)', '200']
    >>> parse([status(529), ok("hi")]).labels()
    ['529', '200']
    >>> parse("429(retry-after='soon') 429(retry-after=inf)").labels()
    ["429(retry-after='soon')", '429(retry-after=inf)']

Proxy faults (:mod:`ctlab.faults.proxy`) are written the same way:
``502(html)``, ``429(shape=quota)``, ``200(error-body)``, ``buffered``, ``stream-reset``.

The bounds every script keeps (:data:`MAX_FAULTS`, :data:`MAX_WAIT`, ...) and
:func:`short_repr` live in :mod:`ctlab.inputs`; they are named here too.
"""

from __future__ import annotations

from ..inputs import MAX_FAULTS, MAX_HEADER_TEXT, MAX_RETRIES, MAX_SCRIPT_TEXT, MAX_TEXT, MAX_WAIT, short_repr
from .proxy import (
    CDN_STATUSES,
    PROXY_OPTIONS,
    PROXY_TYPES,
    SHAPES,
    Buffered,
    ProxyStatus,
    StreamReset,
    buffered,
    proxy_status,
    stream_reset,
)
from .script import STATUS_OPTIONS, FaultsLike, Script, parse
from .values import (
    FAULT_TYPES,
    STATUS_FIELDS,
    Disconnect,
    Fault,
    Reply,
    Status,
    StreamError,
    Timeout,
    disconnect,
    header_value,
    ok,
    status,
    stream_error,
    timeout,
)

__all__ = [
    "CDN_STATUSES",
    "FAULT_TYPES",
    "MAX_FAULTS",
    "MAX_HEADER_TEXT",
    "MAX_RETRIES",
    "MAX_SCRIPT_TEXT",
    "MAX_TEXT",
    "MAX_WAIT",
    "PROXY_OPTIONS",
    "PROXY_TYPES",
    "SHAPES",
    "STATUS_FIELDS",
    "STATUS_OPTIONS",
    "Buffered",
    "Disconnect",
    "Fault",
    "FaultsLike",
    "ProxyStatus",
    "Reply",
    "Script",
    "Status",
    "StreamError",
    "StreamReset",
    "Timeout",
    "buffered",
    "disconnect",
    "header_value",
    "ok",
    "parse",
    "proxy_status",
    "short_repr",
    "status",
    "stream_error",
    "stream_reset",
    "timeout",
]
