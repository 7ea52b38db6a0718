"""The Screener: query → candidates from the index → scored, explained, ranked results.

CLI, HTTP API and batch all call this one class.
"""

from __future__ import annotations

import heapq
import math
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from sanctum import config, settings
from sanctum.crypto import InvalidAddress, detect, require_valid
from sanctum.feature_table import IDENTIFIER, identifier_of
from sanctum.index import (
    Entry,
    Index,
    NameRec,
    joins,
    load_or_build,
    rarity,
    typo_buckets,
)
from sanctum.match.features import hangul_apart, token_sim
from sanctum.match.query import Query, parse_query
from sanctum.match.score import (
    COMPATIBLE,
    MATCHER_VERSION,
    SCORERS,
    Memo,
    Scored,
    algorithm_named,
    bound_plan,
    compatible,
    features_bonus_max,
    names_bound,
    prepare_names,
    query_tokens,
    round4,
    score_bound,
    score_sanctum,
)
from sanctum.names.arabic import abjad_keys, abjad_meets, abjad_readings
from sanctum.names.normalize import (
    EMPTY,
    filed_tokens,
    is_arabic_script,
    korean_keys,
    meeting_skeletons,
    romanized_key,
    undoubled,
)
from sanctum.store.db import Store

Expansion = tuple[tuple[tuple[str, float], ...], int, frozenset[str]]
"""A query token's expansion: (vocabulary token, similarity) items, the names they reach
in all, and the set of the vocabulary tokens."""

EXPANSION_CACHE = 50_000
"""Query tokens whose expansion is kept (a token seen once is likely seen again)."""
BOUND_MIN_RATIO = 2
"""Without a cutoff, bounds are taken only when there are at least this many candidates
per result wanted: bounding costs about a fifth of scoring, and skips few parties when
nearly all of them make the page (in-process latency benchmark, top 10)."""
BOUND_SLACK = 1e-9
"""Added to an upper bound before comparing: float sums taken in another order."""


@dataclass
class Match:
    """One result of a screening."""

    id: str
    caption: str
    schema: str
    source: str
    score: float
    match: bool
    explanation: dict[str, Any]
    sanctions: list[dict[str, list[str]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "caption": self.caption,
            "schema": self.schema,
            "source": self.source,
            "score": self.score,
            "match": self.match,
            "explanation": self.explanation,
            "sanctions": self.sanctions,
        }


@dataclass
class Screening:
    """The answer to one query: results and the list versions they were found in."""

    results: list[Match]
    threshold: float
    algorithm: str
    list_versions: dict[str, str]
    matcher_version: str = MATCHER_VERSION

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "results": [r.as_dict() for r in self.results],
            "threshold": self.threshold,
            "algorithm": self.algorithm,
            "list_versions": self.list_versions,
            "matcher_version": self.matcher_version,
        }


def _reach(
    exp: tuple[tuple[str, float], ...], postings: dict[str, array[int]], names: int
) -> dict[int, float]:
    """Names reached by a query token's expansion → the best weight it brings each (rarity
    of the vocabulary token among the index's `names` names × its similarity), in
    first-reached order."""
    reach: dict[int, float] = {}
    for vocab, sim in exp:
        ids = postings[vocab]
        w = rarity(names, len(ids)) * sim
        if not reach and w > 0.0:
            reach = dict.fromkeys(ids, w)  # a token's postings hold each name once
            continue
        for nid in ids:  # `reach.get` spelled out: the compiled build calls it natively
            if reach.get(nid, 0.0) < w:
                reach[nid] = w
    return reach


def _largest(bound: dict[int, float], n: int) -> list[tuple[int, float]]:
    """The n items with the largest values, largest first, ties in insertion order: the
    same as `sorted(bound.items(), key=value, reverse=True)[:n]` (and `heapq.nlargest`),
    without sorting every item with its key."""
    if len(bound) <= n:
        return sorted(bound.items(), key=itemgetter(1), reverse=True)
    if n <= 0:
        return []
    cut = sorted(bound.values(), reverse=True)[n - 1]
    top = [(nid, b) for nid, b in bound.items() if b >= cut]  # no tuple for those left out
    top.sort(key=itemgetter(1), reverse=True)  # stable: ties keep insertion order
    return top[:n]


