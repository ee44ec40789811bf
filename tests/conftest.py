"""Test-wide guards: no network beyond loopback, no real key, one language setting."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import ctlab

_real_connect = socket.socket.connect


def _foreign_locale() -> str:
    """A UTF-8 locale other than the C.UTF-8 the notebooks are stored in, where the machine has one."""
    try:
        found = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.split()
    except OSError:
        return "C.UTF-8"
    for wanted in ("zh_CN.utf8", "zh_CN.UTF-8", "en_US.utf8", "en_US.UTF-8"):
        if wanted in found:
            return wanted
    return "C.UTF-8"


@pytest.hookimpl(trylast=True)  # after pytest's terminal reporter exists
def pytest_configure(config: pytest.Config) -> None:
    """Every kernel nbval starts runs in another time zone, locale and terminal size than
    ``course.py execute`` stored the notebooks in, so a stored output that depended on them fails."""
    if config.pluginmanager.get_plugin("terminalreporter") is not None:
        writer = config.get_terminal_writer()
        writer.fullwidth = writer.fullwidth  # pytest's own report keeps the real terminal's width
    os.environ.pop("LC_ALL", None)
    os.environ.update(TZ="Asia/Shanghai", LANG=_foreign_locale(), COLUMNS="40", LINES="10")


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


@dataclass
class LocalClaude:
    """A real HTTP server on loopback that answers like the API; ``hits`` lists the paths it was sent."""

    url: str
    hits: list[str] = field(default_factory=list)


def _handler(server: LocalClaude) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"] or 0))
            server.hits.append(self.path)
            body = json.dumps({
                "id": "msg_real", "type": "message", "role": "assistant", "model": "m",
                "content": [{"type": "text", "text": "from the real server"}],
                "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1},
            }).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def local_claude() -> Iterator[LocalClaude]:
    """Started before any simulation, so the server's thread is nobody's; polls often, so it stops at once."""
    server = LocalClaude("")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield server
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# --- parallel runs (pytest-xdist) -----------------------------------------------------------------

BROWSER = "tests/test_browser.py::"


def xdist_group_of(nodeid: str) -> str:
    """The unit of work one xdist worker runs whole: a notebook's cells share one kernel, a module's tests
    share its fixtures; the browser test is cut in two halves (each worker starts its own JupyterLab).

    >>> xdist_group_of("notebooks/01_manual_retry_loop.ipynb::Cell 3")
    'notebooks/01_manual_retry_loop.ipynb'
    >>> xdist_group_of("tests/test_browser.py::test_notebook_opens_runs_and_clicks_in_jupyterlab[05_backoff.ipynb]")
    'tests/test_browser.py (half 2)'
    """
    if nodeid.startswith(BROWSER):
        number = nodeid.partition("[")[2][:2]
        half = int(number) % 2 + 1 if number.isdigit() else 1 + ("chinese" in nodeid)
        return f"{BROWSER[:-2]} (half {half})"
    return nodeid.rsplit("::", 1)[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``--dist loadscope`` with :func:`xdist_group_of` as the scope."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

    return GroupScheduling(config, log)
