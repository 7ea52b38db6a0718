"""Scoring features: each a small pure function whose docstring says what it measures.

Name similarity is token-aligned: each query token meets at most one listed token (or a
joined pair), tokens count by rarity, and the share of both names that was matched makes
the name score. Dates of birth, countries, gender and identifiers then confirm or refute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from sanctum.match import config
from sanctum.names.normalize import korean_keys, skeleton

Weight = Callable[[str], float]


@lru_cache(maxsize=100_000)
def token_sim(a: str, b: str) -> tuple[float, str]:
    """Similarity of two tokens and how it was found: exact, korean, skeleton, edit1/2."""
    if a == b:
        return config.SIM_EXACT, "exact"
    ka, kb = korean_keys(a), korean_keys(b)
    if ka and kb and not ka.isdisjoint(kb):
        return config.SIM_KOREAN, "korean"
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
    sa = skeleton(a)
    if (
        best[0] < config.SIM_SKELETON
        and len(sa) >= config.MIN_SKELETON
        and sa == skeleton(b)
        and a[0] == b[0]
    ):
        best = (config.SIM_SKELETON, "skeleton")
    return best


@dataclass(frozen=True)
class TokenMatch:
    """One aligned pair: query tokens [qs:qe) met listed tokens [cs:ce)."""

    query: str
    listed: str
    sim: float
    how: str
    span_q: tuple[int, int]
    span_c: tuple[int, int]


@dataclass(frozen=True)
class NameScore:
    """Result of comparing two token sequences."""

    score: float
    query_coverage: float
    listed_coverage: float
    matches: tuple[TokenMatch, ...]


@lru_cache(maxsize=200_000)
def _items(tokens: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Tokens, adjacent joins and (for three or more tokens) the whole name joined, each
    with the span of positions it covers."""
    items = [(t, i, i + 1) for i, t in enumerate(tokens)]
    items += [(tokens[i] + tokens[i + 1], i, i + 2) for i in range(len(tokens) - 1)]
    if len(tokens) >= 3:
        items.append(("".join(tokens), 0, len(tokens)))
    return items


def align(query: tuple[str, ...], listed: tuple[str, ...]) -> list[TokenMatch]:
    """Greedy one-to-one alignment of tokens (and joined pairs), best similarity first.

    Order is ignored on purpose: lists and customer files order names differently.
    """
    pairs: list[tuple[float, int, TokenMatch]] = []
    for qt, qs, qe in _items(query):
        for ct, cs, ce in _items(listed):
            joined = qe - qs > 1 or ce - cs > 1
            if qe - qs > 1 and ce - cs > 1:
                continue
            sim, how = token_sim(qt, ct)
            if joined and how not in ("exact", "korean"):
                continue  # a joined pair must meet exactly or as Korean syllables
            if sim >= config.MIN_TOKEN_SIM:
                span = (qe - qs) + (ce - cs)
                pairs.append((sim, span, TokenMatch(qt, ct, sim, how, (qs, qe), (cs, ce))))
    pairs.sort(key=lambda p: (-p[0], -p[1]))
    used_q: set[int] = set()
    used_c: set[int] = set()
    out: list[TokenMatch] = []
    for _sim, _span, m in pairs:
        qr, cr = range(*m.span_q), range(*m.span_c)
        if used_q.isdisjoint(qr) and used_c.isdisjoint(cr):
            used_q.update(qr)
            used_c.update(cr)
            out.append(m)
    return out


def name_score(query: tuple[str, ...], listed: tuple[str, ...], weight: Weight) -> NameScore:
    """Weighted coverage of both names by the aligned tokens, combined.

    score = query_coverage ** QUERY_COVERAGE_EXP * listed_coverage ** CANDIDATE_COVERAGE_EXP
    A listed token's weight is its rarity in the lists; a query token takes the weight of
    the listed token it met (a Hangul syllable has no rarity of its own), else its own.
    """
    if not query or not listed:
        return NameScore(0.0, 0.0, 0.0, ())
    matches = align(query, listed)
    c_w = [weight(t) for t in listed]
    q_w = [weight(t) for t in query]
    q_hit = 0.0
    c_hit = 0.0
    for m in matches:
        c_span = sum(c_w[i] for i in range(*m.span_c))
        q_positions = range(*m.span_q)
        for i in q_positions:
            q_w[i] = c_span / len(q_positions)
        q_hit += c_span * m.sim
        c_hit += c_span * m.sim
    q_total, c_total = sum(q_w), sum(c_w)
    q_cov = min(1.0, q_hit / q_total) if q_total else 0.0
    c_cov = min(1.0, c_hit / c_total) if c_total else 0.0
    score = (q_cov**config.QUERY_COVERAGE_EXP) * (c_cov**config.CANDIDATE_COVERAGE_EXP)
    return NameScore(score, q_cov, c_cov, tuple(matches))


def dob_feature(query: list[str], listed: set[str]) -> tuple[float, str]:
    """Dates of birth: exact day agrees (+), same year (+), or years too far apart (−)."""
    if not query or not listed:
        return 0.0, ""
    if any(len(q) == 10 and q in listed for q in query):
        return config.DOB_EXACT_BONUS, "same date of birth"
    q_years = {int(q[:4]) for q in query}
    l_years = {int(d[:4]) for d in listed if d[:4].isdigit()}
    if q_years & l_years:
        return config.DOB_YEAR_BONUS, "same year of birth"
    if l_years and all(abs(a - b) > config.DOB_YEAR_TOLERANCE for a in q_years for b in l_years):
        return -config.DOB_CONFLICT_PENALTY, "different year of birth"
    return 0.0, ""


def country_feature(query: list[str], listed: set[str]) -> tuple[float, str]:
    """Nationality / country: shared (+) or none in common (−)."""
    if not query or not listed:
        return 0.0, ""
    if set(query) & listed:
        return config.COUNTRY_MATCH_BONUS, "country in common"
    return -config.COUNTRY_CONFLICT_PENALTY, "no country in common"


def gender_feature(query: list[str], listed: set[str]) -> tuple[float, str]:
    """Gender stated on both sides and different (−)."""
    if query and listed and not set(query) & listed:
        return -config.GENDER_CONFLICT_PENALTY, "different gender"
    return 0.0, ""
