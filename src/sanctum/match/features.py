"""Scoring features: each a small pure function whose docstring says what it measures.

Name similarity is token-aligned: each query token meets at most one listed token (or a
joined pair), tokens count by rarity, and the share of both names that was matched makes
the name score. Dates of birth, countries, gender and identifiers then confirm or refute.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import islice, pairwise, product
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from sanctum.match import config
from sanctum.names.korean import is_hangul, same_syllables
from sanctum.names.normalize import (
    EMPTY,
    abjad_frame,
    abjad_frame_uncached,
    korean_keys,
    skeleton_keys,
    undoubled,
    without_ta_marbuta,
)

Weight = Callable[[str], float]


@lru_cache(maxsize=100_000)
def token_sim(a: str, b: str) -> tuple[float, str]:
    """Similarity of two tokens and how it was found: exact, korean, skeleton, edit1/2."""
    if a == b:
        return config.SIM_EXACT, "exact"
    ka, kb = korean_keys(a), korean_keys(b)
    if ka and kb and not ka.isdisjoint(kb):
        return (0.0, "") if hangul_apart(a, b) else (config.SIM_KOREAN, "korean")
    if not (a.isascii() and b.isascii()):
        return 0.0, ""
    best: tuple[float, str] = (0.0, "")
    shortest = min(len(a), len(b))
    if shortest >= config.EDIT1_MIN_LEN:
        dist = Levenshtein.distance(a, b, score_cutoff=2)
        if dist <= 1:
            best = (config.SIM_EDIT1, "edit1")
        elif dist == 2 and shortest >= config.EDIT2_MIN_LEN:
            best = (config.SIM_EDIT2, "edit2")
    elif len(ua := undoubled(a)) >= config.DOUBLED_MIN_LEN and ua == undoubled(b):
        best = (config.SIM_EDIT1, "doubled")
    if best[0] < config.SIM_SKELETON and a[0] == b[0] and _same_skeleton(a, b):
        best = (config.SIM_SKELETON, "skeleton")
    return best


@lru_cache(maxsize=100_000)
def hangul_apart(a: str, b: str) -> bool:
    """True if both tokens are Hangul and not the same syllables (`same_syllables`): a
    Korean key they share is the key's coarseness, made for Latin spellings (성 ≠ 송)."""
    return (
        not a.isascii()
        and not b.isascii()
        and is_hangul(a)
        and is_hangul(b)
        and not same_syllables(a, b)
    )


def meeting_skeletons(token: str) -> tuple[str, ...]:
    """The token's skeleton keys (`skeleton_keys`) long enough to meet by: MIN_SKELETON
    letters. The index files tokens under these, retrieval looks them up and `token_sim`
    compares them, so all three agree on what meets by skeleton (`may_meet`)."""
    return tuple(k for k in skeleton_keys(token) if len(k) >= config.MIN_SKELETON)


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


def _same_skeleton(a: str, b: str) -> bool:
    """True if the tokens share a skeleton key of MIN_SKELETON letters."""
    kb = skeleton_keys(b)
    return any(k in kb for k in meeting_skeletons(a))


class TokenMatch:
    """One aligned pair: query tokens [qs:qe) met listed tokens [cs:ce). (Tens are made per
    query: a class with its own `__init__`, which the compiled build calls natively; a
    dataclass's or a named tuple's generated constructor runs as Python.)"""

    query: str
    listed: str
    sim: float
    how: str
    span_q: tuple[int, int]
    span_c: tuple[int, int]

    def __init__(
        self,
        query: str,
        listed: str,
        sim: float,
        how: str,
        span_q: tuple[int, int],
        span_c: tuple[int, int],
    ) -> None:
        self.query = query
        self.listed = listed
        self.sim = sim
        self.how = how
        self.span_q = span_q
        self.span_c = span_c

    def __repr__(self) -> str:
        return f"TokenMatch({self.query!r}, {self.listed!r}, {self.sim!r}, {self.how!r})"


