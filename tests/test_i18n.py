"""Every message exists in both languages, with the same blanks to fill."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string
import subprocess
import sys

import pytest

import ctlab
from ctlab.i18n import CATALOG, Catalog, Text, t

CJK = range(0x4E00, 0xA000)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _import_every_module() -> None:
    """Import every ctlab module, so each has registered its messages."""
    for module in pkgutil.walk_packages(ctlab.__path__, "ctlab."):
        importlib.import_module(module.name)


_import_every_module()


@pytest.mark.parametrize("key", list(CATALOG))
def test_each_message_has_both_languages_and_the_same_placeholders(key: str) -> None:
    text = CATALOG[key]
    assert text.zh.strip() and text.en.strip()
    assert _fields(text.zh) == _fields(text.en)
    if text.zh != text.en:  # technical labels such as "SDK" are the same in both
        assert any(ord(ch) in CJK for ch in text.zh), f"{key}: the Chinese text has no Chinese"


def test_set_lang_picks_the_language() -> None:
    message = t("outcome.returned", value="x")
    ctlab.set_lang("zh")
    assert str(message) == "返回了 x"
    ctlab.set_lang("en")
    assert str(message) == "returned x"
    ctlab.set_lang("both")
    assert str(message) == "返回了 x / returned x"


def test_nested_text_is_filled_language_by_language() -> None:
    inner = Text("中", "in")
    assert t("outcome.raised", value=inner) == Text("抛出了 中", "raised in")


def test_an_unknown_language_is_refused_in_both_languages() -> None:
    with pytest.raises(ctlab.CtlabError, match=r"不支持的语言 'fr'.*allowed: zh, en, both"):
        ctlab.set_lang("fr")


@pytest.mark.parametrize(
    ("env", "expected"), [("zh", "zh"), ("en", "en"), ("both", "both"), (" EN ", "en"), ("klingon", "both")]
)
def test_ctlab_lang_sets_the_starting_language(env: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ctlab import i18n

    monkeypatch.setenv("CTLAB_LANG", env)
    assert i18n._initial_lang() == expected


def test_a_fresh_interpreter_starts_in_the_language_ctlab_lang_names() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import ctlab; print(ctlab.get_lang())"],
        env={"CTLAB_LANG": "zh", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "zh"


def test_every_message_key_ctlab_uses_exists() -> None:
    import pathlib
    import re

    root = pathlib.Path(ctlab.__file__).parent
    pattern = re.compile(r"""(?:\bt|CtlabError)\(\s*["']([a-z0-9_.]+)["']""")
    used = {key for path in root.rglob("*.py") for key in pattern.findall(path.read_text(encoding="utf-8"))}
    assert used and not used - set(CATALOG)


def test_with_lang_uses_a_language_for_one_block_and_puts_the_previous_one_back() -> None:
    ctlab.set_lang("zh")
    with ctlab.lang("en"):
        assert ctlab.get_lang() == "en"
    assert ctlab.get_lang() == "zh"
    with pytest.raises(ZeroDivisionError), ctlab.lang("both"):
        _ = 1 / 0
    assert ctlab.get_lang() == "zh"
    with pytest.raises(ctlab.CtlabError), ctlab.lang("fr"):
        pass
    assert ctlab.get_lang() == "zh"


def test_a_key_is_registered_once_and_only_by_one_module() -> None:
    catalog = Catalog()
    catalog.register("ctlab.a", {"demo.key": Text("甲", "a")})
    catalog.register("ctlab.a", {"demo.key": Text("甲", "a")})  # re-importing a module is fine
    with pytest.raises(ValueError, match=re.escape("registered by ctlab.a already; ctlab.b cannot")):
        catalog.register("ctlab.b", {"demo.key": Text("乙", "b"), "demo.other": Text("丙", "c")})
    assert "demo.other" not in catalog  # a refused table adds nothing
    with pytest.raises(TypeError, match="must be a Text"):
        catalog.register("ctlab.c", {"demo.plain": "just English"})  # type: ignore[dict-item]

