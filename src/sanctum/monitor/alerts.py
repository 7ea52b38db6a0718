"""Alerts: one per (customer, listed party), raised, updated, reopened and closed by the
hits of each monitoring run (`apply_run`, called by monitor/run.py).

A pair whose false positive was approved stays quiet while its suppression holds (both
sides hash as they did when it was approved, and it has not expired); a change to either
side reopens the alert with the fields that changed. Every transition is an event of the
alert's history (monitor/journal.py), audited and, for new, reopened and closed alerts,
sent to the webhooks.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sanctum.errors import SanctumError
from sanctum.monitor import suppress
from sanctum.monitor.journal import Context, changes, dumps, flush_audit, record, transaction

__all__ = ["Hit", "RunOutcome", "Scope", "apply_run", "flush_audit"]
from sanctum.store.db import OPEN, Store, now

LIVE = ("open", "needs_info", "pending_approval")
"""Statuses of alerts someone still has to work."""
STATUSES = (*LIVE, "true_match", "false_positive", "closed")
"""Every status: `true_match` and `false_positive` are approved decisions; `closed` is an
alert whose match went away (its reason says why)."""
CLOSE_NO_MATCH = "no longer matches"
CLOSE_REMOVED = "party removed from every list"


@dataclass(frozen=True)
class Hit:
    """One (customer, listed party) match of a monitoring run."""

    customer_id: str
    party_id: str
    entity_ids: tuple[str, ...]
    best_entity_id: str
    caption: str
    score: float
    explanation: dict[str, Any]
    customer_hash: str
    party_hash: str
    party_summary: dict[str, Any]
    customer_summary: dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """Which (customer, party) pairs a run re-examined."""

    customer_ids: frozenset[str] | None
    party_ids: frozenset[str] | None
    removed_party_ids: frozenset[str]

    def covers(self, customer_id: str, party_id: str) -> bool:
        """True if the run looked at this pair (so its silence means no match)."""
        return (self.customer_ids is None or customer_id in self.customer_ids) and (
            self.party_ids is None or party_id in self.party_ids
        )


@dataclass
class RunOutcome:
    """Alert ids per thing a run did to them."""

    raised: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    suppressed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)

    def ids(self) -> dict[str, list[int]]:
        """The alert ids of each outcome."""
        return {
            "raised": self.raised,
            "updated": self.updated,
            "reopened": self.reopened,
            "closed": self.closed,
            "suppressed": self.suppressed,
            "unchanged": self.unchanged,
        }

    def as_dict(self) -> dict[str, int]:
        """How many alerts had each outcome (JSON-ready)."""
        return {k: len(v) for k, v in self.ids().items()}


class AlertError(SanctumError):
    """A request about an alert that cannot be met; `status` is its HTTP equivalent."""

    status = 400

    def __init__(self, message: str, alert: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.alert = alert


class NotFound(AlertError):
    """No such alert (or suppression, or webhook)."""

    status = 404


class Forbidden(AlertError):
    """Four eyes: the identity may not do this (its own decision)."""

    status = 403


class Conflict(AlertError):
    """The alert is not in the state the request needs (another change won); carries the
    alert as it is now."""

    status = 409


COLS = (
    "id, customer_id, party_id, entity_ids, best_entity_id, caption, score, explanation, "
    "customer_hash, party_hash, customer_summary, party_summary, status, reason, "
    "list_versions, matcher_version, first_run, last_run, created_at, updated_at, version"
)
_JSON_COLS = (
    "entity_ids",
    "explanation",
    "customer_summary",
    "party_summary",
    "list_versions",
)


def row_dict(row: Sequence[Any]) -> dict[str, Any]:
    """An `alerts` row as a dict, JSON columns decoded."""
    out = dict(zip([c.strip() for c in COLS.split(",")], row, strict=True))
    for col in _JSON_COLS:
        out[col] = json.loads(out[col])
    return out


def fetch(db: sqlite3.Connection, alert_id: int) -> dict[str, Any]:
    """One alert row; NotFound if there is none."""
    row = db.execute(f"SELECT {COLS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    if row is None:
        raise NotFound(f"no alert with id {alert_id}")
    return row_dict(row)


def brief(alert: dict[str, Any]) -> dict[str, Any]:
    """What a webhook and an audit record say about an alert."""
    keys = (
        "id",
        "customer_id",
        "party_id",
        "entity_ids",
        "best_entity_id",
        "caption",
        "score",
        "status",
        "reason",
        "list_versions",
        "matcher_version",
    )
    return {k: alert[k] for k in keys}


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _candidates(db: sqlite3.Connection, hits: Sequence[Hit]) -> dict[str, list[dict[str, Any]]]:
    """Alerts of the hits' customers, and every live or confirmed alert, by customer."""
    found: dict[int, dict[str, Any]] = {}
    customers = sorted({h.customer_id for h in hits})
    for part in _chunks(customers):
        marks = ",".join("?" * len(part))
        for row in db.execute(f"SELECT {COLS} FROM alerts WHERE customer_id IN ({marks})", part):
            found[row[0]] = row_dict(row)
    marks = ",".join("?" * (len(LIVE) + 1))
    for row in db.execute(
        f"SELECT {COLS} FROM alerts WHERE status IN ({marks})", (*LIVE, "true_match")
    ):
        found.setdefault(row[0], row_dict(row))
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for alert in sorted(found.values(), key=lambda a: a["id"]):
        by_customer.setdefault(alert["customer_id"], []).append(alert)
    return by_customer


