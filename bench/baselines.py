"""Baselines measured in the same run: nomenklatura logic-v2 (yente's matcher) behind a
candidate step standing in for yente's Elasticsearch query (ASCII-folded name tokens
with fuzziness AUTO and phonetic keys), and a brute-force rapidfuzz Jaro-Winkler scan
over every listed name."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from normality import ascii_text
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from sanctum.feature_table import BIRTH_DATE, COUNTRY
from sanctum.index import Index

BLOCK_CANDIDATES = 30
"""Candidates handed to logic-v2 per query (yente's default `candidates` is about 30)."""


def _ascii_tokens(text: str) -> list[str]:
    return [t for t in (ascii_text(text) or "").lower().replace("-", " ").split() if t]


class LogicV2:
    """nomenklatura's logic-v2 over token-blocked candidates."""

    def __init__(self, index: Index) -> None:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig

        self.algo: Any = get_algorithm("logic-v2")
        self.config = ScoringConfig.defaults()
        self.model = model
        self.index = index
        from rigour.text.phonetics import metaphone

        self.metaphone = metaphone
        self.postings: dict[str, set[int]] = defaultdict(set)
        for i, entry in enumerate(index.entries):
            for nid in entry.names:
                for tok in _ascii_tokens(index.names[nid].text):
                    self.postings[tok].add(i)
                    if len(tok) > 2:
                        self.postings["~" + metaphone(tok)].add(i)
        n = len(index.entries)
        self.idf = {t: math.log(1 + n / len(v)) for t, v in self.postings.items()}
        self.vocab = [t for t in self.postings if not t.startswith("~")]
        self.proxies: dict[int, Any] = {}
        self.queries = 0

    def _keys(self, tok: str) -> set[str]:
        """The token, its phonetic key, and vocabulary tokens within fuzziness AUTO."""
        keys = {tok}
        if len(tok) > 2:
            keys.add("~" + self.metaphone(tok))
            edits = 1 if len(tok) <= 5 else 2
            for other, _d, _i in process.extract(
                tok, self.vocab, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
            ):
                keys.add(other)
        return keys

    def _proxy(self, i: int) -> Any:
        if i not in self.proxies:
            entry = self.index.entries[i]
            proxy = self.model.make_entity(entry.schema)
            proxy.id = entry.id
            for nid in entry.names:
                rec = self.index.names[nid]
                prop = "weakAlias" if rec.kind in ("weak", "cyber") else "name"
                proxy.add(prop, rec.text)
            proxy.add("birthDate", sorted(entry.facts[BIRTH_DATE.slot]), quiet=True)
            proxy.add("country", sorted(entry.facts[COUNTRY.slot]), quiet=True)
            self.proxies[i] = proxy
        return self.proxies[i]

    def screen(self, query: dict[str, Any]) -> list[tuple[str, float]]:
        props = query["properties"]
        q = self.model.make_entity(query.get("schema", "Thing"))
        self.queries += 1
        q.id = f"query-{self.queries}"  # logic-v2 caches name analysis by entity id
        for key, values in props.items():
            q.add(key, values, quiet=True)
        weights: dict[int, float] = defaultdict(float)
        for name in props.get("name", []):
            for tok in set(_ascii_tokens(name)):
                reach: dict[int, float] = {}
                for key in self._keys(tok):
                    for i in self.postings.get(key, ()):
                        reach[i] = max(reach.get(i, 0.0), self.idf[key])
                for i, w in reach.items():
                    weights[i] += w
        best = sorted(weights.items(), key=lambda kv: -kv[1])[:BLOCK_CANDIDATES]
        out = []
        for i, _ in best:
            proxy = self._proxy(i)
            if not q.schema.can_match(proxy.schema):
                continue
            out.append((proxy.id, float(self.algo.compare(q, proxy, self.config).score)))
        return out


class JaroWinklerScan:
    """Every listed name scored with Jaro-Winkler; the best name per party."""

    def __init__(self, index: Index) -> None:
        self.texts = [(ascii_text(n.text) or "").upper() for n in index.names]
        self.owner = [index.entries[n.entry].id for n in index.names]

    def screen(self, query: dict[str, Any]) -> list[tuple[str, float]]:
        best: dict[str, float] = {}
        for name in query["properties"].get("name", []):
            q = (ascii_text(name) or "").upper()
            for _text, score, i in process.extract(
                q,
                self.texts,
                scorer=JaroWinkler.normalized_similarity,
                limit=10,
                processor=None,
            ):
                eid = self.owner[i]
                best[eid] = max(best.get(eid, 0.0), float(score))
        return sorted(best.items(), key=lambda kv: -kv[1])
