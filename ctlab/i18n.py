"""Every string ctlab shows a person, in Chinese and English.

One call picks the language for the whole session::

    >>> import ctlab
    >>> ctlab.set_lang("en")
    >>> str(ctlab.i18n.t("outcome.returned", value="'hi'"))
    "returned 'hi'"
    >>> ctlab.set_lang("both")

``CTLAB_LANG`` (``zh``, ``en`` or ``both``) sets the starting language;
the default is ``both``. Errors always carry both languages.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, cast, get_args

Lang = Literal["zh", "en", "both"]
LANGS: tuple[str, ...] = get_args(Lang)


@dataclass(frozen=True)
class Text:
    """One message in both languages; ``str()`` renders it in the current language.

    >>> str(Text("你好", "hello").render("both"))
    '你好 / hello'
    """

    zh: str
    en: str

    def format(self, **values: object) -> Text:
        """Fill in ``values``; a :class:`Text` value is filled in language by language."""
        zh = {k: v.zh if isinstance(v, Text) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
        return Text(self.zh.format(**zh), self.en.format(**en))

    def render(self, lang: Lang | None = None) -> str:
        lang = lang or get_lang()
        if lang == "zh":
            return self.zh
        if lang == "en" or self.zh == self.en:
            return self.en
        joiner = "\n" if "\n" in self.zh or "\n" in self.en else " / "
        return f"{self.zh}{joiner}{self.en}"

    def __str__(self) -> str:
        return self.render()


def _initial_lang() -> Lang:
    value = os.environ.get("CTLAB_LANG", "both").strip().lower() or "both"
    return cast("Lang", value) if value in LANGS else "both"


_lang: Lang = _initial_lang()


def set_lang(lang: str) -> None:
    """Choose ``"zh"``, ``"en"`` or ``"both"`` for everything ctlab prints."""
    global _lang  # noqa: PLW0603 - one language for the whole process, every thread included
    if lang not in LANGS:
        raise CtlabError("lang.unknown", value=repr(lang), allowed=", ".join(LANGS))
    _lang = cast("Lang", lang)


def get_lang() -> Lang:
    return _lang


@contextmanager
def lang(value: str) -> Iterator[None]:
    """Use language ``value`` inside the block, then put back the one before (even after an error).

    >>> import ctlab
    >>> with ctlab.lang("en"):
    ...     print(ctlab.get_lang())
    en
    >>> ctlab.get_lang()
    'both'
    """
    previous = get_lang()
    set_lang(value)
    try:
        yield
    finally:
        set_lang(previous)


def label(text: Text, *, stacked: bool = False) -> str:
    """Text drawn in a plot, in the current language (``both``: ``"中文 / English"``, or one above the other if
    ``stacked``).

    >>> label(Text("虚拟时间", "virtual time"), stacked=True)
    '虚拟时间\\nvirtual time'
    """
    if stacked and get_lang() == "both" and text.zh != text.en:
        return f"{text.zh}\n{text.en}"
    return text.render(get_lang())


def t(key: str, **values: object) -> Text:
    """The message ``key`` with ``values`` filled in (``str()`` it to render)."""
    return CATALOG[key].format(**values)


class CtlabError(ValueError):
    """Bad input to ctlab: says what was wrong and what is allowed, in both languages.

    >>> try:
    ...     set_lang("fr")
    ... except CtlabError as err:
    ...     print(err)
    不支持的语言 'fr'，可选：zh, en, both / unknown language 'fr'; allowed: zh, en, both
    """

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.text = t(key, **values)
        super().__init__(self.text.render("both"))


class Catalog:
    """Every message key in ctlab, each registered once by the module that uses it.

    >>> catalog = Catalog()
    >>> catalog.register("ctlab.demo", {"demo.hi": Text("你好", "hi")})
    >>> str(catalog["demo.hi"].render("en"))
    'hi'
    >>> catalog.register("ctlab.other", {"demo.hi": Text("嗨", "hey")})
    Traceback (most recent call last):
    ...
    ValueError: message key 'demo.hi' is registered by ctlab.demo already; ctlab.other cannot register it again
    """

    def __init__(self) -> None:
        self._texts: dict[str, Text] = {}
        self._owners: dict[str, str] = {}

    def register(self, owner: str, messages: Mapping[str, Text]) -> None:
        """Add ``owner``'s messages; a key another module registered is refused (re-importing ``owner`` is fine)."""
        for key, text in messages.items():
            if self._owners.get(key, owner) != owner:
                raise ValueError(
                    f"message key {key!r} is registered by {self._owners[key]} already; "
                    f"{owner} cannot register it again"
                )
            if not isinstance(text, Text):
                raise TypeError(f"message {key!r} from {owner} must be a Text, not {type(text).__name__}")
        for key, text in messages.items():
            self._texts[key] = text
            self._owners[key] = owner

    def owner(self, key: str) -> str:
        """The module that registered ``key``."""
        return self._owners[key]

    def __getitem__(self, key: str) -> Text:
        return self._texts[key]

    def __contains__(self, key: object) -> bool:
        return key in self._texts

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._texts))

    def __len__(self) -> int:
        return len(self._texts)


CATALOG = Catalog()
"""The one catalog: each ctlab module registers the messages it uses, next to its code."""
register = CATALOG.register

register(
    __name__,
    {
        "lang.unknown": Text("不支持的语言 {value}，可选：{allowed}", "unknown language {value}; allowed: {allowed}"),
    },
)
