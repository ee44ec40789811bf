#!/usr/bin/env python3
"""The course's pins (``constraints.txt``) against the packages an environment really has.

    python tools/pins.py check "ctlab[lab]"     # exit 1 unless everything ctlab[lab] pulls in is at its pin

``binder/postBuild`` runs the check, so a Binder image that drifted from the tested
versions fails to build; ``tests/test_binder.py`` uses the same functions. Needs only
``packaging`` (every JupyterLab environment has it).

    >>> pins = read_pins(python_version="3.11")
    >>> pins["jupyterlab"] == read_pins(python_version="3.10")["jupyterlab"]
    True
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"


def normalize(name: str) -> str:
    """PEP 503 name: ``Jinja2`` and ``jupyter_server`` compare as ``jinja2``, ``jupyter-server``.

    >>> normalize("jupyterlab_widgets")
    'jupyterlab-widgets'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def _environment(python_version: str | None) -> dict[str, str]:
    if python_version is None:
        return {}
    return {"python_version": python_version, "python_full_version": f"{python_version}.0"}


def read_pins(path: Path = CONSTRAINTS, python_version: str | None = None) -> dict[str, str]:
    """``{name: version}`` that ``path`` pins for ``python_version`` (default: this interpreter).

    >>> read_pins(python_version="3.10")["numpy"] != read_pins(python_version="3.11")["numpy"]
    True
    """
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(_environment(python_version)):
            continue
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{line!r}: constraints.txt pins exact versions"
        pins[normalize(requirement.name)] = spec.version
    return pins


def closure(requirement: str) -> dict[str, str | None]:
    """Every distribution ``requirement`` pulls in, read from installed metadata: ``{name: version or None}``.

    ``None`` means required but not installed.

    >>> deps = closure("ctlab[lab]")
    >>> deps["ctlab"] is not None and "jupyterlab" in deps and "anthropic" in deps
    True
    """
    found: dict[str, str | None] = {}
    todo = [Requirement(requirement)]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req = todo.pop()
        name = normalize(req.name)
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            found[name] = None
            continue
        found[name] = dist.version
        for line in dist.requires or ():
            child = Requirement(line)
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in (req.extras or {""})):
                todo.append(child)
    return found


def mismatches(requirement: str, path: Path = CONSTRAINTS) -> list[str]:
    """What breaks "``requirement`` runs at the pinned versions", one line each; ``[]`` when all is well.

    The project itself (``ctlab``, installed from the repository) is not pinned.
    """
    pins = read_pins(path)
    root = normalize(Requirement(requirement).name)
    problems = []
    for name, version in sorted(closure(requirement).items()):
        if name == root:
            continue
        if version is None:
            problems.append(f"{name}: required but not installed / 需要但没有安装")
        elif name not in pins:
            problems.append(f"{name} {version}: not pinned in {path.name} / 没有固定版本")
        elif pins[name] != version:
            problems.append(f"{name}: installed {version}, pinned {pins[name]} / 安装的版本与固定版本不同")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "check":
        print(__doc__)
        return 2
    problems = mismatches(argv[1])
    for line in problems:
        print(f"[ctlab] {line}", file=sys.stderr)
    if problems:
        print(f"[ctlab] {argv[1]} 的环境与 constraints.txt 不一致 / does not match constraints.txt", file=sys.stderr)
        return 1
    print(f"[ctlab] {argv[1]}: {len(closure(argv[1])) - 1} 个依赖都是固定版本 / dependencies, all at their pins")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
