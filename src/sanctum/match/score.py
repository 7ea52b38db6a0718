"""Scoring a query against one listed party, with the explanation of every contribution.

Algorithms are selectable by name: `sanctum` (the default, token-aligned and rarity
weighted, with cross-script Korean matching) and `ofac` (an emulation of OFAC's own
Sanctions List Search score, to answer "what would OFAC's tool say").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any, NamedTuple

from sanctum import config
from sanctum.feature_table import FLOORS, NAMES
from sanctum.index import Entry, Index, NameRec
from sanctum.match.features import (
    BoundQuery,
    NameScore,
    Weight,
    bound_query,
    name_bound,
    name_items,
    prepared_name_score,
)
from sanctum.match.query import Query
from sanctum.names.japanese import JAPANESE_NOTE, has_kana, hepburn_readings, may_be_japanese
from sanctum.names.normalize import EMPTY, is_arabic_script, is_han, runs_of, tokenize
from sanctum.schemata import MATCHABLE

ALGORITHMS = ("sanctum", "ofac")
DEFAULT_ALGORITHM = "sanctum"
MATCHER_VERSION = "sanctum-1.7"
"""Recorded with every screening (results, audit trail, batch progress): it changes
whenever a score can change, so a record says which scoring made it. 1.1: Hangul meets
Hangul only as the same syllables; an Arabic-script name meets Latin words by
`abjad_meets`. 1.2: an Arabic-script word is tried in all its romanizations
(`abjad_readings`), meets at SIM_ABJAD whenever its vowels fit, and no longer meets by
skeleton where they do not. 1.3: e-mail addresses, websites, phone numbers and wallet
addresses are identifiers (`names.identifiers`): an exact meeting scores
IDENTIFIER_MATCH_SCORE. 1.4: a listed party's `jurisdiction` counts as a country and its
`innCode` as an identifier, as a query's always did (`feature_table`). 1.5:
- organisation legal forms in `rigour`'s comparison form, weighed down
  (`normalize.organisation_text`);
- initialisms undotted, a leading `The` and `and` dropped, numbers as digits in
  organisation names (`normalize.organisation_tokens`);
- a bracketed qualifier of an organisation is no longer dropped as a reading
  (`normalize.name_variants`);
- a query initial meets the listed name it abbreviates at SIM_INITIAL (`initial_matches`);
- one word met only by spelling scores ONE_FUZZY_WORD_FACTOR less (`one_fuzzy_word`);
- kana and kanji names are read in Hepburn too (`names.japanese`).
1.6: a patronymic one name leaves out, or meets by an initial, weighs PATRONYMIC_WEIGHT
(`omitted_patronymics`). 1.7: tokens of one `romanized_key` meet at SIM_ROMANIZED
(`Yury` = `Yuri`, `Aleksey` = `Alexei`, `Omar` = `Umar`), as spelling for a one-word name."""


def round4(x: float) -> float:
    """`round(x, 4)`, the same float (sign of zero included), without its decimal string.

    `round` with digits prints the number and parses it back; scores, coverages and
    bounds are rounded several times per party scored, which cost 3-4% of a query. Off
    a tie, the nearest whole number of ten-thousandths is found exactly from `x * 10000`
    (below 1e4 it is off by at most 1e-8) and divided back, correctly rounded like the
    parse; a value within 1e-6 of a tie, or out of range, takes `round` itself."""
    if not -1e4 < x < 1e4:
        return round(x, 4)
    y = x * 10000.0
    if abs(y - math.floor(y) - 0.5) < 1e-6:
        return round(x, 4)
    return math.copysign(math.floor(y + 0.5) / 10000.0, x)


COMPATIBLE = {
    "Person": {"Person", "LegalEntity", "Thing"},
    "Organization": {"Organization", "Company", "LegalEntity", "Thing"},
    "Company": {"Organization", "Company", "LegalEntity", "Thing"},
    "LegalEntity": {"Person", "Organization", "Company", "LegalEntity", "Thing"},
    "Vessel": {"Vessel", "Thing"},
    "Airplane": {"Airplane", "Thing"},
    "Thing": set(MATCHABLE),
}
"""Which listed schemata a query schema may match."""

NAME_FACTORS = NAMES.factors
"""Factor on a listed name's score by its kind (`feature_table.NAMES`)."""


