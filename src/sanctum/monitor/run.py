"""Monitoring runs: the customer book screened against the lists, and re-screened only
where something changed.

A run brings the book up to the store generation in force (`to_seq`):
- customers new or changed since they were last screened are screened in full;
- the listed entries that versions committed since the last run added, changed or
  removed (and those whose party gained or lost members) are looked up among the
  customers' tokens (`monitor/reach.py`), and only the customers that may reach the
  threshold are screened again, their hits kept for those parties: delta re-screening,
  whose cost grows with the delta, not the book.
The first run screens the whole book. Hits go to `alerts.apply_run` with the scope each
part examined. Everything a run writes (alerts, the customers' screened state, its own
record) is one transaction: a run killed half way left nothing, and the next run, which
starts from the last completed one, does its work.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from typing import Any

from sanctum import config
from sanctum.errors import SanctumError
from sanctum.feature_table import BIRTH_DATE, COUNTRY, IDENTIFIER
from sanctum.grouping import group_matches, party_map
from sanctum.match.query import parse_query
from sanctum.match.score import MATCHER_VERSION
from sanctum.monitor import alerts
from sanctum.monitor.customers import Customer, customer_of
from sanctum.monitor.reach import (
    IDENT,
    covering,
    delta_names,
    filed_names,
    initials_of,
    listed_keys,
    may_reach,
    names_by_token,
    names_json,
    names_of_json,
    plausible,
    vocabulary,
)
from sanctum.runtime import tune_gc
from sanctum.screen import Match, Screener
from sanctum.store.db import OPEN, Store, now

CHUNK = 500
"""Customers per page read from the book and per unit of work of a screening: both
workers stay busy to the end (bench/monitoring.py, full screening of 100,000)."""
IN_FLIGHT = 3
"""Pages per worker handed out ahead: the parent reads the book no faster than the
workers screen it, so memory stays flat with the book's size (bench/monitoring.py, peak
memory with 1,000,000)."""
POOL_MIN = 2_000
"""Customers below which a run screens in this process (forking costs ~0.2 s)."""
KEY_BATCH = 500
"""Values per `IN (...)` lookup (SQLite allows 32,766 parameters; PostgreSQL more)."""

Page = list[tuple[str, str, str]]
"""(id, record as JSON, content hash) of customers, by id."""
Found = list[tuple[str, str, list[Match]]]
"""(record as JSON, content hash, matches) of the customers of a page that matched."""


@dataclass
class RunReport:
    """What one monitoring run screened, against which list versions, and its outcome."""

    run_id: int
    kind: str
    from_seq: int
    to_seq: int
    list_versions: dict[str, str]
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "from_seq": self.from_seq,
            "to_seq": self.to_seq,
            "list_versions": self.list_versions,
            "matcher_version": MATCHER_VERSION,
            "counts": self.counts,
        }


# -- screening --------------------------------------------------------------------------


def screen_one(screener: Screener, customer: Customer) -> list[Match]:
    """Every listed entry the customer matches (score at or above the threshold)."""
    try:
        found = screener.screen(customer.query(), limit=500, min_score=1.0)
    except SanctumError:
        return []  # a record the matcher cannot read (checked on import: not expected)
    return [m for m in found.results if m.match]


def screen_page(screener: Screener, page: Page) -> Found:
    """The customers of a page that match something, with their matches."""
    out: Found = []
    for _id, record, h in page:
        matches = screen_one(screener, customer_of(json.loads(record)))
        if matches:
            out.append((record, h, matches))
    return out


_WORKER: Screener | None = None


def _work(page: Page) -> Found:
    """Pool worker: screen a page with the screener inherited from the parent (fork)."""
    assert _WORKER is not None
    return screen_page(_WORKER, page)


def screen_pages(
    screener: Screener, pages: Iterator[Page], size: int, workers: int | None = None
) -> Iterator[tuple[Page, Found]]:
    """Each page with its customers' matches, in worker processes for a large book
    (forked after the index is loaded, sharing its pages, as `sanctum batch` does).
    `size`: how many customers the pages hold. At most IN_FLIGHT pages per worker are
    out at a time, so the book is never all in memory."""
    global _WORKER
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers <= 1 or size < POOL_MIN or "fork" not in mp.get_all_start_methods():
        with tune_gc():
            for page in pages:
                yield page, screen_page(screener, page)
        return
    _WORKER = screener
    gc.collect()
    gc.freeze()
    try:
        with tune_gc(), mp.get_context("fork").Pool(workers) as pool:
            out: deque[tuple[Page, AsyncResult[Found]]] = deque()
            for page in pages:
                out.append((page, pool.apply_async(_work, (page,))))
                if len(out) >= IN_FLIGHT * workers:
                    done, result = out.popleft()
                    yield done, result.get()
            while out:
                done, result = out.popleft()
                yield done, result.get()
    finally:
        _WORKER = None
        gc.unfreeze()


def book_pages(store: Store, where: str = "status='active'") -> Iterator[Page]:
    """The customers `where` selects, a page of CHUNK at a time, by id (each page its own
    query: no read transaction held open while a large book is screened)."""
    last = ""
    while True:
        page: Page = store.db.execute(
            f"SELECT id, record, hash FROM customers WHERE {where} AND id > ? ORDER BY id LIMIT ?",
            (last, CHUNK),
        ).fetchall()
        if not page:
            return
        yield page
        last = page[-1][0]


# -- the delta --------------------------------------------------------------------------


def _in_batches(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), KEY_BATCH):
        yield values[i : i + KEY_BATCH]


def reached_tokens(store: Store, listed: set[str]) -> dict[str, set[str]]:
    """Listed token → the customer tokens that may meet it: filed under one of its keys
    (`listed_keys`) and `plausible`; and each initial letter of the listed tokens → itself
    (initials meet as such)."""
    by_key: dict[str, set[str]] = {}
    for token in listed:
        for key in listed_keys(token):
            by_key.setdefault(key, set()).add(token)
    found: dict[str, set[str]] = {i: {i} for i in initials_of(listed)}
    for batch in _in_batches(sorted(by_key)):
        marks = ",".join("?" * len(batch))
        for key, token in store.db.execute(
            f"SELECT key, token FROM customer_keys WHERE key IN ({marks})", list(batch)
        ):
            for v in by_key[key]:
                if plausible(key[0], token, v):
                    found.setdefault(v, set()).add(token)
    return found


def customers_with(store: Store, tokens: Sequence[str]) -> dict[str, set[str]]:
    """Customer token → the active customers whose names hold it."""
    out: dict[str, set[str]] = {}
    for batch in _in_batches(sorted(tokens)):
        marks = ",".join("?" * len(batch))
        for token, cid in store.db.execute(
            f"SELECT token, customer_id FROM customer_tokens WHERE token IN ({marks})",
            list(batch),
        ):
            out.setdefault(token, set()).add(cid)
    return out


def load_customers(store: Store, ids: Sequence[str] | None = None) -> list[tuple[Customer, str]]:
    """(customer, content hash) of the active customers (all, or these ids)."""
    sql = "SELECT record, hash FROM customers WHERE status='active'"
    if ids is None:
        return [(customer_of(json.loads(r)), h) for r, h in store.db.execute(sql + " ORDER BY id")]
    out: list[tuple[Customer, str]] = []
    for batch in _in_batches(sorted(ids)):
        marks = ",".join("?" * len(batch))
        rows = store.db.execute(sql + f" AND id IN ({marks}) ORDER BY id", list(batch))
        out.extend((customer_of(json.loads(r)), h) for r, h in rows)
    return out


@dataclass
class Delta:
    """The listed side of a delta run: the parties to re-examine and their entries."""

    parties: set[str]
    removed: set[str]
    entries: list[str]


def list_delta(store: Store, screener: Screener, from_seq: int) -> Delta:
    """Parties that versions after `from_seq` changed (or whose members changed), every
    entry of theirs in force, and those of the changed entries no longer listed anywhere."""
    index = screener.index
    changed = set(store.changed_since(from_seq)) | set(store.parties_changed_since(from_seq))
    of, members = party_map(screener)
    parties = {of.get(e, e) for e in changed if e in index.entry_by_id or e in of}
    removed = {e for e in changed if e not in index.entry_by_id and e not in of}
    entries = sorted({m for p in parties for m in members.get(p, [p]) if m in index.entry_by_id})
    return Delta(parties, removed, entries)


def delta_candidates(
    store: Store, screener: Screener, entries: Sequence[str]
) -> list[tuple[Customer, str]]:
    """The customers whose names may reach the threshold against these entries' names
    (by `may_reach`), and those sharing an identifier with them.

    Only customers holding tokens that meet enough of a name's weight (`covering`) are
    read: the lookups follow the delta's tokens, the records read its likely matches."""
    index = screener.index
    threshold = config.THRESHOLD
    names = delta_names(index, entries)
    reaching = reached_tokens(store, vocabulary(names))
    held = customers_with(store, sorted({t for found in reaching.values() for t in found}))
    holders = {v: {c for t in found for c in held.get(t, ())} for v, found in reaching.items()}
    near = covering(names, holders, index.weight, threshold)
    idents = {
        i for e in entries for i in index.entries[index.entry_by_id[e]].facts[IDENTIFIER.slot]
    }
    sharing = {
        c for found in customers_with(store, [IDENT + i for i in idents]).values() for c in found
    }
    holding = names_by_token(names)
    reach: dict[str, set[str]] = {}  # customer token → the listed tokens it may meet
    for v, found in reaching.items():
        for t in found if v in holding else ():  # not the initials
            reach.setdefault(t, set()).add(v)
    decided: dict[str, bool] = {}  # customers of the same names and bonus bound alike
    bounded = set()
    for cid, text in filed_of(store, sorted(near - sharing)):
        ok = decided.get(text)
        if ok is None:
            filed = names_of_json(text)
            ok = decided[text] = may_reach(filed, reach, holding, names, index, threshold)
        if ok:
            bounded.add(cid)
    return load_customers(store, sorted(bounded | sharing))


