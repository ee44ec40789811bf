"""``course.py drift`` compares two executions of a notebook the way nbval does (the comparison, offline)."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import drift  # noqa: E402

STORED = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8"))


def _first_printing_cell(notebook: dict) -> int:
    return next(
        i for i, c in enumerate(notebook["cells"]) if any(o.get("name") == "stdout" for o in c.get("outputs", []))
    )


def test_an_identical_run_reports_no_change() -> None:
    assert drift.compare(STORED, copy.deepcopy(STORED), name="00") == []


def test_a_changed_output_is_reported_with_its_cell_and_a_diff() -> None:
    new = copy.deepcopy(STORED)
    index = _first_printing_cell(new)
    stream = next(o for o in new["cells"][index]["outputs"] if o.get("name") == "stdout")
    stream["text"] = "anthropic 9.9.9\n"
    (change,) = drift.compare(STORED, new, name="00_start_here.ipynb")
    assert change.cell == index and change.notebook == "00_start_here.ipynb"
    assert "+anthropic 9.9.9" in change.diff and f"cell {index}:" in str(change)


def test_what_nbval_ignores_is_ignored_too() -> None:
    old = {"cells": [{"cell_type": "code", "source": "x", "outputs": [
        {"output_type": "execute_result", "data": {"text/plain": "<X at 0x7f00aa>", "image/png": "AAAA"}}]}]}
    new = copy.deepcopy(old)
    new["cells"][0]["outputs"][0]["data"] = {"text/plain": "<X at 0x7fffff>", "image/png": "BBBB"}
    assert drift.compare(old, new, sanitizers=drift._sanitizers()) == []


def test_the_report_names_both_versions_and_every_changed_cell() -> None:
    change = drift.CellChange("02.ipynb", 5, "print(len(codes))", "-137\n+133")
    text = drift.report({"anthropic": "2.14.0"}, {"anthropic": "2.15.0"}, [("00.ipynb", []), ("02.ipynb", [change])])
    assert "pinned 2.14.0" in text and "newest 2.15.0" in text
    assert "00.ipynb: unchanged" in text and "02.ipynb: 1 cell(s) would change" in text and "+133" in text


def test_a_stream_that_arrived_in_pieces_equals_the_same_stream_in_one_piece() -> None:
    whole = {"cells": [{"cell_type": "code", "source": "x", "outputs": [drift._stream("a\nb\n")]}]}
    pieces = {"cells": [{"cell_type": "code", "source": "x", "outputs": [drift._stream("a\n"), drift._stream("b\n")]}]}
    assert drift.compare(whole, pieces) == []
