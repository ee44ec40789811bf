"""Binder: repo2docker accepts binder/, and the image it builds runs what the tests run.

``repo2docker --no-build --debug`` prints the Dockerfile it would build without Docker and
without the network, so the configuration is checked here for real; ``binder/postBuild``
is run for real too, against this environment, with its output redirected to a temporary dir
(only its ``pip install`` of the repository is stood in for).

The pins: ``constraints.txt`` is one universal lock (``tools/lock.py``) for every platform and
claimed Python, and ``binder/requirements.txt`` is the part of it Binder's Linux and Python need.
Both are checked here offline, with ``tools/pins.py``'s marker evaluation.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PIP_STEP = 'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
#: How binder/postBuild installs the repository itself, after the pinned requirements.
INSTALL_REPO = "-m pip install --no-cache-dir --no-deps -e ."
#: Programs a notebook may run, and where the Binder image gets each one.
PROGRAMS = {"curl": "apt.txt", "node": "base env", "npm": "base env", "npx": "base env"}


def _tool(name: str) -> ModuleType:
    """Import ``tools/NAME.py`` (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


# tools/pins.py: the same check binder/postBuild runs; tools/lock.py: what writes the pins.
pins = _tool("pins")
lock = _tool("lock")


def _binder_python() -> str:
    """``3.11`` from ``binder/runtime.txt`` (``python-3.11``)."""
    return pins.binder_minor()


def _binder_python_full() -> str:
    """``3.11.14``: the Python release ``binder/requirements.txt`` was resolved for (its header says)."""
    match = re.search(r"Python (3\.\d+\.\d+)", (BINDER / "requirements.txt").read_text())
    assert match, "binder/requirements.txt says which Python release it is for"
    return match.group(1)


def _binder_requirement() -> str:
    """``ctlab[lab]``: what ``binder/postBuild`` checks the image against (its dependencies are the pins)."""
    post_build = (BINDER / "postBuild").read_text()
    (checked,) = re.findall(r'^python tools/pins\.py check "([^"]+)"$', post_build, flags=re.MULTILINE)
    return checked


def _requirement_lines() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [s for s in (line.split("#", 1)[0].strip() for line in lines) if s]


def _binder_target() -> dict[str, str]:
    """Marker values of Binder's image: Linux x86_64 and the Python release of binder/requirements.txt."""
    return pins.environment(_binder_python_full(), "linux_x86_64")


@cache
def _repo2docker() -> tuple[str, str]:
    """(Dockerfile, log) from ``repo2docker --no-build --debug`` on the repository."""
    if importlib.util.find_spec("repo2docker") is None:
        if os.environ.get("CTLAB_REQUIRE_BINDER") == "1":
            pytest.fail("jupyter-repo2docker is not installed / 没有安装 jupyter-repo2docker")
        pytest.skip(
            "没有安装 jupyter-repo2docker，跳过 Binder 检查 / jupyter-repo2docker not installed: Binder check skipped"
        )
    done = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def _code(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def _python_part(source: str) -> str:
    """A cell without its IPython-only lines (``!cmd``, ``%magic``), so ``ast`` can read it."""
    if source.lstrip().startswith("%%"):
        return ""
    return "\n".join("" if line.lstrip().startswith(("!", "%")) else line for line in source.splitlines())


def _imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(_python_part(source))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _programs(source: str) -> set[str]:
    """Known programs a cell runs: ``!curl ...``, ``%%bash`` lines, ``"node x.mjs"`` or ``["curl", ...]``."""
    shell = source.lstrip().startswith(("%%bash", "%%sh", "%%script"))
    words = [
        line.lstrip().lstrip("!").split(" ", 1)[0]
        for line in source.splitlines()[1 if shell else 0 :]
        if shell or line.lstrip().startswith("!")
    ]
    for node in ast.walk(ast.parse(_python_part(source))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
            words.append(node.value.split()[0])
        elif isinstance(node, (ast.List, ast.Tuple)) and node.elts and isinstance(node.elts[0], ast.Constant):
            words.append(str(node.elts[0].value))
    return {w for w in words if w in PROGRAMS}


# --- repo2docker ----------------------------------------------------------------------------


def test_repo2docker_accepts_binder_and_builds_the_stated_python() -> None:
    dockerfile, log = _repo2docker()
    assert dockerfile.lstrip().startswith("FROM ")
    assert f"Building conda environment for python={_binder_python()}" in log


def test_binder_installs_the_pins_before_copying_the_repository_so_docker_caches_them() -> None:
    dockerfile, _ = _repo2docker()
    from repo2docker.utils import is_local_pip_requirement

    copy = re.search(r"^COPY --chown=\S+ src/ \$\{REPO_DIR\}/$", dockerfile, flags=re.MULTILINE)
    assert copy and PIP_STEP in dockerfile
    assert not any(map(is_local_pip_requirement, (BINDER / "requirements.txt").read_text().splitlines()))
    assert dockerfile.index(PIP_STEP) < copy.start(), (
        "pip -r binder/requirements.txt runs before the repository is copied: a commit does not redo it"
    )
    assert "COPY --chown=0:0 src/binder/requirements.txt ${REPO_DIR}/binder/requirements.txt" in dockerfile
    assert dockerfile.index("RUN ./binder/postBuild") > copy.start(), "postBuild installs ctlab from the copy"


def test_binder_python_is_the_release_repo2docker_installs() -> None:
    _repo2docker()  # skips (or fails under CTLAB_REQUIRE_BINDER=1) without repo2docker
    conda = Path(importlib.util.find_spec("repo2docker").origin).parent / "buildpacks" / "conda"  # type: ignore[arg-type, union-attr]
    assert pins.binder_python(conda) == _binder_python_full(), "re-lock: python3 tools/lock.py"
    assert _binder_python_full().startswith(_binder_python() + ".")


def test_binder_apt_packages_are_installed() -> None:
    dockerfile, _ = _repo2docker()
    wanted = (BINDER / "apt.txt").read_text().split()
    assert "curl" in wanted, "curl for lesson 04"
    assert not any("font" in name for name in wanted), "plots use the font ctlab ships, never a system font"
    assert re.search(r"apt-get install --yes --no-install-recommends " + " ".join(wanted), dockerfile)


def test_node_for_the_javascript_lesson_comes_with_binders_base_environment() -> None:
    if not (ROOT / "package.json").exists():
        pytest.skip("还没有 package.json / no package.json yet")
    dockerfile, _ = _repo2docker()
    assert (ROOT / "package-lock.json").exists(), "postBuild runs npm ci, which needs the lock file"
    engines = json.loads((ROOT / "package.json").read_text())["engines"]["node"]
    needed = int(re.fullmatch(r">=\s*(\d+)(\.\d+)*", engines).group(1))  # type: ignore[union-attr]
    lock = Path(importlib.util.find_spec("repo2docker").origin).parent / "buildpacks/conda"  # type: ignore[arg-type, union-attr]
    base_env = (lock / f"environment.py-{_binder_python()}-linux-64.lock").read_text()
    node = int(re.search(r"/nodejs-(\d+)\.", base_env).group(1))  # type: ignore[union-attr]
    assert node >= needed, f"Binder's base env has node {node}; package.json wants {engines}"
    assert "ENV PATH=${NB_PYTHON_PREFIX}/bin:" in dockerfile, "that node comes first on PATH"


# --- postBuild ------------------------------------------------------------------------------


def _post_build(tmp_path: Path, constraints: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run binder/postBuild from a copy of what it reads, against this environment.

    ``python -m pip ...`` only writes its arguments to ``tmp_path/pip.log``: ctlab is installed here
    already, and an install from the copy would point this environment at a temporary directory.
    """
    repo = tmp_path / "repo"
    shutil.copytree(BINDER, repo / "binder")
    shutil.copytree(ROOT / "tools", repo / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", repo / "notebooks", ignore=shutil.ignore_patterns("*.ipynb_checkpoints"))
    (repo / "constraints.txt").write_text(constraints)
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "python").write_text(
        '#!/bin/sh\nif [ "$1" = -m ] && [ "$2" = pip ]; then echo "$*" >> "$CTLAB_PIP_LOG"; exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    (shim / "python").chmod(0o755)
    env = {
        **os.environ,
        "JUPYTERLAB_DIR": str(tmp_path / "lab"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "CTLAB_PIP_LOG": str(tmp_path / "pip.log"),
        "PATH": os.pathsep.join([str(shim), str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    done = subprocess.run(
        ["bash", "binder/postBuild"], cwd=repo, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return done, tmp_path / "lab" / "settings" / "overrides.json"


def test_post_build_installs_ctlab_checks_the_pins_installs_the_settings_and_trusts_the_notebooks(
    tmp_path: Path,
) -> None:
    from nbformat import read
    from nbformat.sign import NotebookNotary

    done, overrides = _post_build(tmp_path, (ROOT / "constraints.txt").read_text())
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "pip.log").read_text().splitlines() == [INSTALL_REPO], "ctlab alone: its dependencies are pinned"
    assert json.loads(overrides.read_text()) == json.loads((BINDER / "overrides.json").read_text())
    notary = NotebookNotary(data_dir=str(tmp_path / "data"))
    for path in sorted((tmp_path / "repo" / "notebooks").glob("*.ipynb")):
        assert notary.check_signature(read(path, as_version=4)), (
            f"{path.name}: saved widgets show only in a trusted notebook"
        )


def test_post_build_stops_at_the_first_error(tmp_path: Path) -> None:
    constraints = (ROOT / "constraints.txt").read_text()
    drifted = re.sub(r"^jupyterlab==\S+", "jupyterlab==4.4.9", constraints, flags=re.MULTILINE)
    done, overrides = _post_build(tmp_path, drifted)
    assert done.returncode != 0
    assert "jupyterlab: installed" in done.stderr
    assert not overrides.exists(), "nothing after the failed step ran"


def test_post_build_says_set_euo_pipefail_first() -> None:
    lines = [line for line in (BINDER / "postBuild").read_text().splitlines() if line and not line.startswith("#")]
    assert (BINDER / "postBuild").read_text().startswith("#!/usr/bin/env bash\n")
    assert lines[0] == "set -euo pipefail"
    assert os.access(BINDER / "postBuild", os.X_OK)


# --- JupyterLab settings --------------------------------------------------------------------


def _schema(plugin: str) -> dict:
    """The installed JupyterLab's settings schema for ``package:plugin``."""
    package, name = plugin.split(":")
    share = Path(sys.prefix) / "share" / "jupyter"
    for folder in (share / "lab" / "schemas", share / "labextensions" / package / "schemas"):
        path = folder / package / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text())
    raise AssertionError(f"no settings schema for {plugin}")


def test_overrides_are_valid_settings_of_the_installed_jupyterlab() -> None:
    import jsonschema

    overrides = json.loads((BINDER / "overrides.json").read_text())
    for plugin, settings in overrides.items():
        schema = _schema(plugin)
        assert set(settings) <= set(schema["properties"]), plugin
        jsonschema.validate(
            {**{k: v.get("default") for k, v in schema["properties"].items() if "default" in v}, **settings}, schema
        )
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True, (
        "widgets render when a saved notebook is reopened"
    )
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false", "no news pop-up"


def test_the_chinese_language_pack_is_installed_with_the_lab() -> None:
    assert "jupyterlab-language-pack-zh-cn" in pins.closure(_binder_requirement())
    packs = {e.name for e in metadata.entry_points(group="jupyterlab.languagepack")}
    assert "zh_CN" in packs


# --- one source of truth for versions -------------------------------------------------------


def test_binder_requirements_are_exact_pins_with_no_local_paths() -> None:
    lines = _requirement_lines()
    assert lines, "binder/requirements.txt lists every package ctlab[lab] needs"
    for line in lines:
        assert re.fullmatch(r"[A-Za-z0-9][\w.-]*==[\w.!+]+", line), (
            f"{line!r}: name==version, no option, path or marker"
        )


def test_binder_requirements_are_the_locks_pins_for_binders_linux_and_python() -> None:
    binder = pins.parse_pins("\n".join(_requirement_lines()), source="binder/requirements.txt")
    locked = pins.read_pins(python_version=_binder_python_full(), platform="linux_x86_64")
    assert {k: locked.get(k) for k in binder} == binder, "re-lock: python3 tools/lock.py"
    here = pins.read_pins()
    if any(here.get(k) != v for k, v in binder.items()):
        pytest.skip("这里的固定版本与 Binder 的不同 / this Python's pins differ from Binder's: closure not comparable")
    needed = set(pins.closure(_binder_requirement(), env=_binder_target())) - {pins.PROJECT}
    assert set(binder) == needed, "every package ctlab[lab] needs on Binder, and nothing else"


def test_this_environment_is_at_the_pins_for_this_python() -> None:
    everything = (_binder_requirement(), *pins.dependency_group("test"))
    assert pins.mismatches(*everything) == [], "everything the test command installs is at its pin"


def test_binder_gets_the_pins_the_test_command_runs_with() -> None:
    needed = set(pins.closure(_binder_requirement())) - {pins.PROJECT}
    binder = pins.read_pins(python_version=_binder_python_full(), platform="linux_x86_64")
    tested = pins.read_pins()
    differ = sorted(k for k in needed if binder.get(k) != tested.get(k))
    if differ:
        pytest.skip(f"这里与 Binder 的 Python 固定的版本不同 / pins differ from Binder's Python: {differ}")
    assert pins.mismatches(_binder_requirement()) == [], "Binder runs the versions tested here"


# --- the lock: every platform, every claimed Python -----------------------------------------

TARGETS = [(platform, python) for platform in pins.PLATFORMS for python in pins.pythons()]


def test_the_lock_covers_every_python_the_project_claims() -> None:
    from packaging.specifiers import SpecifierSet

    project = pins.pyproject()["project"]
    claimed = pins.pythons()
    assert project["requires-python"] == f">={claimed[0]}", "requires-python starts at the lowest classifier"
    minors = [int(v.split(".")[1]) for v in claimed]
    assert minors == list(range(minors[0], minors[-1] + 1)), "every Python release in between is claimed"
    assert f"{_binder_python()}.0" in SpecifierSet(project["requires-python"]) and _binder_python() in claimed


@pytest.mark.parametrize(("platform", "python"), TARGETS, ids=[f"{p}-{v}" for p, v in TARGETS])
def test_the_lock_pins_every_requirement_once_for_each_target(platform: str, python: str) -> None:
    from packaging.requirements import Requirement

    locked = pins.read_pins(python_version=python, platform=platform)  # asserts exact, one pin a package
    project = pins.pyproject()["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["lab"], *pins.dependency_group("test")]
    env = pins.environment(python, platform)
    for line in wanted:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(env):
            continue
        name = pins.normalize(requirement.name)
        assert name in locked, f"{name}: not pinned for {platform} {python}"
        assert requirement.specifier.contains(locked[name], prereleases=True), f"{name}=={locked[name]} vs {line}"


def test_the_lock_pins_what_only_windows_or_macos_installs() -> None:
    for python in pins.pythons():
        windows, linux = (pins.read_pins(python_version=python, platform=p) for p in ("win_amd64", "linux_x86_64"))
        assert {"colorama", "pywinpty", "pywin32"} <= set(windows) and not {"colorama", "pywinpty"} & set(linux)
        for mac in ("macosx_arm64", "macosx_x86_64"):
            assert "appnope" in pins.read_pins(python_version=python, platform=mac), f"{mac} {python}"
        assert "appnope" not in linux and "appnope" not in windows
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    assert any(re.match(r"colorama==\S+ ; .*sys_platform == 'win32'", line) for line in lines), "pinned with a marker"


def test_the_pin_checker_and_the_lock_tool_examples_run() -> None:
    for module in (pins, lock):
        assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0, module.__name__


def test_binder_python_is_one_the_project_supports() -> None:
    from packaging.specifiers import SpecifierSet

    requires = metadata.metadata("ctlab")["Requires-Python"]
    assert f"{_binder_python()}.0" in SpecifierSet(requires)


@cache
def _providers() -> dict[str, set[str]]:
    """``{import name: distributions}``, as Python 3.11's ``packages_distributions()`` finds them.

    Python 3.10's reads only ``top_level.txt``, which most wheels (anthropic's, numpy's) no longer ship.
    """
    found: dict[str, set[str]] = {}
    for dist in metadata.distributions():
        tops = (dist.read_text("top_level.txt") or "").split() or {
            file.parts[0] if len(file.parts) > 1 else file.stem for file in dist.files or () if file.suffix == ".py"
        }
        for top in tops:
            found.setdefault(top, set()).add(pins.normalize(dist.metadata["Name"]))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_binder_installs_what_the_notebook_imports(path: Path) -> None:
    installed = pins.closure(_binder_requirement())
    providers = _providers()
    for name in sorted(set().union(*map(_imports, _code(path))) - set(sys.stdlib_module_names)):
        dists = {pins.normalize(d) for d in providers.get(name, [])}
        spec = importlib.util.find_spec(name)
        if not dists and spec and spec.origin and Path(spec.origin).is_relative_to(ROOT):
            dists = {"ctlab"}  # the repository itself (editable installs are missing from packages_distributions)
        assert dists & set(installed), f"{path.name} imports {name}, which {_binder_requirement()} does not install"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_binder_provides_the_programs_the_notebook_runs(path: Path) -> None:
    apt = set((BINDER / "apt.txt").read_text().split())
    for program in sorted(set().union(*map(_programs, _code(path)))):
        if PROGRAMS[program] == "apt.txt":
            assert program in apt, f"{path.name} runs {program}: add it to binder/apt.txt"
        else:
            assert (ROOT / "package.json").exists(), (
                f"{path.name} runs {program}: Node comes with Binder, packages via package.json"
            )


# --- README ---------------------------------------------------------------------------------

BINDER_LINK = re.compile(r"\(https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+/[\w.-]+)\?([^)\s]*)\)")


def test_readme_binder_badge_opens_jupyterlab_on_notebook_00() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]" + BINDER_LINK.pattern, readme)
    assert badge, "a Binder badge near the top of the README"
    assert badge.group(2) == f"urlpath=lab/tree/{NOTEBOOKS[0].relative_to(ROOT).as_posix()}"


def test_readme_links_every_notebook_on_binder_in_jupyterlab() -> None:
    links = BINDER_LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len({repo for repo, _ in links}) == 1, "one repository and branch for every link"
    queries = {query for _, query in links}
    assert all(q.startswith("urlpath=lab/tree/") for q in queries), (
        "urlpath=lab/... opens full JupyterLab (labpath= opens one document)"
    )
    for path in NOTEBOOKS:
        assert f"urlpath=lab/tree/{path.relative_to(ROOT).as_posix()}" in queries, (
            f"README: no Binder link to {path.name}"
        )
