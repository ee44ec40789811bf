"""Test-wide guards: no network beyond loopback, no real key, one language setting."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

import ctlab

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host != "localhost":
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise OSError(f"tests may only connect to loopback, not {host!r}")
        except ValueError:
            raise OSError(f"tests may only connect to loopback, not {host!r}") from None
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network_no_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.delenv("CTLAB_LIVE", raising=False)
    lang = ctlab.get_lang()
    yield
    ctlab.set_lang(lang)
