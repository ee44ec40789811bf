"""In a real browser, as a learner on Binder: JupyterLab opens, runs and clicks through every notebook with widgets.

For each notebook in ``notebooks/`` that shows a widget: (a) opened before running, its saved
widgets render (no "Error displaying widget", no text stand-in); (b) run down to its last widget
cell, as "Run All" would, nothing raises unexpectedly (the cells in between run in the page's
kernel without drawing their outputs, which nbval compares already; each widget cell is run and
drawn as a learner's Shift+Enter would); (c) the primary button of each widget gets a fresh
``ctlab-*`` result, the same one the stored notebook shows. A notebook without widgets is not
opened here: nbval runs every cell of it already, and a browser adds nothing a kernel does not see.
Last, the UI switches to Chinese from the Settings menu.

Playwright (PyPI) drives Debian's Chromium (``/usr/bin/chromium``, or ``CTLAB_CHROMIUM``); never
``playwright install``. Without them the tests skip, unless ``CTLAB_REQUIRE_BROWSER=1``.
Screenshots go to ``artifacts/browser/``. JupyterLab gets Binder's settings (``binder/overrides.json``)
and trusts the notebooks as ``binder/postBuild`` does; it never saves a notebook.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "browser"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Chromium as root, on a machine whose network is closed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Test-only settings on top of Binder's: never write a notebook; keep every cell in the DOM.
TEST_SETTINGS = {
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
BROKEN_WIDGET = ("Error displaying widget", "model not found", "Loading widget")
#: What a widget shows once it has failed for good ("Loading widget" may still turn out well).
FAILED_WIDGET = BROKEN_WIDGET[:2]
RAISES = {"raises-exception", "nbval-raises-exception"}
TIMEOUT_MS = 90_000


def _require(reason_zh: str, reason_en: str) -> None:
    reason = f"{reason_zh} / {reason_en}"
    if os.environ.get("CTLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CTLAB_REQUIRE_BROWSER=1: {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    path = os.environ.get("CTLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        _require(
            "没有 Chromium，跳过浏览器测试（apt-get install chromium）",
            "Chromium not found: browser tests skipped (apt-get install chromium)",
        )
    return path


# --- JupyterLab -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read() or b"null")


class Lab:
    """A JupyterLab server on 127.0.0.1 for this test module, with its own settings and workspaces."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / "jupyterlab.log"
        settings = home / "app-settings"
        settings.mkdir(parents=True)
        overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
        (settings / "overrides.json").write_text(json.dumps({**overrides, **TEST_SETTINGS}, indent=2))
        self.env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "CTLAB_LANG": "both",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            # Binder's locale: JupyterLab's UI starts in English there (a zh_CN locale would start it in Chinese)
            "LANG": "C.UTF-8",
        }
        for name in (
            "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "CTLAB_LIVE", "LC_ALL", "LC_MESSAGES", "LANGUAGE"
        ):
            self.env.pop(name, None)
        # As binder/postBuild does: the course's own notebooks are trusted, so saved widgets show.
        subprocess.run(
            [sys.executable, "-m", "jupyter", "trust", *map(str, NOTEBOOKS)],
            env=self.env,
            check=True,
            capture_output=True,
        )
        self.command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",  # so the test can shut kernels down over the REST API
            f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",  # not .ipynb_checkpoints/ in the repo
            f"--ServerApp.root_dir={ROOT}",
            f"--LabApp.app_settings_dir={settings}",
            f"--LabApp.user_settings_dir={home / 'user-settings'}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.extension_manager=readonly",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.shutdowns: list[threading.Thread] = []

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"JupyterLab exited ({self.process.returncode}):\n{self.tail()}")
            try:
                _get(f"{self.url}/api/status")
            except OSError:
                time.sleep(0.25)
            else:
                return
        raise AssertionError(f"JupyterLab did not start in 90 s:\n{self.tail()}")

    def stop(self) -> None:
        for thread in self.shutdowns:
            thread.join(60)
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def shutdown_kernels(self) -> None:
        """Ask the server to shut down every kernel; don't wait (the next notebook needs only its own)."""
        for session in _get(f"{self.url}/api/sessions"):
            request = urllib.request.Request(f"{self.url}/api/sessions/{session['id']}", method="DELETE")
            thread = threading.Thread(
                target=lambda r=request: urllib.request.urlopen(r, timeout=60).close(), daemon=True
            )
            thread.start()
            self.shutdowns.append(thread)

    def trust(self, path: Path) -> None:
        """``jupyter trust path`` (in-process): a notebook edited since start-up is trusted as it is now."""
        from nbformat import read
        from nbformat.sign import NotebookNotary

        NotebookNotary(data_dir=self.env["JUPYTER_DATA_DIR"]).sign(read(path, as_version=4))

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-1500:]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    _browser_available()
    server = Lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _browser_available() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _require(
            "没有安装 playwright（PyPI），跳过浏览器测试",
            "the playwright package (PyPI) is not installed: browser tests skipped",
        )
    return _chromium()


