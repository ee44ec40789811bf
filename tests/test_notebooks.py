"""Static checks on the stored notebooks (nbval then re-runs each one strictly)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_executed_top_to_bottom_in_one_run(path: Path) -> None:
    counts = [c["execution_count"] for c in _load(path)["cells"] if c["cell_type"] == "code" and _text(c).strip()]
    assert None not in counts, "every code cell is stored executed, so nbval compares it"
    assert counts == list(range(1, len(counts) + 1)), "executed once, in order, by nbconvert"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_stores_when_or_how_long_it_ran(path: Path) -> None:
    timed = [i for i, c in enumerate(_load(path)["cells"]) if "execution" in c.get("metadata", {})]
    assert timed == [], "cell metadata with execution timestamps depends on the machine and the day"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_cells_printing_is_stored_as_one_output_per_stream(path: Path) -> None:
    def cut(cell: dict) -> bool:
        streams = [(o["output_type"], o.get("name")) for o in cell.get("outputs", [])]
        return any(a == b and a[0] == "stream" for a, b in itertools.pairwise(streams))

    split = [i for i, c in enumerate(_load(path)["cells"]) if cut(c)]
    assert split == [], "where printing was cut into messages depends on timing: course.py execute joins them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_markdown_cell_is_in_chinese_and_english(path: Path) -> None:
    for index, cell in enumerate(_load(path)["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        prose = re.sub(r"```.*?```|`[^`]*`", "", _text(cell), flags=re.DOTALL)
        assert CJK.search(prose), f"cell {index} has no Chinese"
        assert len(LATIN_WORD.findall(prose)) >= 2, f"cell {index} has no English"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widgets_render_before_anything_runs(path: Path) -> None:
    notebook = _load(path)
    shown = {
        o["data"][WIDGET_VIEW]["model_id"]
        for c in notebook["cells"]
        for o in c.get("outputs", [])
        if WIDGET_VIEW in o.get("data", {})
    }
    widgets = notebook["metadata"].get("widgets", {})
    saved = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    assert shown <= set(saved), "every displayed widget has its state saved in the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_output_checks_are_skipped_only_with_a_written_reason(path: Path) -> None:
    for index, cell in enumerate(_load(path)["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if "nbval-ignore-output" in tags or "nbval-skip" in tags:
            reason = re.search(r"^# nbval: .{20,}", _text(cell), flags=re.MULTILINE)
            assert reason, f"cell {index} skips nbval without a reason"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_key_and_no_live_call_is_stored(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    assert not re.search(r"sk-ant-[A-Za-z0-9_-]{20,}", raw)
    assert "live mode: requests go to" not in raw
