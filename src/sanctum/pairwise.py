"""`sanctum.compare`: score two FtM-shaped records against each other, with explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanctum import config
from sanctum.index import from_records
from sanctum.match.query import check_schema, parse_query
from sanctum.match.score import SCORERS, algorithm_named, compatible


@dataclass(frozen=True)
class CompareResult:
    """Score in [0, 1], whether it reaches the threshold, and why."""

    score: float
    match: bool
    explanation: dict[str, Any]
    algorithm: str


def compare(
    query: dict[str, Any],
    candidate: dict[str, Any],
    algorithm: str | None = None,
    threshold: float | None = None,
) -> CompareResult:
    """Compare a query record with a candidate record (token weights uniform)."""
    q = parse_query(query)
    algo = algorithm_named(algorithm)
    check_schema(str(candidate.get("schema") or "Thing"))
    index = from_records([candidate])
    cut = config.THRESHOLD if threshold is None else threshold
    if not index.entries or not index.entries[0].names:
        return CompareResult(0.0, False, {"notes": ["candidate has no name"]}, algo)
    entry = index.entries[0]
    if not compatible(q.schema, entry.schema):
        note = f"schemata {q.schema} and {entry.schema} cannot be the same party"
        return CompareResult(0.0, False, {"notes": [note]}, algo)
    scored = SCORERS[algo](q, entry, index)
    return CompareResult(scored.score, scored.score >= cut, scored.explanation, algo)
