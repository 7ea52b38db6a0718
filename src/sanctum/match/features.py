"""Scoring features: each a small pure function whose docstring says what it measures.

Name similarity is token-aligned: each query token meets at most one listed token (or a
joined pair), tokens count by rarity, and the share of both names that was matched makes
the name score. Dates of birth, countries, gender and identifiers then confirm or refute.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from sanctum import config
from sanctum.names.arabic import abjad_meets
from sanctum.names.korean import is_hangul, same_syllables
from sanctum.names.normalize import (
    EMPTY,
    is_legal_form,
    is_patronymic,
    korean_keys,
    meeting_skeletons,
    runs_of,
    same_romanized,
    skeleton_keys,
    undoubled,
)

Weight = Callable[[str], float]


@lru_cache(maxsize=100_000)
def token_sim(a: str, b: str) -> tuple[float, str]:
    """Similarity of two tokens and how it was found: exact, korean, edit1/2, doubled,
    romanized (`romanized_key`, `same_romanized`), skeleton."""
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
    if best[0] < config.SIM_ROMANIZED and same_romanized(a, b):
        best = (config.SIM_ROMANIZED, "romanized")
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
    initials: bool
    """Some token is an initial (`is_initial`): the names `initial_matches` looks at."""
    patronymics: int
    """Bit mask of the positions holding a patronymic (`is_patronymic`): the names
    `omitted_patronymics` looks at."""

    def __init__(
        self,
        singles: tuple[Item, ...],
        joined: tuple[Item, ...],
        keys: tuple[frozenset[str], ...],
        joined_keys: tuple[frozenset[str], ...],
        hangul_syllables: bool,
        initials: bool = False,
        patronymics: int = 0,
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
        self.initials = initials
        self.patronymics = patronymics


@lru_cache(maxsize=50_000)
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
        any(map(is_initial, tokens)),
        sum(1 << i for i, t in enumerate(tokens) if is_patronymic(t)),
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
    if not exact_only and qi.initials:
        matches += initial_matches(query, listed, matches)
    c_w = list(map(weight, listed))
    q_w = list(q_weights)
    q_hit = 0.0
    c_met = 0  # bit mask of the listed positions met
    for m in matches:
        cs, ce = m.span_c
        if m.how == "initial" and ci.patronymics >> cs & 1:
            c_w[cs] *= config.PATRONYMIC_WEIGHT  # as light as left out (`omitted_patronymics`)
        c_span = sum(c_w[cs:ce])
        qs, qe = m.span_q
        if qe - qs == 1:
            # an initial is all of what the query wrote, a part of the listed name
            q_w[qs] = c_span * m.sim if m.how == "initial" else c_span
        else:
            share = c_span / (qe - qs)
            for i in range(qs, qe):
                q_w[i] = share
        q_hit += c_span * m.sim
        c_met |= (1 << ce) - (1 << cs)
    c_hit = q_hit  # each pair adds the same to both sides
    if (qi.patronymics or ci.patronymics) and not exact_only:
        q_met = 0
        for m in matches:
            q_met |= (1 << m.span_q[1]) - (1 << m.span_q[0])
        omitted_patronymics(qi.patronymics & ~q_met, q_w, ci.patronymics & ~c_met, c_w)
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
    if one_fuzzy_word(query, matches):
        score *= config.ONE_FUZZY_WORD_FACTOR
    return NameScore(score, q_cov, c_cov, tuple(matches), swapped)


FUZZY = frozenset(["edit1", "edit2", "doubled", "romanized", "skeleton"])
"""How tokens meet that are spellings apart, not the same name read otherwise. A
romanization key is spelling too, for a name of one short word: `Farouq` and `FAROUK`
are one Arabic name, and `Kamil` and `KAMEL` as well, a namesake of no one listed."""


def one_fuzzy_word(query: tuple[str, ...], matches: list[TokenMatch]) -> bool:
    """True if the query names one short word (fewer than SHORT_WORD_LEN letters; legal
    forms and business words aside: `Amar Trading` is one word), and that word met only by
    spelling (`FUZZY`): `Kamal` is one
    edit from `KAMEL`, a namesake of no one listed (`short_names`). A Korean syllable key
    shared by a word not written in Hangul with one listed word is spelling too: `Лента`
    (lenta) is no romanization of `RENTA`, nor `Ali` of `ARI`; a Hangul word, or a word
    meeting a Korean name written apart (`ganggyeongil`: KANG Kyong Il), is a reading."""
    words = {t for t in query if not is_legal_form(t)}
    if len(words) != 1 or len(next(iter(words))) >= config.SHORT_WORD_LEN:
        return False
    met = [m for m in matches if m.query in words]
    return bool(met) and all(
        m.how in FUZZY
        or (m.how == "korean" and not is_hangul(m.query) and m.span_c[1] - m.span_c[0] == 1)
        for m in met
    )


def omitted_patronymics(q_left: int, q_w: list[float], c_left: int, c_w: list[float]) -> None:
    """Weigh down the patronymics one name writes and the other leaves out (`q_left`,
    `c_left`: bit masks of the unmet positions holding one) to PATRONYMIC_WEIGHT: lists
    and records write a patronymic or not at will (`LYASHENKO, Igor Vasilyevich` is
    `LYASHENKO, Igor`). When both names have one unmet, they are two fathers' names, and
    count in full (`Igor Petrovich` is not `Igor Vasilyevich`)."""
    if q_left and c_left:
        return
    for left, w in ((q_left, q_w), (c_left, c_w)):
        i = 0
        while left:
            if left & 1:
                w[i] *= config.PATRONYMIC_WEIGHT
            left >>= 1
            i += 1


def initial_matches(
    query: tuple[str, ...], listed: tuple[str, ...], matches: list[TokenMatch]
) -> list[TokenMatch]:
    """Initials of the query (`J.`, the `Y.` of `Grigory Y. Azarenok`) left unmatched,
    each met with the first unmatched listed name (two letters or more, Latin) that it
    abbreviates, at SIM_INITIAL: a bounded bonus (the listed name is covered at that
    share only, so initials alone never make a full-name score)."""
    used_q = {i for m in matches for i in range(*m.span_q)}
    used_c = {j for m in matches for j in range(*m.span_c)}
    out: list[TokenMatch] = []
    for i, q in enumerate(query):
        if i in used_q or not is_initial(q):
            continue
        for j, c in enumerate(listed):
            if j not in used_c and len(c) >= 2 and c[0] == q and c.isascii() and c.isalpha():
                used_c.add(j)
                out.append(TokenMatch(q, c, config.SIM_INITIAL, "initial", (i, i + 1), (j, j + 1)))
                break
    return out


def is_initial(token: str) -> bool:
    """One Latin letter: an initial (`J.` of `J. Smith` tokenizes to `j`)."""
    return len(token) == 1 and token.isascii() and token.isalpha()


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
    """The query tokens' weights as `name_bound` counts them unmet: a patronymic's as
    `omitted_patronymics` may weigh it down (the least it can weigh)."""
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
    weights = tuple(lightest(t, weight) for t in tokens)
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
    if not exact_only:
        for i, qt in enumerate(q.tokens):
            if not q_ok >> i & 1 and is_initial(qt):  # `initial_matches` may meet it
                for j, c in enumerate(listed):
                    if len(c) >= 2 and c[0] == qt:
                        q_ok |= 1 << i
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
        if c_ok >> j & 1:
            w = weight(t)
            met += w
        else:
            w = lightest(t, weight)
        c_total += w
    unmet = sum(w for i, w in enumerate(q.weights) if not q_ok >> i & 1)
    q_cov = min(1.0, met / (met + unmet)) if met + unmet else 0.0
    c_cov = min(1.0, met / c_total) if c_total else 0.0
    c_exp = _coverage_exp(listed, c_ok, exact_only)
    return float((q_cov**config.QUERY_COVERAGE_EXP) * (c_cov**c_exp))


def lightest(token: str, weight: Weight) -> float:
    """The least a token can weigh unmet: its weight, a patronymic's weighed down
    (`omitted_patronymics`); what `name_bound` counts, so that it stays a bound."""
    w = weight(token)
    return w * config.PATRONYMIC_WEIGHT if is_patronymic(token) else w


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
