#!/usr/bin/env python3
"""Set up the course and open it, or set it up and test it. Needs only Python >= 3.10.

    python3 course.py lab        # 安装并打开 JupyterLab / set up, open JupyterLab on notebook 00
    python3 course.py test       # 安装并运行全部测试 / set up, run every test (nbval included)
    python3 course.py execute    # 重新执行所有 notebook 并保存 / re-execute and save the notebooks
    python3 course.py bench      # 打印性能数字 / print the benchmark numbers
    python3 course.py drift      # 用最新的 SDK 另建环境重跑课程，逐个笔记本和单元格列出变化 /
                                 # build a separate environment with the newest SDK releases, run the
                                 # notebooks there, print per notebook and cell what changed
    python3 course.py --help     # 显示本说明 / show this text

Everything goes into ./.venv (created on first use, reinstalled only when
pyproject.toml, constraints.txt or the Node lock change; ``CTLAB_VENV`` puts it
elsewhere, and a venv shared by checkouts is pointed at the one using it). ``lab`` installs the
course, ctlab[lab]: the SDK, JupyterLab and its Chinese language pack, with
Binder's JupyterLab settings (binder/overrides.json). ``test`` adds the test
tooling, pyproject's ``test`` dependency group: pytest, nbval, Playwright,
repo2docker. ``execute`` and ``bench`` need only the course. Extra arguments go
to the tool: ``python3 course.py test -k catalog``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CTLAB_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".ctlab-installed"
FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"
INPUTS = ("pyproject.toml", "constraints.txt", "package.json", "package-lock.json")
#: What each set adds to .venv (pip arguments); ``test`` is installed on top of ``lab``.
SETS = {"lab": ("-e", ".[lab]"), "test": ("--group", "test")}
#: pip 25.1 is the first with ``--group`` (PEP 735 dependency groups).
PIP = "pip>=25.1"
#: Binder's JupyterLab settings; setup copies them into the venv's app dir for the local JupyterLab.
OVERRIDES = ROOT / "binder" / "overrides.json"
#: The kernel environment ``execute`` stores notebooks in, whatever the machine: the same outputs everywhere.
HOME_ENV = {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "COLUMNS": "80", "LINES": "24"}


def say(zh: str, en: str) -> None:
    print(f"[ctlab] {zh} / {en}", flush=True)


def run(*cmd: str | Path, **kwargs: object) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def _fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in INPUTS:
        path = ROOT / name
        if path.exists():
            digest.update(name.encode() + path.read_bytes())
    return digest.hexdigest()


def _installed(fingerprint: str) -> set[str]:
    """The sets .venv holds for these inputs, from the stamp: ``{"lab"}``, ``{"lab", "test"}`` or none.

    A stamp from other inputs (or an older course.py) counts as nothing installed.
    """
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return set()
    if not isinstance(stamp, dict) or stamp.get("fingerprint") != fingerprint:
        return set()
    return set(stamp.get("sets", ())) & set(SETS)


def setup(want: str = "lab") -> None:
    """Create .venv and install what ``want`` needs, pinned by constraints.txt, once per change of the inputs.

    ``setup("lab")``: ctlab (editable) with JupyterLab; ``setup("test")``: that and the test tooling.
    A venv that holds ``test`` already holds ``lab``: ``lab`` after ``test`` installs nothing.
    """
    if sys.version_info < (3, 10):  # noqa: UP036  (course.py runs on whatever python3 the machine has)
        raise SystemExit("ctlab needs Python >= 3.10 / 需要 Python 3.10 或更高版本")
    if want not in SETS:
        raise SystemExit(f"[ctlab] setup {want!r}: choose one of {', '.join(SETS)}")
    if not PYTHON.exists():
        say("创建虚拟环境 .venv", "creating the virtual environment .venv")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except subprocess.CalledProcessError:
            raise SystemExit(
                "[ctlab] 无法创建带 pip 的虚拟环境；Debian/Ubuntu 上请先 apt install python3-venv\n"
                "[ctlab] could not create a venv with pip; on Debian/Ubuntu, apt install python3-venv first"
            ) from None
    fingerprint = _fingerprint()
    have = _installed(fingerprint)
    missing = [name for name in SETS if name in {"lab", want} and name not in have]
    if missing:
        pip: list[str | Path] = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check"]
        if not have:  # the first install, or the inputs changed: slow, so pip shows its progress
            say(
                "安装 ctlab 和课程依赖（首次需要几分钟）",
                "installing ctlab and the course's pinned packages (a few minutes the first time)",
            )
            run(*pip, "--quiet", "--upgrade", PIP)
        else:
            say("补装测试工具", "adding the test tooling")
            pip.append("--quiet")
        run(*pip, "-c", "constraints.txt", *(arg for name in missing for arg in SETS[name]))
        STAMP.write_text(json.dumps({"fingerprint": fingerprint, "sets": sorted(have | set(missing))}) + "\n")
    home = _ctlab_home()
    if home != ROOT / "ctlab":  # a venv made for another checkout (CTLAB_VENV) would run that checkout's ctlab
        say(f"这个虚拟环境的 ctlab 来自 {home}，改为本目录", f"this venv's ctlab comes from {home}; pointing it here")
        run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--no-deps", "-e", ".")
    if not have or not (ROOT / "node_modules").is_dir():  # new inputs, or a new clone using a venv made for another
        _node_packages()
    _lab_settings()


def _ctlab_home() -> Path | None:
    """The ``ctlab`` folder the venv's Python imports from outside this checkout, as a notebook kernel does.

    ``-I`` keeps the current directory off ``sys.path``, so only the venv's own (editable) install answers.
    """
    probe = "import importlib.util as u; s = u.find_spec('ctlab'); print(s.origin if s and s.origin else '')"
    found = subprocess.run([str(PYTHON), "-I", "-c", probe], cwd=VENV, capture_output=True, text=True, check=False)
    origin = found.stdout.strip()
    return Path(origin).resolve().parent if origin else None


def _node_packages() -> None:
    """``npm ci``: the JavaScript lesson's packages, exactly as package-lock.json pins them."""
    if not (ROOT / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm:
        say("安装 Node 依赖（JS SDK）", "installing the Node packages (the JS SDK)")
        run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
    else:
        say(
            "没有找到 npm：第 04 课（curl 与 JavaScript）需要 Node.js >= 20",
            "npm not found: notebook 04 (curl and JavaScript) needs Node.js >= 20",
        )


def _lab_settings() -> None:
    """Give the local JupyterLab Binder's settings: binder/overrides.json in the venv's app dir."""
    settings = VENV / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OVERRIDES, settings / "overrides.json")


