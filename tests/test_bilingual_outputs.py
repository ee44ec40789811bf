"""Every sentence a notebook stores for its reader comes in Chinese too.

A stored output line with five or more English words and no Chinese must be the English half of a pair:
a line with Chinese sits just above it (``CTLAB_LANG=both`` prints Chinese, then English). Text quoted
from another program (the SDK's log lines, curl's or node's output) is exempt when its cell says so in
its metadata, ``"ctlab": {"quoted": "<program>"}``, under a bilingual caption (see GLOSSARY.md).
Source listings (``def``, ``class``, ``function`` ...), table rows and command lines are not sentences.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
WORDS = re.compile(r"\b[A-Za-z]{2,}\b")
CODE = re.compile(
    r"^\s*(def |class |async def |>>> |function |export |import |from \S+ import |const |await )", re.MULTILINE
)
#: Code, data and table rows (columns are runs of spaces; command-line flags), not sentences.
NOT_PROSE = re.compile(r"[=(){}\[\]<>]|^\s*(File|Traceback)|\w+\.\w+\(|https?://|\S {3,}\S|(^|\s)--?[a-z]")


def english_only(lines: list[str]) -> list[str]:
    """The lines that read as English sentences with no Chinese line just above them.

    >>> english_only(["重试了 3 次", "it retried three times in a row"])
    []
    >>> english_only(["it retried three times in a row", "重试了 3 次"])
    ['it retried three times in a row']
    """
    found, previous = [], ""
    for line in lines:
        if not line.strip():
            continue
        sentence = not CJK.search(line) and len(WORDS.findall(line)) >= 5 and not NOT_PROSE.search(line)
        if sentence and not CJK.search(previous):
            found.append(line.strip())
        previous = line
    return found


def _texts(output: dict) -> list[str]:
    if "text" in output:
        return ["".join(output["text"])]
    data = output.get("data", {})
    if "text/html" in data:
        markup = "".join(data["text/html"])
        if not re.search(r"<(img|svg)", markup):
            return [html.unescape(re.sub(r"<[^>]+>", "\n", markup))]
    return ["".join(data.get("text/plain", ""))]


def _problems(path: Path) -> list[str]:
    problems = []
    for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] != "code" or cell.get("metadata", {}).get("ctlab", {}).get("quoted"):
            continue
        for output in cell.get("outputs", []):
            for text in _texts(output):
                if CODE.search(text):
                    continue
                problems += [f"cell {number}: {line[:100]}" for line in english_only(text.splitlines())]
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_output_speaks_english_only(path: Path) -> None:
    assert _problems(path) == []


def test_the_scan_catches_an_english_only_print() -> None:
    assert english_only(["the server answered with a retry after header", "done"]) == [
        "the server answered with a retry after header"
    ]
