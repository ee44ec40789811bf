#!/usr/bin/env python3
"""Regenerate constraints.txt: resolve ``.[dev]`` on Python 3.10 and 3.11+, pin both.

    python3 tools/lock.py /path/to/python3.10 /path/to/python3.11

Packages whose versions agree get one plain pin; the others get a pin per
Python, with an environment marker. Needs the network (PyPI) only.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# The course's tested environment, every package pinned: one source of truth for
# course.py (local and CI) and binder/. Python 3.10 gets older pins where newer
# releases need 3.11. Regenerate with: python3 tools/lock.py PYTHON3.10 PYTHON3.11
"""


def freeze(python: str) -> dict[str, tuple[str, str]]:
    """Install ``.[dev]`` unconstrained into a fresh venv; return {normalized name: (name, version)}."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([python, "-m", "venv", tmp], check=True)
        pip = [f"{tmp}/bin/python", "-m", "pip"]
        subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "-q", f"{ROOT}[dev]"], check=True)
        lines = subprocess.run([*pip, "freeze"], check=True, capture_output=True, text=True).stdout.splitlines()
    pins = {}
    for line in lines:
        if "==" in line and not line.startswith(("ctlab", "pip==")):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = (name, version)
    return pins


def merge(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> list[str]:
    """One pin where 3.10 and 3.11+ agree, else one per Python with a marker.

    >>> merge({"a": ("a", "1")}, {"a": ("a", "1"), "b": ("B", "2")})
    ['a==1', 'B==2 ; python_version >= "3.11"']
    """
    lines = []
    for key in sorted(set(old) | set(new)):
        if key in old and key in new and old[key] == new[key]:
            lines.append("==".join(new[key]))
            continue
        if key in new:
            lines.append("==".join(new[key]) + ' ; python_version >= "3.11"')
        if key in old:
            lines.append("==".join(old[key]) + ' ; python_version < "3.11"')
    return lines


def main(python310: str, python311: str) -> None:
    lines = merge(freeze(python310), freeze(python311))
    (ROOT / "constraints.txt").write_text(HEADER + "\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