class Scored:
    """One listed party scored against a query, with the why. (A class with its own
    `__init__`, which the compiled build calls natively: one is made per party scored.)"""

    entry: Entry
    score: float
    algorithm: str
    explanation: dict[str, Any]

    def __init__(
        self, entry: Entry, score: float, algorithm: str, explanation: dict[str, Any]
    ) -> None:
        self.entry = entry
        self.score = score
        self.algorithm = algorithm
        self.explanation = explanation

    def __repr__(self) -> str:
        return f"Scored({self.entry.id!r}, {self.score!r}, {self.algorithm!r})"


def compatible(query_schema: str, listed_schema: str) -> bool:
    """True if a listed party of this schema can be the party the query describes."""
    return listed_schema in COMPATIBLE.get(query_schema, COMPATIBLE["Thing"])


Memo = dict[tuple[tuple[str, ...], tuple[str, ...], bool, bool], NameScore]
"""Name scores already computed for one query: the same listed name, token for token, is
carried by several parties (UN, UK, OFAC and others list the same person)."""


Near = Callable[[str, bool], AbstractSet[str]]
"""A query token (and whether its name is in the Arabic script) → the vocabulary tokens
it may meet (retrieval's sets, `may_meet`; an Arabic-script name's tokens also meet by
`abjad_meets`)."""


class QueryName(NamedTuple):
    """A query name prepared once per query for every listed name it is compared with."""

    text: str
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    """Each token's own rarity weight."""
    han: bool
    abjad: bool
    near: tuple[AbstractSet[str], ...] | None
    """Per token, retrieval's set (`Near`); None compares every pair."""


def prepare_names(query: Query, weight: Weight, near: Near | None = None) -> list[QueryName]:
    """The query's names prepared for `best_name`, once per query. A Hepburn reading of
    a name in kanji alone compares as pinyin does (`QueryName.han`): a dictionary's
    reading of characters, where a near miss means other characters."""
    out = []
    kanji = kanji_readings(query.names)
    for qname in query.names:
        tokens = query_tokens(qname, query.schema)
        abjad = is_arabic_script(qname)
        out.append(
            QueryName(
                qname,
                tokens,
                tuple(map(weight, tokens)),
                is_han(qname) or qname in kanji,
                abjad,
                None if near is None else tuple(near(t, abjad) for t in tokens),
            )
        )
    return out


def best_name(
    query: Query,
    names: list[NameRec],
    weight: Weight,
    memo: Memo | None = None,
    near: Near | None = None,
    prepared: list[QueryName] | None = None,
) -> tuple[float, dict[str, Any]]:
    """The best (query name, listed name) pair by name score, and its explanation.
    `memo`: name scores of this query so far, filled as it goes. `near`: see `Near`; it
    spares comparing tokens that cannot meet, and changes no score. `prepared`:
    `prepare_names(query, weight, near)`, made once per query."""
    best = 0.0
    found: tuple[str, NameRec, NameScore, float] | None = None
    memo = {} if memo is None else memo
    factors = NAME_FACTORS
    for qn in prepare_names(query, weight, near) if prepared is None else prepared:
        q_tokens, q_han, q_abjad = qn.tokens, qn.han, qn.abjad
        # looked up here (cached), not prepared: most bounded queries score no party at all
        q_items = name_items(q_tokens) if q_tokens and names else None
        for rec in names:
            key = (
                q_tokens,
                rec.tokens,
                q_han or is_han(rec.text),
                q_abjad and not is_arabic_script(rec.text),
            )
            ns = memo.get(key)
            if ns is None:
                if q_items is None or not rec.tokens:
                    ns = NameScore(0.0, 0.0, 0.0, ())
                else:
                    ns = prepared_name_score(
                        q_tokens,
                        q_items,
                        qn.weights,
                        rec.tokens,
                        weight,
                        key[2],
                        qn.near,
                        key[3],
                    )
                memo[key] = ns
            factor = factors.get(rec.kind, 1.0)
            if ns.score * factor > best:
                best = ns.score * factor
                found = (qn.text, rec, ns, factor)
    return best, explain_name(found) if found else {}