class NameScore:
    """Result of comparing two token sequences (one per (query name, listed name) pair:
    a plain class, as TokenMatch)."""

    score: float
    query_coverage: float
    listed_coverage: float
    matches: tuple[TokenMatch, ...]
    given_order_swapped: bool

    def __init__(
        self,
        score: float,
        query_coverage: float,
        listed_coverage: float,
        matches: tuple[TokenMatch, ...],
        given_order_swapped: bool = False,
    ) -> None:
        self.score = score
        self.query_coverage = query_coverage
        self.listed_coverage = listed_coverage
        self.matches = matches
        self.given_order_swapped = given_order_swapped

    def __repr__(self) -> str:
        return f"NameScore({self.score!r}, {self.query_coverage!r}, {self.listed_coverage!r})"


Item = tuple[str, int, int, int]
"""A token or joined run: text, first position, end position, and the bit mask of its
positions."""


class NameItems:
    """A name's single tokens and joined runs, with the Korean keys of each single token
    (a plain class, as TokenMatch: one is made for every name first compared)."""

    singles: tuple[Item, ...]
    joined: tuple[Item, ...]
    keys: tuple[frozenset[str], ...]
    joined_keys: tuple[frozenset[str], ...]
    single_texts: frozenset[str]
    single_keys: frozenset[str]
    joined_texts: frozenset[str]
    joined_keys_any: frozenset[str]
    """Texts and Korean keys of all singles and all joined runs: a token that meets none
    of them meets no joined run (or single) at all, and the loop over them is skipped."""
    hangul_syllables: bool
    """Three or more tokens, each one Hangul syllable: the names `given_order_swapped`
    looks at."""

    def __init__(
        self,
        singles: tuple[Item, ...],
        joined: tuple[Item, ...],
        keys: tuple[frozenset[str], ...],
        joined_keys: tuple[frozenset[str], ...],
        hangul_syllables: bool,
    ) -> None:
        self.singles = singles
        self.joined = joined
        self.keys = keys
        self.joined_keys = joined_keys
        self.single_texts = frozenset(item[0] for item in singles)
        self.single_keys = frozenset().union(*keys) or EMPTY  # the shared empty set
        self.joined_texts = frozenset(item[0] for item in joined) or EMPTY
        self.joined_keys_any = frozenset().union(*joined_keys) or EMPTY
        self.hangul_syllables = hangul_syllables


@lru_cache(maxsize=50_000)
def runs_of(tokens: tuple[str, ...]) -> tuple[Item, ...]:
    """A name's joined runs (`index.joins`: adjacent pairs, and the whole name from three
    tokens on), each with the span of positions it covers (and that span as a bit mask)."""
    spans = [(tokens[i] + tokens[i + 1], i, i + 2) for i in range(len(tokens) - 1)]
    if len(tokens) >= 3:
        spans.append(("".join(tokens), 0, len(tokens)))
    return tuple((t, s, e, (1 << e) - (1 << s)) for t, s, e in spans)


@lru_cache(maxsize=200_000)
def name_items(tokens: tuple[str, ...]) -> NameItems:
    """Tokens and their joined runs (`runs_of`), each with the span of positions it covers
    (and that span as a bit mask)."""
    singles = tuple((t, i, i + 1, 1 << i) for i, t in enumerate(tokens))
    joined = runs_of(tokens)
    keys = tuple(korean_keys(t) for t in tokens)
    joined_keys = tuple(korean_keys(j[0]) for j in joined)
    return NameItems(
        singles,
        joined,
        keys,
        joined_keys,
        len(tokens) >= 3 and all(len(t) == 1 and is_hangul(t) for t in tokens),
    )


def _joined_sim(
    a: str, b: str, ka: frozenset[str], kb: frozenset[str], exact_only: bool
) -> tuple[float, str]:
    """A joined run (`kyongil`) against a single token: it must meet exactly or, unless the
    name is Chinese, as the same Korean syllables; nothing fuzzier."""
    if a == b:
        return config.SIM_EXACT, "exact"
    if ka and not exact_only and not ka.isdisjoint(kb) and not hangul_apart(a, b):
        return config.SIM_KOREAN, "korean"
    return 0.0, ""


def align(
    query: tuple[str, ...], listed: tuple[str, ...], exact_only: bool = False
) -> list[TokenMatch]:
    """Greedy one-to-one alignment of tokens (and joined pairs), best similarity first.

    Order is ignored on purpose: lists and customer files order names differently.
    A joined pair (on either side) must meet a single token exactly or as Korean
    syllables; two joined runs are never compared.
    `exact_only`: only identical tokens meet (a name transliterated from Chinese
    characters, where `xiang` ≠ `liang` and `li` ≠ `lee` as Korean syllables).
    """
    return _align(name_items(query), name_items(listed), exact_only, None)


