"""Which customers a new or changed listed entry may match, without reading the book.

Screening a customer finds a listed token from a query token through the index's lookup
tables: the same spelling, the same Korean syllable key, a consonant skeleton, a typo
bucket (`shape_keys` / `typo_buckets`), a doubled letter, or for a name in the Arabic
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

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from sanctum import config
from sanctum.feature_table import IDENTIFIER, identifier_of
from sanctum.index import Index, joins, shape_keys, typo_buckets
from sanctum.match.features import bound_query, name_bound
from sanctum.match.query import Query, parse_query
from sanctum.match.score import NAME_FACTORS, features_bonus_max, query_tokens
from sanctum.names.arabic import abjad_keys, abjad_readings, abjad_table_key
from sanctum.names.normalize import (
    is_arabic_script,
    korean_keys,
    meeting_skeletons,
    runs_of,
    undoubled,
)

if TYPE_CHECKING:
    from sanctum.monitor.customers import Customer

ABJAD = "*"
"""Marks a token of a name in the Arabic script in `customer_tokens` (its keys differ)."""
IDENT = "#"
"""Marks an identifier's lookup key (`names/identifiers.py`) in `customer_tokens`."""


def name_tokens(q: Query) -> list[tuple[tuple[str, ...], bool]]:
    """A customer's query names as the screener tokenizes them, each with whether it is
    written in the Arabic script."""
    return [(query_tokens(n, q.schema), is_arabic_script(n)) for n in q.names]


def customer_tokens(customer: Customer) -> set[str]:
    """Every token (and joined run) of the customer's names, those of Arabic-script names
    marked with ABJAD; and its identifiers' lookup keys, marked with IDENT."""
    q = parse_query(customer.query())
    out: set[str] = set()
    for tokens, abjad in name_tokens(q):
        mark = ABJAD if abjad else ""
        out.update(mark + t for t in tokens)
        out.update(joins(tokens))
    out.update(IDENT + identifier_of(v) for v in q.facts[IDENTIFIER.slot])
    return out


def _keys(token: str, typo: Callable[[str], Iterable[str]]) -> set[str]:
    """The keys a token is filed under on both sides: itself, its Korean keys, its
    skeletons, its typo keys (`typo`: a customer token's buckets, a listed token's shapes)
    and its undoubled form."""
    keys = {"=" + token}
    keys.update("k" + k for k in korean_keys(token))
    keys.update("s" + s for s in meeting_skeletons(token))
    if len(token) >= config.EDIT1_MIN_LEN and token.isascii():
        keys.update("t" + k for k in typo(token))
    single = undoubled(token) if token.isascii() else ""
    if len(single) == config.DOUBLED_MIN_LEN:
        keys.add("d" + single)
    return keys


def token_keys(token: str) -> set[str]:
    """The lookup keys under which a customer token reaches listed tokens (none for an
    identifier: it is looked up as it is)."""
    if token.startswith(IDENT):
        return set()
    abjad = token.startswith(ABJAD)
    t = token.removeprefix(ABJAD)
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


def may_reach(
    customer: Customer,
    found: dict[str, set[str]],
    listed: Sequence[tuple[tuple[str, ...], str]],
    index: Index,
    threshold: float,
) -> bool:
    """True if the customer may score `threshold` against one of the `listed` names
    ((tokens, kind) of the changed entries that hold a token it reached), by the
    screener's own name bound.

    `found`: customer token (ABJAD-marked as filed) → the listed tokens it was found for
    (a superset of what it meets, so the bound stays an upper bound)."""
    q = parse_query(customer.query())
    bonus = features_bonus_max(q)
    for tokens, abjad in name_tokens(q):
        mark = ABJAD if abjad else ""
        near = tuple(frozenset(found.get(mark + t, ())) for t in tokens)
        runs = tuple(frozenset(found.get(r[0], ())) for r in runs_of(tokens))
        bq = bound_query(tokens, near, runs, index.weight)
        for listed_tokens, kind in listed:
            bound = name_bound(bq, listed_tokens, index.weight) * NAME_FACTORS.get(kind, 1.0)
            if bound + bonus + 1e-9 >= threshold:
                return True
    return False


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
