#!/usr/bin/env python3
"""The course's pins (``constraints.txt``) against the packages an environment really has.

    python tools/pins.py check "ctlab[lab]"     # exit 1 unless everything ctlab[lab] pulls in is at its pin

``constraints.txt`` is one universal lock (``tools/lock.py``): a line may carry an environment
marker (``colorama==0.4.6 ; sys_platform == 'win32'``), so which pins apply depends on the
platform and the Python. ``read_pins`` evaluates the markers for this interpreter, or for a
named target (``platform="win_amd64", python_version="3.12"``).

``binder/postBuild`` runs the check, so a Binder image that drifted from the tested
versions fails to build; ``tests/test_binder.py`` and ``tools/lock.py`` use the same
functions. Needs only ``packaging`` (every JupyterLab environment has it).

    >>> pins = read_pins(python_version="3.11")
    >>> pins["jupyterlab"] == read_pins(python_version="3.10")["jupyterlab"]
    True
    >>> "colorama" in read_pins(platform="win_amd64"), "colorama" in read_pins(platform="linux_x86_64")
    (True, False)
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"
PYPROJECT = ROOT / "pyproject.toml"
#: The repository's own project: installed from the checkout, never pinned.
PROJECT = "ctlab"


class Platform(NamedTuple):
    """A platform the lock serves: its marker values, uv's ``--python-platform``, pip's ``--platform`` tags."""

    markers: dict[str, str]
    uv: str
    pip: tuple[str, ...]


#: Named like wheel tags. pip's tags ask for wheels that run on glibc 2.28+ (Debian 10+) and macOS 12+.
PLATFORMS: dict[str, Platform] = {
    "linux_x86_64": Platform(
        {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
        "x86_64-unknown-linux-gnu",
        ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"),
    ),
    "win_amd64": Platform(
        {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
        "x86_64-pc-windows-msvc",
        ("win_amd64",),
    ),
    "macosx_arm64": Platform(
        {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix", "platform_machine": "arm64"},
        "aarch64-apple-darwin",
        ("macosx_12_0_arm64",),
    ),
    "macosx_x86_64": Platform(
        {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix", "platform_machine": "x86_64"},
        "x86_64-apple-darwin",
        ("macosx_12_0_x86_64",),
    ),
}


def normalize(name: str) -> str:
    """PEP 503 name: ``Jinja2`` and ``jupyter_server`` compare as ``jinja2``, ``jupyter-server``.

    >>> normalize("jupyterlab_widgets")
    'jupyterlab-widgets'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def environment(python_version: str | None = None, platform: str | None = None) -> dict[str, str]:
    """Marker values for a target: this interpreter's, with the Python and/or the platform replaced.

    ``python_version`` is ``"3.12"`` (read as 3.12.0) or a full ``"3.11.14"``; ``platform`` a key of ``PLATFORMS``.

    >>> env = environment("3.11.14", "win_amd64")
    >>> env["python_version"], env["python_full_version"], env["sys_platform"], env["platform_system"]
    ('3.11', '3.11.14', 'win32', 'Windows')
    """
    env = {key: str(value) for key, value in default_environment().items()}
    if python_version is not None:
        parts = python_version.split(".")
        env["python_version"] = ".".join(parts[:2])
        env["python_full_version"] = ".".join([*parts, "0"][:3])
        env["implementation_name"], env["platform_python_implementation"] = "cpython", "CPython"
    if platform is not None:
        env.update(PLATFORMS[platform].markers)
    return env


def read_pins(
    path: Path = CONSTRAINTS, python_version: str | None = None, platform: str | None = None
) -> dict[str, str]:
    """``{name: version}`` that ``path`` pins for a target (default: this interpreter on this machine).

    >>> read_pins(python_version="3.10")["coverage"] != read_pins(python_version="3.11")["coverage"]
    True
    """
    return parse_pins(path.read_text(encoding="utf-8"), environment(python_version, platform), path.name)


def parse_pins(text: str, env: dict[str, str] | None = None, source: str = "constraints.txt") -> dict[str, str]:
    r"""``{name: version}`` of the lines of ``text`` whose markers hold for ``env`` (default: this interpreter).

    Every line must be an exact pin, and at most one pin of a package may apply.

    >>> text = "Jinja2==3.1.6\ncolorama==0.4.6 ; sys_platform == 'win32'  # Windows only"
    >>> parse_pins(text, environment(platform="win_amd64")), parse_pins(text, environment(platform="linux_x86_64"))
    ({'jinja2': '3.1.6', 'colorama': '0.4.6'}, {'jinja2': '3.1.6'})
    """
    env = env or environment()
    pins: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(env):
            continue
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{line!r}: {source} pins exact versions"
        name = normalize(requirement.name)
        assert name not in pins, f"{source}: two pins of {name} apply to one target"
        pins[name] = spec.version
    return pins