def _align(
    qi: NameItems,
    ci: NameItems,
    exact_only: bool,
    near: tuple[AbstractSet[str], ...] | None,
    abjad: bool = False,
) -> list[TokenMatch]:
    """`align` on the names' prepared items. `near`: per query token, the vocabulary
    tokens it may meet (see `may_meet`); other listed tokens are not compared at all.
    `abjad`: the query name was read from the Arabic script and the listed one is Latin,
    so single tokens that do not meet otherwise may meet by `abjad_meets`."""
    floor = config.MIN_TOKEN_SIM
    long_len = config.EDIT2_MIN_LEN
    pairs: list[tuple[float, int, int, Item, Item, str]] = []
    # Candidate pairs in the order (query item, listed item) of the full cross product:
    # query singles and joins, each against listed singles then listed joins.
    for q, qk in zip(qi.singles, qi.keys, strict=True):
        qt = q[0]
        q_near = None if near is None else near[q[1]]
        q_long = len(qt) >= long_len
        for c in ci.singles:
            ct = c[0]
            if exact_only and qt != ct:
                continue
            if q_near is not None and ct not in q_near and not (q_long and len(ct) >= long_len):
                continue  # cannot meet: `may_meet`
            sim, how = token_sim(qt, ct)
            if abjad and sim < config.SIM_ABJAD:
                if abjad_meets(qt, ct):
                    sim, how = config.SIM_ABJAD, "abjad"
                elif how == "skeleton":
                    continue  # the vowels the script writes are not these: `حسن` no Hussein
            if sim >= floor:
                pairs.append((-sim, -2, len(pairs), q, c, how))
        # a token meets a joined run (`_joined_sim`) only by the same text or a Korean key
        if ci.joined and (qt in ci.joined_texts or (qk and not qk.isdisjoint(ci.joined_keys_any))):
            for c, ck in zip(ci.joined, ci.joined_keys, strict=True):
                sim, how = _joined_sim(qt, c[0], qk, ck, exact_only)
                if sim >= floor:
                    pairs.append((-sim, -1 - (c[2] - c[1]), len(pairs), q, c, how))
    for q, qk in zip(qi.joined, qi.joined_keys, strict=True):
        qt = q[0]
        if not (qt in ci.single_texts or (qk and not qk.isdisjoint(ci.single_keys))):
            continue
        for c, ck in zip(ci.singles, ci.keys, strict=True):
            sim, how = _joined_sim(qt, c[0], qk, ck, exact_only)
            if sim >= floor:
                pairs.append((-sim, -1 - (q[2] - q[1]), len(pairs), q, c, how))
    pairs.sort()
    used_q = used_c = 0
    out: list[TokenMatch] = []
    for neg_sim, _span, _n, q, c, how in pairs:
        if not (used_q & q[3] or used_c & c[3]):
            used_q |= q[3]
            used_c |= c[3]
            out.append(TokenMatch(q[0], c[0], -neg_sim, how, (q[1], q[2]), (c[1], c[2])))
    return out


def name_score(
    query: tuple[str, ...],
    listed: tuple[str, ...],
    weight: Weight,
    exact_only: bool = False,
    near: tuple[AbstractSet[str], ...] | None = None,
    abjad: bool = False,
) -> NameScore:
    """Weighted coverage of both names by the aligned tokens, combined.

    score = query_coverage ** QUERY_COVERAGE_EXP * listed_coverage ** CANDIDATE_COVERAGE_EXP
    (HAN_COVERAGE_EXP for a name in Chinese characters: no syllable of it is optional.)
    A listed token's weight is its rarity in the lists; a query token takes the weight of
    the listed token it met (a Hangul syllable has no rarity of its own), else its own.
    `near` (retrieval's sets, one per query token) only saves comparing tokens that
    cannot meet: the score is the same with or without it. `abjad`: see `_align`.
    """
    if not query or not listed:
        return NameScore(0.0, 0.0, 0.0, ())
    return prepared_name_score(
        query, name_items(query), tuple(map(weight, query)), listed, weight, exact_only, near, abjad
    )