@pytest.fixture(scope="module")
def browser(lab: Lab) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_browser_available(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, lab: Lab) -> Iterator[Any]:
    """A new page; afterwards, no notebook was saved and the kernels it started are shut down."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    writes: list[str] = []

    def watch(request: Any) -> None:
        # Opening a notebook creates a checkpoint (POST .../checkpoints): it goes to the temporary dir.
        where = urllib.parse.urlsplit(request.url).path
        if where.startswith("/api/contents") and request.method != "GET" and not where.endswith("/checkpoints"):
            writes.append(f"{request.method} {request.url}")

    page.on("request", watch)
    try:
        yield page
    finally:
        page.close()
        lab.shutdown_kernels()
    assert not writes, f"the browser must never write the course's files: {writes}"


# --- what the stored notebook says ----------------------------------------------------------


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _widget_outputs(notebook: dict) -> list[tuple[int, str]]:
    """(cell index, model id) of every widget the stored notebook displays, in order."""
    return [
        (index, output["data"][WIDGET_VIEW]["model_id"])
        for index, cell in enumerate(notebook["cells"])
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]


def _stored_results(notebook: dict, model_id: str) -> list[str]:
    """The ``ctlab-*`` HTML results saved inside a widget (its Output children), in order."""
    state = notebook["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    found: list[str] = []

    def walk(ref: str) -> None:
        model = state.get(ref.removeprefix("IPY_MODEL_"), {}).get("state", {})
        for output in model.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if 'class="ctlab-' in html:
                found.append(html)
        for child in model.get("children", []):
            walk(child)

    walk(model_id)
    return found


class _Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def handle_data(self, data: str) -> None:
        self.words.extend(data.split())


def _words(html: str) -> list[str]:
    """The text of an HTML fragment, word by word (markup and whitespace differences ignored)."""
    parser = _Words()
    parser.feed(html.replace("<", " <").replace(">", "> "))
    return parser.words


# --- driving JupyterLab ----------------------------------------------------------------------

_NOTEBOOK = "window.jupyterapp.shell.currentWidget"
_STATE = f"""() => {{
    const w = window.jupyterapp && {_NOTEBOOK};
    const kernel = w?.sessionContext?.session?.kernel;
    return {{dialog: document.querySelector('.jp-Dialog')?.innerText ?? null,
             loaded: !!(w && w.content && w.context?.isReady && w.sessionContext?.isReady),
             kernel: kernel?.status ?? null, connection: kernel?.connectionStatus ?? null}};
}}"""
#: The longest a notebook may take to get an idle kernel even while the page keeps making progress.
MOST_MS = 5 * TIMEOUT_MS


def _open(page: Any, lab: Lab, path: Path) -> None:
    """Open ``path`` in a fresh workspace and wait for its kernel (accepting a kernel dialog if one comes)."""
    relative = path.relative_to(ROOT).as_posix()
    lab.trust(path)
    page.goto(f"{lab.url}/lab/workspaces/ctlab-{path.stem}/tree/{relative}?reset")
    _ready(page, lab, path.name)


def _ready(page: Any, lab: Lab, name: str) -> None:
    """Wait until the open notebook has an idle kernel, following what the page does rather than a fixed budget.

    A kernel dialog (a kernel choice) is accepted; a dead kernel fails at once, with the server's log. While the
    state keeps changing (the page loading, the kernel starting) the wait goes on, up to :data:`MOST_MS`; it fails
    after :data:`TIMEOUT_MS` without any change.

    Seen on Python 3.10 (once in a dozen runs): the websocket is connected, the server logs nothing wrong, yet the
    page's kernel status stays ``unknown``, and a kernel-info request sent then never gets an answer (the page
    holds messages until its first kernel-info reply, which is what went missing). So a kernel that stays connected
    but ``unknown`` for 10 s is reconnected, as "Reconnect to Kernel" would, at most three times: the new websocket
    starts over with a kernel-info request of its own. If that does not help either, the page is reloaded once (a new
    JupyterLab, the same kernel) before the wait gives up.
    """
    started = seen_at = time.monotonic()
    seen: dict | None = None
    dialogs, reconnects, reloads = 0, 0, 0
    while True:
        state = page.evaluate(_STATE)
        now = time.monotonic()
        if state["dialog"] is not None and dialogs < 3:
            dialogs += 1
            page.locator(".jp-Dialog .jp-mod-accept").click()
            page.wait_for_timeout(250)  # let the dialog close before looking again
            continue
        if state["loaded"] and state["kernel"] == "idle":
            return
        if state["kernel"] == "dead":
            raise AssertionError(f"{name}: the kernel died; JupyterLab's log ends:\n{lab.tail()}")
        stuck = state["kernel"] == "unknown" and state["connection"] == "connected" and now - seen_at > 10
        if state != seen:
            seen, seen_at = state, now
        elif stuck and reconnects < 3:
            page.evaluate(f"() => {{ {_NOTEBOOK}.sessionContext.session.kernel.reconnect().catch(() => null); }}")
            reconnects += 1
            seen, seen_at = None, now  # the reconnection is a change: the wait starts over
        elif stuck and reloads < 1:
            page.reload()
            reloads += 1
            seen, seen_at = None, time.monotonic()
        if (now - seen_at) * 1000 > TIMEOUT_MS or (now - started) * 1000 > MOST_MS:
            raise AssertionError(
                f"{name}: no idle kernel after {now - started:.0f} s ({now - seen_at:.0f} s without change); "
                f"the page shows {state}; JupyterLab's log ends:\n{lab.tail()}"
            )
        page.wait_for_timeout(250)


def _cell_nodes_js(indices: list[int]) -> str:
    return f"{json.dumps(indices)}.map(i => {_NOTEBOOK}.content.widgets[i].node)"


def _widget_roots_js() -> str:
    """JS: the top-level widget outputs inside a cell node ``cell`` (rendered or broken)."""
    return """cell => Array.from(cell.querySelectorAll(
            ':scope .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output'))
        .filter(o => o.classList.contains('jupyter-widgets') || o.querySelector(':scope > .jupyter-widgets'))"""


def _saved_widgets_render(
    page: Any, lab: Lab, path: Path, shown: list[tuple[int, str]], *, timeout: float = 30_000, looks: int = 2
) -> None:
    """(a) Before anything runs, every saved widget renders as a widget, with no error text.

    A widget that shows an error ends the wait at once: JupyterLab's widget renderer writes "model not found" only
    once its manager says everything is restored, and does not draw that output again. The manager now and then
    drops the saved state it has just restored, when the kernel connects right after (seen once on Python 3.10
    under load; reported upstream as jupyter-widgets/ipywidgets#3823), and the widget shows "model not found"
    although the notebook stores its state. So the page is reloaded and looked at again, ``looks`` times in all:
    a notebook really saved without its widget state fails every time.
    """
    cells = sorted({cell for cell, _ in shown})
    expected = json.dumps([sum(1 for c, _ in shown if c == cell) for cell in cells])
    broken, final = "|".join(BROKEN_WIDGET), "|".join(FAILED_WIDGET)
    roots = f"{_cell_nodes_js(cells)}.map(node => ({_widget_roots_js()})(node))"
    verdict = f"""() => {{
        const roots = {roots};
        if (roots.some(rs => rs.some(r => /{final}/.test(r.innerText)))) return 'failed';
        const counts = roots.map(rs => rs.filter(
            r => r.querySelector('[class*="widget-"]') && !/{broken}/.test(r.innerText)).length);
        return JSON.stringify(counts) === {json.dumps(expected)} ? 'rendered' : null;
    }}"""
    from playwright.sync_api import TimeoutError as Timeout

    for look in range(1, looks + 1):
        try:
            if page.wait_for_function(verdict, timeout=timeout).json_value() == "rendered":
                return
        except Timeout:
            pass
        texts = page.evaluate(
            f"() => {_cell_nodes_js(cells)}.map(n => n.querySelector('.jp-Cell-outputArea').innerText.slice(0, 300))"
        )
        if look < looks:
            page.reload()
            _ready(page, lab, path.name)
    raise AssertionError(
        f"{path.name}: saved widgets did not render before running, {looks} looks (shown: {texts})"
    )


_RUN_QUIETLY = f"""async ([indices, raises]) => {{
    const notebook = {_NOTEBOOK};
    const kernel = notebook.sessionContext.session.kernel;
    for (const i of indices) {{
        const cell = notebook.content.widgets[i];
        const code = cell.model.sharedModel.getSource();
        if (cell.model.type !== 'code' || !code.trim()) continue;
        const reply = await kernel.requestExecute({{code, store_history: true}}).done;
        if (reply.content.status !== 'ok' && !raises.includes(i)) {{
            return `cell ${{i}}: ${{reply.content.ename}}: ${{reply.content.evalue}}`;
        }}
    }}
    return null;
}}"""


def _run_quietly(page: Any, notebook: dict, indices: range) -> str | None:
    """Run cells ``indices`` in the page's kernel without drawing their outputs (nbval compares those already);
    the first unexpected error, or ``None``."""
    raises = [i for i in indices if RAISES & set(notebook["cells"][i].get("metadata", {}).get("tags", []))]
    return page.evaluate(_RUN_QUIETLY, [list(indices), raises])


def _run_cell(page: Any, index: int) -> str:
    """Run one cell the way a learner does (select it, Shift+Enter), its outputs drawn; JupyterLab's verdict."""
    page.evaluate(
        f"""() => {{ window.__ctlabRan = null; {_NOTEBOOK}.content.activeCellIndex = {index};
        window.jupyterapp.commands.execute('notebook:run-cell').then(
            ok => {{ window.__ctlabRan = String(ok); }}, error => {{ window.__ctlabRan = 'error: ' + error; }}); }}"""
    )
    page.wait_for_function("() => window.__ctlabRan !== null", timeout=600_000)
    page.wait_for_function(f"() => {_NOTEBOOK}.sessionContext.session.kernel.status === 'idle'")
    return page.evaluate("() => window.__ctlabRan")


def _unexpected_errors(page: Any) -> list[str]:
    cells = page.evaluate(
        f"""() => {_NOTEBOOK}.content.widgets.map((c, i) => ({{
            index: i, type: c.model.type, tags: c.model.getMetadata('tags') || [],
            outputs: c.model.type === 'code' ? c.model.outputs.toJSON() : [],
            text: c.node.querySelector('.jp-Cell-outputArea')?.innerText || '' }}))"""
    )
    problems = []
    for cell in cells:
        expected = bool(RAISES & set(cell["tags"]))
        for output in cell["outputs"]:
            if output["output_type"] == "error" and not expected:
                problems.append(f"cell {cell['index']}: {output['ename']}: {output['evalue']}")
            if output.get("name") == "stderr" and "Traceback" in "".join(output.get("text", "")):
                problems.append(f"cell {cell['index']}: traceback on stderr")
        if any(text in cell["text"] for text in BROKEN_WIDGET):
            problems.append(f"cell {cell['index']}: broken widget: {cell['text'][:200]!r}")
    return problems


def _fresh_results(page: Any, root: Any) -> list[str]:
    """Click the widget's primary button; wait for a new ``ctlab-*`` result; return its HTML outputs."""
    root.evaluate("r => r.querySelectorAll('[class*=\"ctlab-\"]').forEach(e => e.dataset.ctlabBefore = '1')")
    from playwright.sync_api import TimeoutError as Timeout

    root.locator(".widget-button.mod-primary").first.click()
    try:
        root.locator("[class*='ctlab-']:not([data-ctlab-before])").first.wait_for(timeout=30_000)
    except Timeout:
        raise AssertionError(
            "no new ctlab-* element in the widget 30 s after the click (ctlab convention: a widget's result carries "
            f"a CSS class starting with ctlab-); the widget shows: {root.inner_text()[-500:]!r}"
        ) from None
    page.wait_for_function(f"() => {_NOTEBOOK}.sessionContext.session.kernel.status === 'idle'")
    page.wait_for_function(
        "r => Array.from(r.querySelectorAll('img')).every(i => i.complete)", arg=root.element_handle()
    )
    return root.evaluate(
        """r => Array.from(r.querySelectorAll('.jp-RenderedHTMLCommon'))
            .filter(e => e.querySelector('[class*="ctlab-"]')).map(e => e.innerHTML)"""
    )


def _assert_same_result(path: Path, number: int, fresh: list[str], stored: list[str]) -> None:
    """The click drew what the stored notebook shows (same words, markup aside); else say where they part."""
    got, want = [" ".join(_words(h)) for h in fresh], [" ".join(_words(h)) for h in stored]
    if got == want:
        return
    at = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want)))
    a, b = (got[at] if at < len(got) else ""), (want[at] if at < len(want) else "")
    cut = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    raise AssertionError(
        f"{path.name}, widget {number}: the click's result {at + 1} differs from the stored one "
        f"(stale notebook? re-execute it; or the browser's controls hold other values than the kernel's)\n"
        f"  clicked: ...{a[max(0, cut - 40) : cut + 80]!r}\n  stored:  ...{b[max(0, cut - 40) : cut + 80]!r}"
    )