def pythons(pyproject: Path = PYPROJECT) -> list[str]:
    """The Python versions the project claims: its ``Python :: 3.X`` classifiers (a regex: no tomllib on 3.10).

    >>> pythons()[0]
    '3.10'
    """
    found = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject.read_text(encoding="utf-8"))
    return sorted(found, key=lambda v: tuple(map(int, v.split("."))))


def pyproject(path: Path = PYPROJECT) -> dict:
    """``pyproject.toml``, parsed (Python 3.11+, or 3.10 with tomli, which pytest brings).

    >>> pyproject()["project"]["name"]
    'ctlab'
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(path.read_text(encoding="utf-8"))


def dependency_group(name: str, path: Path = PYPROJECT) -> list[str]:
    """The requirements of a PEP 735 dependency group in ``pyproject.toml``.

    >>> "pytest>=8" in dependency_group("test")
    True
    """
    group = pyproject(path)["dependency-groups"][name]
    assert all(isinstance(item, str) for item in group), f"group {name}: plain requirements only"
    return list(group)


def binder_minor(runtime: Path = ROOT / "binder" / "runtime.txt") -> str:
    """``3.11`` from ``binder/runtime.txt`` (``python-3.11``).

    >>> binder_minor() in pythons()
    True
    """
    match = re.fullmatch(r"python-(3\.\d+)", runtime.read_text().strip())
    assert match, f"{runtime}: states the Python version as python-3.X"
    return match.group(1)


def binder_python(conda_dir: Path, runtime: Path = ROOT / "binder" / "runtime.txt") -> str:
    """The full Python version Binder runs for ``binder/runtime.txt``, from repo2docker's conda lock.

    ``runtime.txt`` says ``python-3.11``; repo2docker installs the 3.11 release its lock file names.
    ``conda_dir`` is ``repo2docker/buildpacks/conda`` of the repo2docker version that builds the image.
    """
    minor = binder_minor(runtime)
    lock = (conda_dir / f"environment.py-{minor}-linux-64.lock").read_text()
    (full,) = set(re.findall(rf"/python-({re.escape(minor)}\.\d+)-", lock))
    return full


def closure(*requirements: str, env: dict[str, str] | None = None) -> dict[str, str | None]:
    """Every distribution ``requirements`` pull in, read from installed metadata: ``{name: version or None}``.

    ``None`` means required but not installed. Markers are evaluated for
    ``env`` (default: this interpreter), so ``env=environment("3.11.14", "linux_x86_64")``
    gives what that target needs, as long as the installed versions are that target's.

    >>> deps = closure("ctlab[lab]")
    >>> deps["ctlab"] is not None and "jupyterlab" in deps and "anthropic" in deps
    True
    """
    found: dict[str, str | None] = {}
    todo = [Requirement(r) for r in requirements]
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
            if child.marker is None or any(
                child.marker.evaluate({**(env or {}), "extra": e}) for e in (req.extras or {""})
            ):
                todo.append(child)
    return found


def mismatches(*requirements: str, path: Path = CONSTRAINTS) -> list[str]:
    """What breaks "``requirements`` run at the pinned versions", one line each; ``[]`` when all is well.

    The project itself (``ctlab``, installed from the repository) is not pinned.
    """
    pins = read_pins(path)
    problems = []
    for name, version in sorted(closure(*requirements).items()):
        if name == PROJECT:
            continue
        if version is None:
            problems.append(f"{name}: required but not installed / 需要但没有安装")
        elif name not in pins:
            problems.append(f"{name} {version}: not pinned in {path.name} / 没有固定版本")
        elif pins[name] != version:
            problems.append(f"{name}: installed {version}, pinned {pins[name]} / 安装的版本与固定版本不同")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "check":
        print(__doc__)
        return 2
    wanted = argv[1:]
    problems = mismatches(*wanted)
    for line in problems:
        print(f"[ctlab] {line}", file=sys.stderr)
    if problems:
        print(
            f"[ctlab] {' '.join(wanted)} 的环境与 constraints.txt 不一致 / does not match constraints.txt",
            file=sys.stderr,
        )
        return 1
    count = len(set(closure(*wanted)) - {PROJECT})
    print(f"[ctlab] {' '.join(wanted)}: {count} 个依赖都是固定版本 / dependencies, all at their pins")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