@lru_cache(maxsize=50_000)
def query_tokens(name: str, schema: str) -> tuple[str, ...]:
    """Tokens of a query name (cached: a query meets many listed names)."""
    return tuple(tokenize(name, schema))


def explain_name(found: tuple[str, NameRec, NameScore, float]) -> dict[str, Any]:
    """Which query name met which listed name, token by token, and how."""
    qname, rec, ns, factor = found
    explained: dict[str, Any] = {
        "query_name": qname,
        "listed_name": rec.text,
        "listed_name_kind": rec.kind,
        "name_score": round4(ns.score),
        "query_coverage": round4(ns.query_coverage),
        "listed_coverage": round4(ns.listed_coverage),
        "tokens": [
            {"query": m.query, "listed": m.listed, "similarity": m.sim, "how": m.how}
            for m in ns.matches
        ],
    }
    if factor != 1.0:
        explained["alias_factor"] = factor
    if ns.given_order_swapped:
        explained["given_name_order"] = "swapped"
        explained["given_name_order_factor"] = config.KOREAN_GIVEN_ORDER_FACTOR
    if rec.note:
        explained["alias_source"] = rec.note
    return explained


def kanji_readings(names: list[str]) -> frozenset[str]:
    """The Hepburn readings of the names in kanji alone (no kana) among a query's."""
    if not any(map(is_han, names)):
        return EMPTY
    return frozenset(r for n in names if is_han(n) and not has_kana(n) for r in hepburn_readings(n))


def reading_note(qname: str, names: list[str]) -> str | None:
    """Which reading of a Chinese-character or kana name met: the Japanese one (a Hepburn
    reading of another query name, `name_variants`), or, for a name in kanji alone, the
    Chinese one (pinyin, the name as given); None for other names."""
    if is_han(qname) and may_be_japanese(qname):
        return "Chinese (pinyin) reading; the Japanese (Hepburn) one was tried too"
    for name in names:
        if name != qname and may_be_japanese(name) and qname in hepburn_readings(name):
            return f"{JAPANESE_NOTE} of {name!r}"
    return None


def score_sanctum(
    query: Query,
    entry: Entry,
    index: Index,
    only: set[int] | None = None,
    memo: Memo | None = None,
    near: Near | None = None,
    prepared: list[QueryName] | None = None,
) -> Scored:
    """The default algorithm: name score, then dates, countries, gender, identifiers.

    `only`: the entry's names that retrieval reached (a name sharing no token with the
    query cannot score); None compares every name. `memo`, `near`, `prepared`: see
    `best_name`.
    """
    names = [index.names[i] for i in (entry.names if only is None else sorted(only))]
    name, explained = best_name(query, names, index.weight, memo, near, prepared)
    features: dict[str, float] = {"name": round4(name)}
    notes: list[str] = []
    total = name
    for label, delta, why in feature_deltas(query, entry):
        features[label] = delta
        notes.append(why)
        total += delta
    if explained and (reading := reading_note(explained["query_name"], query.names)):
        explained["query_reading"] = reading
    explanation: dict[str, Any] = {"name": explained, "features": features, "notes": notes}
    for f in FLOORS:
        floor, label = f.compare(query.facts[f.slot], entry.facts[f.slot])
        if floor:
            notes.append(f.note.format(label))
            explanation[f.name] = label
            if total < floor:
                features[f.name] = round4(floor - total)
                total = floor
    total = max(0.0, min(1.0, total))
    return Scored(entry, round4(total), "sanctum", explanation)


def feature_deltas(query: Query, entry: Entry) -> list[tuple[str, float, str]]:
    """The added features that apply (`feature_table.ADDED`): (label, contribution, why)."""
    out = []
    for f in query.added:  # none for a query of names only: the common case
        delta, why = f.compare(query.facts[f.slot], entry.facts[f.slot])
        if delta:
            out.append((f.name, delta, why))
    return out


