"""ctlab's code passes its linters: ruff's broad rule set everywhere, ``mypy --strict`` on the package and course.py.

Both read their settings from ``pyproject.toml``. mypy keeps its cache in the venv, so only a new
venv's first run pays for a full check (a few seconds; the SDK itself is not re-checked).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing_in_ctlab_or_course_py() -> None:
    result = _run("mypy", "--cache-dir", str(Path(sys.prefix) / ".ctlab-mypy-cache"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