def matching_alert(alerts: list[dict[str, Any]], hit: Hit) -> dict[str, Any] | None:
    """The customer's alert on the hit's party: same party id, or any member entry in
    common (a party that other lists' entries joined keeps its alert); the newest wins."""
    members = set(hit.entity_ids)
    for alert in reversed(alerts):
        if alert["party_id"] == hit.party_id or members.intersection(alert["entity_ids"]):
            found: dict[str, Any] = alert
            return found
    return None


def _content(hit: Hit) -> dict[str, Any]:
    """The alert columns a hit sets."""
    return {
        "party_id": hit.party_id,
        "entity_ids": sorted(hit.entity_ids),
        "best_entity_id": hit.best_entity_id,
        "caption": hit.caption,
        "score": hit.score,
        "explanation": hit.explanation,
        "customer_hash": hit.customer_hash,
        "party_hash": hit.party_hash,
        "customer_summary": hit.customer_summary,
        "party_summary": hit.party_summary,
    }


def _seen_seq(db: sqlite3.Connection, source: str, versions: dict[str, str]) -> int | None:
    """The seq of the version of `source` an alert last saw (None: it saw none)."""
    day = versions.get(source)
    if day is None:
        return None
    row = db.execute(
        "SELECT MAX(seq) FROM versions WHERE source = ? AND version_date = ?", (source, day)
    ).fetchone()
    return None if row[0] is None else int(row[0])


def statements_since(
    db: sqlite3.Connection, entity_ids: Sequence[str], versions: dict[str, str]
) -> dict[str, list[dict[str, str]]]:
    """Statements about the party's members (and what derives from them: identities,
    sanctions) that the lists added or dropped after the versions an alert last saw: the
    exact change on the listed side, whatever the summaries cover."""
    added: list[dict[str, str]] = []
    removed: list[dict[str, str]] = []
    seen: dict[str, int | None] = {}
    for eid in sorted(entity_ids):
        rows = db.execute(
            "SELECT source, entity_id, prop, value, first_seq, last_seq FROM statements "
            "WHERE party_id = ? ORDER BY entity_id, prop, value",
            (eid,),
        )
        for source, entity_id, prop, value, first, last in rows:
            if source not in seen:
                seen[source] = _seen_seq(db, source, versions)
            since = seen[source]
            item = {"entity_id": entity_id, "prop": prop, "value": value}
            if last == OPEN and (since is None or first > since):
                added.append(item)
            elif since is not None and last != OPEN and first <= since <= last:
                removed.append(item)
    return {"added": added, "removed": removed}


def what_changed(db: sqlite3.Connection, alert: dict[str, Any], hit: Hit) -> dict[str, Any]:
    """The difference between what the alert holds and the hit: per side, the fields that
    changed (and, for the party, the statements the lists added or dropped); plus the
    party's members and the score when they moved."""
    out: dict[str, Any] = {}
    customer = changes(alert["customer_summary"], hit.customer_summary)
    party = changes(alert["party_summary"], hit.party_summary)
    if customer or alert["customer_hash"] != hit.customer_hash:
        out["customer"] = customer
    if party or alert["party_hash"] != hit.party_hash:
        out["party"] = party
        out["party_statements"] = statements_since(db, hit.entity_ids, alert["list_versions"])
    members = changes({"m": alert["entity_ids"]}, {"m": sorted(hit.entity_ids)})
    if members:
        out["members"] = members["m"]
    if alert["score"] != hit.score:
        out["score"] = {"from": alert["score"], "to": hit.score}
    if alert["party_id"] != hit.party_id:
        out["party_id"] = {"from": alert["party_id"], "to": hit.party_id}
    return out


