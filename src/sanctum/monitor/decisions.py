"""Decisions on alerts, with four eyes.

An analyst decides `true_match`, `false_positive` or `needs_info`; `needs_info` takes
effect at once, the other two wait for an approver of a *different* identity. Every change
names the alert version it read: of two concurrent changes one wins, the other gets
Conflict with the alert as it is now.
"""

from __future__ import annotations

from typing import Any

from sanctum.monitor import suppress
from sanctum.monitor.alerts import (
    AlertError,
    Conflict,
    Forbidden,
    NotFound,
    brief,
    fetch,
)
from sanctum.monitor.journal import Context, flush_audit, record, transaction
from sanctum.store.db import Store, now

DECISIONS = ("true_match", "false_positive", "needs_info")
"""What an analyst may decide."""
DECIDABLE = ("open", "needs_info")
"""Statuses in which an alert takes a decision."""


def _context(alert: dict[str, Any], actor: str) -> Context:
    return Context(actor, now(), alert["list_versions"], alert["matcher_version"])


def _set_status(
    store: Store, alert: dict[str, Any], ctx: Context, status: str, reason: str
) -> dict[str, Any]:
    """Move the alert to `status` if it is still at the version read; else Conflict."""
    cur = store.db.execute(
        "UPDATE alerts SET status = ?, reason = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        (status, reason, ctx.at, alert["id"], alert["version"]),
    )
    if cur.rowcount != 1:
        raise Conflict(f"alert {alert['id']} changed meanwhile", fetch(store.db, alert["id"]))
    return {**alert, "status": status, "reason": reason, "version": alert["version"] + 1}


def _read(store: Store, alert_id: int, expected_version: int | None) -> dict[str, Any]:
    alert = fetch(store.db, alert_id)
    if expected_version is not None and alert["version"] != expected_version:
        raise Conflict(
            f"alert {alert_id} is at version {alert['version']}, not {expected_version}", alert
        )
    return alert


def decide(
    store: Store,
    alert_id: int,
    decision: str,
    reason: str,
    actor: str,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Record an analyst's decision; the alert as it is after it."""
    if decision not in DECISIONS:
        raise AlertError(f"unknown decision {decision!r}; use {', '.join(DECISIONS)}")
    if not reason.strip():
        raise AlertError("a decision needs a reason")
    with transaction(store.db):
        alert = _read(store, alert_id, expected_version)
        if alert["status"] not in DECIDABLE:
            raise Conflict(
                f"alert {alert_id} is {alert['status']}: it takes no decision now", alert
            )
        ctx = _context(alert, actor)
        pending = decision != "needs_info"
        status = "pending_approval" if pending else "needs_info"
        alert = _set_status(store, alert, ctx, status, f"{decision} decided by {actor}")
        cur = store.db.execute(
            "INSERT INTO decisions (alert_id, decision, reason, decided_by, decided_at, state) "
            "VALUES (?,?,?,?,?,?)",
            (alert_id, decision, reason, actor, ctx.at, "pending" if pending else "effective"),
        )
        detail = {"decision": decision, "reason": reason, "decision_id": cur.lastrowid}
        record(store.db, ctx, "alert.decided", alert_id, detail)
    flush_audit(store)
    return fetch(store.db, alert_id)


def _pending(store: Store, alert: dict[str, Any]) -> tuple[int, str, str]:
    """(id, decision, decided_by) of the alert's decision awaiting approval."""
    row = store.db.execute(
        "SELECT id, decision, decided_by FROM decisions WHERE alert_id = ? AND state = "
        "'pending' ORDER BY id DESC LIMIT 1",
        (alert["id"],),
    ).fetchone()
    if alert["status"] != "pending_approval" or row is None:
        raise Conflict(f"alert {alert['id']} is {alert['status']}: nothing to approve", alert)
    return int(row[0]), str(row[1]), str(row[2])


def review(
    store: Store,
    alert_id: int,
    approve: bool,
    actor: str,
    reason: str = "",
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Approve or reject the pending decision, as an identity other than its maker.

    Approved, the decision takes effect: the alert becomes `true_match` or
    `false_positive` (which suppresses the pair); rejected, the alert is open again."""
    with transaction(store.db):
        alert = _read(store, alert_id, expected_version)
        decision_id, decision, decided_by = _pending(store, alert)
        if decided_by == actor:
            raise Forbidden(
                f"{actor!r} made this decision: a different identity must review it", alert
            )
        ctx = _context(alert, actor)
        verdict = "approved" if approve else "rejected"
        if approve:
            alert = _set_status(store, alert, ctx, decision, f"{decision} approved by {actor}")
        else:
            alert = _set_status(store, alert, ctx, "open", f"{decision} rejected by {actor}")
        store.db.execute(
            "UPDATE decisions SET state = ?, reviewed_by = ?, reviewed_at = ?, "
            "review_reason = ? WHERE id = ?",
            (verdict, actor, ctx.at, reason, decision_id),
        )
        detail = {"decision": decision, "decision_id": decision_id, "reason": reason}
        record(store.db, ctx, f"alert.{verdict}", alert_id, detail)
        if approve:
            if decision == "false_positive":
                suppress.create(store.db, ctx, alert, decision_id)
            closing = {"reason": alert["reason"], "decision": decision}
            record(store.db, ctx, "alert.closed", alert_id, closing, brief(alert))
    flush_audit(store)
    return fetch(store.db, alert_id)


def revoke_suppression(store: Store, sid: int, actor: str, reason: str) -> dict[str, Any]:
    """End a suppression early; its alert is open again (to be looked at anew)."""
    if not reason.strip():
        raise AlertError("a revocation needs a reason")
    with transaction(store.db):
        row = suppress.by_id(store.db, sid)
        if row is None:
            raise NotFound(f"no suppression with id {sid}")
        if row[10] is not None:
            raise Conflict(f"suppression {sid} already ended on {row[10]} ({row[12]})")
        alert = fetch(store.db, int(row[1]))
        ctx = _context(alert, actor)
        why = f"suppression revoked by {actor}: {reason}"
        suppress.end(store.db, ctx, row, why)
        if alert["status"] == "false_positive":
            alert = _set_status(store, alert, ctx, "open", why)
            detail = {"reason": why, "changes": {}}
            record(store.db, ctx, "alert.reopened", alert["id"], detail, brief(alert))
    flush_audit(store)
    return suppress.as_dict(suppress.by_id(store.db, sid) or row, now())
