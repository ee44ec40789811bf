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
    installs: list[str] = []
    monkeypatch.setattr(course, "_node_packages", lambda: installs.append("npm ci"))
    course.setup("test")
    assert installs == ["npm ci"]
    (tmp_path / "node_modules").mkdir()
    course.setup("test")
    assert installs == ["npm ci"], "once node_modules is there, nothing is installed again"
