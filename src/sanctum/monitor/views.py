"""Read models of alerts: the work list, one alert in full, and the export."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sanctum.errors import SanctumError
from sanctum.monitor import suppress
from sanctum.monitor.alerts import COLS, STATUSES, AlertError, fetch, row_dict
from sanctum.monitor.journal import EVENT_COLS, event_json
from sanctum.store.db import Store, now

ALERT_KEYS = ("id", "status", "reason", "customer_id", "party_id", "caption", "score", "entity_ids")
"""What names an alert, in the work list and the export alike."""
SUMMARY_KEYS = (*ALERT_KEYS, "created_at", "updated_at", "version")


def summary(alert: dict[str, Any]) -> dict[str, Any]:
    """An alert's line in the work list."""
    return {k: alert[k] for k in SUMMARY_KEYS}


def list_alerts(store: Store, status: str | None = None) -> list[dict[str, Any]]:
    """Alerts, oldest first; only those of `status` when given."""
    if status is not None and status not in STATUSES:
        raise AlertError(f"unknown status {status!r}; use {', '.join(STATUSES)}")
    sql = f"SELECT {COLS} FROM alerts"
    rows = store.db.execute(
        sql + (" WHERE status = ? ORDER BY id" if status else " ORDER BY id"),
        (status,) if status else (),
    )
    return [summary(row_dict(r)) for r in rows]


def side_by_side(customer: dict[str, Any], party: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per field either side has: the customer's value beside the party's."""
    keys = list(customer) + [k for k in party if k not in customer]
    return [{"field": k, "customer": customer.get(k), "party": party.get(k)} for k in keys]


def decisions_of(store: Store, alert_id: int) -> list[dict[str, Any]]:
    """The alert's decisions, oldest first."""
    cols = (
        "id, decision, reason, decided_by, decided_at, state, reviewed_by, reviewed_at, "
        "review_reason"
    )
    names = [c.strip() for c in cols.split(",")]
    rows = store.db.execute(
        f"SELECT {cols} FROM decisions WHERE alert_id = ? ORDER BY id", (alert_id,)
    )
    return [dict(zip(names, r, strict=True)) for r in rows]


def history(store: Store, alert_id: int) -> list[dict[str, Any]]:
    """Every event of the alert, oldest first."""
    rows = store.db.execute(
        f"SELECT {EVENT_COLS} FROM alert_events WHERE alert_id = ? ORDER BY id", (alert_id,)
    )
    return [event_json(r) for r in rows]


def show(store: Store, alert_id: int) -> dict[str, Any]:
    """One alert in full: both sides, the per-feature explanation, the list and matcher
    versions, its decisions, suppression and history."""
    alert = fetch(store.db, alert_id)
    sup = suppress.current(store.db, alert_id)
    return {
        **summary(alert),
        "best_entity_id": alert["best_entity_id"],
        "customer": alert["customer_summary"],
        "party": alert["party_summary"],
        "side_by_side": side_by_side(alert["customer_summary"], alert["party_summary"]),
        "explanation": alert["explanation"],
        "list_versions": alert["list_versions"],
        "matcher_version": alert["matcher_version"],
        "first_run": alert["first_run"],
        "last_run": alert["last_run"],
        "decisions": decisions_of(store, alert_id),
        "suppression": suppress.as_dict(sup, now()) if sup else None,
        "history": history(store, alert_id),
    }


EXPORT_COLUMNS = (
    *ALERT_KEYS,
    "decision",
    "decided_by",
    "reviewed_by",
    "list_versions",
    "matcher_version",
    "created_at",
    "updated_at",
)


def export_rows(store: Store) -> list[list[Any]]:
    """One row per alert (EXPORT_COLUMNS), with its latest decision."""
    out = []
    for alert in list_alerts(store):
        full = fetch(store.db, alert["id"])
        made = decisions_of(store, alert["id"])
        last = made[-1] if made else {}
        out.append(
            [
                *(alert[k] for k in ALERT_KEYS[:-1]),
                ";".join(alert["entity_ids"]),
                last.get("decision", ""),
                last.get("decided_by", ""),
                last.get("reviewed_by") or "",
                json.dumps(full["list_versions"], sort_keys=True),
                full["matcher_version"],
                alert["created_at"],
                alert["updated_at"],
            ]
        )
    return out


def export(store: Store, path: Path) -> int:
    """Write every alert to `path`: XLSX for `.xlsx`, else CSV; returns how many."""
    rows = export_rows(store)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("alerts")
        sheet.append(list(EXPORT_COLUMNS))
        for row in rows:
            sheet.append(row)
        book.save(path)
    elif suffix in (".csv", ""):
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(rows)
    else:
        raise SanctumError(f"{path}: export as .csv or .xlsx")
    return len(rows)