def _shoot(page: Any, locator: Any, name: str) -> None:
    """Screenshot of one element, the viewport made tall enough to show all of it."""
    size = page.viewport_size
    box = locator.bounding_box()
    page.set_viewport_size(
        {"width": size["width"], "height": max(size["height"], int(box["height"]) + 300 if box else 0)}
    )
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=ARTIFACTS / name)
    page.set_viewport_size(size)


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if _widget_outputs(_load(p))], ids=lambda p: p.name)
def test_notebook_opens_runs_and_clicks_in_jupyterlab(path: Path, lab: Lab, page: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    notebook = _load(path)
    shown = _widget_outputs(notebook)

    # (a) opened before running: the saved widgets render
    _open(page, lab, path)
    _saved_widgets_render(page, lab, path, shown)
    page.screenshot(path=ARTIFACTS / f"{path.stem}-1-opened.png")
    for number, (cell, _) in enumerate(shown, 1):
        node = page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".jp-Cell-outputArea")
        _shoot(page, node, f"{path.stem}-widget{number}-saved.png")

    # (b) Run the notebook down to its last widget, as "Run All" would: the cells in between quietly (their outputs
    # are nbval's to compare; drawing them again costs the browser most of its time), each widget cell drawn.
    done = 0
    for cell in sorted({cell for cell, _ in shown}):
        failed = _run_quietly(page, notebook, range(done, cell))
        verdict = _run_cell(page, cell)
        assert failed is None and verdict == "true", f"{path.name}: {failed or f'cell {cell}: {verdict}'}\n{lab.tail()}"
        done = cell + 1
    problems = _unexpected_errors(page)
    assert not problems, f"{path.name}: {problems}\n{lab.tail()}"

    # (c) each widget's primary button draws a fresh ctlab result, the one the notebook stores
    clicked = 0
    for number, (cell, model_id) in enumerate(shown, 1):
        roots = (
            page.locator(".jp-Notebook .jp-Cell")
            .nth(cell)
            .locator(":scope .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output")
            .filter(has=page.locator(".widget-button.mod-primary"))
        )
        for k in range(roots.count()):
            root = roots.nth(k)
            results = _fresh_results(page, root)
            assert results, f"{path.name}, widget {number}: no ctlab-* result after the click"
            # The primary button does what the widget's click() does: if the cell stored a click, it must match.
            stored = (
                _stored_results(notebook, model_id) if ".click()" in "".join(notebook["cells"][cell]["source"]) else []
            )
            if stored:
                _assert_same_result(path, number, results, stored)
            _shoot(page, root, f"{path.stem}-widget{number}-clicked.png")
            clicked += 1
    if not clicked:
        pytest.skip(f"{path.name}: 控件没有主按钮 / no widget has a primary button")


