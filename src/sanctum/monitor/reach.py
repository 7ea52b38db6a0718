"""Which customers a new or changed listed entry may match, without reading the book.

Screening a customer finds a listed token from a query token through the index's lookup
tables: the same spelling, the same Korean syllable key, a consonant skeleton, a
romanized key (`romanized_key`), a typo bucket (`shape_keys` / `typo_buckets`), a doubled
letter, or for a name in the Arabic
script its romanizations (`Screener._expand_token`, `_expand_abjad_token`). Each customer
token is filed under the keys of those tables it would look up (`token_keys`); a listed
token then finds, under its own keys (`listed_keys`), every customer token that would
reach it. That is the index/matching machinery turned round: the delta's names are
looked up among the customers' tokens.

The customers found are then bounded (`name_bound`, the screener's own upper bound of a
name score, with the listed index's weights) and only those that may reach the threshold
are screened, in the normal direction, by the normal screener: the hits are those a full
re-screen of the book gives on the changed parties. (Two-edit typos between long tokens,
which the screener compares outright rather than looking up, are found only when they
keep the first or last two letters: a known gap, see docs/monitoring.md.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein

from sanctum import config
from sanctum.feature_table import ADDED, IDENTIFIER, identifier_of
from sanctum.index import Index, joins, shape_keys, typo_buckets
from sanctum.match.features import (
    Weight,
    bound_query,
    is_initial,
    lightest,
    name_bound,
    token_sim,
)
from sanctum.match.query import Query, parse_query
from sanctum.match.score import NAME_FACTORS, features_bonus_max, query_tokens
from sanctum.names.arabic import abjad_keys, abjad_readings, abjad_table_key
from sanctum.names.normalize import (
    is_arabic_script,
    korean_keys,
    meeting_skeletons,
    romanized_key,
    runs_of,
    undoubled,
)

if TYPE_CHECKING:
    from sanctum.monitor.customers import Customer

ABJAD = "*"
"""Marks a token of a name in the Arabic script in `customer_tokens` (its keys differ)."""
IDENT = "#"
"""Marks an identifier's lookup key (`names/identifiers.py`) in `customer_tokens`."""
BONUS_MAX = sum(f.bonus for f in ADDED)
"""The most a customer's other features (date of birth, country, ...) add to a name score."""
SHORT_EXP_MIN = min(config.CANDIDATE_COVERAGE_EXP, config.HAN_COVERAGE_EXP)
"""The smallest exponent `name_bound` puts on the coverage of a listed name of fewer than
LONG_MATCH_TOKENS tokens (the loosest bound); LONG_EXP_MIN for longer names."""
LONG_EXP_MIN = min(SHORT_EXP_MIN, config.LONG_MATCH_COVERAGE_EXP)
ROUNDING = 1e-4
"""Scores are compared rounded to 4 places (`screen.round4`): a bound this far below the
threshold may still round up to it."""


def name_tokens(q: Query) -> list[tuple[tuple[str, ...], bool]]:
    """A customer's query names as the screener tokenizes them, each with whether it is
    written in the Arabic script."""
    return [(query_tokens(n, q.schema), is_arabic_script(n)) for n in q.names]


Filed = tuple[float, list[tuple[tuple[str, ...], bool]]]
"""A customer's names as the screener tokenizes them, each with whether it is written in
the Arabic script, and the most its other features add (`features_bonus_max`): what
`may_reach` bounds, kept at import (`customer_names`) so a delta reads no record."""


def filed_names(q: Query) -> Filed:
    """The `Filed` form of a customer's parsed query."""
    return features_bonus_max(q), name_tokens(q)


def names_json(filed: Filed) -> str:
    """`Filed` as stored in `customer_names`."""
    bonus, names = filed
    return json.dumps([bonus, [[list(tokens), abjad] for tokens, abjad in names]])


def names_of_json(text: str) -> Filed:
    """`Filed` from `customer_names`."""
    bonus, names = json.loads(text)
    return float(bonus), [(tuple(tokens), bool(abjad)) for tokens, abjad in names]


def customer_tokens(customer: Customer) -> set[str]:
    """Every token (and joined run) of the customer's names, those of Arabic-script names
    marked with ABJAD; and its identifiers' lookup keys, marked with IDENT."""
    return filed_tokens(parse_query(customer.query()))[0]


