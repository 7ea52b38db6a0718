"""Good-guy suppression: an approved false positive keeps its (customer, party) pair quiet
on later runs while the customer's record and the party's data hash as they did when it
was approved, for `SANCTUM_SUPPRESSION_DAYS` days. Any change, the expiry or a revocation
ends it, and the alert reopens."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sanctum import settings
from sanctum.monitor.journal import Context, record

if TYPE_CHECKING:
    from sanctum.monitor.alerts import Hit

COLS = (
    "id, alert_id, decision_id, customer_id, party_id, customer_hash, party_hash, "
    "created_at, created_by, expires_at, ended_at, ended_by, end_reason"
)


def as_dict(row: tuple[Any, ...], at: str) -> dict[str, Any]:
    """A `suppressions` row as JSON, with its state at time `at`."""
    out = dict(zip([c.strip() for c in COLS.split(",")], row, strict=True))
    if out["ended_at"]:
        out["state"] = "ended"
    elif out["expires_at"] <= at:
        out["state"] = "expired"
    else:
        out["state"] = "active"
    return out


def expiry(at: str, days: int | None = None) -> str:
    """The end of a suppression made at `at` (ISO 8601 UTC)."""
    span = timedelta(days=settings.suppression_days() if days is None else days)
    return (datetime.fromisoformat(at) + span).isoformat()


def create(db: sqlite3.Connection, ctx: Context, alert: dict[str, Any], decision_id: int) -> int:
    """Suppress the alert's pair on the content both sides have now; the new id."""
    cur = db.execute(
        f"INSERT INTO suppressions ({COLS.partition(', ')[2]}) "
        "VALUES (?,?,?,?,?,?,?,?,?,NULL,NULL,NULL)",
        (
            alert["id"],
            decision_id,
            alert["customer_id"],
            alert["party_id"],
            alert["customer_hash"],
            alert["party_hash"],
            ctx.at,
            ctx.actor,
            expiry(ctx.at),
        ),
    )
    sid = int(cur.lastrowid or 0)
    detail = {
        "suppression": sid,
        "decision": decision_id,
        "customer_hash": alert["customer_hash"],
        "party_hash": alert["party_hash"],
        "expires_at": expiry(ctx.at),
    }
    record(db, ctx, "suppression.created", alert["id"], detail)
    return sid


def current(db: sqlite3.Connection, alert_id: int) -> tuple[Any, ...] | None:
    """The alert's newest suppression that has not been ended (it may have expired)."""
    row: tuple[Any, ...] | None = db.execute(
        f"SELECT {COLS} FROM suppressions WHERE alert_id = ? AND ended_at IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (alert_id,),
    ).fetchone()
    return row


@dataclass(frozen=True)
class Held:
    """Whether a suppression keeps a hit quiet, and if not, why."""

    holds: bool
    suppression: tuple[Any, ...] | None
    reason: str


def holding(db: sqlite3.Connection, alert_id: int, hit: Hit, at: str) -> Held:
    """Does the false positive's suppression still cover this hit? It does while neither
    side's content hash moved and it has not expired."""
    row = current(db, alert_id)
    if row is None:
        return Held(False, None, "suppression ended")
    sup = as_dict(row, at)
    customer = sup["customer_hash"] != hit.customer_hash
    party = sup["party_hash"] != hit.party_hash
    if customer and party:
        return Held(False, row, "customer record and listed party changed")
    if customer:
        return Held(False, row, "customer record changed")
    if party:
        return Held(False, row, "listed party changed")
    if sup["state"] == "expired":
        return Held(False, row, "suppression expired")
    return Held(True, row, "")


def end(db: sqlite3.Connection, ctx: Context, row: tuple[Any, ...] | None, reason: str) -> None:
    """End a suppression (if there is one) with the reason."""
    if row is None:
        return
    db.execute(
        "UPDATE suppressions SET ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ?",
        (ctx.at, ctx.actor, reason, row[0]),
    )
    record(db, ctx, "suppression.ended", int(row[1]), {"suppression": row[0], "reason": reason})


def listing(db: sqlite3.Connection, at: str, every: bool = False) -> list[dict[str, Any]]:
    """Suppressions, newest first: those in force, or with `every` the ended ones too."""
    rows = db.execute(f"SELECT {COLS} FROM suppressions ORDER BY id DESC")
    found = [as_dict(r, at) for r in rows]
    return found if every else [s for s in found if s["state"] == "active"]


def by_id(db: sqlite3.Connection, sid: int) -> tuple[Any, ...] | None:
    """One suppression row."""
    row: tuple[Any, ...] | None = db.execute(
        f"SELECT {COLS} FROM suppressions WHERE id = ?", (sid,)
    ).fetchone()
    return row
