#!/usr/bin/env python3
"""What would the newest SDKs change in the course? A report to read before bumping the pins.

    python3 course.py drift                      # every notebook
    python3 course.py drift 02 03                # notebooks whose names start with 02 or 03
    python3 course.py drift --keep /tmp/drift    # keep the environment and the executed copies

It copies the repository to a scratch directory, builds an environment there with
the course's pins except the SDKs — the newest ``anthropic`` from PyPI and the
newest ``@anthropic-ai/sdk`` from npm — executes the notebooks in the copy exactly
as ``course.py execute`` stores them, and prints, per notebook and cell, what the
outputs would become. Needs the package registries, so it is a maintainer's
command, never part of the offline test command. Nothing in the repository changes.

The comparison itself is offline and tested:

    >>> old = {"cells": [{"cell_type": "code", "source": "print(1)", "outputs": [_stream("anthropic 2.14.0\\n")]}]}
    >>> new = {"cells": [{"cell_type": "code", "source": "print(1)", "outputs": [_stream("anthropic 2.15.0\\n")]}]}
    >>> [change.cell for change in compare(old, new)]
    [0]
    >>> compare(old, old)
    []
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval-sanitize.cfg"
# What nbval does not compare either: pictures, widget views and scripts.
UNCOMPARED = (
    "image/png",
    "image/jpeg",
    "image/svg+xml",
    "application/vnd.jupyter.widget-view+json",
    "application/javascript",
)
SDKS = {"anthropic": "pip", "@anthropic-ai/sdk": "npm"}


@dataclass(frozen=True)
class CellChange:
    """One code cell whose compared outputs differ: where, what it runs, and the unified diff."""

    notebook: str
    cell: int
    source: str
    diff: str

    def __str__(self) -> str:
        first = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"--- {self.notebook} · cell {self.cell}: {first[:70]}\n{self.diff}"


def _stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text}


def _sanitizers(path: Path = SANITIZE) -> list[tuple[re.Pattern[str], str]]:
    """The ``regex:``/``replace:`` pairs nbval applies before comparing (the same file)."""
    pairs, pattern = [], None
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        if line.startswith("regex:"):
            pattern = re.compile(line.removeprefix("regex:").strip())
        elif line.startswith("replace:") and pattern is not None:
            pairs.append((pattern, line.removeprefix("replace:").strip()))
            pattern = None
    return pairs


def _join(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def compared_text(cell: dict, sanitizers: Sequence[tuple[re.Pattern[str], str]] = ()) -> str:
    """A code cell's outputs as nbval compares them, one block per output, sanitized."""
    blocks: list[str] = []
    last_stream = None
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream" and output["name"] == last_stream:
            blocks[-1] += _join(output["text"])  # nbval joins a stream that arrived in pieces
            continue
        last_stream = output["name"] if kind == "stream" else None
        if kind == "stream":
            blocks.append(f"[{output['name']}]\n{_join(output['text'])}")
        elif kind == "error":
            blocks.append(f"[error]\n{output['ename']}: {output['evalue']}")
        else:
            for mime, value in sorted(output.get("data", {}).items()):
                if mime not in UNCOMPARED:
                    blocks.append(f"[{mime}]\n{_join(value) if not isinstance(value, dict) else json.dumps(value)}")
    text = "\n".join(blocks)
    for pattern, replacement in sanitizers:
        text = pattern.sub(replacement, text)
    return text


def compare(
    old: dict, new: dict, *, name: str = "", sanitizers: Sequence[tuple[re.Pattern[str], str]] = ()
) -> list[CellChange]:
    """The code cells of two executions of one notebook whose compared outputs differ."""
    changes = []
    old_cells, new_cells = old["cells"], new["cells"]
    for index, (before, after) in enumerate(zip(old_cells, new_cells, strict=False)):
        if before.get("cell_type") != "code":
            continue
        a, b = compared_text(before, sanitizers), compared_text(after, sanitizers)
        if a != b:
            lines = difflib.unified_diff(a.splitlines(), b.splitlines(), "stored", "newest SDKs", n=1, lineterm="")
            changes.append(CellChange(name, index, _join(after.get("source", "")), "\n".join(list(lines)[2:])))
    if len(old_cells) != len(new_cells):
        count = f"cell count {len(old_cells)} -> {len(new_cells)}"
        changes.append(CellChange(name, min(len(old_cells), len(new_cells)), "", count))
    return changes


