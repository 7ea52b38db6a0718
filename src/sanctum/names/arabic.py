"""Arabic-script names against Latin ones: how a word read from the Arabic script may be
romanized (`abjad_readings`), the keys retrieval looks such words up by (`abjad_keys`,
`abjad_table_key`), and when one may be a Latin word (`abjad_meets`, `abjad_fits`).

The letters themselves are read into Latin by `names.normalize` (`tokenize`); these tables
say what the script leaves unwritten or writes one way for several spellings.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice, product

from sanctum import config
from sanctum.names.normalize import (
    abjad_frame,
    abjad_frame_uncached,
    skeleton_keys,
    without_ta_marbuta,
)

_ABJAD_VOWELS = {"a": "ae", "i": "iey", "u": "uow"}
"""What a vowel letter read from the Arabic script may be written as in Latin: alif (and
a final ta marbuta or alif maqsura) a or e, yeh i, e or y (`سيف` Saif, Sayf, Seif), waw
u, o or w (`نور` Nur, Noor)."""
_DIPHTHONGS = frozenset({"ai", "ay", "ei", "ey", "au", "aw", "ow", "oi", "oy"})
"""Latin vowel groups that stand for a yeh or waw, which the Arabic script writes."""


_NO_VOWELS = str.maketrans("", "", "aeiouyw")
_LETTER_RUN = re.compile(r"(.)\1+")


def abjad_table_key(latin: str) -> str | None:
    """The key under which the index files a Latin token for `abjad_meets`: its consonants
    (`abjad_frame`), when the skeleton table cannot find it: its skeleton is shorter
    than MIN_SKELETON (`saif` → sf, `habib` → hbb: skeleton hb). Uncached: the index
    build asks once per vocabulary token, most of which have too many consonants to be
    read at all (counted in C: letters other than vowels, y and w, a run of one letter
    once; the skeleton holds at least these)."""
    if len(_LETTER_RUN.sub(r"\1", latin.translate(_NO_VOWELS))) >= config.MIN_SKELETON:
        return None
    frame = abjad_frame_uncached(latin)
    if (
        frame
        and len(frame[0]) >= config.MIN_ABJAD_CONSONANTS
        and len(_skeleton_key(frame[0])) < config.MIN_SKELETON
    ):
        return frame[0]
    return None


_DIGRAPH_READINGS = {"dh": ("dh", "z", "d"), "th": ("th", "s", "t"), "sh": ("sh", "ch")}
"""Letters romanized in more than one way, as Persian and Urdu say them otherwise than
Arabic and French spellings write them otherwise than English: `ذ` and `ض` dh, z or d
(ذاکر Zakir, رضا Reza, رمضان Ramadan), `ث` th, s or t (ثناء Sana, عثمان Usman, Othman),
`ش` sh or ch (عكاشة Akkacha)."""
_PARTICLE_READINGS = {"al": ("al", "el", "ul"), "wld": ("wld", "uld")}
"""Words of names romanized by custom rather than letter by letter: the article (`El
Khairy`, `Harakat ul-Jihad`) and `ولد` son of (`Ould` in Mauritanian names)."""
_LETTER_READINGS = {"j": ("j", "dj", "g"), "q": ("q", "k", "g", "gh")}
"""`ج` j, dj or g (جمال Jamal, Djamel, Gamal), `ق` q, k, g or gh (قاسم Qasim, Kassem,
بلقاسم Belgacem, باقری Bagheri)."""


@lru_cache(maxsize=100_000)
def abjad_readings(arabic: str) -> tuple[str, ...]:
    """The ways a token read from the Arabic script may be romanized, itself first:
    - each `_DIGRAPH_READINGS` and `_LETTER_READINGS` letter;
    - a waw after the first letter as u or w, whichever it was not read as (`انور` anur
      Anwar, `جوادي` jwadi Djouadi), a yeh read as the consonant y as the vowel i (`نايل`
      nayl Nail); not a yeh read as i, which `سید` (Sayyid) and `سعيد` (Saeed, its ain
      unwritten) share;
    - the particles of `_PARTICLE_READINGS`;
    - in a word of two consonants or more, a final yeh (or alif maqsura) as i, a or the
      y of Egyptian spellings (`مرتضی` Morteza, `موسى` Musa, `حقانى` Haqqani, `الخيري`
      Khairy), a final a as a or at;
    - `allah` inside a word with or without its alif (`فیضالله` Faizullah, Faizallah), a
      final `aldin` with or without its article (`نورالدين` Nuruddin), a final heh after a
      consonant as ah or a.
    At most MAX_ABJAD_READINGS."""
    if arabic in _PARTICLE_READINGS:
        return _PARTICLE_READINGS[arabic]
    pieces: list[tuple[str, ...]] = []
    i, last = 0, len(arabic) - 1
    final_a = len(arabic.translate(_NO_VOWELS)) >= 2  # `علی` Ali is not Ala
    while i <= last:
        if i and arabic.startswith("allah", i):
            pieces.append(("allah", "llah"))
            i += 5
        elif i and i + 4 == last and arabic.endswith("aldin"):
            pieces.append(("aldin", "din"))
            i += 5
        elif i and i + 1 == last and arabic.endswith("ah"):
            pieces.append(("ah", "a"))  # a final heh written for ta marbuta: `شحاته` Shihata
            i += 2
        elif (two := _DIGRAPH_READINGS.get(arabic[i : i + 2])) is not None:
            pieces.append(two)
            i += 2
        else:
            ch = arabic[i]
            if i and ch == "u":
                pieces.append(("u", "w"))
            elif i and ch == "i":
                pieces.append(("i", "a", "y") if i == last and final_a else ("i",))
            elif i and ch == "a" and i == last and final_a:
                pieces.append(("a", "at"))  # ta marbuta before a noun: `عصبة` Asbat al-
            elif i and ch in "yw":
                pieces.append((ch, "i" if ch == "y" else "u"))
            else:
                pieces.append(_LETTER_READINGS.get(ch, (ch,)))
            i += 1
    return tuple(islice(map("".join, product(*pieces)), config.MAX_ABJAD_READINGS))


@lru_cache(maxsize=100_000)
def abjad_keys(arabic: str) -> tuple[tuple[str, bool], ...]:
    """The keys by which `abjad_meets` looks a token read from the Arabic script up, one
    per distinct reading (`abjad_readings`), each with whether it is a skeleton: the
    skeleton of its consonants from MIN_SKELETON letters on (`dawd` → dwd), else the
    consonants, as `abjad_table_key` files Latin tokens (`sif` → sf, `hbib` → hbb).
    Readings of fewer than MIN_ABJAD_CONSONANTS consonants give none."""
    keys: dict[tuple[str, bool], None] = {}
    for consonants in _readings_by_consonants(arabic):
        if len(consonants) >= config.MIN_ABJAD_CONSONANTS:
            key = _skeleton_key(consonants)
            if len(key) >= config.MIN_SKELETON:
                keys[key, True] = None
            else:
                keys[consonants, False] = None
    return tuple(keys)


@lru_cache(maxsize=100_000)
def _readings_by_consonants(arabic: str) -> dict[str, tuple[str, ...]]:
    """`abjad_readings` by the consonants of their frames: only readings with a Latin
    token's consonants can fit it."""
    out: dict[str, list[str]] = {}
    for reading in abjad_readings(arabic):
        frame = abjad_frame(reading, False)
        if frame:
            out.setdefault(frame[0], []).append(reading)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=100_000)