def filed_of(store: Store, ids: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(id, filed names as kept) of these customers (`customer_names`; a customer
    imported before they were kept is read and parsed)."""
    kept: set[str] = set()
    for batch in _in_batches(ids):
        marks = ",".join("?" * len(batch))
        for cid, text in store.db.execute(
            f"SELECT customer_id, names FROM customer_names WHERE customer_id IN ({marks})",
            list(batch),
        ):
            kept.add(cid)
            yield cid, text
    for customer, _h in load_customers(store, [i for i in ids if i not in kept]):
        yield customer.id, names_json(filed_names(parse_query(customer.query())))


# -- hits -------------------------------------------------------------------------------


class PartyFacts:
    """Content hash and summary of listed parties, computed once per run."""

    def __init__(self, store: Store, screener: Screener) -> None:
        self.store = store
        self.screener = screener
        self.cache: dict[tuple[str, ...], tuple[str, dict[str, Any]]] = {}

    def of(self, entity_ids: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
        """(hash of every statement in force about the members, summary)."""
        found = self.cache.get(entity_ids)
        if found is None:
            found = self.cache[entity_ids] = self._compute(entity_ids)
        return found

    def _compute(self, entity_ids: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
        rows: list[tuple[str, str, str, str]] = []
        for eid in entity_ids:
            rows.extend(
                self.store.db.execute(
                    "SELECT entity_id, schema, prop, value FROM statements WHERE party_id=? "
                    f"AND last_seq={OPEN}",
                    (eid,),
                )
            )
        rows.sort()
        digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()
        index = self.screener.index
        entries = [
            index.entries[index.entry_by_id[e]] for e in entity_ids if e in index.entry_by_id
        ]
        summary = {
            "entity_ids": list(entity_ids),
            "lists": sorted({e.source for e in entries}),
            "programs": sorted(
                {p for e in entries for s in e.sanctions for p in s.get("program", [])}
            ),
            "names": sorted(
                {
                    index.names[n].text
                    for e in entries
                    for n in e.names
                    if index.names[n].kind in ("name", "alias")
                }
            ),
            "birth_dates": sorted({d for e in entries for d in e.facts[BIRTH_DATE.slot]}),
            "countries": sorted({c for e in entries for c in e.facts[COUNTRY.slot]}),
            "identifiers": sorted({i for e in entries for i in e.facts[IDENTIFIER.slot]}),
        }
        return digest, summary


def customer_summary(customer: Customer) -> dict[str, Any]:
    """The customer record, with the fields a party summary has under the same names."""
    v = customer.values
    return {
        **customer.record(),
        "names": [customer.name],
        "birth_dates": v.get("birth_date", []),
        "countries": v.get("country", []) + v.get("nationality", []),
        "identifiers": [
            x
            for col in ("passport", "id_number", "registration_number", "imo", "wallet")
            for x in v.get(col, [])
        ],
    }


def hits_of(
    screener: Screener,
    facts: PartyFacts,
    customer: Customer,
    customer_hash: str,
    matches: list[Match],
    parties: set[str] | None = None,
) -> list[alerts.Hit]:
    """The customer's matches as one hit per party (only `parties`, when given)."""
    out = []
    for p in group_matches(screener, matches):
        if not p.best.match or (parties is not None and p.party_id not in parties):
            continue
        ids = tuple(m["id"] for m in p.members)
        party_hash, summary = facts.of(ids)
        out.append(
            alerts.Hit(
                customer.id,
                p.party_id,
                ids,
                p.best.id,
                p.best.caption,
                p.best.score,
                p.best.explanation,
                customer_hash,
                party_hash,
                summary,
                customer_summary(customer),
            )
        )
    return out


# -- the run ----------------------------------------------------------------------------


def last_completed(store: Store) -> int | None:
    """The store generation the last completed run brought the book up to, if any."""
    row = store.db.execute(
        "SELECT to_seq FROM monitor_runs WHERE status='done' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else int(row[0])


PENDING = "status='active' AND (screened_hash IS NULL OR screened_hash<>hash)"
"""Active customers new or changed since they were last screened."""


def _closed(store: Store) -> list[str]:
    """Closed customers screened before: their alerts are re-examined (with no hit, they
    close)."""
    return [
        r[0]
        for r in store.db.execute(
            "SELECT id FROM customers WHERE status='closed' AND screened_hash IS NOT NULL"
        )
    ]


def screen_book(
    store: Store, screener: Screener, facts: PartyFacts, where: str, workers: int | None
) -> tuple[list[alerts.Hit], int]:
    """Screen the customers `where` selects in full, page by page: their hits, and how
    many were screened. The (id, hash) of each goes to the connection's temporary table
    `monitor_screened` (store/schema.sql), which the run's commit reads: the book is never
    all in memory."""
    db = store.db
    db.execute("DELETE FROM monitor_screened")
    size = int(db.execute(f"SELECT COUNT(*) FROM customers WHERE {where}").fetchone()[0])
    hits: list[alerts.Hit] = []
    screened = 0
    if size == 0:  # a delta run's usual case: no second pass over a large book
        return hits, screened
    for page, found in screen_pages(screener, book_pages(store, where), size, workers):
        db.executemany(
            "INSERT INTO monitor_screened (id, hash) VALUES (?,?)", [(i, h) for i, _r, h in page]
        )
        screened += len(page)
        for record, h, matches in found:
            customer = customer_of(json.loads(record))
            hits.extend(hits_of(screener, facts, customer, h, matches))
    return hits, screened


def _screen_hits(
    screener: Screener,
    facts: PartyFacts,
    customers: Sequence[tuple[Customer, str]],
    parties: set[str],
) -> list[alerts.Hit]:
    """Screen these customers in full; their hits on `parties`."""
    hits: list[alerts.Hit] = []
    with tune_gc():
        for customer, h in customers:
            matches = screen_one(screener, customer)
            if matches:
                hits.extend(hits_of(screener, facts, customer, h, matches, parties))
    return hits


def run_monitoring(
    store: Store,
    actor: str = "monitor",
    screener: Screener | None = None,
    workers: int | None = None,
    full: bool = False,
) -> RunReport:
    """One monitoring run (see the module docstring); its report. `full`: screen the
    whole book again, as a first run does (scores follow the rarity of tokens across
    every list loaded, which a delta leaves as it found them for unchanged parties)."""
    screener = screener or Screener(store)
    screener.refresh()
    index = screener.index
    to_seq = index.generation
    from_seq = last_completed(store)
    facts = PartyFacts(store, screener)
    if from_seq is None or full:
        where, closed, kind = "status='active'", list[str](), "full"
    else:
        where, closed = PENDING, _closed(store)
        kind = "customers" if to_seq == from_seq else "delta"
    customer_hits, screened = screen_book(store, screener, facts, where, workers)
    pending = None if kind == "full" else _screened_ids(store)
    counts = {"screened": screened, "closed_customers": len(closed)}
    delta_hits: list[alerts.Hit] = []
    delta: Delta | None = None
    if from_seq is not None and to_seq > from_seq and not full:
        delta = list_delta(store, screener, from_seq)
        done = pending or frozenset()
        found = [
            (c, h) for c, h in delta_candidates(store, screener, delta.entries) if c.id not in done
        ]
        delta_hits = _screen_hits(screener, facts, found, delta.parties)
        delta_hits += [h for h in customer_hits if h.party_id in delta.parties]
        counts.update(
            delta_entries=len(delta.entries),
            delta_parties=len(delta.parties),
            delta_candidates=len(found),
            removed_parties=len(delta.removed),
        )
    versions = dict(sorted(index.versions.items()))
    report = RunReport(0, kind, from_seq or 0, to_seq, versions, counts)
    _commit(store, actor, report, pending, closed, customer_hits, delta, delta_hits)
    audit_runs(store)
    return report


def _screened_ids(store: Store) -> frozenset[str]:
    """The ids of the customers `screen_book` screened (those a non-full run re-examines
    against every party: usually the few new or changed since the last run)."""
    return frozenset(r[0] for r in store.db.execute("SELECT id FROM monitor_screened"))


def _commit(
    store: Store,
    actor: str,
    report: RunReport,
    pending: frozenset[str] | None,
    closed: Sequence[str],
    customer_hits: list[alerts.Hit],
    delta: Delta | None,
    delta_hits: list[alerts.Hit],
) -> None:
    """Write the run, its alerts and the customers' screened state in one transaction.
    `pending`: the ids of the customers screened in full (None: the whole book)."""
    db = store.db
    versions = report.list_versions
    db.execute("BEGIN IMMEDIATE")
    try:
        cur = db.execute(
            "INSERT INTO monitor_runs (kind, actor, started_at, status, from_seq, to_seq, "
            "list_versions, matcher_version, counts) VALUES (?,?,?,'running',?,?,?,?,?)",
            (
                report.kind,
                actor,
                now(),
                report.from_seq,
                report.to_seq,
                json.dumps(versions),
                MATCHER_VERSION,
                "{}",
            ),
        )
        run_id = report.run_id = int(cur.lastrowid or 0)
        outcomes: list[alerts.RunOutcome] = []
        if report.kind == "full":
            scope = alerts.Scope(None, None, frozenset())
            outcomes.append(
                alerts.apply_run(
                    store, run_id, customer_hits, scope, actor, versions, MATCHER_VERSION
                )
            )
        elif pending or closed:
            ids = frozenset(pending or ()) | frozenset(closed)
            scope = alerts.Scope(ids, None, frozenset())
            outcomes.append(
                alerts.apply_run(
                    store, run_id, customer_hits, scope, actor, versions, MATCHER_VERSION
                )
            )
        if delta is not None:
            scope = alerts.Scope(None, frozenset(delta.parties), frozenset(delta.removed))
            outcomes.append(
                alerts.apply_run(store, run_id, delta_hits, scope, actor, versions, MATCHER_VERSION)
            )
        for o in outcomes:
            for key, n in o.as_dict().items():
                report.counts[key] = report.counts.get(key, 0) + n
        db.execute(
            "UPDATE customers SET screened_hash=(SELECT s.hash FROM monitor_screened s "
            "WHERE s.id=customers.id), screened_run=? WHERE id IN (SELECT id FROM "
            "monitor_screened)",
            (run_id,),
        )
        db.executemany(
            "UPDATE customers SET screened_hash=NULL, screened_run=? WHERE id=?",
            [(run_id, cid) for cid in closed],
        )
        db.execute(
            "UPDATE monitor_runs SET status='done', finished_at=?, counts=? WHERE id=?",
            (now(), json.dumps(report.counts), run_id),
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    alerts.flush_audit(store)


def audit_runs(store: Store) -> None:
    """Append every completed run not yet in the audit trail to it (a run killed between
    its commit and its audit record is audited by the next one)."""
    from sanctum.audit import append

    rows = store.db.execute(
        "SELECT id, kind, actor, from_seq, to_seq, list_versions, counts FROM monitor_runs "
        "WHERE status='done' AND audit_id IS NULL ORDER BY id"
    ).fetchall()
    for rid, kind, actor, from_seq, to_seq, versions, counts in rows:
        query = {"run_id": rid, "kind": kind, "from_seq": from_seq, "to_seq": to_seq}
        audit_id = append(
            store,
            actor,
            "monitor-run",
            query,
            json.loads(versions),
            MATCHER_VERSION,
            "sanctum",
            [json.loads(counts)],
        )
        store.db.execute("UPDATE monitor_runs SET audit_id=? WHERE id=?", (audit_id, rid))


def status(store: Store, limit: int = 10) -> dict[str, Any]:
    """What was screened against which list versions and when: the last runs, the book,
    and whether versions committed since the last run wait for one."""
    runs = [
        {
            "run_id": r[0],
            "kind": r[1],
            "actor": r[2],
            "started_at": r[3],
            "finished_at": r[4],
            "from_seq": r[5],
            "to_seq": r[6],
            "list_versions": json.loads(r[7]),
            "matcher_version": r[8],
            "counts": json.loads(r[9]),
        }
        for r in store.db.execute(
            "SELECT id, kind, actor, started_at, finished_at, from_seq, to_seq, list_versions, "
            "matcher_version, counts FROM monitor_runs WHERE status='done' ORDER BY id DESC "
            "LIMIT ?",
            (limit,),
        )
    ]
    book = dict(
        store.db.execute("SELECT status, COUNT(*) FROM customers GROUP BY status").fetchall()
    )
    pending = store.db.execute(
        "SELECT COUNT(*) FROM customers WHERE status='active' AND "
        "(screened_hash IS NULL OR screened_hash<>hash)"
    ).fetchone()[0]
    generation = store.generation()
    last = runs[0]["to_seq"] if runs else None
    return {
        "store_generation": generation,
        "up_to_date": last == generation and pending == 0,
        "customers": {
            "active": book.get("active", 0),
            "closed": book.get("closed", 0),
            "pending": pending,
        },
        "last_run": runs[0] if runs else None,
        "runs": runs,
    }


def after_load(
    store: Store, loaded: bool, actor: str, screener: Screener | None = None
) -> RunReport | None:
    """The run that follows committed list versions (`sanctum load`, `sanctum update`,
    `POST /admin/update`), unless SANCTUM_MONITOR=0, nothing was committed or there is no
    customer book."""
    from sanctum import settings

    if not loaded or not settings.monitor_on_load():
        return None
    if store.db.execute("SELECT 1 FROM customers LIMIT 1").fetchone() is None:
        return None  # no book: nothing to screen (its first run will screen it whole)
    return run_monitoring(store, actor, screener)
