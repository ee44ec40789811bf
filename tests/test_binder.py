"""Binder: repo2docker accepts binder/, and the image it builds runs what the tests run.

``repo2docker --no-build --debug`` prints the Dockerfile it would build without Docker and
without the network, so the configuration is checked here for real; ``binder/postBuild``
is run for real too, against this environment, with its output redirected to a temporary dir.
"""

from __future__ import annotations

import ast
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

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PIP_STEP = 'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
#: Programs a notebook may run, and where the Binder image gets each one.
PROGRAMS = {"curl": "apt.txt", "node": "base env", "npm": "base env", "npx": "base env"}

# tools/pins.py: the same check binder/postBuild runs (tools/ is not a package).
_spec = importlib.util.spec_from_file_location("pins", ROOT / "tools" / "pins.py")
assert _spec and _spec.loader
pins = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pins)


def _binder_python() -> str:
    """``3.11`` from ``binder/runtime.txt`` (``python-3.11``)."""
    match = re.fullmatch(r"python-(3\.\d+)", (BINDER / "runtime.txt").read_text().strip())
    assert match, "binder/runtime.txt states the Python version as python-3.X"
    return match.group(1)


def _binder_requirement() -> str:
    """``ctlab[lab]``: what ``binder/requirements.txt`` installs from the repository."""
    (editable,) = [line for line in _requirement_lines() if line.startswith("-e")]
    extras = re.fullmatch(r"-e \.(\[[\w,]+\])?", editable)
    assert extras, f"{editable!r}: the repository itself, editable, from the repo root"
    return "ctlab" + (extras.group(1) or "")


def _requirement_lines() -> list[str]:
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    return [s for s in (line.split("#", 1)[0].strip() for line in lines) if s]


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
    words = []
    shell = source.lstrip().startswith(("%%bash", "%%sh", "%%script"))
    for line in source.splitlines()[1 if shell else 0 :]:
        if shell or line.lstrip().startswith("!"):
            words.append(line.lstrip().lstrip("!").split(" ", 1)[0])
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


def test_binder_installs_the_repository_after_copying_it_so_constraints_txt_is_there() -> None:
    dockerfile, _ = _repo2docker()
    copy = re.search(r"^COPY --chown=\S+ src/ \$\{REPO_DIR\}/$", dockerfile, flags=re.M)
    assert copy and PIP_STEP in dockerfile
    assert dockerfile.index(PIP_STEP) > copy.start(), "pip -r binder/requirements.txt runs with the whole repo present"
    assert dockerfile.index("RUN ./binder/postBuild") > dockerfile.index(PIP_STEP)


def test_binder_apt_packages_are_installed() -> None:
    dockerfile, _ = _repo2docker()
    wanted = (BINDER / "apt.txt").read_text().split()
    assert {"curl", "fonts-noto-cjk"} <= set(wanted), "curl for lesson 04, a CJK font for Chinese plot labels"
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
    """Run binder/postBuild from a copy of what it reads, against this environment."""
    repo = tmp_path / "repo"
    shutil.copytree(BINDER, repo / "binder")
    shutil.copytree(ROOT / "tools", repo / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", repo / "notebooks", ignore=shutil.ignore_patterns("*.ipynb_checkpoints"))
    (repo / "constraints.txt").write_text(constraints)
    env = {
        **os.environ,
        "JUPYTERLAB_DIR": str(tmp_path / "lab"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    return done, tmp_path / "lab" / "settings" / "overrides.json"


def test_post_build_checks_the_pins_installs_the_settings_and_trusts_the_notebooks(tmp_path: Path) -> None:
    from nbformat import read
    from nbformat.sign import NotebookNotary

    done, overrides = _post_build(tmp_path, (ROOT / "constraints.txt").read_text())
    assert done.returncode == 0, done.stderr
    assert json.loads(overrides.read_text()) == json.loads((BINDER / "overrides.json").read_text())
    notary = NotebookNotary(data_dir=str(tmp_path / "data"))
    for path in sorted((tmp_path / "repo" / "notebooks").glob("*.ipynb")):
        assert notary.check_signature(read(path, as_version=4)), (
            f"{path.name}: saved widgets show only in a trusted notebook"
        )


def test_post_build_stops_at_the_first_error(tmp_path: Path) -> None:
    drifted = re.sub(r"^jupyterlab==\S+", "jupyterlab==4.4.9", (ROOT / "constraints.txt").read_text(), flags=re.M)
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


def test_binder_requirements_pin_nothing_themselves_they_use_constraints_txt() -> None:
    lines = _requirement_lines()
    constraints = [line for line in lines if line.startswith("-c")]
    assert constraints == ["-c ../constraints.txt"], "pip reads -c relative to binder/requirements.txt"
    assert (BINDER / "../constraints.txt").resolve() == ROOT / "constraints.txt"
    assert sorted(lines) == sorted(["-c ../constraints.txt", f"-e .{_binder_requirement()[len('ctlab') :]}"])


def test_binder_gets_the_pins_the_test_command_runs_with() -> None:
    needed = set(pins.closure(_binder_requirement())) - {"ctlab"}
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    binder = {k: v for k, v in pins.read_pins(python_version=_binder_python()).items() if k in needed}
    tested = {k: v for k, v in pins.read_pins(python_version=here).items() if k in needed}
    if binder != tested:
        differ = sorted(k for k in binder if binder.get(k) != tested.get(k))
        pytest.skip(
            f"Python {here} 与 Binder 的 {_binder_python()} 固定的版本不同 / pins differ from Binder's Python: {differ}"
        )
    assert pins.mismatches(_binder_requirement()) == [], "this environment is at the pins"
    assert pins.mismatches("ctlab[dev]") == [], "and so is everything the test command installs"


def test_the_pin_checker_examples_run() -> None:
    import doctest

    assert doctest.testmod(pins, optionflags=doctest.ELLIPSIS).failed == 0


def test_binder_python_is_one_the_project_supports() -> None:
    from packaging.specifiers import SpecifierSet

    requires = metadata.metadata("ctlab")["Requires-Python"]
    assert f"{_binder_python()}.0" in SpecifierSet(requires)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_binder_installs_what_the_notebook_imports(path: Path) -> None:
    installed = pins.closure(_binder_requirement())
    providers = metadata.packages_distributions()
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