def abjad_meets(arabic: str, latin: str) -> bool:
    """True if a token read from the Arabic script, in one of its readings
    (`abjad_readings`), is the Latin token or may be (`abjad_fits`), a Latin ta marbuta
    read without its h."""
    if latin in abjad_readings(arabic):
        return True
    by = _readings_by_consonants(arabic)
    bare = without_ta_marbuta(latin)
    for target in (latin,) if bare is None else (latin, bare):
        frame = abjad_frame(target)
        if frame and any(abjad_fits(r, target) for r in by.get(frame[0], ())):
            return True
    return False


@lru_cache(maxsize=100_000)
def _skeleton_key(consonants: str) -> str:
    """An abjad frame's consonants as `skeleton` writes them: a letter repeated across a
    vowel once (`habib` h-b-b → hb), as the skeleton table files Latin tokens."""
    return _LETTER_RUN.sub(r"\1", consonants)


def abjad_fits(arabic: str, latin: str) -> bool:
    """True if a token read from the Arabic script (`sif`, `amr`, `dawd`) may be the Latin
    token (`saif`, `omar`, `dawud`): the same consonants, and vowels the script does not
    write. Its vowel letters (alif, waw, yeh: `_ABJAD_VOWELS`) must appear in the Latin
    vowel group at their place; where it writes none, Latin may write a short vowel or
    two letters, not a diphthong (`سعد` Saad, not Said); a word-initial a (alif or ain)
    is any vowel (`عمر` Omar, Umar). Used only between an Arabic-script name and a Latin
    one (`name_score`): two Latin spellings differ in vowels for other reasons. Words of
    one consonant are left out (`علي` would meet eli, ole, aly ...)."""
    fa, fl = abjad_frame(arabic, False), abjad_frame(latin)
    if fa is None or fl is None or fa[0] != fl[0] or len(fa[0]) < config.MIN_ABJAD_CONSONANTS:
        return False
    if len(fa[0]) >= config.MIN_SKELETON:
        key = _skeleton_key(fa[0])
        if len(key) >= config.MIN_SKELETON and key not in skeleton_keys(latin):
            return False  # retrieval looks these up by skeleton (else `abjad_table_key`)
    ga, gl = fa[1], fl[1]
    if bool(ga[0]) != bool(gl[0]):
        return False
    if not ga[-1] and len(gl[-1]) > (fa[0][-1] == "h") and gl[-1] != "e":
        # a final vowel is written (`سعد` is no Saadi), bar after h (`طه` Taha) and the
        # silent e of French spellings (`نورالدين` Noureddine, `امين` Amine)
        return False
    return all(
        _vowels_fit(a[1:] if k == 0 and a[:1] == "a" else a, g)
        for k, (a, g) in enumerate(zip(ga, gl, strict=True))
    )


def _vowels_fit(arabic: str, latin: str) -> bool:
    """True if a Latin vowel group may write what the Arabic script wrote there: where it
    wrote nothing, one short vowel, or two letters for a vowel and an unwritten ain
    (`سعد` Saad, Saed; not the diphthong of Said) or the long u of a waw written once
    (`داود` Dawood)."""
    if not arabic:
        return len(latin) <= 1 or (
            len(latin) == 2 and latin not in _DIPHTHONGS and ("a" in latin or latin in ("oo", "ou"))
        )
    return len(latin) <= len(arabic) + 2 and all(
        any(c in latin for c in _ABJAD_VOWELS[v]) for v in arabic
    )