def _notebooks() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb"))


def trust() -> None:
    """Trust the course's notebooks, so their saved widgets render before anything runs."""
    run(PYTHON, "-m", "jupyter", "trust", *_notebooks(), stdout=subprocess.DEVNULL)


def lab(args: list[str]) -> None:
    setup()
    trust()
    say("打开 JupyterLab（模拟模式，不需要 API Key）", "opening JupyterLab (simulated: no API key needed)")
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    os.chdir(ROOT)
    where = [f"--ServerApp.root_dir={ROOT}", f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}"]
    os.execv(str(PYTHON), [str(PYTHON), "-m", "jupyter", "lab", *where, *as_root, *args])


def test(args: list[str]) -> None:
    setup("test")
    cmd = [str(PYTHON), "-m", "pytest", *_workers(args), *args]
    if os.environ.get("CTLAB_TEST_OFFLINE") == "1":
        cmd = _offline(cmd)
    env = {**os.environ, "CTLAB_LANG": "both", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.pop("ANTHROPIC_API_KEY", None)
    env.pop("CTLAB_LIVE", None)
    raise SystemExit(subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode)


def _workers(args: list[str]) -> list[str]:
    """pytest-xdist options: one worker per core (at most 4), unless ``args`` choose for themselves."""
    cores = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4)
    if cores < 2 or any(a == "-n" or a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in args):
        return []
    return ["-n", str(cores), "--dist", "loadscope"]


def _offline(cmd: list[str]) -> list[str]:
    """Run ``cmd`` in a new network namespace with only loopback up (Linux, as root)."""
    if not (sys.platform == "linux" and os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip")):
        say("无法切断网络，按普通方式运行测试", "cannot cut the network here; running the tests normally")
        return cmd
    say("在没有外网的网络命名空间里运行测试", "running the tests in a network namespace with only loopback")
    inner = "ip link set lo up && exec " + " ".join(shlex.quote(c) for c in cmd)
    return ["unshare", "--net", "sh", "-c", inner]


def execute(args: list[str]) -> None:
    """Re-execute notebooks in place with nbconvert, so outputs and widget state are stored."""
    setup()
    notebooks = args or _notebooks()
    env = {**os.environ, **HOME_ENV, "CTLAB_LANG": "both"}
    for notebook in notebooks:
        say(f"执行 {notebook}", f"executing {notebook}")
        run(
            PYTHON, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
            "--ExecutePreprocessor.record_timing=False", notebook, env=env,  # no machine-dependent timestamps stored
        )
        coalesce_streams(Path(notebook))


def coalesce_streams(path: Path) -> None:
    """Join each cell's consecutive outputs on the same stream into one, as nbval compares them: how a cell's printing
    was cut into messages depends on timing, and must not change the stored file."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        merged: list[dict[str, Any]] = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if last and output["output_type"] == last["output_type"] == "stream" and output["name"] == last["name"]:
                last["text"] = ("".join(last["text"]) + "".join(output["text"])).splitlines(keepends=True)
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged
    path.write_text(json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def bench(args: list[str]) -> None:
    """Print the performance numbers (benchmarks/bench.py)."""
    setup()
    env = {**os.environ, "CTLAB_LANG": "both"}
    result = subprocess.run([str(PYTHON), "benchmarks/bench.py", *args], cwd=ROOT, env=env, check=False)
    raise SystemExit(result.returncode)


def drift(args: list[str]) -> None:
    """Run tools/drift.py, which builds its own environment (so no setup() here)."""
    raise SystemExit(subprocess.run([sys.executable, "tools/drift.py", *args], cwd=ROOT, check=False).returncode)


COMMANDS: dict[str, Callable[[list[str]], None]] = {
    "lab": lab,
    "test": test,
    "execute": execute,
    "bench": bench,
    "drift": drift,
    "setup": lambda args: setup(*args[:1]),
}


def main() -> None:
    if sys.argv[1:2] in (["--help"], ["-h"], ["help"]):
        print(__doc__)
        raise SystemExit(0)
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        raise SystemExit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