def filed_tokens(q: Query) -> tuple[set[str], set[str]]:
    """`customer_tokens` of a customer's parsed query, and which of them are only joined
    runs (the screener looks a joined run up by its spelling alone: `token_keys`)."""
    out: set[str] = set()
    runs: set[str] = set()
    for tokens, abjad in name_tokens(q):
        mark = ABJAD if abjad else ""
        out.update(mark + t for t in tokens)
        runs.update(joins(tokens))
    out.update(IDENT + identifier_of(v) for v in q.facts[IDENTIFIER.slot])
    return out | runs, runs - out


def _keys(token: str, typo: Callable[[str], Iterable[str]]) -> set[str]:
    """The keys a token is filed under on both sides: itself, its Korean keys, its
    skeletons, its romanized key, its typo keys (`typo`: a customer token's buckets, a
    listed token's shapes) and its undoubled form."""
    keys = {"=" + token}
    keys.update("k" + k for k in korean_keys(token))
    keys.update("s" + s for s in meeting_skeletons(token))
    if folded := romanized_key(token):
        keys.add("r" + folded)
    if len(token) >= config.EDIT1_MIN_LEN and token.isascii():
        keys.update("t" + k for k in typo(token))
    single = undoubled(token) if token.isascii() else ""
    if len(single) == config.DOUBLED_MIN_LEN:
        keys.add("d" + single)
    return keys


def token_keys(token: str, joined: bool = False) -> set[str]:
    """The lookup keys under which a customer token reaches listed tokens (none for an
    identifier: it is looked up as it is). A joined run only (`joined`) meets a listed
    token spelled alike or of the same Korean syllables (`Screener._expand_joined_run`)."""
    if token.startswith(IDENT):
        return set()
    abjad = token.startswith(ABJAD)
    t = token.removeprefix(ABJAD)
    if joined:
        return {"=" + t, *("k" + k for k in korean_keys(t))}
    keys = _keys(t, typo_buckets)
    if abjad:
        keys.update("=" + r for r in abjad_readings(t)[1:])
        keys.update(("s" if by_skeleton else "a") + k for k, by_skeleton in abjad_keys(t))
    return keys


def listed_keys(token: str) -> set[str]:
    """The keys a listed token is found under by the customer tokens that may reach it."""
    keys = _keys(token, shape_keys)
    if consonants := abjad_table_key(token):
        keys.add("a" + consonants)
    return keys


def plausible(kind: str, token: str, listed: str) -> bool:
    """Whether a customer token found under a key of this kind (`listed_keys`) may meet
    the listed token, as the screener decides it after its own lookup (`_neighbours`): a
    skeleton or doubled letter meets only at MIN_TOKEN_SIM, a typo bucket's tokens within
    one edit (two between long tokens). Keys of the same
    spelling, Korean syllables or an Arabic-script name are kept as found."""
    if kind in "=k" or token.startswith(ABJAD):
        return True
    if kind == "t":  # the screener's own test of a typo bucket's tokens, then token_sim
        edits = 2 if len(token) >= config.EDIT2_MIN_LEN else 1
        return Levenshtein.distance(token, listed, score_cutoff=edits) <= edits
    return token_sim(token, listed)[0] >= config.MIN_TOKEN_SIM


def may_reach(
    filed: Filed,
    found: dict[str, set[str]],
    holding: dict[str, list[int]],
    listed: Sequence[tuple[tuple[str, ...], str]],
    index: Index,
    threshold: float,
) -> bool:
    """True if a customer (its `filed` names) may score `threshold` against one of the
    `listed` names ((tokens, kind) of the changed entries) that hold a token it reached,
    by the screener's own name bound.

    `found`: customer token (ABJAD-marked as filed) → the listed tokens it may meet (a
    superset of what it meets, so the bound stays an upper bound); `holding`: listed
    token → positions in `listed` of the names holding it (`names_by_token`)."""
    bonus, names = filed
    prepared = []
    near: set[int] = set()
    for tokens, abjad in names:
        mark = ABJAD if abjad else ""
        singles = tuple(frozenset(found.get(mark + t, ())) for t in tokens)
        runs = tuple(frozenset(found.get(r[0], ())) for r in runs_of(tokens))
        near.update(n for reached in singles + runs for v in reached for n in holding[v])
        prepared.append(bound_query(tokens, singles, runs, index.weight))
    for bq in prepared:
        for n in sorted(near):
            listed_tokens, kind = listed[n]
            bound = name_bound(bq, listed_tokens, index.weight) * NAME_FACTORS.get(kind, 1.0)
            if bound + bonus + ROUNDING >= threshold:
                return True
    return False


