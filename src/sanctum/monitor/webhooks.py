"""Webhooks: new, reopened and closed alerts POSTed as JSON, signed, at least once.

Each notified event queues one row per webhook in the `webhook_deliveries` outbox, in the
transaction of the change itself (monitor/journal.py), so a receiver that is down, or a
process that dies, loses nothing: `deliver_due` sends what is due, marks a delivery done
only on a 2xx answer, and otherwise retries it later with a doubling wait. Every attempt
is an event of the alert's history and of the audit trail.

Headers of a delivery: `X-Sanctum-Signature: sha256=<hex HMAC-SHA256 of the raw body with
the webhook's secret>`, `X-Sanctum-Event` (alert.raised, alert.reopened, alert.closed) and
`X-Sanctum-Delivery` (the delivery id: the same on every retry, so a receiver can drop a
repeat it already acknowledged).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from sanctum import settings
from sanctum.monitor.alerts import AlertError, NotFound
from sanctum.monitor.journal import Context, flush_audit, record, transaction
from sanctum.store.db import Store

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Sanctum-Signature"
EVENT_HEADER = "X-Sanctum-Event"
DELIVERY_HEADER = "X-Sanctum-Delivery"
LEASE_SLACK = 5.0
"""Seconds a claimed delivery stays claimed beyond the attempt's timeout, so two
deliverers (the server's and a `webhooks deliver`) never send the same row at once."""


def stamp(moment: datetime | None = None) -> str:
    """A UTC time to the microsecond (backoffs can be shorter than a second)."""
    return (moment or datetime.now(UTC)).isoformat(timespec="microseconds")


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """True if `header` is the signature of `body` with `secret` (for receivers)."""
    return hmac.compare_digest(sign(secret, body), header)


def _ctx(actor: str) -> Context:
    return Context(actor, stamp().split(".")[0] + "+00:00", {}, "")


def add(store: Store, url: str, secret: str, actor: str) -> dict[str, Any]:
    """Register a receiver; it gets every notified event from now on."""
    if not url.startswith(("http://", "https://")):
        raise AlertError(f"webhook URL must be http:// or https://, not {url!r}")
    if not secret:
        raise AlertError("a webhook needs a secret to sign its deliveries")
    ctx = _ctx(actor)
    with transaction(store.db):
        cur = store.db.execute(
            "INSERT INTO webhooks (url, secret, created_at, created_by) VALUES (?,?,?,?)",
            (url, secret, ctx.at, actor),
        )
        hook_id = int(cur.lastrowid or 0)
        record(store.db, ctx, "webhook.added", None, {"webhook": hook_id, "url": url})
    flush_audit(store)
    return listing(store, every=True)[-1]


def listing(store: Store, every: bool = False) -> list[dict[str, Any]]:
    """Webhooks (never their secrets) with their deliveries per state."""
    out = []
    for hid, url, created, by, removed in store.db.execute(
        "SELECT id, url, created_at, created_by, removed_at FROM webhooks ORDER BY id"
    ):
        if removed and not every:
            continue
        counts = dict(
            store.db.execute(
                "SELECT state, COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? "
                "GROUP BY state",
                (hid,),
            ).fetchall()
        )
        out.append(
            {
                "id": hid,
                "url": url,
                "created_at": created,
                "created_by": by,
                "removed_at": removed,
                "deliveries": counts,
            }
        )
    return out


def remove(store: Store, hook_id: int, actor: str) -> None:
    """Stop notifying a receiver (its undelivered events are dropped with it)."""
    ctx = _ctx(actor)
    with transaction(store.db):
        cur = store.db.execute(
            "UPDATE webhooks SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
            (ctx.at, hook_id),
        )
        if cur.rowcount != 1:
            raise NotFound(f"no active webhook with id {hook_id}")
        store.db.execute(
            "UPDATE webhook_deliveries SET state = 'dropped' WHERE webhook_id = ? AND "
            "state = 'pending'",
            (hook_id,),
        )
        record(store.db, ctx, "webhook.removed", None, {"webhook": hook_id})
    flush_audit(store)


@dataclass
class Report:
    """What one delivery pass did."""

    attempted: int = 0
    delivered: int = 0
    failed: int = 0


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt."""
    first, most = settings.webhook_backoff()
    return float(min(most, first * 2 ** max(0, attempts - 1)))


def _claim(store: Store, delivery_id: int, at: datetime, timeout: float) -> bool:
    """Take a due delivery for one attempt (False if another deliverer has it)."""
    until = stamp(at + timedelta(seconds=timeout + LEASE_SLACK))
    cur = store.db.execute(
        "UPDATE webhook_deliveries SET lease_until = ? WHERE id = ? AND state = 'pending' "
        "AND (lease_until IS NULL OR lease_until < ?)",
        (until, delivery_id, stamp(at)),
    )
    return cur.rowcount == 1


def _post(client: httpx.Client, url: str, secret: str, body: str, ids: tuple[int, str]) -> str:
    """One attempt: '' on a 2xx answer, else what went wrong."""
    raw = body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, raw),
        EVENT_HEADER: ids[1],
        DELIVERY_HEADER: str(ids[0]),
    }
    try:
        answer = client.post(url, content=raw, headers=headers)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    return "" if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"


def _settle(store: Store, row: tuple[Any, ...], error: str) -> bool:
    """Record an attempt's outcome; True if it delivered."""
    delivery_id, hook_id, event_id, _body, attempts, url, _secret, alert_id, _kind = row
    attempts += 1
    when = datetime.now(UTC)
    ctx = _ctx("webhooks")
    with transaction(store.db):
        if error:
            store.db.execute(
                "UPDATE webhook_deliveries SET attempts = ?, next_at = ?, last_error = ?, "
                "lease_until = NULL WHERE id = ?",
                (attempts, stamp(when + timedelta(seconds=backoff(attempts))), error, delivery_id),
            )
        else:
            store.db.execute(
                "UPDATE webhook_deliveries SET attempts = ?, state = 'delivered', "
                "delivered_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
                (attempts, stamp(when), delivery_id),
            )
        detail = {
            "delivery": delivery_id,
            "webhook": hook_id,
            "event": event_id,
            "url": url,
            "attempt": attempts,
            "ok": not error,
            "error": error,
        }
        record(store.db, ctx, "webhook.attempt", alert_id, detail)
    return not error


def deliver_due(store: Store, timeout: float | None = None) -> Report:
    """Send every delivery that is due, oldest first, once each."""
    timeout = settings.webhook_timeout() if timeout is None else timeout
    at = datetime.now(UTC)
    rows = store.db.execute(
        "SELECT d.id, d.webhook_id, d.event_id, d.body, d.attempts, w.url, w.secret, "
        "e.alert_id, e.kind FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
        "JOIN alert_events e ON e.id = d.event_id WHERE d.state = 'pending' AND d.next_at <= ? "
        "AND w.removed_at IS NULL ORDER BY d.id",
        (stamp(at),),
    ).fetchall()
    report = Report()
    if not rows:  # nothing due: no client (making one reads the CA bundle, ~30 ms of CPU)
        return report
    with httpx.Client(timeout=timeout) as client:
        for row in rows:
            if not _claim(store, row[0], at, timeout):
                continue
            error = _post(client, row[5], row[6], row[3], (row[0], row[8]))
            report.attempted += 1
            if _settle(store, row, error):
                report.delivered += 1
            else:
                report.failed += 1
    if report.attempted:
        flush_audit(store)
    return report


def pending(store: Store) -> int:
    """Deliveries not yet acknowledged."""
    row = store.db.execute(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'"
    ).fetchone()
    return int(row[0])


def run_in_background(path: Path, interval: float | None = None) -> threading.Event:
    """A daemon thread delivering what is due every `interval` seconds, on a connection
    of its own, until the returned event is set."""
    stop = threading.Event()
    every = settings.webhook_interval() if interval is None else interval

    def loop() -> None:
        store = Store(path)
        try:
            while not stop.wait(every):
                try:
                    deliver_due(store)
                except Exception:  # a bad pass must not end deliveries; logged, retried
                    log.exception("webhook delivery pass failed")
        finally:
            store.close()

    threading.Thread(target=loop, name="webhooks", daemon=True).start()
    return stop


def body_json(body: bytes) -> dict[str, Any]:
    """A delivery's body, parsed (for receivers and tests)."""
    parsed: dict[str, Any] = json.loads(body)
    return parsed