class _Run:
    """One application of a run's hits, inside one transaction."""

    def __init__(self, db: sqlite3.Connection, run_id: int, ctx: Context) -> None:
        self.db = db
        self.run_id = run_id
        self.ctx = ctx
        self.outcome = RunOutcome()

    def write(self, alert: dict[str, Any], **values: Any) -> dict[str, Any]:
        """Update an alert's row (version + 1); the new row."""
        values = {**values, "updated_at": self.ctx.at, "version": alert["version"] + 1}
        sets = ", ".join(f"{k} = ?" for k in values)
        stored = [dumps(v) if k in _JSON_COLS else v for k, v in values.items()]
        self.db.execute(f"UPDATE alerts SET {sets} WHERE id = ?", (*stored, alert["id"]))
        return {**alert, **values}

    def raise_alert(self, hit: Hit) -> None:
        """A new alert for a pair never seen."""
        content = _content(hit)
        row = {
            "customer_id": hit.customer_id,
            **content,
            "status": "open",
            "reason": "new match",
            "list_versions": self.ctx.list_versions,
            "matcher_version": self.ctx.matcher_version,
            "first_run": self.run_id,
            "last_run": self.run_id,
            "created_at": self.ctx.at,
            "updated_at": self.ctx.at,
            "version": 1,
        }
        cols = ", ".join(row)
        stored = [dumps(v) if k in _JSON_COLS else v for k, v in row.items()]
        cur = self.db.execute(
            f"INSERT INTO alerts ({cols}) VALUES ({','.join('?' * len(row))})", stored
        )
        alert = {"id": int(cur.lastrowid or 0), **row}
        detail = {"run": self.run_id, "score": hit.score, "entity_ids": content["entity_ids"]}
        record(self.db, self.ctx, "alert.raised", alert["id"], detail, brief(alert))
        self.outcome.raised.append(alert["id"])

    def apply(self, alert: dict[str, Any], hit: Hit) -> None:
        """A hit on a pair that has an alert: update, reopen or keep quiet."""
        status = alert["status"]
        if status == "closed":
            self.reopen(alert, hit, "matches again")
        elif status == "false_positive":
            held = suppress.holding(self.db, alert["id"], hit, self.ctx.at)
            if held.holds:
                self.outcome.suppressed.append(alert["id"])
            else:
                suppress.end(self.db, self.ctx, held.suppression, held.reason)
                self.reopen(alert, hit, held.reason)
        else:
            self.update(alert, hit)

    def update(self, alert: dict[str, Any], hit: Hit) -> None:
        """New members, score or data on an alert still being worked (or confirmed)."""
        diff = what_changed(self.db, alert, hit)
        if not diff and alert["caption"] == hit.caption:
            self.outcome.unchanged.append(alert["id"])
            return
        alert = self.write(alert, **self._touch(hit))
        detail = {"run": self.run_id, "changes": diff}
        record(self.db, self.ctx, "alert.updated", alert["id"], detail)
        self.outcome.updated.append(alert["id"])

    def _touch(self, hit: Hit) -> dict[str, Any]:
        return {
            **_content(hit),
            "list_versions": self.ctx.list_versions,
            "matcher_version": self.ctx.matcher_version,
            "last_run": self.run_id,
        }

    def reopen(self, alert: dict[str, Any], hit: Hit, reason: str) -> None:
        """Back to `open`, showing exactly what changed since the alert was last looked at."""
        diff = what_changed(self.db, alert, hit)
        alert = self.write(alert, **self._touch(hit), status="open", reason=reason)
        detail = {"run": self.run_id, "reason": reason, "changes": diff}
        record(self.db, self.ctx, "alert.reopened", alert["id"], detail, brief(alert))
        self.outcome.reopened.append(alert["id"])

    def close(self, alert: dict[str, Any], reason: str) -> None:
        """Close an alert whose match went away (a pending decision lapses with it)."""
        alert = self.write(alert, status="closed", reason=reason, last_run=self.run_id)
        self.db.execute(
            "UPDATE decisions SET state = 'lapsed' WHERE alert_id = ? AND state = 'pending'",
            (alert["id"],),
        )
        detail = {"run": self.run_id, "reason": reason}
        record(self.db, self.ctx, "alert.closed", alert["id"], detail, brief(alert))
        self.outcome.closed.append(alert["id"])


def apply_run(
    store: Store,
    run_id: int,
    hits: Sequence[Hit],
    scope: Scope,
    actor: str,
    list_versions: dict[str, str],
    matcher_version: str,
) -> RunOutcome:
    """Raise, update, reopen and close alerts from a run's hits, in one transaction (a
    killed run leaves the alerts as before it; called inside the caller's transaction, it
    is part of that one, and the events reach the audit trail with `flush_audit` after the
    caller commits); running the same hits again changes nothing. Alerts in scope that no
    hit reached close ("no longer matches"); alerts of parties gone from every list close
    whatever the scope (a confirmed true match too)."""
    ctx = Context(actor, now(), dict(list_versions), matcher_version)
    with transaction(store.db):
        run = _Run(store.db, run_id, ctx)
        by_customer = _candidates(store.db, hits)
        seen: set[int] = set()
        for hit in sorted(hits, key=lambda h: (h.customer_id, h.party_id)):
            mine = by_customer.setdefault(hit.customer_id, [])
            alert = matching_alert(mine, hit)
            if alert is None:
                run.raise_alert(hit)
                mine.append(fetch(store.db, run.outcome.raised[-1]))
            elif alert["id"] not in seen:
                run.apply(alert, hit)
            seen.add(alert["id"] if alert else run.outcome.raised[-1])
        for alerts in by_customer.values():
            for alert in alerts:
                if alert["id"] in seen:
                    continue
                if alert["party_id"] in scope.removed_party_ids and alert["status"] in (
                    *LIVE,
                    "true_match",
                ):
                    run.close(alert, CLOSE_REMOVED)
                elif alert["status"] in LIVE and scope.covers(
                    alert["customer_id"], alert["party_id"]
                ):
                    run.close(alert, CLOSE_NO_MATCH)
    flush_audit(store)
    return run.outcome
