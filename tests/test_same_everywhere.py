"""What a stored notebook shows is what every machine gets: fonts, locale, time zone and width do not matter.

The main nbval run already executes every notebook under another locale, time
zone and terminal width than the one they were stored in (see ``conftest.py``).
Most charts are inline SVG, whose text the browser draws in the reader's font; the
plots of notebook 05 are matplotlib PNGs, so here that notebook runs in a fresh
matplotlib cache twice: once with the system's CJK font visible, once with no
system font at all.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctlab.figures import FONT_FAMILY, figure, png
from ctlab.i18n import Text, label

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402  (the repository's setup script, for the environment it stores notebooks in)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLOTTING_NOTEBOOK = ROOT / "notebooks" / "05_backoff_at_scale.ipynb"  # the one that draws with matplotlib
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
# Where matplotlib and fontconfig look for a Linux system's fonts.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/usr/X11R6/lib/X11/fonts", str(Path.home() / ".fonts"),
             str(Path.home() / ".local/share/fonts"))


def _is_plot(data: dict) -> bool:
    html = "".join(data.get("text/html", ""))
    return "image/png" in data or 'class="ctlab-chart"' in html or 'class="ctlab-timeline-plot"' in html


def _stored_plots() -> Iterator[tuple[str, int, dict]]:
    for path in NOTEBOOKS:
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            for output in cell.get("outputs", []):
                if _is_plot(output.get("data", {})):
                    yield path.name, index, output


def test_every_stored_plot_says_in_both_languages_what_it_shows() -> None:
    plots = list(_stored_plots())
    assert {name[:2] for name, _, _ in plots} >= {"00", "01", "02", "05", "06", "08"}, "these notebooks store plots"
    for name, index, output in plots:
        words = "".join(output["data"].get("text/plain", ""))
        assert words.startswith("<Figure: "), f"{name} cell {index}: a plot stores its title, labels and legend as text"
        assert CJK.search(words) and len(LATIN_WORD.findall(words)) >= 2, f"{name} cell {index}: {words!r}"


def test_a_plot_uses_the_course_font_first_for_chinese_and_keeps_matplotlib_s_for_latin() -> None:
    fig, ax = figure(figsize=(3, 1))
    ax.set_title(label(Text("退避 2ⁿ⁻¹", "backoff 2ⁿ⁻¹")))
    png(fig)  # draws every glyph; a missing one would warn
    import matplotlib as mpl

    assert mpl.rcParams["font.family"] == FONT_FAMILY
    assert "2ⁿ⁻¹" in fig.alt_text() and "退避" in fig.alt_text()


def test_notebooks_run_in_another_locale_time_zone_and_width_than_they_were_stored_in() -> None:
    home = course.HOME_ENV
    for name in ("TZ", "COLUMNS", "LINES"):
        assert os.environ[name] != home[name], f"{name}: the kernels' value is the one the notebooks were stored with"


def _cjk_system_font() -> bool:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def _can_hide_fonts() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and shutil.which("unshare") is not None


def _nbval(notebook: Path, tmp: Path, *, hide_fonts: bool) -> subprocess.Popen[str]:
    """Strict nbval over ``notebook`` in a fresh matplotlib cache; with ``hide_fonts``, no system font is visible."""
    env = {**os.environ, "MPLCONFIGDIR": str(tmp / "mpl")}
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", str(notebook)]
    if hide_fonts:
        empty = tmp / "no-fonts"
        empty.mkdir()
        mounts = " && ".join(f"mount --bind {empty} {d}" for d in FONT_DIRS if Path(d).is_dir()) or "true"
        count = "from matplotlib import font_manager as f; n = len(f.findSystemFonts()); assert n == 0, n"
        pytest_shell = " ".join(map(shlex.quote, pytest_cmd))
        shell = f"{mounts} && {sys.executable} -c {shlex.quote(count)} && exec " + pytest_shell
        cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", shell]
    else:
        cmd = pytest_cmd
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def font_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, subprocess.Popen[str] | str]]:
    """Both runs start at once (each is one kernel), so the pair costs the time of one."""
    runs: dict[str, subprocess.Popen[str] | str] = {}
    if _cjk_system_font():
        runs["visible"] = _nbval(PLOTTING_NOTEBOOK, tmp_path_factory.mktemp("visible"), hide_fonts=False)
    else:
        runs["visible"] = "no system font covers Chinese here (Debian: apt-get install fonts-noto-cjk)"
    if _can_hide_fonts():
        runs["hidden"] = _nbval(PLOTTING_NOTEBOOK, tmp_path_factory.mktemp("hidden"), hide_fonts=True)
    else:
        runs["hidden"] = "hiding the system fonts needs Linux, root and unshare (a private mount namespace)"
    yield runs
    for run in runs.values():
        if isinstance(run, subprocess.Popen) and run.poll() is None:
            run.kill()


@pytest.mark.parametrize("fonts", ["visible", "hidden"], ids=["with-a-system-cjk-font", "with-no-system-font"])
def test_a_plotting_notebook_passes_strict_nbval_whatever_fonts_the_machine_has(fonts: str, font_runs: dict) -> None:
    run = font_runs[fonts]
    if isinstance(run, str):
        pytest.skip(run)
    output, _ = run.communicate(timeout=600)
    assert run.returncode == 0, output[-4000:]