def bound_plan(
    query: Query,
    index: Index,
    near: Near,
    run_near: Callable[[str], AbstractSet[str]],
    prepared: list[QueryName] | None = None,
) -> list[tuple[BoundQuery, bool]]:
    """The query's names prepared for `names_bound`, once per query (and whether each is
    written in Chinese characters). `near`, `run_near(run)`: retrieval's sets. `prepared`:
    `prepare_names(query, index.weight, near)`, when the caller has it already."""
    out = []
    for qn in prepare_names(query, index.weight, near) if prepared is None else prepared:
        assert qn.near is not None  # prepared with `near`
        bq = bound_query(
            qn.tokens,
            qn.near,
            tuple(run_near(run[0]) for run in runs_of(qn.tokens)),
            index.weight,
        )
        out.append((bq, qn.han))
    return out


def score_bound(query: Query, entry: Entry, name_bound: float) -> float:
    """An upper bound of `score_sanctum(query, entry, ...).score`, from a bound of its best
    name score (`names_bound`): the other features added as they apply."""
    if name_bound >= 1.0:
        return 1.0
    return max(0.0, min(1.0, name_bound + sum(d for _l, d, _w in feature_deltas(query, entry))))


def names_bound(
    query: Query,
    entry: Entry,
    index: Index,
    only: set[int] | None,
    prepared: list[tuple[BoundQuery, bool]],
) -> float:
    """An upper bound of the party's best name score, at a fraction of its cost (no
    alignment): screening scores parties best bound first and stops when no bound left
    can reach the results it keeps. 1.0 for a party reached by an identifier (it may
    score IDENTIFIER_MATCH_SCORE whatever its names). `prepared`: `bound_plan(query,
    ...)`."""
    if only is None or floor_reached(query, entry):
        return 1.0
    best = 0.0
    weight = index.weight
    names = index.names
    for bq, q_han in prepared:
        for i in only:
            rec = names[i]
            b = name_bound(bq, rec.tokens, weight, q_han or is_han(rec.text))
            b *= NAME_FACTORS.get(rec.kind, 1.0)
            if b > best:
                best = b
    return best


def floor_reached(query: Query, entry: Entry) -> bool:
    """True if a floor feature (an identifier) agrees: the party may score its floor
    whatever its names."""
    for f in FLOORS:
        values = query.facts[f.slot]
        if values and f.compare(values, entry.facts[f.slot])[0]:
            return True
    return False


def features_bonus_max(query: Query) -> float:
    """The most the added features can add for this query: the sum of the `bonus` of
    each one the query gives values for (a gender, bonus 0, only ever takes away)."""
    return sum((f.bonus for f in query.added), 0.0)


def score_ofac(query: Query, entry: Entry, index: Index, only: set[int] | None = None) -> Scored:
    """OFAC Sanctions List Search emulation: best name's SLS score / 100, names only
    (every name of the entry: SLS compares whole strings, not tokens)."""
    from sanctum.match.ofac import ofac_score

    best, best_pair = 0, ("", "")
    for qname in query.names:
        for i in entry.names:
            rec = index.names[i]
            s = ofac_score(qname, rec.text)
            if s > best:
                best, best_pair = s, (qname, rec.text)
    explanation = {
        "name": {"query_name": best_pair[0], "listed_name": best_pair[1], "ofac_score": best},
        "features": {"ofac_name": best / 100},
        "notes": ["OFAC Sanctions List Search emulation: names only"],
    }
    return Scored(entry, best / 100, "ofac", explanation)


SCORERS = {"sanctum": score_sanctum, "ofac": score_ofac}


def algorithm_named(name: str | None) -> str:
    """Validate an algorithm name (None → the default)."""
    from sanctum.match.query import QueryError

    name = name or DEFAULT_ALGORITHM
    if name not in SCORERS:
        raise QueryError(
            "algorithm", f"unknown algorithm {name!r}; use one of {', '.join(ALGORITHMS)}"
        )
    return name
