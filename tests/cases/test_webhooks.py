"""Webhook delivery against a real HTTP receiver on loopback that is down, then failing,
then up: every event arrives signed, none twice once acknowledged, across a restart."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sanctum import audit
from sanctum.match.score import MATCHER_VERSION
from sanctum.monitor import webhooks
from sanctum.monitor.alerts import Scope, apply_run
from sanctum.store.db import Store

from .conftest import CUSTOMERS
from .hits import hits_for

SECRET = "receiver secret"


@dataclass
class Receiver:
    """What the receiver saw: (delivery id, event header, body, signature ok, answer)."""

    fail_first: int
    seen: list[tuple[str, str, bytes, bool, int]] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = webhooks.verify_signature(
                    SECRET, body, self.headers[webhooks.SIGNATURE_HEADER]
                )
                status = 500 if len(receiver.seen) < receiver.fail_first else 200
                receiver.seen.append(
                    (
                        self.headers[webhooks.DELIVERY_HEADER],
                        self.headers[webhooks.EVENT_HEADER],
                        body,
                        ok,
                        status,
                    )
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture()
def port() -> int:
    """A loopback port nothing listens on yet (free now; the receiver takes it later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        found: int = sock.getsockname()[1]
        return found


def serve(receiver: Receiver, port: int) -> Iterator[None]:
    """Run the receiver on `port` until the generator is closed."""
    server = ThreadingHTTPServer(("127.0.0.1", port), receiver.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield
    server.shutdown()
    server.server_close()


def test_down_receiver_loses_nothing_and_gets_nothing_twice(
    store: Store, port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUM_WEBHOOK_BACKOFF", "0.05")
    monkeypatch.setenv("SANCTUM_WEBHOOK_MAX_BACKOFF", "0.2")
    webhooks.add(store, f"http://127.0.0.1:{port}/hook", SECRET, "ops")
    versions = {"us_ofac_sdn": "2023-12-01"}
    hits = hits_for(store, [CUSTOMERS[0], CUSTOMERS[2]])
    apply_run(store, 1, hits, Scope(None, None, frozenset()), "monitor", versions, "m1")
    apply_run(store, 2, [], Scope(frozenset({"c3"}), None, frozenset()), "monitor", versions, "m1")

    down = webhooks.deliver_due(store, timeout=2)
    assert (down.attempted, down.delivered, down.failed) == (3, 0, 3)
    store.close()  # a restart: the outbox is all there is

    receiver = Receiver(fail_first=2)
    running = serve(receiver, port)
    next(running)
    try:
        store = Store(store.path)
        deadline = time.monotonic() + 60
        while webhooks.pending(store) and time.monotonic() < deadline:
            time.sleep(0.06)
            webhooks.deliver_due(store, timeout=2)
        for _ in range(3):  # passes after every acknowledgement send nothing more
            time.sleep(0.06)
            assert webhooks.deliver_due(store, timeout=2).attempted == 0
    finally:
        next(running, None)

    assert all(ok for _, _, _, ok, _ in receiver.seen)
    acknowledged = [(d, e, json.loads(b)) for d, e, b, _, status in receiver.seen if status == 200]
    assert sorted((d, e) for d, e, _ in acknowledged) == [
        ("1", "alert.raised"),
        ("2", "alert.raised"),
        ("3", "alert.closed"),
    ]
    bodies = {d: body for d, _, body in acknowledged}
    assert bodies["1"]["alert"]["customer_id"] == "c1"
    assert bodies["1"]["alert"]["party_id"] == "us-ofac-sdn-37658"
    assert (bodies["3"]["alert"]["customer_id"], bodies["3"]["detail"]["reason"]) == (
        "c3",
        "no longer matches",
    )
    assert [s for *_, s in receiver.seen].count(500) == 2
    attempts = store.db.execute(
        "SELECT COUNT(*) FROM alert_events WHERE kind = 'webhook.attempt'"
    ).fetchone()[0]
    assert attempts == 3 + len(receiver.seen)
    logged = [r[3] for r in audit.rows(store, None, None)].count("webhook.attempt")
    assert logged == attempts
    assert audit.verify(store)[0]


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    body = b'{"event": "alert.raised"}'
    expected = "sha256=" + __import__("hmac").new(b"k", body, "sha256").hexdigest()
    assert webhooks.sign("k", body) == expected
    assert webhooks.verify_signature("k", body, expected)
    assert not webhooks.verify_signature("other", body, expected)


def test_backoff_doubles_up_to_the_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUM_WEBHOOK_BACKOFF", "10")
    monkeypatch.setenv("SANCTUM_WEBHOOK_MAX_BACKOFF", "60")
    assert [webhooks.backoff(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_removed_webhook_drops_its_pending_deliveries(store: Store, tmp_path: Path) -> None:
    hook = webhooks.add(store, "http://127.0.0.1:9/x", SECRET, "ops")
    hits = hits_for(store, CUSTOMERS[:1])
    apply_run(store, 1, hits, Scope(None, None, frozenset()), "monitor", {}, MATCHER_VERSION)
    assert webhooks.pending(store) == 1
    webhooks.remove(store, hook["id"], "ops")
    assert webhooks.pending(store) == 0
    assert webhooks.listing(store, every=True)[0]["deliveries"] == {"dropped": 1}