def need(tokens: tuple[str, ...], kind: str, weight: Weight, threshold: float) -> float | None:
    """The least weight of a listed name's tokens a customer must meet to score `threshold`
    against it (None: it cannot).

    `name_bound` is at most c^e (c: the weighted share of the listed name's tokens met;
    e: at least SHORT_EXP_MIN, or LONG_EXP_MIN for a long name), and the customer's other
    features add at most BONUS_MAX. So a customer meeting only frequent tokens of a name
    (a lone KIM) is not looked at further. The name's weight counts each token at the
    least it can weigh (`lightest`: a patronymic left out weighs less)."""
    factor = NAME_FACTORS.get(kind, 1.0)
    floor = (threshold - BONUS_MAX - ROUNDING) / factor if factor > 0 else 2.0
    if floor > 1.0 or not tokens:
        return None
    exp = LONG_EXP_MIN if len(tokens) >= config.LONG_MATCH_TOKENS else SHORT_EXP_MIN
    return float(max(0.0, floor) ** (1.0 / exp) * sum(lightest(t, weight) for t in tokens))


def covering(
    names: Sequence[tuple[tuple[str, ...], str]],
    holders: dict[str, set[str]],
    weight: Weight,
    threshold: float,
) -> set[str]:
    """The customers that meet `need` of the weight of one of these listed names.

    `holders`: listed token (or joined run) → the customers holding a token that may
    meet it, and initial letter → the customers holding that initial. A listed token is
    met when a customer holds what meets it or a joined run over it; its initial counts
    for a customer meeting another token of the name (`may_reach` looks no further for
    one that meets none: the screener finds no name from initials alone)."""
    out: set[str] = set()
    for tokens, kind in names:
        least = need(tokens, kind, weight, threshold)
        if least is None:
            continue
        met: dict[str, int] = {}
        for j, token in enumerate(tokens):
            for cid in holders.get(token, ()):
                met[cid] = met.get(cid, 0) | 1 << j
        for text, _start, _end, mask in runs_of(tokens):
            for cid in holders.get(text, ()):
                met[cid] = met.get(cid, 0) | mask
        for j, token in enumerate(tokens):  # an initial counts beside what a token meets
            if len(token) >= 2 and is_initial(token[0]):
                for cid in holders.get(token[0], ()):
                    if cid in met:
                        met[cid] |= 1 << j
        weights = [weight(t) for t in tokens]
        for cid, bits in met.items():
            if cid not in out and sum(w for j, w in enumerate(weights) if bits >> j & 1) >= least:
                out.add(cid)
    return out


def initials_of(listed: Iterable[str]) -> set[str]:
    """The initials that may meet these listed tokens (`J.` meets `JOHN`): the screener
    compares them outright, so they are looked up among the customers' tokens as such."""
    return {t[0] for t in listed if len(t) >= 2 and is_initial(t[0])}


def names_by_token(
    names: Sequence[tuple[tuple[str, ...], str]],
) -> dict[str, list[int]]:
    """Listed token (or joined run) → positions of the names holding it."""
    out: dict[str, list[int]] = {}
    for n, (tokens, _kind) in enumerate(names):
        for t in dict.fromkeys([*tokens, *joins(tokens)]):
            out.setdefault(t, []).append(n)
    return out


def delta_names(index: Index, entry_ids: Iterable[str]) -> list[tuple[tuple[str, ...], str]]:
    """(tokens, kind) of every indexed name of these entries."""
    out: list[tuple[tuple[str, ...], str]] = []
    for eid in entry_ids:
        idx = index.entry_by_id.get(eid)
        if idx is not None:
            out.extend(
                (index.names[n].tokens, index.names[n].kind) for n in index.entries[idx].names
            )
    return out


def vocabulary(names: Iterable[tuple[tuple[str, ...], str]]) -> set[str]:
    """The listed tokens (and joined runs) of these names."""
    out: set[str] = set()
    for tokens, _kind in names:
        out.update(tokens)
        out.update(joins(tokens))
    return out
