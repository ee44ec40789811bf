"""Facts asked of the installed SDK by handing it a response it never sent: the class it raises, and whether it retries.

Nothing here copies a table from the SDK: each answer comes from the SDK's own
code (``make_status_error`` and the client's ``_should_retry``), so it changes
when the SDK does::

    >>> sdk_exception(529).__name__, sdk_retries(529), sdk_retries(400)
    ('OverloadedError', True, False)
    >>> sdk_retries(400, {"x-should-retry": "true"})
    True
"""

from __future__ import annotations

from functools import lru_cache

import anthropic
import httpx2
from anthropic._error_classes import make_status_error

from .clients import tls_context
from .responses import error_type_for

__all__ = ["probe_client", "sdk_exception", "sdk_retries"]

_PROBE = httpx2.Request("POST", "https://api.anthropic.com/v1/messages")


@lru_cache(maxsize=1)
def probe_client() -> anthropic.Anthropic:
    """A client that never sends anything: only its ``_should_retry`` is asked. It shares the simulated clients' TLS."""
    http = anthropic.DefaultHttpxClient(verify=tls_context())
    return anthropic.Anthropic(api_key="sk-probe", base_url="http://127.0.0.1:9", max_retries=0, http_client=http)


def sdk_exception(status_code: int, error_code: str | None = None) -> type[anthropic.APIStatusError]:
    """The class the installed SDK raises for ``status_code`` (and ``error.details.error_code``)."""
    error: dict[str, object] = {"type": error_type_for(status_code), "message": "probe"}
    if error_code:
        error["details"] = {"error_code": error_code}
    body = {"type": "error", "error": error}
    response = httpx2.Response(status_code, json=body, request=_PROBE)
    return type(make_status_error("probe", body=body, response=response))


def sdk_retries(status_code: int, headers: dict[str, str] | None = None) -> bool:
    """Whether the installed SDK retries a response with this status (and headers)."""
    retries: bool = probe_client()._should_retry(httpx2.Response(status_code, headers=headers or {}, request=_PROBE))
    return retries
