"""What a stored notebook shows is what every machine gets: fonts, locale, time zone and width do not matter.

The main nbval run already executes every notebook under another locale, time
zone and terminal width than the one they were stored in (see ``conftest.py``).
Fonts cannot matter: every chart is inline SVG, whose text the reader's browser
draws, so a stored chart holds text and coordinates, never pixels.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402  (the repository's setup script, for the environment it stores notebooks in)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
CHART = re.compile(r'class="ctlab-(chart|timeline-plot)"')


def _outputs() -> Iterator[tuple[str, int, dict]]:
    for path in NOTEBOOKS:
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            for output in cell.get("outputs", []):
                yield path.name, index, output


def _stored_charts() -> Iterator[tuple[str, int, dict]]:
    for name, index, output in _outputs():
        if CHART.search("".join(output.get("data", {}).get("text/html", ""))):
            yield name, index, output


def test_every_stored_chart_says_in_both_languages_what_it_shows() -> None:
    charts = list(_stored_charts())
    assert {name[:2] for name, _, _ in charts} >= {"00", "01", "02", "05", "06", "08"}, "these notebooks store charts"
    for name, index, output in charts:
        words = "".join(output["data"].get("text/plain", ""))
        assert words.startswith("<Figure: "), f"{name} cell {index}: a chart stores its title, axes and legend as text"
        assert CJK.search(words) and len(LATIN_WORD.findall(words)) >= 2, f"{name} cell {index}: {words!r}"


def test_no_stored_output_is_an_image_whose_pixels_depend_on_the_machine_s_fonts() -> None:
    images = [(name, i) for name, i, out in _outputs() if any(k.startswith("image/") for k in out.get("data", ()))]
    assert images == [], "charts are inline SVG (ctlab.charts), drawn in the reader's font"


def test_notebooks_run_in_another_locale_time_zone_and_width_than_they_were_stored_in() -> None:
    home = course.HOME_ENV
    for name in ("TZ", "COLUMNS", "LINES"):
        assert os.environ[name] != home[name], f"{name}: the kernels' value is the one the notebooks were stored with"