def prepared_name_score(
    query: tuple[str, ...],
    qi: NameItems,
    q_weights: tuple[float, ...],
    listed: tuple[str, ...],
    weight: Weight,
    exact_only: bool,
    near: tuple[AbstractSet[str], ...] | None,
    abjad: bool,
) -> NameScore:
    """`name_score` of a query name prepared once for all the names it is compared with:
    its items (`name_items`) and its tokens' own weights. Both names are non-empty."""
    ci = name_items(listed)
    matches = _align(qi, ci, exact_only, near, abjad)
    c_w = list(map(weight, listed))
    q_w = list(q_weights)
    q_hit = 0.0
    c_met = 0  # bit mask of the listed positions met
    for m in matches:
        cs, ce = m.span_c
        c_span = sum(c_w[cs:ce])
        qs, qe = m.span_q
        if qe - qs == 1:
            q_w[qs] = c_span
        else:
            share = c_span / (qe - qs)
            for i in range(qs, qe):
                q_w[i] = share
        q_hit += c_span * m.sim
        c_met |= (1 << ce) - (1 << cs)
    c_hit = q_hit  # each pair adds the same to both sides
    if not exact_only and len(qi.single_texts) < len(query):
        _drop_repeats(query, [m.span_q for m in matches], q_w)
    if not exact_only and len(ci.single_texts) < len(listed):
        _drop_repeats(listed, [m.span_c for m in matches], c_w)
    q_total, c_total = sum(q_w), sum(c_w)
    q_cov = min(1.0, q_hit / q_total) if q_total else 0.0
    c_cov = min(1.0, c_hit / c_total) if c_total else 0.0
    c_exp = _coverage_exp(listed, c_met, exact_only)
    score = (q_cov**config.QUERY_COVERAGE_EXP) * (c_cov**c_exp)
    swapped = qi.hangul_syllables and given_order_swapped(query, matches)
    if swapped:
        score *= config.KOREAN_GIVEN_ORDER_FACTOR
    return NameScore(score, q_cov, c_cov, tuple(matches), swapped)


def _drop_repeats(tokens: tuple[str, ...], spans: list[tuple[int, int]], w: list[float]) -> None:
    """Zero the weight of an unmatched name that repeats a matched one: `AHMAD, Muhammad
    Yunis Ahmad` names the same part twice, and `MUHAMMAD YUNIS AHMAD` misses nothing of it
    (`crosslist`). Not syllables (a Hangul syllable, pinyin `li` of 李丽丽, a reduplicated
    given name). A repeat cannot raise a name's score above `name_bound`: it is as
    meetable as the token it repeats."""
    covered = [False] * len(tokens)
    for s, e in spans:
        covered[s:e] = [True] * (e - s)
    met = {t for t, c in zip(tokens, covered, strict=True) if c and _is_name(t)}
    for i, t in enumerate(tokens):
        if not covered[i] and t in met:
            w[i] = 0.0


def may_meet(a: str, b: str, near: AbstractSet[str]) -> bool:
    """True if `token_sim(a, b)` may reach MIN_TOKEN_SIM, given `near`: the vocabulary
    tokens retrieval found for `a` (every exact, Korean, skeleton and one-edit neighbour)
    and those `a` meets by doubled letters. Two edits in long tokens, which retrieval
    does not look for beyond its buckets, are compared outright, so this never answers
    False for a pair that meets."""
    return b in near or _two_edits(a, b)


def _two_edits(a: str, b: str) -> bool:
    """Long tokens that `token_sim` meets at two edits."""
    la, lb = len(a), len(b)
    return (
        la >= config.EDIT2_MIN_LEN
        and lb >= config.EDIT2_MIN_LEN
        and abs(la - lb) <= 2
        and token_sim(a, b)[0] >= config.MIN_TOKEN_SIM
    )


