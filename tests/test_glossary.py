"""One term per idea: no notebook and no ctlab message uses a wording GLOSSARY.md tells us to avoid.

``GLOSSARY.md`` at the repository root is the source: one row per idea, with the
Chinese term, the English term and the variants to avoid. A Chinese variant
matches as written; an English one as a whole word, in any case. Quoting the docs
page is allowed: a variant whose run of Chinese characters occurs in the page's
own text (``ctlab/docs_loop.py``, ``notebooks/js/docs_loop.mjs`` and, when
present, the course's copy of the page) is a quotation, not the course's voice.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import ctlab
from ctlab.i18n import CATALOG

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "GLOSSARY.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DOCS_COPIES = (
    ROOT / "ctlab" / "docs_loop.py",
    ROOT / "notebooks" / "js" / "docs_loop.mjs",
    ROOT.parent / "shared" / "seed" / "error-handling-and-retries.zh.txt",
)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    avoid: tuple[str, ...]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def load_glossary(text: str) -> list[Term]:
    """The rows of the table whose header starts with ``中文 | English``."""
    terms, in_table = [], False
    for line in text.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells[:2] == ["中文", "English"]:
            in_table = True
        elif in_table and not set(cells[0]) <= set("-: "):
            terms.append(Term(cells[0], cells[1], tuple(re.findall(r"`([^`]+)`", cells[2]))))
    return terms


TERMS = load_glossary(GLOSSARY.read_text(encoding="utf-8"))


def _docs_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in DOCS_COPIES if path.exists())


DOCS = _docs_text()


def _is_chinese(text: str) -> bool:
    return bool(HAN.search(text))


def _pattern(variant: str) -> re.Pattern[str]:
    if _is_chinese(variant):
        return re.compile(re.escape(variant))
    return re.compile(rf"(?<![\w-]){re.escape(variant)}(?![\w-])", re.IGNORECASE)


RULES = [(_pattern(variant), variant, term) for term in TERMS for variant in term.avoid]


def _quotes_the_docs(text: str, start: int, end: int, docs: str) -> bool:
    """Is the run of Chinese characters around ``text[start:end]`` the docs page's own wording?"""
    if not _is_chinese(text[start:end]):
        return False
    while start > 0 and HAN.match(text[start - 1]):
        start -= 1
    while end < len(text) and HAN.match(text[end]):
        end += 1
    return text[start:end] in docs


def forbidden(text: str, docs: str = DOCS) -> list[str]:
    """Each avoided variant in ``text``, with the term to write instead (quotations of the docs page excepted)."""
    found = []
    for pattern, variant, term in RULES:
        for match in pattern.finditer(text):
            if not _quotes_the_docs(text, match.start(), match.end(), docs):
                context = text[max(0, match.start() - 15) : match.end() + 15].replace("\n", " ")
                found.append(f"{variant!r} → {term.zh} / {term.en}  …{context}…")
    return found


# -- the glossary itself --------------------------------------------------------------------------
def test_the_glossary_has_one_chinese_and_one_english_term_per_idea() -> None:
    assert len(TERMS) >= 30
    for column in ("zh", "en"):
        words = [getattr(term, column) for term in TERMS]
        assert len(words) == len(set(words)), f"a {column} term is listed twice"
    assert all(_is_chinese(term.zh) and term.en and not _is_chinese(term.en) for term in TERMS)


def test_no_term_contains_a_variant_it_forbids() -> None:
    for pattern, variant, _ in RULES:
        for term in TERMS:
            assert not pattern.search(term.zh) and not pattern.search(term.en), f"{variant!r} is inside the term {term}"


def test_the_glossary_settles_each_drift_issue_13_names() -> None:
    avoided = {variant: term.zh for term in TERMS for variant in term.avoid}
    assert avoided["完全抖动"] == "全抖动"
    assert avoided["错误目录"] == "速查表"
    assert avoided["限速"] == "限流"
    assert avoided["白睡"] == "白等"
    assert avoided["重试计数（请求头）"] == "重试计数头"


def test_a_quotation_of_the_docs_page_is_allowed_and_the_course_s_own_voice_is_not() -> None:
    docs = 'print(f"触发限速,{wait}秒后重试...")'
    assert forbidden('代码里打印的是"触发限速"', docs) == []
    assert forbidden('echo "触发限速,等待后重试..."', docs) == []
    assert len(forbidden("每次都被限速，它按指数退避", docs)) == 1
    assert len(forbidden("The course's error atlas.", docs)) == 1
    assert forbidden("ctlab.atlas and `x-stainless-read-timeout`", docs) == []


def test_the_docs_page_s_own_wording_is_available_to_recognise_quotations() -> None:
    assert "触发限速" in DOCS


# -- what learners read ---------------------------------------------------------------------------
def _notebook_sources(path: Path) -> list[tuple[int, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(index, "".join(cell["source"])) for index, cell in enumerate(cells)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_no_notebook_cell_uses_a_variant_the_glossary_avoids(path: Path) -> None:
    problems = [f"[{index}] {hit}" for index, source in _notebook_sources(path) for hit in forbidden(source)]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(ctlab.__path__, "ctlab."):
        importlib.import_module(module.name)


def test_no_ctlab_message_uses_a_variant_the_glossary_avoids() -> None:
    _import_every_module()
    problems = [
        f"{CATALOG.owner(key)} {key!r} ({lang}): {hit}"
        for key in CATALOG
        for lang, text in (("zh", CATALOG[key].zh), ("en", CATALOG[key].en))
        for hit in forbidden(text)
    ]
    assert not problems, "\n".join(problems)
