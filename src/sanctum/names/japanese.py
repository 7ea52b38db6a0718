"""Japanese names read in Hepburn romanization (kanji and kana), as the lists romanise
them: `山口組` → yamaguchi gumi (YAMAGUCHI-GUMI), `住吉会` → sumiyoshi kai.

The reading comes from `pykakasi` (its dictionary ships with it: no system library, no
model download). Long vowels are written as lists write them, without a macron or a
doubled letter (`shinzou` → shinzo, `koube` → kobe); the second part of a compound may
be voiced (rendaku: `組` kumi → gumi in `山口組`), so both are tried. A name in kanji alone
may be Chinese as well: it keeps its pinyin reading (`normalize.tokenize`), this reading
is tried beside it (`normalize.name_variants`), and the explanation says which met.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_KANA = re.compile("[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_KANJI = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile("[\uac00-\ud7a3]")
_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"), ("aa", "a"))
"""Hepburn long vowels as lists write them (no macron: `Tōkyō` Tokyo, `Shinzō` Shinzo)."""
_RENDAKU: tuple[tuple[str, str], ...] = (("sh", "j"), ("ch", "j"), ("ts", "z"), ("k", "g"))
_RENDAKU += (("s", "z"), ("t", "d"), ("h", "b"), ("f", "b"))
"""A compound's later part voiced, by its first sound (`kumi` → gumi, `shima` → jima)."""
RENDAKU_MAX_LEN = 4
"""Parts of a compound this short or shorter that may be voiced (`kumi` → gumi, `kai`)."""
MAX_READINGS = 2

JAPANESE_NOTE = "Japanese (Hepburn) reading"


def has_kana(text: str) -> bool:
    """True if the text holds hiragana or katakana: Japanese for certain."""
    return _KANA.search(text) is not None


def may_be_japanese(text: str) -> bool:
    """True for a name in kana, or in kanji without Hangul: kanji alone may be Japanese or
    Chinese."""
    return has_kana(text) or (_KANJI.search(text) is not None and not _HANGUL.search(text))


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi  # loads its dictionary once

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def load_dictionary() -> None:
    """Read pykakasi's dictionaries now (a server does at start-up): the first name in kanji
    or kana read them on the request path, ~3 s on this machine."""
    _kakasi().convert("東京")


def _long_vowels(word: str) -> str:
    """A Hepburn word with long vowels written once (`toukyou` → tokyo)."""
    for long, short in _LONG_VOWELS:
        word = word.replace(long, short)
    return word


@lru_cache(maxsize=10_000)
def hepburn_readings(text: str) -> tuple[str, ...]:
    """The Hepburn readings of a Japanese (or possibly Japanese) name: its words read by
    `pykakasi`, long vowels written once; then the same with the short later parts of a
    compound voiced (rendaku), when that differs. Empty for a name that cannot be
    Japanese (`may_be_japanese`) or reads to nothing."""
    if not may_be_japanese(text):
        return ()
    words: list[str] = []
    for part in _kakasi().convert(text):
        reading = str(part.get("hepburn") or "").strip()
        if not reading:
            continue
        if _KANA.search(part.get("orig", "")) or _KANJI.search(part.get("orig", "")):
            reading = _long_vowels(reading)
        words.append(reading)
    plain = " ".join(" ".join(words).split())
    if len(plain.replace(" ", "")) < MIN_READING or not plain.isascii():
        return ()
    voiced = " ".join(
        _voiced(w) if i and len(w) <= RENDAKU_MAX_LEN else w for i, w in enumerate(plain.split())
    )
    return (plain, voiced)[:MAX_READINGS] if voiced != plain else (plain,)


MIN_READING = 4
"""Readings of fewer letters say nothing (`王伟` read in Japanese is `o`)."""


def _voiced(word: str) -> str:
    """The word with its first sound voiced (`_RENDAKU`), or as it is."""
    for plain, voiced in _RENDAKU:
        if word.startswith(plain):
            return voiced + word[len(plain) :]
    return word