class BoundQuery(NamedTuple):
    """A query name prepared for `name_bound`, once per query: which query positions may
    meet each vocabulary token (see `may_meet`), the long tokens to compare outright, the
    query tokens' weights, and the bounds already taken (listed names repeat across lists)."""

    tokens: tuple[str, ...]
    meet: dict[str, int]
    """Vocabulary token → bit mask of the query positions that may meet it (a single token,
    or a joined run: all its positions)."""
    single_meet: dict[str, int]
    """The same, from single query tokens only: what a listed joined run may meet."""
    exact: dict[str, int]
    """`meet` for a name in Chinese characters: identical spellings only."""
    exact_single: dict[str, int]
    longs: tuple[tuple[str, int], ...]
    """Query tokens long enough to meet at two edits, with their bit."""
    weights: tuple[float, ...]
    memo: dict[tuple[tuple[str, ...], bool], float]


def bound_query(
    tokens: tuple[str, ...],
    near: tuple[AbstractSet[str], ...],
    run_near: tuple[AbstractSet[str], ...],
    weight: Weight,
) -> BoundQuery:
    """A query name's tokens, with retrieval's sets for each token (`near`) and for each of
    its joined runs (`run_near`, in `runs_of` order), prepared for `name_bound`."""
    meet: dict[str, int] = {}
    exact: dict[str, int] = {}
    for i, (qt, found) in enumerate(zip(tokens, near, strict=True)):
        for v in found:
            meet[v] = meet.get(v, 0) | 1 << i
        exact[qt] = exact.get(qt, 0) | 1 << i
    single_meet, exact_single = dict(meet), dict(exact)
    for (text, _start, _end, mask), found in zip(runs_of(tokens), run_near, strict=True):
        for v in found:
            meet[v] = meet.get(v, 0) | mask
        exact[text] = exact.get(text, 0) | mask
    longs = tuple((qt, 1 << i) for i, qt in enumerate(tokens) if len(qt) >= config.EDIT2_MIN_LEN)
    weights = tuple(weight(t) for t in tokens)
    return BoundQuery(tokens, meet, single_meet, exact, exact_single, longs, weights, {})


def name_bound(
    q: BoundQuery, listed: tuple[str, ...], weight: Weight, exact_only: bool = False
) -> float:
    """An upper bound of `name_score(q.tokens, listed, ...)`, without aligning: the listed
    tokens that some query item may meet bound both coverages, and the query tokens that
    nothing can meet stay unmatched.

    (With S the weight of the listed tokens that may be met and U that of the query
    tokens that cannot be: listed coverage ≤ S / listed total and query coverage ≤
    S / (S + U), since a met query token takes the weight of what it met.) A joined run
    meets only exactly or as Korean syllables, and every joined run of a listed name is
    a vocabulary token, so retrieval's sets decide those pairs too."""
    key = (listed, exact_only)
    found = q.memo.get(key)
    if found is None:
        found = q.memo[key] = _name_bound(q, listed, weight, exact_only)
    return found


def _name_bound(q: BoundQuery, listed: tuple[str, ...], weight: Weight, exact_only: bool) -> float:
    if not q.tokens or not listed:
        return 0.0
    meet, single = (q.exact, q.exact_single) if exact_only else (q.meet, q.single_meet)
    longs = () if exact_only else q.longs
    q_ok = c_ok = 0
    for j, c in enumerate(listed):
        m = meet.get(c)
        if m:
            q_ok |= m
            c_ok |= 1 << j
        if longs and len(c) >= config.EDIT2_MIN_LEN:
            for qt, bit in longs:
                if not q_ok & bit and _two_edits(qt, c):
                    q_ok |= bit
                    c_ok |= 1 << j
    if len(listed) > 1:
        for text, _start, _end, mask in runs_of(listed):
            m = single.get(text)
            if m:
                q_ok |= m
                c_ok |= mask
    if not c_ok:
        return 0.0
    met = c_total = 0.0
    for j, t in enumerate(listed):
        w = weight(t)
        c_total += w
        if c_ok >> j & 1:
            met += w
    unmet = sum(w for i, w in enumerate(q.weights) if not q_ok >> i & 1)
    q_cov = min(1.0, met / (met + unmet)) if met + unmet else 0.0
    c_cov = min(1.0, met / c_total) if c_total else 0.0
    c_exp = _coverage_exp(listed, c_ok, exact_only)
    return float((q_cov**config.QUERY_COVERAGE_EXP) * (c_cov**c_exp))


