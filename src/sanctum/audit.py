"""Audit trail: every screening appended with a hash chain, so any edit shows.

Each record's hash covers its content and the previous record's hash; `verify` walks the
chain and names the first record whose content, position or predecessor does not fit.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from sanctum.store.db import Store, now

GENESIS = "0" * 64


def record_hash(fields: tuple[Any, ...]) -> str:
    """sha256 over the record's fields (id included, so reordering breaks the chain)."""
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One record to append: what was asked, against which lists, and what came back."""

    kind: str
    query: Any
    list_versions: dict[str, str]
    matcher_version: str
    algorithm: str
    results: list[dict[str, Any]]


def append_many(store: Store, actor: str, entries: Sequence[Entry]) -> list[int]:
    """Append records to the chain in one transaction (one chained row each); their ids.

    A request's screenings land together or not at all, and the chain is locked once."""
    if not entries:
        return []
    db = store.db
    ids: list[int] = []
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        last_id, prev = (row[0], row[1]) if row else (0, GENESIS)
        at = now()
        rows = []
        for entry in entries:
            last_id += 1
            content = (
                last_id,
                at,
                actor,
                entry.kind,
                json.dumps(entry.query, ensure_ascii=False, sort_keys=True),
                json.dumps(entry.list_versions, sort_keys=True),
                entry.matcher_version,
                entry.algorithm,
                json.dumps(entry.results, ensure_ascii=False, sort_keys=True),
            )
            digest = record_hash((*content, prev))
            rows.append((*content, prev, digest))
            ids.append(last_id)
            prev = digest
        db.executemany(
            "INSERT INTO audit (id, at, actor, kind, query, list_versions, matcher_version, "
            "algorithm, results, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return ids


def append(
    store: Store,
    actor: str,
    kind: str,
    query: Any,
    list_versions: dict[str, str],
    matcher_version: str,
    algorithm: str,
    results: list[dict[str, Any]],
) -> int:
    """Append one record to the chain; returns its id."""
    entry = Entry(kind, query, list_versions, matcher_version, algorithm, results)
    return append_many(store, actor, [entry])[0]


def screening_entry(query: Any, screening: Any, kind: str = "screen") -> Entry:
    """The record of a Screening (results kept as id, score, match)."""
    results = [{"id": r.id, "score": r.score, "match": r.match} for r in screening.results]
    return Entry(
        kind,
        query,
        screening.list_versions,
        screening.matcher_version,
        screening.algorithm,
        results,
    )


def record_screening(store: Store, actor: str, query: Any, screening: Any) -> int:
    """Audit a Screening (results kept as id, score, match)."""
    return append_many(store, actor, [screening_entry(query, screening)])[0]


def record_screenings(
    store: Store, actor: str, items: Iterable[tuple[Any, Any]], kind: str = "screen"
) -> list[int]:
    """Audit a request's (query, Screening) pairs in one transaction, one record each."""
    return append_many(store, actor, [screening_entry(q, s, kind) for q, s in items])


def verify(store: Store) -> tuple[bool, str]:
    """Walk the chain: (True, summary) or (False, the first bad record and why)."""
    prev = GENESIS
    expected_id = 1
    count = 0
    for row in store.db.execute("SELECT * FROM audit ORDER BY id"):
        rid, *content, prev_hash, digest = row
        if rid != expected_id:
            return False, f"record {expected_id} is missing (next is {rid})"
        if prev_hash != prev:
            return False, f"record {rid}: previous-hash does not match record {rid - 1}"
        if record_hash((rid, *content, prev_hash)) != digest:
            return False, f"record {rid}: content does not match its hash (altered)"
        prev = digest
        expected_id += 1
        count += 1
    return True, f"{count} records, chain intact"


def rows(store: Store, day_from: str | None, day_to: str | None) -> Iterator[tuple[Any, ...]]:
    """Audit records between two days (inclusive)."""
    sql = "SELECT * FROM audit WHERE at >= ? AND at < ? ORDER BY id"
    return store.db.execute(sql, (day_from or "", (day_to or "9999") + "\uffff"))


def export_csv(
    store: Store, day_from: str | None, day_to: str | None, fh: IO[str] = sys.stdout
) -> int:
    """Write audit records as CSV; returns how many."""
    cols = [
        "id",
        "at",
        "actor",
        "kind",
        "query",
        "list_versions",
        "matcher_version",
        "algorithm",
        "results",
        "prev_hash",
        "hash",
    ]
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(cols)
    n = 0
    for row in rows(store, day_from, day_to):
        writer.writerow(row)
        n += 1
    return n