def test_the_jupyterlab_ui_switches_to_chinese(lab: Lab, page: Any) -> None:
    """Settings > Language > 中文, as a learner would: the language pack is there and the menus turn Chinese.

    No notebook is opened: the menus are what changes, and a kernel starting during the reload only adds a wait.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{lab.url}/lab/workspaces/ctlab-zh?reset")
    page.wait_for_selector("#jupyterlab-splash", state="detached")
    menu = page.locator(".lm-MenuBar-itemLabel")
    menu.filter(has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Language").click()
    chinese = page.locator(".lm-Menu-itemLabel", has_text="中文")
    chinese.wait_for()
    page.screenshot(path=ARTIFACTS / "jupyterlab-language-menu.png")
    chinese.click()
    page.locator(".jp-Dialog .jp-mod-accept").click()  # "Change and reload"
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.lm-MenuBar-itemLabel')).some(e => e.textContent === '文件')"
    )
    page.wait_for_selector("#jupyterlab-splash", state="detached")
    labels = menu.all_inner_texts()
    page.screenshot(path=ARTIFACTS / "jupyterlab-zh_CN.png")
    assert {"文件", "编辑", "运行", "内核", "设置", "帮助"} <= set(labels), labels
    raw = json.dumps({"locale": "default"})
    request = urllib.request.Request(
        f"{lab.url}/lab/api/settings/@jupyterlab/translation-extension:plugin",
        data=json.dumps({"raw": raw}).encode(),
        method="PUT",
    )
    urllib.request.urlopen(request, timeout=10).close()


def test_the_open_check_catches_a_notebook_saved_without_widget_state(lab: Lab, page: Any) -> None:
    """The classic Binder failure: a notebook saved by JupyterLab (no widget state) shows an error, and (a) says so."""
    with_widgets = [p for p in NOTEBOOKS if _widget_outputs(_load(p))]
    if not with_widgets:
        pytest.skip("没有带控件的笔记本 / no notebook shows a widget")
    path = with_widgets[0]
    notebook = _load(path)
    notebook["metadata"].pop("widgets", None)
    broken = ARTIFACTS / "selfcheck" / f"{path.stem}-without-widget-state.ipynb"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text(json.dumps(notebook), encoding="utf-8")
    _open(page, lab, broken)
    with pytest.raises(AssertionError, match=r"2 looks \(shown: \[.Error displaying widget"):  # failed both times
        _saved_widgets_render(page, lab, broken, _widget_outputs(notebook))
