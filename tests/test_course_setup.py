"""course.py's set-up: what it installs again, and when."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402  (the repository's setup script)


def test_a_new_clone_that_reuses_a_venv_still_gets_its_node_packages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(course, "ROOT", tmp_path)  # a clone with no node_modules yet
    monkeypatch.setattr(course, "PYTHON", Path(sys.executable))  # a venv that exists: none is created
    monkeypatch.setattr(course, "STAMP", tmp_path / "stamp")
    monkeypatch.setattr(course, "_installed", lambda _fingerprint: set(course.SETS))  # the venv holds everything
    monkeypatch.setattr(course, "_lab_settings", lambda: None)
    monkeypatch.setattr(course, "_ctlab_home", lambda: tmp_path / "ctlab")  # the venv runs this clone's ctlab
    installs: list[str] = []
    monkeypatch.setattr(course, "_node_packages", lambda: installs.append("npm ci"))
    course.setup("test")
    assert installs == ["npm ci"]
    (tmp_path / "node_modules").mkdir()
    course.setup("test")
    assert installs == ["npm ci"], "once node_modules is there, nothing is installed again"


def test_a_venv_made_for_another_checkout_is_pointed_at_this_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A shared CTLAB_VENV once ran the first checkout's ctlab in every later checkout's notebooks."""
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setattr(course, "PYTHON", Path(sys.executable))
    monkeypatch.setattr(course, "_installed", lambda _fingerprint: set(course.SETS))
    monkeypatch.setattr(course, "_lab_settings", lambda: None)
    (tmp_path / "node_modules").mkdir()
    homes = iter([tmp_path.parent / "other-clone" / "ctlab", tmp_path / "ctlab"])
    monkeypatch.setattr(course, "_ctlab_home", lambda: next(homes))
    commands: list[tuple[str, ...]] = []
    monkeypatch.setattr(course, "run", lambda *cmd, **_kwargs: commands.append(tuple(map(str, cmd))))
    course.setup("test")
    assert commands == [(sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
                         "--no-deps", "-e", ".")]
    course.setup("test")
    assert len(commands) == 1, "a venv that already runs this checkout's ctlab is left alone"


def test_notebook_kernels_import_this_checkouts_ctlab(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What nbval's kernels (this venv's Python, started outside the checkout's root) import is the code under test."""
    monkeypatch.setattr(course, "PYTHON", Path(sys.executable))
    monkeypatch.setattr(course, "VENV", tmp_path)
    assert course._ctlab_home() == ROOT / "ctlab", "this venv runs another checkout's ctlab: run course.py setup"
