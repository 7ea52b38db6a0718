"""The Screener: query → candidates from the index → scored, explained, ranked results.

CLI, HTTP API and batch all call this one class.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from sanctum import settings
from sanctum.crypto import InvalidAddress, detect, require_valid
from sanctum.index import Entry, Index, NameRec, joins, load_or_build, norm_identifier
from sanctum.match import config
from sanctum.match.features import token_sim
from sanctum.match.query import Query, parse_query
from sanctum.match.score import (
    COMPATIBLE,
    MATCHER_VERSION,
    SCORERS,
    Scored,
    algorithm_named,
    compatible,
    query_tokens,
)
from sanctum.names.normalize import korean_keys, skeleton
from sanctum.store.db import Store


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


class Screener:
    """Screens queries against every list in force."""

    def __init__(self, store: Store | None = None, index: Index | None = None) -> None:
        self.store = store or Store(settings.database_path())
        self.index = index or load_or_build(self.store)
        self._expand = lru_cache(maxsize=20_000)(self._expand_token)

    def refresh(self) -> None:
        """Pick up a new store generation (a new list version landed)."""
        if self.store.generation() != self.index.generation:
            self.index = load_or_build(self.store)
            self._expand.cache_clear()

    # -- retrieval ----------------------------------------------------------------------

    def _expand_token(self, token: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary tokens a query token may stand for, with their similarity."""
        index = self.index
        found: dict[str, float] = {}
        if token in index.postings:
            found[token] = 1.0
        for key in korean_keys(token):  # same syllables: no need to compare again
            for cand in index.korean.get(key, ()):
                found.setdefault(cand, config.SIM_KOREAN)
        near: set[str] = set()
        if len(s := skeleton(token)) >= config.MIN_SKELETON:
            near.update(index.skeletons.get(s, ()))
        if len(token) >= config.EDIT1_MIN_LEN and token.isascii():
            n = len(token)
            bucket: list[str] = []
            for key in (f"{token[:2]}<{m}" for m in (n - 1, n, n + 1)):
                bucket.extend(index.shapes.get(key, ()))
            for key in (f"{token[-2:]}>{m}" for m in (n - 1, n, n + 1)):
                bucket.extend(index.shapes.get(key, ()))
            for cand, _dist, _i in process.extract(
                token, bucket, scorer=Levenshtein.distance, score_cutoff=2, limit=None
            ):
                near.add(cand)
        for cand in near:
            if cand not in found:
                sim, _ = token_sim(token, cand)
                if sim >= config.MIN_TOKEN_SIM:
                    found[cand] = sim
        return tuple(found.items())

    def candidates(
        self, query: Query, sources: set[str] | None = None
    ) -> dict[int, set[int] | None]:
        """Entries worth scoring → the names of each that retrieval reached (None: all
        names, for an identifier hit). Best upper bound first, at most MAX_CANDIDATES."""
        index = self.index
        bound: dict[int, float] = defaultdict(float)
        for qname in query.names:
            tokens = query_tokens(qname, query.schema)
            items = list(dict.fromkeys(list(tokens) + joins(tokens)))
            expansions = [(t, self._expand(t)) for t in items]
            sizes = {t: sum(len(index.postings[v]) for v, _ in exp) for t, exp in expansions}
            rare_exists = any(0 < s <= config.FREQUENT_POSTINGS for s in sizes.values())
            for tok, exp in expansions:
                if rare_exists and sizes[tok] > config.FREQUENT_POSTINGS:
                    continue
                reach: dict[int, float] = {}
                for vocab, sim in exp:
                    w = index.idf[vocab] * sim
                    for nid in index.postings[vocab]:
                        if reach.get(nid, 0.0) < w:
                            reach[nid] = w
                for nid, w in reach.items():
                    bound[nid] += w
        best = self._best(query, bound, sources)
        seen: dict[int, set[int] | None] = {}
        for nid, _ in best:
            names = seen.setdefault(index.names[nid].entry, set())
            if names is not None:
                names.add(nid)
        for ident in query.identifiers:
            norm = norm_identifier(ident)
            for entry in index.identifiers.get(norm or "", ()):
                seen[entry] = None
        return seen

    def _best(
        self, query: Query, bound: dict[int, float], sources: set[str] | None
    ) -> list[tuple[int, float]]:
        """The names most likely to score well: allowed source and schema, ranked by the
        bound normalised by the name's own weight (so `ABU AHMAD` beats a long name that
        also holds both tokens)."""
        index = self.index
        allowed = COMPATIBLE.get(query.schema, COMPATIBLE["Thing"])
        ranked = []
        pool = heapq.nlargest(config.RETRIEVAL_POOL, bound.items(), key=itemgetter(1))
        for nid, b in pool:
            entry = index.entries[index.names[nid].entry]
            if entry.schema not in allowed or (sources is not None and entry.source not in sources):
                continue
            ranked.append((nid, b * (b / index.name_weight[nid]) ** 0.5))
        ranked.sort(key=lambda kv: -kv[1])
        return ranked[: config.MAX_CANDIDATES]

    # -- screening ----------------------------------------------------------------------

    def screen(
        self,
        query: dict[str, Any] | Query,
        threshold: float | None = None,
        limit: int = 10,
        algorithm: str | None = None,
        sources: set[str] | None = None,
    ) -> Screening:
        """Ranked, explained results for one query (FtM-shaped dict or Query)."""
        q = parse_query(query)
        algo = algorithm_named(algorithm)
        limit = max(1, min(int(limit), 500))
        cut = config.THRESHOLD if threshold is None else float(threshold)
        scorer = SCORERS[algo]
        scored: list[Scored] = []
        for idx, names in self.candidates(q, sources).items():
            entry = self.index.entries[idx]
            if not compatible(q.schema, entry.schema):
                continue
            if sources is not None and entry.source not in sources:
                continue
            scored.append(scorer(q, entry, self.index, names))
        scored.sort(key=lambda s: (-s.score, s.entry.id))
        results = [self._result(s, cut) for s in scored[:limit] if s.score > 0]
        return Screening(results, cut, algo, dict(self.index.versions))

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
        """Who holds a wallet address: raises InvalidAddress for an address no chain accepts."""
        from sanctum.crypto import normalise_address

        check = require_valid(address, currency)
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
            "matches": hits,
            "list_versions": dict(self.index.versions),
        }


__all__ = ["InvalidAddress", "Match", "Screener", "Screening"]
