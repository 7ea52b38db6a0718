"""The history of alerts, and its way into the audit trail and the webhook outbox.

Every change to an alert (and every suppression, webhook and delivery attempt) is one row
of `alert_events`, written in the same transaction as the change, together with one
outbox row per webhook for the events receivers are told about. The audit trail has its
own transaction (`audit.append_many`), so events are appended to it right after their
change commits, and any left behind by a crash are appended by the next write.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sanctum import audit
from sanctum.store.db import Store

NOTIFIED = ("alert.raised", "alert.reopened", "alert.closed")
"""Event kinds POSTed to webhooks: a new, a reopened and a closed alert."""
KINDS = (
    *NOTIFIED,
    "alert.updated",
    "alert.decided",
    "alert.approved",
    "alert.rejected",
    "suppression.created",
    "suppression.ended",
    "webhook.added",
    "webhook.removed",
    "webhook.attempt",
)
"""Every event kind; each is also the `kind` of its audit record."""

_FLUSH = threading.Lock()
"""One flush at a time in a process (the API serves on several threads)."""


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taking the write lock at once (no upgrade deadlocks); inside
    a transaction the caller opened already (a monitoring run's), the caller's, which the
    caller commits or rolls back."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def dumps(value: Any) -> str:
    """JSON as stored: stable key order, UTF-8 kept."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Context:
    """Who acts, when, and against which list versions and matcher."""

    actor: str
    at: str
    list_versions: dict[str, str]
    matcher_version: str


def record(
    db: sqlite3.Connection,
    ctx: Context,
    kind: str,
    alert_id: int | None,
    detail: dict[str, Any],
    alert: dict[str, Any] | None = None,
) -> int:
    """Append one event (inside the caller's transaction); a notified kind also queues one
    delivery per active webhook, its body fixed now so every attempt signs the same bytes."""
    cur = db.execute(
        "INSERT INTO alert_events (alert_id, at, actor, kind, detail, list_versions, "
        "matcher_version) VALUES (?,?,?,?,?,?,?)",
        (
            alert_id,
            ctx.at,
            ctx.actor,
            kind,
            dumps(detail),
            dumps(ctx.list_versions),
            ctx.matcher_version,
        ),
    )
    event_id = int(cur.lastrowid or 0)
    if kind in NOTIFIED and alert is not None:
        body = dumps(
            {
                "event": kind,
                "event_id": event_id,
                "at": ctx.at,
                "actor": ctx.actor,
                "alert": alert,
                "detail": detail,
            }
        )
        db.execute(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, body, state, attempts, "
            "next_at, created_at) SELECT id, ?, ?, 'pending', 0, ?, ? FROM webhooks "
            "WHERE removed_at IS NULL",
            (event_id, body, ctx.at, ctx.at),
        )
    return event_id


def event_json(row: tuple[Any, ...]) -> dict[str, Any]:
    """An `alert_events` row (id, alert_id, at, actor, kind, detail, list_versions,
    matcher_version, audit_id) as JSON."""
    eid, alert_id, at, actor, kind, detail, versions, matcher, audit_id = row
    return {
        "id": eid,
        "alert_id": alert_id,
        "at": at,
        "actor": actor,
        "kind": kind,
        "detail": json.loads(detail),
        "list_versions": json.loads(versions),
        "matcher_version": matcher,
        "audit_id": audit_id,
    }


EVENT_COLS = "id, alert_id, at, actor, kind, detail, list_versions, matcher_version, audit_id"


CLAIMED = -1
"""`audit_id` of events a flush has taken and is appending (claimed in one transaction, so
two processes never append the same event)."""


def _settle_claims(store: Store) -> None:
    """Events left claimed by a flush that died: those its append reached are marked
    audited (0: id unknown), the others go back to be appended. The newest event in the
    trail is looked for only past the last audit record known, not in the whole trail."""
    db = store.db
    if db.execute("SELECT 1 FROM alert_events WHERE audit_id = ? LIMIT 1", (CLAIMED,)).fetchone():
        floor = db.execute("SELECT COALESCE(MAX(audit_id), 0) FROM alert_events").fetchone()[0]
        marks = ",".join("?" * len(KINDS))
        sql = f"SELECT query FROM audit WHERE id > ? AND kind IN ({marks}) ORDER BY id DESC"
        try:
            row = db.execute(sql + " LIMIT 1", (floor, *KINDS)).fetchone()
        except sqlite3.OperationalError:  # the flush died before the trail had a table
            row = None
        done = int(json.loads(row[0]).get("event", 0)) if row else 0
        with transaction(db):
            db.execute(
                "UPDATE alert_events SET audit_id = 0 WHERE audit_id = ? AND id <= ?",
                (CLAIMED, done),
            )
            db.execute("UPDATE alert_events SET audit_id = NULL WHERE audit_id = ?", (CLAIMED,))


def _claim(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Take every event not yet audited, oldest first."""
    with transaction(db):
        rows = db.execute(
            f"SELECT {EVENT_COLS} FROM alert_events WHERE audit_id IS NULL ORDER BY id"
        ).fetchall()
        if rows:
            db.execute(
                "UPDATE alert_events SET audit_id = ? WHERE audit_id IS NULL AND id <= ?",
                (CLAIMED, rows[-1][0]),
            )
    return rows


def flush_audit(store: Store) -> int:
    """Append every event not yet in the audit trail, oldest first; returns how many.
    Inside an open transaction nothing yet (the audit trail commits on its own): the
    caller flushes after its commit, or the next change does."""
    if store.db.in_transaction:
        return 0
    with _FLUSH:
        _settle_claims(store)
        rows = _claim(store.db)
        by_actor: list[tuple[str, list[int], list[audit.Entry]]] = []
        for row in rows:
            ev = event_json(row)
            entry = audit.Entry(
                ev["kind"],
                {"event": ev["id"], "alert": ev["alert_id"]},
                ev["list_versions"],
                ev["matcher_version"],
                "",
                [ev["detail"]],
            )
            if not by_actor or by_actor[-1][0] != ev["actor"]:
                by_actor.append((ev["actor"], [], []))
            by_actor[-1][1].append(ev["id"])
            by_actor[-1][2].append(entry)
        for actor, event_ids, entries in by_actor:
            audit_ids = audit.append_many(store, actor, entries)
            store.db.executemany(
                "UPDATE alert_events SET audit_id = ? WHERE id = ?",
                zip(audit_ids, event_ids, strict=True),
            )
        return len(rows)


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What differs between two summaries, field by field: values added and removed for
    lists, before and after for anything else; fields that did not change are left out."""
    out: dict[str, Any] = {}
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, list | None) and isinstance(b, list | None):
            before, after = [dumps(v) for v in a or []], [dumps(v) for v in b or []]
            added = [v for v, k in zip(b or [], after, strict=True) if k not in before]
            removed = [v for v, k in zip(a or [], before, strict=True) if k not in after]
            if added or removed:
                out[key] = {"added": added, "removed": removed}
        else:
            out[key] = {"from": a, "to": b}
    return out