def distinct_entries(
    ranked: list[tuple[int, float]], index: Index, limit: int
) -> list[tuple[int, float]]:
    """The ranked names of the first `limit` distinct listed parties: a party listed under
    many spellings of one name must not crowd others out of the candidates. The parties
    come in rank order; names of theirs ranked after the last party's first name follow
    (a party's names are a set to `candidates`: their order there is the rank's)."""
    names = index.names
    chosen: dict[int, None] = {}
    for n, (nid, _b) in enumerate(ranked):  # noqa: B007 - where the parties ran out
        entry = names[nid].entry
        if entry not in chosen:
            if len(chosen) == limit:
                break
            chosen[entry] = None
    else:
        return ranked
    # the chosen parties' other names among those left, in rank order
    return ranked[:n] + [(nid, b) for nid, b in ranked[n:] if names[nid].entry in chosen]


class Screener:
    """Screens queries against every list in force."""

    def __init__(self, store: Store | None = None, index: Index | None = None) -> None:
        self.store = store or Store(settings.database_path())
        self.index = index or load_or_build(self.store)
        self._expand = lru_cache(maxsize=EXPANSION_CACHE)(self._expand_token)
        self._expand_run = lru_cache(maxsize=EXPANSION_CACHE)(self._expand_joined_run)
        self._expand_abjad = lru_cache(maxsize=EXPANSION_CACHE)(self._expand_abjad_token)
        self._allowed: dict[tuple[str, frozenset[str] | None], bytes] = {}
        self._listed_sources: tuple[Index, set[str]] | None = None

    def refresh(self) -> None:
        """Pick up a new store generation (a new list version landed)."""
        if self.store.generation() != self.index.generation:
            self.index = load_or_build(self.store)
            self._expand.cache_clear()
            self._expand_run.cache_clear()
            self._expand_abjad.cache_clear()
            self._allowed.clear()

    def _allowed_names(self, schema: str, sources: set[str] | None) -> bytes:
        """Per name id: 1 if its party's schema may match the query schema (and its source
        is among `sources`), computed once per schema and source set."""
        key = (schema, None if sources is None else frozenset(sources))
        flags = self._allowed.get(key)
        if flags is None:
            index = self.index
            allowed = COMPATIBLE.get(schema, COMPATIBLE["Thing"])
            ok = [
                e.schema in allowed and (sources is None or e.source in sources)
                for e in index.entries
            ]
            flags = bytes([ok[rec.entry] for rec in index.names])
            if len(self._allowed) >= 64:
                self._allowed.clear()
            self._allowed[key] = flags
        return flags

    def restriction(self, sources: set[str] | None) -> set[str] | None:
        """`sources` as a restriction: None when it names every list in the index (the
        API's `default` dataset), so no query pays for filtering that filters nothing."""
        if sources is None:
            return None
        listed = self._listed_sources
        if listed is None or listed[0] is not self.index:
            listed = self._listed_sources = (self.index, {e.source for e in self.index.entries})
        return None if sources >= listed[1] else sources

    # -- retrieval ----------------------------------------------------------------------

    def expand(self, token: str, abjad: bool = False) -> tuple[tuple[str, float], ...]:
        """Vocabulary tokens a query token may stand for, with their similarity (cached;
        search reaches what screening reaches); `abjad`: see `near`."""
        return self._expansion(token, abjad)[0]

    def near(self, token: str, abjad: bool = False) -> frozenset[str]:
        """The vocabulary tokens a query token may stand for (cached; see `may_meet`);
        `abjad`: its name is in the Arabic script (`abjad_meets`)."""
        return self._expansion(token, abjad)[2]

    def _expansion(self, token: str, abjad: bool) -> Expansion:
        """A query token's expansion (cached), as its name's script asks."""
        return self._expand_abjad(token) if abjad else self._expand(token)

    def run_near(self, run: str) -> frozenset[str]:
        """The vocabulary tokens a joined run of query tokens may stand for (cached)."""
        return self._expand_run(run)[2]

    def _expand_token(self, token: str) -> Expansion:
        """Vocabulary tokens a query token may stand for, with their similarity; how many
        names those tokens reach in all (postings summed); and, as a set, those tokens and
        the ones it meets by doubled letters (`may_meet`; retrieval does not use those)."""
        items, size, near = self._reaching(self._neighbours(token))
        single = undoubled(token) if token.isascii() else ""
        if len(single) == config.DOUBLED_MIN_LEN:
            floor = config.MIN_TOKEN_SIM
            more = [
                cand
                for cand in self.index.doubled.get(single, ())
                if cand not in near and token_sim(token, cand)[0] >= floor
            ]
            if more:
                near = near.union(more)
        return items, size, near

    def _expand_abjad_token(self, token: str) -> Expansion:
        """`_expand_token` for a token of a name in the Arabic script, as `_align` compares
        it with Latin tokens: those it meets by `abjad_meets` (`sif` → saif, sayf) at
        SIM_ABJAD, found under the keys of its readings (`abjad_keys`) or spelled as one
        of them; skeleton neighbours whose vowels do not fit left out."""
        items, size, near = self._expand(token)
        index = self.index
        sim_abjad, skeleton = config.SIM_ABJAD, config.SIM_SKELETON
        fits: set[str] = set()
        unfit: set[str] = set()
        for cand, sim in items:  # a skeleton whose vowels do not fit meets nothing (`_align`)
            if sim == skeleton:
                (fits if abjad_meets(token, cand) else unfit).add(cand)
        if fits or unfit:
            items = tuple(
                (cand, sim_abjad if cand in fits else sim)
                for cand, sim in items
                if cand not in unfit
            )
            size -= sum(len(index.postings[cand]) for cand in unfit)
            near = near - unfit
        more: dict[str, None] = {
            r: None for r in abjad_readings(token)[1:] if r in index.postings and r not in near
        }
        for key, by_skeleton in abjad_keys(token):
            table = index.skeletons if by_skeleton else index.abjad
            for cand in table.get(key, ()):
                if cand not in near and cand not in more and abjad_meets(token, cand):
                    more[cand] = None
        if not more:
            return items, size, near
        postings, sim = index.postings, config.SIM_ABJAD
        return (
            items + tuple((cand, sim) for cand in more),
            size + sum(len(postings[cand]) for cand in more),
            near.union(more),
        )

    def _expand_joined_run(self, run: str) -> Expansion:
        """What a run of query tokens joined (`kyong il` → `kyongil`) may stand for: the
        vocabulary token spelled the same or made of the same Korean syllables, as in
        `align`, where a joined run meets nothing fuzzier; and the names those reach."""
        return self._reaching(self._same_spelling(run))

    def _reaching(self, found: dict[str, float]) -> Expansion:
        """Expansion items, the names they reach in all (postings summed), and the set of
        the vocabulary tokens."""
        postings = self.index.postings
        near = frozenset(found) or EMPTY  # most joined runs meet nothing: one shared set
        return tuple(found.items()), sum(len(postings[v]) for v in found), near

    def _same_spelling(self, token: str) -> dict[str, float]:
        """The vocabulary token spelled alike, then those of the same Korean syllables."""
        index = self.index
        found: dict[str, float] = {}
        if token in index.postings:
            found[token] = config.SIM_EXACT
        korean = index.korean
        for key in sorted(korean_keys(token)):  # same syllables: no need to compare again
            same = korean.get(key)
            if same:
                sim_k = config.SIM_KOREAN
                found.update(
                    (cand, sim_k)
                    for cand in same
                    if cand not in found and not hangul_apart(token, cand)
                )
        return found

    def _neighbours(self, token: str) -> dict[str, float]:
        """Vocabulary tokens a query token may stand for, with their similarity."""
        index = self.index
        found = self._same_spelling(token)
        near: set[str] = set()
        for s in meeting_skeletons(token):
            near.update(index.skeletons.get(s, ()))
        filed = index.romanized.get(romanized_key(token))  # no token has the key ""
        if filed is not None:  # those that differ in doubled letters alone:
            near.update(  # `_expand_token`, as `may_meet`, not retrieval
                cand for cand in filed_tokens(filed) if token_sim(token, cand)[1] != "doubled"
            )
        if len(token) >= config.EDIT1_MIN_LEN and token.isascii():
            shapes = index.shapes
            empty: tuple[str, ...] = ()
            bucket: list[str] = []
            for key in typo_buckets(token):
                bucket += shapes.get(key, empty)
            if bucket:
                # two edits meet only between long tokens (`token_sim`); a shorter token's
                # neighbours two edits away could only meet by skeleton, found above
                edits = 2 if len(token) >= config.EDIT2_MIN_LEN else 1
                near.update(
                    cand
                    for cand, _dist, _i in process.extract(
                        token, bucket, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
                    )
                )
        floor = config.MIN_TOKEN_SIM
        for cand in sorted(near):  # in an order of their own, not the hash seed's
            if cand not in found:
                sim, _ = token_sim(token, cand)
                if sim >= floor:
                    found[cand] = sim
        return found

    def candidates(
        self, query: Query, sources: set[str] | None = None
    ) -> dict[int, set[int] | None]:
        """Entries worth scoring → the names of each that retrieval reached (None: all
        names, for an identifier hit). Best upper bound first, at most MAX_CANDIDATES."""
        index = self.index
        postings, named = index.postings, max(len(index.names), 1)
        frequent = config.FREQUENT_POSTINGS
        bound: dict[int, float] = {}
        for qname in query.names:
            tokens = query_tokens(qname, query.schema)
            singles = list(dict.fromkeys(tokens))
            runs = [run for run in dict.fromkeys(joins(tokens)) if run not in tokens]
            items = singles + runs
            abjad = is_arabic_script(qname)
            expansions = [self._expansion(t, abjad) for t in singles]
            expansions += [self._expand_run(r) for r in runs]
            rare_exists = any(0 < size <= frequent for _exp, size, _set in expansions)
            for tok, (exp, size, _set) in zip(items, expansions, strict=True):
                if rare_exists and size > frequent:
                    # a frequent token (a lone KIM), or one whose spelling neighbours are
                    # (MAHMUD ~ MUHAMMAD): only its own exact spelling opens candidates
                    exp = tuple((v, sim) for v, sim in exp if v == tok)
                    if not exp or len(postings[tok]) > frequent:
                        continue
                reach = _reach(exp, postings, named)
                if not bound:
                    bound = dict(reach)  # 0.0 + w == w: the first token's reach as it is
                    continue
                for nid, w in reach.items():
                    bound[nid] = bound.get(nid, 0.0) + w
        best = self._best(query, bound, self.restriction(sources))
        seen: dict[int, set[int] | None] = {}
        for nid, _ in best:
            names = seen.setdefault(index.names[nid].entry, set())
            if names is not None:
                names.add(nid)
        for value in query.facts[IDENTIFIER.slot]:
            for entry in index.identifiers.get(identifier_of(value), ()):
                seen[entry] = None
        return seen

    def _best(
        self, query: Query, bound: dict[int, float], sources: set[str] | None
    ) -> list[tuple[int, float]]:
        """The names most likely to score well: allowed source and schema, ranked by the
        bound normalised by the name's own weight (so `ABU AHMAD` beats a long name that
        also holds both tokens)."""
        ok = self._allowed_names(query.schema, sources)
        weight = self.index.name_weight
        if sources is not None:  # other lists' names must not fill the pool
            bound = {nid: b for nid, b in bound.items() if ok[nid]}
        pool = _largest(bound, config.RETRIEVAL_POOL)
        ranked = [(nid, b * math.sqrt(b / weight[nid])) for nid, b in pool if ok[nid]]
        ranked.sort(key=itemgetter(1), reverse=True)  # stable: ties keep pool order
        return distinct_entries(ranked, self.index, config.MAX_CANDIDATES)

    # -- screening ----------------------------------------------------------------------

    def screen(
        self,
        query: dict[str, Any] | Query,
        threshold: float | None = None,
        limit: int = 10,
        algorithm: str | None = None,
        sources: set[str] | None = None,
        min_score: float | None = None,
    ) -> Screening:
        """Ranked, explained results for one query (FtM-shaped dict or Query): the best
        `limit`, and none below `min_score` (yente's `cutoff`), which stops at the threshold
        so no match is ever left out (batch asks for 1.0: alerts only)."""
        q = parse_query(query)
        algo = algorithm_named(algorithm)
        sources = self.restriction(sources)
        limit = max(1, min(int(limit), config.MAX_LIMIT))
        cut = config.THRESHOLD if threshold is None else float(threshold)
        entries = self.index.entries
        todo = [
            (entries[idx], names)
            for idx, names in self.candidates(q, sources).items()
            if compatible(q.schema, entries[idx].schema)
            and (sources is None or entries[idx].source in sources)
        ]
        floor = 0.0 if min_score is None else min(float(min_score), cut)
        if algo == "sanctum" and (floor > 0.0 or len(todo) >= BOUND_MIN_RATIO * limit):
            scored = self._score_bounded(q, todo, limit, floor)
        else:
            scorer = SCORERS[algo]
            if algo == "sanctum":
                memo: Memo = {}
                plan = prepare_names(q, self.index.weight, self.near)
                scored = [
                    score_sanctum(q, e, self.index, names, memo, self.near, plan)
                    for e, names in todo
                ]
            else:
                scored = [scorer(q, entry, self.index, names) for entry, names in todo]
        scored.sort(key=lambda s: (-s.score, s.entry.id))
        results = [self._result(s, cut) for s in scored[:limit] if s.score > 0 and s.score >= floor]
        return Screening(results, cut, algo, dict(self.index.versions))

    def _score_bounded(
        self, q: Query, todo: list[tuple[Entry, set[int] | None]], limit: int, floor: float
    ) -> list[Scored]:
        """Score parties best upper bound first, and stop once no bound left can reach
        `floor` or the `limit`-th score kept so far: the same results as scoring all.

        Parties are ordered by their name bound plus the most the other features could
        add; those features are checked only for the parties reached in that order."""
        index = self.index
        plan = prepare_names(q, index.weight, self.near)  # the query's names, once
        prepared = bound_plan(q, index, self.near, self.run_near, plan)
        bonus = features_bonus_max(q)
        bounded = [(names_bound(q, e, index, names, prepared), e, names) for e, names in todo]
        bounded.sort(key=itemgetter(0), reverse=True)
        scored: list[Scored] = []
        top: list[float] = []  # the `limit` best scores so far, a min-heap
        memo: Memo = {}
        for name_ub, entry, names in bounded:
            # scores are rounded to 4 places: a bound rounding below the bar cannot reach it
            bar = max(floor, top[0] if len(top) == limit else 0.0)
            if round4(min(1.0, name_ub + bonus) + BOUND_SLACK) < bar:
                break  # nor can any party after it
            if round4(score_bound(q, entry, name_ub) + BOUND_SLACK) < bar:
                continue  # its date of birth, country or gender take it below the bar
            s = score_sanctum(q, entry, index, names, memo, self.near, plan)
            scored.append(s)
            if len(top) < limit:
                heapq.heappush(top, s.score)
            elif s.score > top[0]:
                heapq.heapreplace(top, s.score)
        return scored

    def _result(self, s: Scored, threshold: float) -> Match:
        e: Entry = s.entry
        return Match(
            e.id,
            e.caption,
            e.schema,
            e.source,
            s.score,
            s.score >= threshold,
            s.explanation,
            e.sanctions,
        )

    def names_of(self, entry: Entry) -> list[NameRec]:
        """All indexed names of a listed party."""
        return [self.index.names[i] for i in entry.names]

    def screen_address(self, address: str, currency: str | None = None) -> dict[str, Any]:
        """Who holds a wallet address: raises InvalidAddress for an address no chain accepts,
        unless the lists hold it exactly (a chain without a checksum rule here): then it is
        matched as written and reported "not validated", never rejected."""
        from sanctum.crypto import AddressCheck, normalise_address

        try:
            check = require_valid(address, currency)
        except InvalidAddress:
            key = normalise_address(address)
            if key not in self.index.wallets:
                raise
            check = AddressCheck(key, None, "unknown", None)
        keys = {check.normalised, normalise_address(address, currency)}
        for alt in detect(address):
            keys.add(alt.normalised)
        hits = []
        for key in keys:
            for w in self.index.wallets.get(key, []):
                entry = self.index.entries[self.index.entry_by_id[w.holder]]
                hits.append(
                    {
                        "wallet_id": w.id,
                        "address": w.address,
                        "currency": w.currency,
                        "holder_id": w.holder,
                        "holder": entry.caption,
                        "source": w.source,
                        "sanctions": entry.sanctions,
                    }
                )
        hits.sort(key=lambda h: (h["holder_id"], h["currency"]))
        return {
            "address": address,
            "normalised": check.normalised,
            "chain": check.chain,
            "valid": check.valid,
            "validation": "not validated" if check.valid is None else "checksum passed",
            "matches": hits,
            "list_versions": dict(self.index.versions),
        }


__all__ = ["InvalidAddress", "Match", "Screener", "Screening"]