def _coverage_exp(listed: tuple[str, ...], met: int, exact_only: bool) -> float:
    """The exponent on listed coverage: HAN_COVERAGE_EXP for Chinese names, else
    LONG_MATCH_COVERAGE_EXP once LONG_MATCH_TOKENS names of the listed one (`al`, `bin`
    and initials aside) were met, else CANDIDATE_COVERAGE_EXP. It grows with fewer names
    met, so `name_bound`, which counts the names that may be met, stays an upper bound.
    `met` (bit mask of the positions of the listed name met) is only read for names long
    enough to need it."""
    if exact_only:
        return config.HAN_COVERAGE_EXP
    if len(listed) < config.LONG_MATCH_TOKENS:  # the usual case, quickly
        return config.CANDIDATE_COVERAGE_EXP
    if sum(met >> j & 1 and _is_name(t) for j, t in enumerate(listed)) >= config.LONG_MATCH_TOKENS:
        return config.LONG_MATCH_COVERAGE_EXP
    return config.CANDIDATE_COVERAGE_EXP


def _is_name(token: str) -> bool:
    """A name of its own, not a particle (`al`, `bin`), an initial or a syllable (`li`)."""
    return len(token) >= 3


def given_order_swapped(query: tuple[str, ...], matches: list[TokenMatch]) -> bool:
    """True if a Hangul query's given-name syllables met the listed name in the other
    order: 은정 (Un Jong) is not 정은 (Jong Un). The surname (first Hangul syllable) may
    move; the given-name syllables keep their order in every romanization."""
    if len(query) < 3 or not all(len(t) == 1 and is_hangul(t) for t in query):
        return False
    given = sorted((m.span_q[0], m.span_c[0]) for m in matches if m.span_q[0] >= 1)
    listed = [c for _q, c in given]
    return any(a > b for a, b in pairwise(listed))


@lru_cache(maxsize=50_000)
def _years(dates: frozenset[str]) -> frozenset[int]:
    """Years of listed dates of birth (cached: a listed party meets many queries)."""
    return frozenset(int(d[:4]) for d in dates if d[:4].isdigit())


@lru_cache(maxsize=4_096)
def _query_dates(dates: tuple[str, ...]) -> tuple[frozenset[str], frozenset[int], frozenset[int]]:
    """A query's dates of birth, once for all the parties it meets: the full dates, their
    years, and every year within DOB_YEAR_TOLERANCE of one (a listed year outside those
    conflicts)."""
    years = frozenset(int(q[:4]) for q in dates)
    tol = config.DOB_YEAR_TOLERANCE
    return (
        frozenset(q for q in dates if len(q) == 10),
        years,
        frozenset(y + d for y in years for d in range(-tol, tol + 1)),
    )


def dob_feature(query: list[str], listed: AbstractSet[str]) -> tuple[float, str]:
    """Dates of birth: exact day agrees (+), same year (+), or years too far apart (−)."""
    if not query or not listed:
        return 0.0, ""
    full, q_years, q_near = _query_dates(tuple(query))
    if not full.isdisjoint(listed):
        return config.DOB_EXACT_BONUS, "same date of birth"
    l_years = (
        _years(listed)
        if isinstance(listed, frozenset)
        else frozenset(int(d[:4]) for d in listed if d[:4].isdigit())
    )
    if not q_years.isdisjoint(l_years):
        return config.DOB_YEAR_BONUS, "same year of birth"
    if l_years and q_near.isdisjoint(l_years):
        return -config.DOB_CONFLICT_PENALTY, "different year of birth"
    return 0.0, ""


def country_feature(query: list[str], listed: AbstractSet[str]) -> tuple[float, str]:
    """Nationality / country: shared (+) or none in common (−)."""
    if not query or not listed:
        return 0.0, ""
    if not listed.isdisjoint(query):
        return config.COUNTRY_MATCH_BONUS, "country in common"
    return -config.COUNTRY_CONFLICT_PENALTY, "no country in common"


def gender_feature(query: list[str], listed: AbstractSet[str]) -> tuple[float, str]:
    """Gender stated on both sides and different (−)."""
    if query and listed and listed.isdisjoint(query):
        return -config.GENDER_CONFLICT_PENALTY, "different gender"
    return 0.0, ""