def _run(cmd: Sequence[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"drift: {' '.join(map(str, cmd))} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return result.stdout


def _copy_repository(target: Path) -> None:
    """The tracked files of the working tree (uncommitted edits included), nothing else."""
    files = _run(["git", "ls-files", "-z"], ROOT).split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _constraints_without_sdks(copy: Path) -> Path:
    """constraints.txt with the Python SDK's pin removed, so pip may take its newest release."""
    path = copy / "constraints.drift.txt"
    constraints = (copy / "constraints.txt").read_text().splitlines()
    keep = [line for line in constraints if not re.match(r"anthropic\s*==", line)]
    path.write_text("\n".join(keep) + "\n")
    return path


def build(copy: Path) -> tuple[Path, dict[str, str]]:
    """An environment in ``copy/.venv`` with the course's pins but the newest SDKs; returns (python, versions)."""
    env_dir = copy / ".venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*pip, "--upgrade", "pip"], copy)
    print("drift: installing the course with the newest anthropic …", flush=True)
    _run([*pip, "-c", _constraints_without_sdks(copy), "-e", ".[lab]", "nbconvert", "ipykernel"], copy)
    _run([*pip, "--upgrade", "anthropic"], copy)
    versions = {"anthropic": _run([python, "-c", "import anthropic; print(anthropic.__version__)"], copy).strip()}
    if (copy / "package.json").exists() and shutil.which("npm"):
        print("drift: installing the newest @anthropic-ai/sdk …", flush=True)
        _run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "@anthropic-ai/sdk@latest"], copy)
        package = json.loads((copy / "node_modules/@anthropic-ai/sdk/package.json").read_text())
        versions["@anthropic-ai/sdk"] = package["version"]
    return python, versions


def pinned_versions() -> dict[str, str]:
    """The SDK versions the course is pinned to today."""
    python_pin = re.search(r"^anthropic==(\S+)", (ROOT / "constraints.txt").read_text(), flags=re.MULTILINE)
    node_pin = json.loads((ROOT / "package.json").read_text())["dependencies"].get("@anthropic-ai/sdk", "?")
    return {"anthropic": python_pin.group(1) if python_pin else "?", "@anthropic-ai/sdk": node_pin}


def execute(python: Path, copy: Path, notebooks: Sequence[Path]) -> Iterator[tuple[Path, dict]]:
    """Run each notebook in ``copy`` as ``course.py execute`` would; yield (stored path, new notebook)."""
    sys.path.insert(0, str(ROOT))
    from course import HOME_ENV

    env = {**os.environ, **HOME_ENV, "CTLAB_LANG": "both"}
    for stored in notebooks:
        target = copy / stored.relative_to(ROOT)
        print(f"drift: executing {target.name} …", flush=True)
        cmd = [python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace", target]
        result = subprocess.run([str(c) for c in cmd], cwd=copy, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            print(f"drift: {target.name} failed to run to the end:\n{result.stderr[-3000:]}", flush=True)
        yield stored, json.loads(target.read_text(encoding="utf-8"))


def report(pinned: dict[str, str], newest: dict[str, str], results: Sequence[tuple[str, list[CellChange]]]) -> str:
    """The maintainer's report: versions, then per notebook the cells whose outputs would change."""
    lines = ["SDK drift report", ""]
    lines += [
        f"  {name:<20} pinned {pinned.get(name, '?'):<10} newest {newest.get(name, '(not checked)')}" for name in SDKS
    ]
    lines.append("")
    for name, changes in results:
        lines.append(f"{name}: {'unchanged' if not changes else f'{len(changes)} cell(s) would change'}")
    for _, changes in results:
        for change in changes:
            lines += ["", str(change)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 course.py drift", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="name prefixes, e.g. 02 03 (default: every notebook)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    every = sorted((ROOT / "notebooks").glob("*.ipynb"))
    chosen = [p for p in every if not args.notebooks or p.name.startswith(tuple(args.notebooks))]
    if not chosen:
        parser.error(f"no notebook starts with {' or '.join(args.notebooks)}")
    with tempfile.TemporaryDirectory(prefix="ctlab-drift-") as scratch:
        copy = args.keep or Path(scratch)
        copy.mkdir(parents=True, exist_ok=True)
        _copy_repository(copy)
        python, newest = build(copy)
        sanitizers = _sanitizers()
        results = [
            (
                stored.name,
                compare(json.loads(stored.read_text(encoding="utf-8")), new, name=stored.name, sanitizers=sanitizers),
            )
            for stored, new in execute(python, copy, chosen)
        ]
        print(report(pinned_versions(), newest, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
