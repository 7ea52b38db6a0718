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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sanctum import config
from sanctum.errors import SanctumError
from sanctum.feature_table import BIRTH_DATE, COUNTRY, IDENTIFIER
from sanctum.grouping import group_matches, party_map
from sanctum.match.score import MATCHER_VERSION
from sanctum.monitor import alerts
from sanctum.monitor.customers import Customer, customer_of
from sanctum.monitor.reach import (
    IDENT,
    delta_names,
    listed_keys,
    may_reach,
    names_by_token,
    vocabulary,
)
from sanctum.runtime import tune_gc
from sanctum.screen import Match, Screener
from sanctum.store.db import OPEN, Store, now

CHUNK = 500
"""Customers per unit of work of a full screening: both workers stay busy to the end."""
POOL_MIN = 2_000
"""Customers below which a run screens in this process (forking costs ~0.2 s)."""
KEY_BATCH = 500
"""Values per `IN (...)` lookup (SQLite allows 32,766 parameters; PostgreSQL more)."""


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


_WORKER: Screener | None = None


def _work(chunk: list[Customer]) -> list[tuple[str, list[Match]]]:
    """Pool worker: screen a chunk with the screener inherited from the parent (fork)."""
    assert _WORKER is not None
    return [(c.id, screen_one(_WORKER, c)) for c in chunk]


def screen_all(
    screener: Screener, customers: Sequence[Customer], workers: int | None = None
) -> Iterator[tuple[str, list[Match]]]:
    """(customer id, matches) for each customer, in worker processes for a large book
    (forked after the index is loaded, sharing its pages, as `sanctum batch` does)."""
    global _WORKER
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(customers) < POOL_MIN or "fork" not in mp.get_all_start_methods():
        with tune_gc():
            for c in customers:
                yield c.id, screen_one(screener, c)
        return
    chunks = [list(customers[i : i + CHUNK]) for i in range(0, len(customers), CHUNK)]
    _WORKER = screener
    gc.collect()
    gc.freeze()
    try:
        with tune_gc(), mp.get_context("fork").Pool(workers) as pool:
            for done in pool.imap(_work, chunks):
                yield from done
    finally:
        _WORKER = None
        gc.unfreeze()


# -- the delta --------------------------------------------------------------------------


def _in_batches(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), KEY_BATCH):
        yield values[i : i + KEY_BATCH]


def reached_tokens(store: Store, listed: set[str]) -> dict[str, set[str]]:
    """Customer token → the listed tokens it may reach (found by `listed_keys`)."""
    by_key: dict[str, set[str]] = {}
    for token in listed:
        for key in listed_keys(token):
            by_key.setdefault(key, set()).add(token)
    found: dict[str, set[str]] = {}
    keys = sorted(by_key)
    for batch in _in_batches(keys):
        marks = ",".join("?" * len(batch))
        for key, token in store.db.execute(
            f"SELECT key, token FROM customer_keys WHERE key IN ({marks})", list(batch)
        ):
            found.setdefault(token, set()).update(by_key[key])
    return found


def customers_with(store: Store, tokens: Sequence[str]) -> dict[str, set[str]]:
    """Active customer id → which of these tokens its names hold."""
    out: dict[str, set[str]] = {}
    for batch in _in_batches(sorted(tokens)):
        marks = ",".join("?" * len(batch))
        for token, cid in store.db.execute(
            f"SELECT token, customer_id FROM customer_tokens WHERE token IN ({marks})",
            list(batch),
        ):
            out.setdefault(cid, set()).add(token)
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
    (by `may_reach`), and those sharing an identifier with them."""
    index = screener.index
    names = delta_names(index, entries)
    holding = names_by_token(names)
    reached = reached_tokens(store, vocabulary(names))
    holders = customers_with(store, list(reached))
    idents = {
        i for e in entries for i in index.entries[index.entry_by_id[e]].facts[IDENTIFIER.slot]
    }
    sharing = set(customers_with(store, [IDENT + i for i in idents]))
    out: list[tuple[Customer, str]] = []
    threshold = config.THRESHOLD
    for customer, h in load_customers(store, sorted(set(holders) | sharing)):
        if customer.id in sharing:
            out.append((customer, h))
            continue
        found = {t: reached[t] for t in holders[customer.id]}
        near = sorted({n for listed in found.values() for t in listed for n in holding[t]})
        if may_reach(customer, found, [names[n] for n in near], index, threshold):
            out.append((customer, h))
    return out


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


def _pending(store: Store) -> tuple[list[tuple[Customer, str]], list[str]]:
    """Active customers new or changed since last screened, and closed customers screened
    before (their alerts are re-examined: with no hit, they close)."""
    rows = store.db.execute(
        "SELECT record, hash FROM customers WHERE status='active' AND "
        "(screened_hash IS NULL OR screened_hash<>hash) ORDER BY id"
    )
    pending = [(customer_of(json.loads(r)), h) for r, h in rows]
    closed = [
        r[0]
        for r in store.db.execute(
            "SELECT id FROM customers WHERE status='closed' AND screened_hash IS NOT NULL"
        )
    ]
    return pending, closed


def _screen_hits(
    screener: Screener,
    facts: PartyFacts,
    customers: Sequence[tuple[Customer, str]],
    parties: set[str] | None,
    workers: int | None,
) -> list[alerts.Hit]:
    """Screen customers in full; their hits (only on `parties`, when given)."""
    by_id = {c.id: (c, h) for c, h in customers}
    hits: list[alerts.Hit] = []
    for cid, matches in screen_all(screener, [c for c, _ in customers], workers):
        if matches:
            customer, h = by_id[cid]
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
        pending, closed = load_customers(store), list[str]()
        kind = "full"
    else:
        pending, closed = _pending(store)
        kind = "customers" if to_seq == from_seq else "delta"
    counts = {"screened": len(pending), "closed_customers": len(closed)}
    customer_hits = _screen_hits(screener, facts, pending, None, workers)
    delta_hits: list[alerts.Hit] = []
    delta: Delta | None = None
    if from_seq is not None and to_seq > from_seq and not full:
        delta = list_delta(store, screener, from_seq)
        done = {c.id for c, _ in pending}
        found = [
            (c, h) for c, h in delta_candidates(store, screener, delta.entries) if c.id not in done
        ]
        delta_hits = _screen_hits(screener, facts, found, delta.parties, 1)
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


def _commit(
    store: Store,
    actor: str,
    report: RunReport,
    pending: Sequence[tuple[Customer, str]],
    closed: Sequence[str],
    customer_hits: list[alerts.Hit],
    delta: Delta | None,
    delta_hits: list[alerts.Hit],
) -> None:
    """Write the run, its alerts and the customers' screened state in one transaction."""
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
            ids = frozenset([c.id for c, _ in pending] + list(closed))
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
        db.executemany(
            "UPDATE customers SET screened_hash=?, screened_run=? WHERE id=?",
            [(h, run_id, c.id) for c, h in pending],
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
