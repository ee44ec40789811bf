#!/usr/bin/env python3
"""Regenerate ``ctlab/fonts/ctlab-cjk-sans.otf``, the Chinese font every ctlab plot uses.

    python3 tools/font.py            # needs the network (PyPI) and fontTools

Why a font of our own: a plot's look must not depend on which fonts a machine has
or when matplotlib built its font cache. The source is Noto Sans CJK SC Regular
(SIL Open Font License 1.1), taken from the PyPI wheel ``mplfonts==0.0.11`` that
ships it as a single static OpenType file. We keep the glyphs of GB 2312 (all
6,763 common simplified characters), CJK punctuation and full-width forms, plus
every CJK character in ctlab's own sources and notebooks, and rename the family
``ctlab CJK Sans`` — the OFL asks modified versions not to use the reserved name,
and a name of our own can never be confused with a system font. Latin text and
symbols such as ⁿ come from DejaVu Sans, which ships inside matplotlib.

    >>> chars = charset(extra="限流")
    >>> {"限", "流", "，", "中"} <= chars and "a" not in chars
    True
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "ctlab" / "fonts" / "ctlab-cjk-sans.otf"
SOURCE_WHEEL = "mplfonts==0.0.11"
SOURCE_MEMBER = "mplfonts/fonts/NotoSansCJKsc-Regular.otf"
FAMILY = "ctlab CJK Sans"
CJK_TEXT = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
PUNCTUATION = "".join(map(chr, range(0x3000, 0x3040))) + "".join(map(chr, range(0xFF00, 0xFFF0))) + "“”‘’…—·"


def gb2312() -> set[str]:
    """Every character of the GB 2312 standard (rows 16–87 are the 6,763 hanzi)."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([high, low]).decode("gb2312"))
    return chars


def charset(extra: str = "") -> set[str]:
    """The characters to keep: GB 2312 and CJK punctuation, plus the CJK characters of ``extra``."""
    wanted = gb2312() | set(PUNCTUATION) | set(CJK_TEXT.findall(extra))
    return {ch for ch in wanted if ord(ch) > 0x7F}


def course_text() -> str:
    """All text of ctlab's sources and notebooks (the CJK characters a plot could need)."""
    files = [*(ROOT / "ctlab").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    return "".join(path.read_text(encoding="utf-8") for path in files)


def source_font(workdir: Path) -> Path:
    """Download the pinned wheel and extract Noto Sans CJK SC Regular from it."""
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", str(workdir)]
    subprocess.run([*pip, SOURCE_WHEEL], check=True)
    (wheel,) = workdir.glob("mplfonts-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extract(SOURCE_MEMBER, workdir)
    return workdir / SOURCE_MEMBER


def build(source: Path, target: Path, chars: set[str]) -> None:
    """Subset ``source`` to ``chars``, rename it to :data:`FAMILY`, save as ``target``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["kern", "halt", "palt"]  # no locl/vert: horizontal simplified Chinese only
    options.hinting = False  # FreeType's auto-hinter draws matplotlib's text
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(map(ord, chars)))
    subsetter.subset(font)
    names = font["name"]
    postscript = FAMILY.replace(" ", "")
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 4:
            names.setName(f"{FAMILY} Regular", 4, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (3, 6):
            names.setName(f"{postscript}-Regular", record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 17:
            names.setName("Regular", 17, record.platformID, record.platEncID, record.langID)
    names.setName(f"A subset of Noto Sans CJK SC Regular, renamed {FAMILY}, for ctlab's plots.", 10, 3, 1, 0x409)
    font["CFF "].cff.fontNames = [f"{postscript}-Regular"]
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build(source_font(Path(tmp)), TARGET, charset(course_text()))
    print(f"{TARGET.relative_to(ROOT)}: {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
