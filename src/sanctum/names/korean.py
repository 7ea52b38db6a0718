"""Korean names in one syllable space shared by Hangul and every romanization.

Sanctions lists print North Korean names in stripped McCune–Reischauer (``KANG Kyong
Il``), UN aliases add apostrophes for breves and aspiration (``Kyo'ng-il``,
``Ch'o'l``), North Korea writes aspiration with ``h`` and keeps initial ``R``
(``Phyong``, ``Thae``, ``Ri``), South Korea uses Revised Romanization (``Gang
Gyeong-il``) and people use popular spellings (``Lee``, ``Choi``, ``Park``,
``Moon``).  Customer data and the press may give the Hangul (``강경일``).

This module maps all of them to *canonical syllable keys*.  A key is built from
three coarse classes, one per jamo of the syllable, chosen so that the spellings of
one syllable in every system collapse to one key:

* initial consonant, voicing and aspiration neutralised: ㄱㄲㅋ → ``K``,
  ㄷㄸㅌ → ``T``, ㅂㅃㅍ → ``P``, ㅈㅉㅊ → ``C``, ㅅㅆ → ``S``, ㅎ → ``H``,
  ㅁ → ``M``, ㄴㄹ → ``N``, ㅇ → nothing.  ㄹ/ㄴ before *i* or *y* become nothing
  (리 = 이, 류 = 유, 녀 = 여 — the South Korean initial-sound rule), so ``Ri``,
  ``Lee``, ``Yi`` and ``I`` share a key, as do ``Ryong``/``Lyong``/``Yong``;
* vowel: ㅓ and ㅗ → ``O`` (stripped MR writes both ``o``), ㅜ and ㅡ → ``U``,
  ㅕ ㅛ → ``YO``, ㅐ ㅔ → ``E``, ㅒ ㅖ → ``YE``, ㅙ ㅚ ㅞ → ``WE``, ㅢ ㅣ → ``I``;
  the rest one class each (``A YA YU WA WO WI``);
* final consonant by its pronounced coda: ``K N T L M P NG`` or nothing.

The key is the concatenation, e.g. 경 → ``KYONG``, 일 → ``IL``, 최 → ``CWE``,
리 → ``I``.  Several syllables share a key (성 and 송 are both ``SONG``, 춘 and 준 ``CUN``);
that coarseness buys recall for Latin spellings, which lost the difference, and precision
is left to token rarity downstream.  Two Hangul spellings lost nothing: they meet only
as the same syllables (:func:`same_syllables`, the initial-sound rule aside).

Hangul goes to keys deterministically.  A Latin token goes to keys by
segmentation: :func:`latin_syllable_keys` enumerates every way to read it as a
sequence of Korean syllables (``kyongil`` → ``KYONG IL`` or ``KYON KIL``).  A Latin
vowel letter that is ambiguous across systems gives several keys (``u`` is ㅜ/ㅡ
in MR but ㅓ in popular ``Sung``, ``Chul``, ``Hyuk``).  Sound changes that
romanizations write (압록강 ``Amnokkang``/``Amnokgang``/``AMROGGANG``) are read
back by giving a nasal coda before a nasal the key of the obstruent it may stand
for.

The spelling tables below list, per jamo, the forms used by McCune–Reischauer
(apostrophes standing in for breves and aspiration), the DPRK's own system, Revised
Romanization and popular usage; :func:`romanize_syllable` generates from them and
:func:`latin_syllable_keys` reads with their inverse, so every generated spelling
reads back to its syllable's key.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

__all__ = [
    "hangul_syllables",
    "is_hangul",
    "korean_tokens_key",
    "latin_syllable_keys",
    "romanize_name",
    "romanize_syllable",
    "split_korean_name",
    "syllable_key",
]

# --------------------------------------------------------------------------------------
# Jamo tables
# --------------------------------------------------------------------------------------


class Jamo(NamedTuple):
    """One jamo: its key class and its spellings per romanization system.

    ``mr`` is McCune–Reischauer with ASCII apostrophes (``'``) for aspiration and for
    the breves of ŏ/ŭ; the stripped MR form (what OFAC and the UN print) is ``mr``
    without apostrophes and is generated automatically.  ``other`` holds popular and
    variant spellings.  The first ``mr`` and first ``rr`` forms are the primary ones.
    """

    jamo: str
    cls: str
    mr: tuple[str, ...]
    dprk: tuple[str, ...]
    rr: tuple[str, ...]
    other: tuple[str, ...] = ()


#: The 19 initial consonants, in Unicode order.
INITIALS: tuple[Jamo, ...] = (
    Jamo("ㄱ", "K", ("k", "g"), ("k", "g"), ("g",)),
    Jamo("ㄲ", "K", ("kk",), ("kk",), ("kk",), ("k", "g", "gg")),
    Jamo("ㄴ", "N", ("n",), ("n",), ("n",)),
    Jamo("ㄷ", "T", ("t", "d"), ("t", "d"), ("d",)),
    Jamo("ㄸ", "T", ("tt",), ("tt",), ("tt",), ("t", "d")),
    Jamo("ㄹ", "N", ("r", "l", "n"), ("r",), ("r", "l")),
    Jamo("ㅁ", "M", ("m",), ("m",), ("m",)),
    Jamo("ㅂ", "P", ("p", "b"), ("p", "b"), ("b",)),
    Jamo("ㅃ", "P", ("pp",), ("pp",), ("pp",), ("p", "b")),
    Jamo("ㅅ", "S", ("s",), ("s",), ("s",), ("sh",)),
    Jamo("ㅆ", "S", ("ss",), ("ss",), ("ss",), ("s",)),
    Jamo("ㅇ", "", ("",), ("",), ("",)),
    Jamo("ㅈ", "C", ("ch", "j"), ("j",), ("j",)),
    Jamo("ㅉ", "C", ("tch",), ("jj",), ("jj",), ("ch", "j")),
    Jamo("ㅊ", "C", ("ch'",), ("ch",), ("ch",)),
    Jamo("ㅋ", "K", ("k'",), ("kh",), ("k",)),
    Jamo("ㅌ", "T", ("t'",), ("th",), ("t",)),
    Jamo("ㅍ", "P", ("p'",), ("ph",), ("p",)),
    Jamo("ㅎ", "H", ("h",), ("h",), ("h",)),
)

#: The 21 vowels, in Unicode order.  ``o'``/``u'`` are ŏ/ŭ written with apostrophes.
VOWELS: tuple[Jamo, ...] = (
    Jamo("ㅏ", "A", ("a",), ("a",), ("a",)),
    Jamo("ㅐ", "E", ("ae",), ("ae",), ("ae",), ("ai",)),
    Jamo("ㅑ", "YA", ("ya",), ("ya",), ("ya",)),
    Jamo("ㅒ", "YE", ("yae",), ("yae",), ("yae",)),
    Jamo("ㅓ", "O", ("o'",), ("o",), ("eo",), ("u",)),
    Jamo("ㅔ", "E", ("e",), ("e",), ("e",)),
    Jamo("ㅕ", "YO", ("yo'",), ("yo",), ("yeo",), ("yu", "you")),
    Jamo("ㅖ", "YE", ("ye",), ("ye",), ("ye",)),
    Jamo("ㅗ", "O", ("o",), ("o",), ("o",)),
    Jamo("ㅘ", "WA", ("wa",), ("wa",), ("wa",)),
    Jamo("ㅙ", "WE", ("wae",), ("wae",), ("wae",)),
    Jamo("ㅚ", "WE", ("oe",), ("oe",), ("oe",), ("oi", "we")),
    Jamo("ㅛ", "YO", ("yo",), ("yo",), ("yo",)),
    Jamo("ㅜ", "U", ("u",), ("u",), ("u",), ("oo", "woo")),
    Jamo("ㅝ", "WO", ("wo'",), ("wo",), ("wo",), ("weo",)),
    Jamo("ㅞ", "WE", ("we",), ("we",), ("we",)),
    Jamo("ㅟ", "WI", ("wi",), ("wi",), ("wi",)),
    Jamo("ㅠ", "YU", ("yu",), ("yu",), ("yu",), ("yoo", "you")),
    Jamo("ㅡ", "U", ("u'",), ("u",), ("eu",)),
    Jamo("ㅢ", "I", ("u'i",), ("ui",), ("ui",), ("eui", "i", "ee")),
    Jamo("ㅣ", "I", ("i",), ("i",), ("i",), ("ee",)),
)

#: The 27 finals (index 0 = no final), in Unicode order, by pronounced coda.
FINALS: tuple[Jamo, ...] = (
    Jamo("", "", ("",), ("",), ("",)),
    Jamo("ㄱ", "K", ("k",), ("k",), ("k",)),
    Jamo("ㄲ", "K", ("k",), ("k",), ("k",)),
    Jamo("ㄳ", "K", ("k",), ("k",), ("k",)),
    Jamo("ㄴ", "N", ("n",), ("n",), ("n",)),
    Jamo("ㄵ", "N", ("n",), ("n",), ("n",)),
    Jamo("ㄶ", "N", ("n",), ("n",), ("n",)),
    Jamo("ㄷ", "T", ("t",), ("t",), ("t",)),
    Jamo("ㄹ", "L", ("l",), ("l",), ("l",)),
    Jamo("ㄺ", "K", ("k",), ("k",), ("k",)),
    Jamo("ㄻ", "M", ("m",), ("m",), ("m",)),
    Jamo("ㄼ", "L", ("l",), ("l",), ("l",)),
    Jamo("ㄽ", "L", ("l",), ("l",), ("l",)),
    Jamo("ㄾ", "L", ("l",), ("l",), ("l",)),
    Jamo("ㄿ", "P", ("p",), ("p",), ("p",)),
    Jamo("ㅀ", "L", ("l",), ("l",), ("l",)),
    Jamo("ㅁ", "M", ("m",), ("m",), ("m",)),
    Jamo("ㅂ", "P", ("p",), ("p",), ("p",)),
    Jamo("ㅄ", "P", ("p",), ("p",), ("p",)),
    Jamo("ㅅ", "T", ("t",), ("t",), ("t",)),
    Jamo("ㅆ", "T", ("t",), ("t",), ("t",)),
    Jamo("ㅇ", "NG", ("ng",), ("ng",), ("ng",)),
    Jamo("ㅈ", "T", ("t",), ("t",), ("t",)),
    Jamo("ㅊ", "T", ("t",), ("t",), ("t",)),
    Jamo("ㅋ", "K", ("k",), ("k",), ("k",)),
    Jamo("ㅌ", "T", ("t",), ("t",), ("t",)),
    Jamo("ㅍ", "P", ("p",), ("p",), ("p",)),
    Jamo("ㅎ", "T", ("t",), ("t",), ("t",)),
)

#: Popular and official spellings of surnames that the jamo rules do not produce
#: (``Park``, ``Rhee``, ``Goh``, ``Ahn``, ``Hur`` …), plus the common ones for
#: reference.  A surname pair written with ㄹ in the North and without it in the South
#: (리/이, 림/임, 류/유, 로/노, 라/나, 량/양, 렴/염, 려/여) shares one entry.
SURNAME_SPELLINGS: dict[str, tuple[str, ...]] = {
    "김": ("kim", "gim"),
    "이 리": ("ri", "lee", "yi", "i", "rhee", "li", "rie", "yee"),
    "박": ("pak", "park", "bak", "bahk", "pahk"),
    "최": ("choe", "choi", "chwe", "ch'oe"),
    "정": ("jong", "chong", "jung", "chung", "jeong", "cheong"),
    "강": ("kang", "gang"),
    "조": ("jo", "cho"),
    "장": ("jang", "chang"),
    "주": ("ju", "chu", "joo", "choo"),
    "구": ("ku", "koo", "gu", "goo"),
    "고": ("ko", "go", "goh", "koh"),
    "배": ("pae", "bae"),
    "문": ("mun", "moon"),
    "백": ("paek", "baek", "paik", "baik"),
    "윤": ("yun", "yoon", "youn"),
    "임 림": ("im", "rim", "lim", "yim"),
    "유 류": ("ryu", "yu", "yoo", "lyu", "you", "ryoo"),
    "노 로": ("ro", "no", "noh", "roh"),
    "오": ("o", "oh"),
    "안": ("an", "ahn"),
    "신": ("sin", "shin"),
    "심": ("sim", "shim"),
    "서": ("so", "seo", "suh"),
    "손": ("son", "sohn"),
    "허": ("ho", "heo", "hur", "huh"),
    "전": ("jon", "chon", "jeon", "jun", "chun", "cheon"),
    "천": ("chon", "cheon", "chun", "ch'on"),
    "현": ("hyon", "hyeon", "hyun"),
    "우": ("u", "woo"),
    "권": ("kwon", "gwon", "kweon"),
    "곽": ("kwak", "gwak"),
    "양 량": ("ryang", "yang", "lyang"),
    "나 라": ("ra", "na", "la"),
    "염 렴": ("ryom", "yom", "yeom"),
    "여 려": ("ryo", "yo", "yeo", "yuh"),
    "변": ("pyon", "byun", "byeon", "pyun"),
    "표": ("pyo", "phyo", "p'yo"),
    "태": ("thae", "tae", "t'ae"),
    "탁": ("thak", "tak", "t'ak"),
    "엄": ("om", "eom", "um"),
    "채": ("chae", "chai"),
    "지": ("ji", "chi", "jee"),
    "진": ("jin", "chin"),
    "두": ("tu", "du", "doo"),
}

#: Two-syllable surnames; any other name starts with a one-syllable surname.
COMPOUND_SURNAMES: frozenset[str] = frozenset({"남궁", "황보", "선우", "제갈", "독고", "사공"})

_SBASE, _SLAST = 0xAC00, 0xD7A3
_N_VOWELS, _N_FINALS = 21, 28

# ㄹ/ㄴ initials drop before these vowel classes (South Korean initial-sound rule).
_IY_VOWELS = frozenset({"I", "YA", "YE", "YO", "YU"})
_APOSTROPHES = "'’‘ʼ`´′ʻ"  # the look-alikes lists and keyboards use
_BREVES = ("\u0306", "\u030c")  # combining breve, caron (ŏ ŭ and their ǒ ǔ stand-ins)

# --------------------------------------------------------------------------------------
# Hangul
# --------------------------------------------------------------------------------------


def _is_syllable(ch: str) -> bool:
    """Whether `ch` is one precomposed Hangul syllable."""
    return len(ch) == 1 and _SBASE <= ord(ch) <= _SLAST


def _is_hangul_char(ch: str) -> bool:
    """Whether `ch` is a Hangul syllable or jamo (any Hangul block)."""
    o = ord(ch)
    return (
        _SBASE <= o <= _SLAST
        or 0x1100 <= o <= 0x11FF
        or 0x3130 <= o <= 0x318F
        or 0xA960 <= o <= 0xA97F
        or 0xD7B0 <= o <= 0xD7FF
    )


def _decompose(syllable: str) -> tuple[int, int, int]:
    """Indexes (initial, vowel, final) of a precomposed Hangul syllable."""
    index = ord(syllable) - _SBASE
    return index // (_N_VOWELS * _N_FINALS), (index // _N_FINALS) % _N_VOWELS, index % _N_FINALS


def is_hangul(text: str) -> bool:
    """True if `text` has Hangul and no letters of any other script."""
    if text.isascii():
        return False
    text = unicodedata.normalize("NFC", text)
    letters = [ch for ch in text if unicodedata.category(ch).startswith("L")]
    return bool(letters) and all(_is_hangul_char(ch) for ch in letters)


def hangul_syllables(text: str) -> list[str]:
    """The precomposed Hangul syllables of `text`, in order ('강경일' → ['강','경','일'])."""
    return [ch for ch in unicodedata.normalize("NFC", text) if _is_syllable(ch)]


_LIQUID_NASAL = frozenset({"ㄹ", "ㄴ"})


def same_syllables(a: str, b: str) -> bool:
    """True if two Hangul spellings hold the same syllables, but for the initial-sound
    rule (리 = 이, 류 = 유, 로 = 노: North and South Korean spellings of one name).

    The coarse syllable key serves Latin spellings, which lost what it merges (stripped
    MR writes 성 and 송 both ``song``); two Hangul spellings lost nothing, so 성 ≠ 송."""
    sa, sb = hangul_syllables(a), hangul_syllables(b)
    return len(sa) == len(sb) and all(
        x == y or _initial_sound_pair(x, y) for x, y in zip(sa, sb, strict=True)
    )


def _initial_sound_pair(x: str, y: str) -> bool:
    """True if two different syllables differ only as the initial-sound rule spells one:
    ㄹ ↔ ㄴ before any vowel, ㄹ/ㄴ ↔ silent ㅇ before i or y."""
    ix, vx, fx = _decompose(x)
    iy, vy, fy = _decompose(y)
    if (vx, fx) != (vy, fy):
        return False
    initials = {INITIALS[ix].jamo, INITIALS[iy].jamo}
    if initials == _LIQUID_NASAL:
        return True
    return VOWELS[vx].cls in _IY_VOWELS and "ㅇ" in initials and bool(initials & _LIQUID_NASAL)


def split_korean_name(hangul: str) -> tuple[str, str]:
    """Split a Hangul name into (surname, given name).

    A space, where present, is the split.  Otherwise the first syllable is the surname,
    or the first two when they form one of the two-syllable surnames (남궁, 황보, 선우,
    제갈, 독고, 사공) and a given name follows.  Non-Hangul input gives ('', '').
    """
    words = [w for w in [hangul_syllables(part) for part in hangul.split()] if w]
    if not words:
        return "", ""
    if len(words) > 1:
        return "".join(words[0]), "".join(itertools.chain.from_iterable(words[1:]))
    syllables = words[0]
    cut = 2 if len(syllables) > 2 and "".join(syllables[:2]) in COMPOUND_SURNAMES else 1
    return "".join(syllables[:cut]), "".join(syllables[cut:])


# --------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------


def _key(initial: str, vowel: str, final: str) -> str:
    """Canonical key from the three classes, applying the ㄹ/ㄴ-before-i/y rule."""
    if initial == "N" and vowel in _IY_VOWELS:
        initial = ""
    return initial + vowel + final


def syllable_key(syllable: str) -> str:
    """Canonical key of one Hangul syllable (경 → 'KYONG'); '' for anything else."""
    if not _is_syllable(syllable):
        return ""
    i, v, f = _decompose(syllable)
    return _key(INITIALS[i].cls, VOWELS[v].cls, FINALS[f].cls)


# --------------------------------------------------------------------------------------
# Hangul → Latin
# --------------------------------------------------------------------------------------


def _ordered(jamo: Jamo) -> list[str]:
    """All spellings of a jamo, primary stripped MR and RR first, no duplicates."""
    forms: list[str] = []
    for form in (
        jamo.mr[0].replace("'", ""),
        jamo.rr[0],
        *jamo.mr,
        *[f.replace("'", "") for f in jamo.mr],
        *jamo.dprk,
        *jamo.rr,
        *jamo.other,
    ):
        if form not in forms:
            forms.append(form)
    return forms


def _initial_forms(i: int, v: int) -> list[str]:
    """Spellings of initial `i` before vowel `v`, with the contextual forms.

    ``sh`` for ㅅ only before ㅣ/ㅟ (``Shin``, MR ``shwi``); ㄹ and ㄴ may be dropped
    before i/y (South Korean 이, 유, 여 for 리, 류, 려/녀).
    """
    forms = _ordered(INITIALS[i])
    if INITIALS[i].jamo == "ㅅ" and VOWELS[v].jamo not in ("ㅣ", "ㅟ"):
        forms.remove("sh")
    if INITIALS[i].jamo in ("ㄹ", "ㄴ") and VOWELS[v].cls in _IY_VOWELS:
        forms.append("")
    return forms


def _vowel_forms(v: int, initial: str) -> list[str]:
    """Spellings of vowel `v` after the spelled initial `initial`.

    ``woo`` (우) stands alone; ``ee`` and the plain ``i`` of ㅢ follow a consonant
    (``Lee``, ``Hee``, 희 → ``hi``).
    """
    forms = _ordered(VOWELS[v])
    vowel = VOWELS[v].jamo
    if initial:
        forms = [f for f in forms if f != "woo"]
    else:
        forms = [f for f in forms if f != "ee" and not (vowel == "ㅢ" and f == "i")]
    return forms


def _primary_spellings(syllable: str) -> list[str]:
    """The stripped-MR form lists print, then the RR form if it differs."""
    i, v, f = _decompose(syllable)
    mr = INITIALS[i].mr[0] + VOWELS[v].mr[0] + FINALS[f].mr[0]
    rr = INITIALS[i].rr[0] + VOWELS[v].rr[0] + FINALS[f].rr[0]
    stripped = mr.replace("'", "")
    return [stripped] if rr == stripped else [stripped, rr]


def _generic_spellings(syllable: str) -> list[str]:
    """Every systematic spelling of a Hangul syllable, primary forms first.

    Popular ``ee`` for ㅣ/ㅢ ends a syllable (``Lee``, ``Hee``), it is not used before
    a final consonant.
    """
    i, v, f = _decompose(syllable)
    out = _primary_spellings(syllable)
    finals = _ordered(FINALS[f])
    for initial in _initial_forms(i, v):
        for vowel in _vowel_forms(v, initial):
            if vowel == "ee" and FINALS[f].jamo:
                continue
            for final in finals:
                form = initial + vowel + final
                if form not in out:
                    out.append(form)
    return out


def _surname_table() -> dict[str, tuple[str, ...]]:
    """SURNAME_SPELLINGS keyed by single syllable."""
    table: dict[str, tuple[str, ...]] = {}
    for syllables, spellings in SURNAME_SPELLINGS.items():
        for syllable in syllables.split():
            table[syllable] = spellings
    return table


_SURNAMES_BY_SYLLABLE = _surname_table()


@lru_cache(maxsize=4096)
def _spellings(syllable: str, surname: bool) -> tuple[str, ...]:
    """Ordered spellings: stripped MR, RR, then (for a surname) the surname table's."""
    out = _primary_spellings(syllable)
    surname_forms = _SURNAMES_BY_SYLLABLE.get(syllable, ()) if surname else ()
    for form in [*surname_forms, *_generic_spellings(syllable)]:
        if form not in out:
            out.append(form)
    return tuple(out)


def romanize_syllable(s: str, *, surname: bool = False) -> frozenset[str]:
    """Every realistic lowercase ASCII spelling of one Hangul syllable.

    MR (apostrophes for aspiration and breves, and stripped), DPRK, RR and popular
    forms: '경' → {'kyong', 'kyo'ng', 'gyeong', 'kyung', 'kyoung', ...}.  With
    ``surname=True`` the popular surname forms are added (이 → 'lee', 'rhee', 'yi' …).
    Anything but one Hangul syllable gives an empty set.
    """
    if not _is_syllable(s):
        return frozenset()
    return frozenset(_spellings(s, surname))


def romanize_name(hangul: str) -> list[list[str]]:
    """Per syllable of a Hangul name, its spellings (surname syllable with surname forms).

    Each list starts with the stripped-MR form lists print, then the RR form; the
    order of the rest is stable but carries no meaning.  Non-Hangul input gives [].
    """
    surname, given = split_korean_name(hangul)
    single = len(surname) == 1
    return [list(_spellings(s, single)) for s in surname] + [
        list(_spellings(s, False)) for s in given
    ]


# --------------------------------------------------------------------------------------
# Latin → keys
# --------------------------------------------------------------------------------------

# Cost of a reading: 1 per syllable plus these penalties, so that plain readings
# with fewer syllables come first.
_COST_SYLLABLE = 1.0
_COST_ALT_VOWEL = 0.05  # the less usual class of an ambiguous vowel spelling
_COST_SOUND_CHANGE = 0.1  # nasal coda read as the obstruent it assimilated from
_COST_GEMINATE = 0.2  # coda g/b/d doubling the next initial ('AMROGGANG')
_COST_SILENT_H = 0.3  # 'Goh', 'Suh', 'Ahn'
_COST_CODA_R = 0.2  # MR ㄹ before a vowel ('Ch'o'rwo'n')
_COST_N_G_SPLIT = 0.1  # 'ng' is a coda unless written n'g / n-g: kyongil = KYONG IL
_MAX_READINGS = 64  # per token part, best first
_MAX_SEGMENTATIONS = 16  # syllable cuts kept per position while parsing
_MAX_SEQUENCES = 256  # per name in korean_tokens_key

Option = tuple[str, float]  # a syllable key and the cost of reading it so
Reading = tuple[float, tuple[str, ...]]  # a key sequence and its cost


def _ascii_breves(form: str) -> str:
    """MR apostrophe-breve spelling to the letters a normalised token has (o' → eo)."""
    return re.sub(r"(?<!e)([ou])'", lambda m: "e" + m.group(1), form).replace("'", "")


def _latin_initials() -> dict[str, str]:
    """Latin initial spelling → class, from INITIALS plus reading-only variants."""
    table = {f.replace("'", ""): j.cls for j in INITIALS for f in _ordered(j)}
    table.update({"rh": "N", "ts": "C", "dd": "T", "bb": "P"})
    return table


def _latin_vowels() -> dict[str, tuple[Option, ...]]:
    """Latin vowel spelling → ((class, cost), ...), from VOWELS plus reading variants.

    A spelling used for several vowel classes lists them all, cheapest (the class the
    spelling writes in MR, DPRK or RR) first: ``u`` is ㅜ/ㅡ in MR and ㅓ in popular
    spellings (``Sung``, ``Chul``).
    """
    table: dict[str, dict[str, float]] = {}
    for jamo in VOWELS:
        for form in _ordered(jamo):
            primary = form in jamo.mr or form in jamo.dprk or form in jamo.rr
            classes = table.setdefault(_ascii_breves(form), {})
            cost = 0.0 if primary else _COST_ALT_VOWEL
            classes[jamo.cls] = min(classes.get(jamo.cls, cost), cost)
    for spelled, cls in (("ou", "O"), ("ou", "U"), ("ui", "WI"), ("wu", "U"), ("yi", "I")):
        table.setdefault(spelled, {}).setdefault(cls, _COST_ALT_VOWEL)
    return {k: tuple(sorted(v.items(), key=lambda c: c[1])) for k, v in table.items()}


# Vowel spellings that stand only without an initial consonant (우 'woo', 이 'yi').
_NULL_ONLY_VOWELS = frozenset({"yi", "woo", "wu"})
# Vowel spellings after which an 'h' may be silent ('Goh', 'Suh', 'Ahn', 'Yuh').
_SILENT_H_VOWELS = frozenset({"a", "o", "u", "eo", "yu", "yo"})
_FINAL_READ: dict[str, str] = {
    "": "",
    "ng": "NG",
    "n": "N",
    "k": "K",
    "l": "L",
    "m": "M",
    "p": "P",
    "t": "T",
}
# A coda letter doubling the next initial, as some lists write (AMROGGANG = 압록강),
# with the letters that must follow it.
_GEMINATE_FINALS: dict[str, tuple[str, str]] = {
    "g": ("K", "gk"),
    "b": ("P", "bp"),
    "d": ("T", "dt"),
}
# A nasal coda before a nasal may write an assimilated obstruent (백령 Paengnyong,
# 십리 simni, 압록 amnok); ㄹ before ㄹ may write ㄴ (신라 Silla).
_ASSIMILATED: dict[str, tuple[str, str]] = {
    "NG": ("K", "mnrl"),
    "M": ("P", "mnrl"),
    "N": ("T", "mnrl"),
    "L": ("N", "rl"),
}
_LATIN_VOWEL_LETTERS = "aeiouwy"
_LATIN_CONSONANTS = "bcdghjklmnprst"
# Letters any Korean romanization uses; 'c' only in 'ch'.
_LATIN_KOREAN_LETTERS = frozenset(_LATIN_VOWEL_LETTERS + _LATIN_CONSONANTS)
_STRAY_C = re.compile("c(?!h)")


class _Spelled(NamedTuple):
    """One way to read a Latin letter string as one syllable.

    ``options`` are its (key, cost) readings; ``before`` the letters that may follow
    it (``None``: any letter) and ``at_end`` whether it may end the token;
    ``assimilated`` the extra options when one of ``assimilated_before`` follows.
    """

    options: tuple[Option, ...]
    before: str | None
    at_end: bool
    assimilated: tuple[Option, ...]
    assimilated_before: str


def _spelled_syllables() -> dict[str, tuple[_Spelled, ...]]:
    """Every Latin spelling of a syllable → its readings, built from the tables."""
    # (spelled, class, cost, letters that may follow, may end token, is a silent h)
    codas: list[tuple[str, str, float, str | None, bool, bool]] = []
    for spelled, cls in _FINAL_READ.items():
        codas.append((spelled, cls, 0.0, None, True, False))
        if spelled in ("", "n"):  # a lone silent h is not the initial of a next syllable
            before = _LATIN_CONSONANTS if not spelled else None
            codas.append(("h" + spelled, cls, _COST_SILENT_H, before, True, True))
    for spelled, (cls, before) in _GEMINATE_FINALS.items():
        codas.append((spelled, cls, _COST_GEMINATE, before, False, False))
    codas.append(("r", "L", _COST_CODA_R, _LATIN_VOWEL_LETTERS, False, False))
    table: dict[str, list[_Spelled]] = {}
    for initial, init_cls in {**_latin_initials(), "": ""}.items():
        for vowel, vowel_options in _VOWEL_READ.items():
            if initial and vowel in _NULL_ONLY_VOWELS:
                continue
            for coda, fin_cls, fin_cost, before, at_end, silent_h in codas:
                if silent_h and vowel not in _SILENT_H_VOWELS:
                    continue
                options = tuple(
                    (_key(init_cls, v_cls, fin_cls), _COST_SYLLABLE + v_cost + fin_cost)
                    for v_cls, v_cost in vowel_options
                )
                alt_cls, alt_before = _ASSIMILATED.get(fin_cls, ("", ""))
                assimilated = tuple(
                    (_key(init_cls, v_cls, alt_cls), cost + _COST_SOUND_CHANGE)
                    for (v_cls, _), (_, cost) in zip(vowel_options, options, strict=True)
                    if alt_cls
                )
                entry = _Spelled(options, before, at_end, assimilated, alt_before)
                table.setdefault(initial + vowel + coda, []).append(entry)
    return {k: tuple(v) for k, v in table.items()}


_VOWEL_READ = _latin_vowels()
_SPELLED = _spelled_syllables()
_LONGEST_SPELLING = max(map(len, _SPELLED))


@lru_cache(maxsize=1)
def _stems() -> dict[str, tuple[_Spelled, ...]]:
    """Every spelling and every beginning of one (those with no readings of their own), so a
    parse stops lengthening a syllable as soon as no spelling starts with its letters.
    Built on the first parse, not at import (a process may never parse a Latin token)."""
    return {
        **{spelling[:k]: () for spelling in _SPELLED for k in range(1, len(spelling))},
        **_SPELLED,
    }


def _inverse_surnames() -> dict[str, frozenset[str]]:
    """Surname-table spelling (apostrophes read as a token is) → keys of its syllables."""
    table: dict[str, set[str]] = {}
    for syllable, spellings in _SURNAMES_BY_SYLLABLE.items():
        for spelling in spellings:
            table.setdefault(_ascii_breves(spelling), set()).add(syllable_key(syllable))
    return {k: frozenset(v) for k, v in table.items()}


_SURNAME_READ = _inverse_surnames()


def _spelling_trigrams(spellings: Iterable[str]) -> frozenset[str]:
    """Every three-letter string that can occur in a run of syllable spellings written one
    after another. A part holding any other trigram cannot be cut into syllables, so it is
    rejected before parsing: 28k of the 49k vocabulary tokens that pass the letter checks
    and have no reading. With `_stems` and the cheapest cost taken once per syllable,
    Korean keys of a quarter of the index vocabulary cost 2.8 G instructions instead of
    3.2 G (callgrind)."""
    spelled = list(spellings)
    first = {s[0] for s in spelled if s}
    two = {s[:2] for s in spelled if len(s) >= 2} | {
        s + c for s in spelled if len(s) == 1 for c in first
    }
    inner = {s[i : i + 3] for s in spelled for i in range(len(s) - 2)}
    tails = {s[i:] for s in spelled for i in range(max(0, len(s) - 2), len(s))}
    across = {t + c for t in tails if len(t) == 2 for c in first}
    across |= {t + p for t in tails if len(t) == 1 for p in two}
    return frozenset(inner | across)


@lru_cache(maxsize=1)
def _trigrams() -> frozenset[str]:
    """`_spelling_trigrams` of the syllable table, built on the first parse."""
    return _spelling_trigrams(_SPELLED)


def _may_segment(part: str) -> bool:
    """False if `part` holds a trigram no run of syllable spellings holds (a necessary
    condition of `_segmentations` finding any cut, checked far faster)."""
    trigrams = _trigrams()
    return all(part[i : i + 3] in trigrams for i in range(len(part) - 2))


def _syllables_at(s: str, i: int) -> list[tuple[int, tuple[Option, ...]]]:
    """Syllables spelled at `s[i:]`: (end position, their (key, cost) options)."""
    out: list[tuple[int, tuple[Option, ...]]] = []
    n = len(s)
    split = _COST_N_G_SPLIT if i and s[i - 1] == "n" and s[i] == "g" else 0.0
    stems = _stems()
    for end in range(i + 1, min(n, i + _LONGEST_SPELLING) + 1):
        entries = stems.get(s[i:end])
        if entries is None:
            break  # no spelling starts with these letters, so none longer does
        nxt = s[end] if end < n else ""
        for entry in entries:
            if not nxt and not entry.at_end:
                continue
            if nxt and entry.before is not None and nxt not in entry.before:
                continue
            options = entry.options
            if nxt and entry.assimilated and nxt in entry.assimilated_before:
                options += entry.assimilated
            if split:
                options = tuple((key, cost + split) for key, cost in options)
            out.append((end, options))
    return out


def _segmentations(part: str) -> list[tuple[float, tuple[tuple[Option, ...], ...]]]:
    """Cheapest ways to cut `part` into syllables, each syllable with its key options.

    Only positions reachable from the start are parsed; each position keeps its
    _MAX_SEGMENTATIONS cheapest continuations (cost = sum of the cheapest options).
    """
    n = len(part)
    edges: dict[int, list[tuple[int, tuple[Option, ...]]]] = {}
    stack = [0]
    while stack:
        i = stack.pop()
        if i in edges or i == n:
            continue
        edges[i] = _syllables_at(part, i)
        stack.extend(map(itemgetter(0), edges[i]))
    best: dict[int, list[tuple[float, tuple[tuple[Option, ...], ...]]]] = {n: [(0.0, ())]}
    for i in sorted(edges, reverse=True):
        paths = []
        for end, options in edges[i]:
            rests = best.get(end)
            if rests:
                cheapest = min(map(itemgetter(1), options))  # once per syllable, not per path
                paths += [(cheapest + cost, (options, *rest)) for cost, rest in rests]
        paths.sort(key=itemgetter(0))
        best[i] = paths[:_MAX_SEGMENTATIONS]
    return best.get(0, [])


def forget_cached() -> None:
    """Empty the memo caches of romanization readings (see `normalize.forget_cached`)."""
    _part_readings.cache_clear()
    _token_readings.cache_clear()


@lru_cache(maxsize=262_144)
def _part_readings(part: str) -> tuple[Reading, ...]:
    """Best readings of one normalised letters-only part, cheapest first."""
    if not _LATIN_KOREAN_LETTERS.issuperset(part) or _STRAY_C.search(part):
        return ()
    best: dict[tuple[str, ...], float] = {}
    for _, syllables in _segmentations(part) if _may_segment(part) else ():
        for combo in itertools.product(*syllables):
            seq, costs = zip(*combo, strict=True)
            cost = sum(costs)
            if cost < best.get(seq, float("inf")):
                best[seq] = cost
    for key in _SURNAME_READ.get(part, ()):
        best[(key,)] = min(best.get((key,), float("inf")), _COST_SYLLABLE)
    return tuple(sorted((c, s) for s, c in best.items())[:_MAX_READINGS])


def _normalise_latin(token: str) -> list[str] | None:
    """Lowercase ASCII parts of a Latin token, breves/apostrophes resolved.

    ŏ/ŭ (and o'/u') become eo/eu, other apostrophes and diacritics go; hyphens,
    dots and other separators split parts.  None if the token has digits or letters
    of another script.
    """
    if token.isascii() and token.isalpha():
        return [token.lower()]
    text = unicodedata.normalize("NFD", token).lower()
    for breve in _BREVES:
        text = text.replace("o" + breve, "eo").replace("u" + breve, "eu")
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "'")
    text = _ascii_breves(text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    if any(ch.isdigit() or (ch.isalpha() and not ("a" <= ch <= "z")) for ch in text):
        return None
    return [part for part in re.split(r"[^a-z]+", text) if part]


def _combine(
    left: tuple[Reading, ...], right: tuple[Reading, ...], limit: int
) -> tuple[Reading, ...]:
    """Concatenations of two reading lists, cheapest `limit` distinct sequences."""
    best: dict[tuple[str, ...], float] = {}
    for lc, ls in left:
        for rc, rs in right:
            seq = ls + rs
            if lc + rc < best.get(seq, float("inf")):
                best[seq] = lc + rc
    return tuple(sorted((c, s) for s, c in best.items())[:limit])


@lru_cache(maxsize=262_144)
def _token_readings(token: str) -> tuple[Reading, ...]:
    """Readings of a whole token (Hangul or Latin), hyphenated parts concatenated."""
    if is_hangul(token):
        keys = tuple(syllable_key(s) for s in hangul_syllables(token))
        return ((_COST_SYLLABLE * len(keys), keys),) if keys else ()
    parts = _normalise_latin(token)
    if not parts:
        return ()
    if len(parts) == 1:  # `_combine` with the empty reading would give them unchanged
        return _part_readings(parts[0])
    readings: tuple[Reading, ...] = ((0.0, ()),)
    for part in parts:
        readings = _combine(readings, _part_readings(part), _MAX_READINGS)
        if not readings:
            return ()
    return readings


def latin_syllable_keys(token: str) -> list[tuple[str, ...]]:
    """Every reading of a Latin token as a sequence of Korean syllable keys, best first.

    'kyongil' → [('KYONG', 'IL'), ('KYON', 'KIL'), ...]; "Kyo'ng-il", 'gyeong-il',
    'kyŏngil' give the same first reading.  Hyphens and dots split syllables, curly
    or straight apostrophes mark breves or aspiration.  [] when the token cannot be
    read as Korean ('smith') or is not Latin.  Memoised: cheap on repeated tokens.
    """
    if is_hangul(token):
        return []
    return [seq for _, seq in _token_readings(token)]


def korean_tokens_key(tokens: list[str]) -> list[tuple[str, ...]] | None:
    """Key sequences of a name given as tokens (Latin or Hangul), best first.

    Tokens are read in the order given and their readings concatenated, so
    ``['Kang', 'Kyong', 'Il']``, ``['Kang', 'Kyongil']`` and ``['강경일']`` share
    ('KANG', 'KYONG', 'IL').  None if no token is given or any token cannot be read
    as Korean.
    """
    if not tokens:
        return None
    readings: tuple[Reading, ...] = ((0.0, ()),)
    for token in tokens:
        token_readings = _token_readings(token)
        if not token_readings:
            return None
        readings = _combine(readings, token_readings, _MAX_SEQUENCES)
    return [seq for _, seq in readings] or None
