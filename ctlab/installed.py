"""Which real clients this machine has for notebook 04: curl, node and the JS SDK, with their versions.

    >>> version_tuple("8.14.1") >= (8, 14)
    True
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

__all__ = ["version_tuple", "versions"]


def versions() -> dict[str, str]:
    """The versions of the real clients notebook 04 runs: curl, node and the JS SDK (``"-"`` if missing).

    >>> sorted(versions())
    ['@anthropic-ai/sdk', 'curl', 'node']
    """
    found = {"curl": "-", "node": "-", "@anthropic-ai/sdk": "-"}
    if shutil.which("curl"):
        first = subprocess.run(["curl", "--version"], capture_output=True, text=True, check=False).stdout.split()
        found["curl"] = first[1] if len(first) > 1 else "-"
    if shutil.which("node"):
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
        found["node"] = node.stdout.strip().lstrip("v")
        package = Path(__file__).resolve().parents[1] / "node_modules" / "@anthropic-ai" / "sdk" / "package.json"
        if package.exists():
            found["@anthropic-ai/sdk"] = json.loads(package.read_text(encoding="utf-8"))["version"]
    return found


def version_tuple(version: str) -> tuple[int, ...]:
    """``"7.88.1"`` -> ``(7, 88, 1)``, for comparisons like ``version_tuple(v) < (8, 14)``.

    >>> version_tuple("7.88.1") < (8, 14)
    True
    """
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])
