"""The alert routes over real HTTP (uvicorn on loopback): scopes, four eyes by key name,
and concurrent decisions on one alert (one wins, the other gets 409 with the alert)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.conftest import Running, serve
from sanctum.api.app import create_app
from sanctum.match.score import MATCHER_VERSION
from sanctum.monitor.alerts import Scope, apply_run
from sanctum.store import keys
from sanctum.store.db import Store

from .conftest import CUSTOMERS
from .hits import hits_for


@dataclass
class Server:
    """The API over a store with the planted customers' alerts, and a key per role."""

    running: Running
    keys: dict[str, str]

    def call(self, who: str, method: str, path: str, body: Any = None) -> httpx.Response:
        """A request with `who`'s key."""
        headers = {"Authorization": f"Bearer {self.keys[who]}"}
        return self.running.client.request(method, path, json=body, headers=headers)


@pytest.fixture()
def server(store: Store) -> Iterator[Server]:
    hits = hits_for(store, CUSTOMERS)
    versions = {"us_ofac_sdn": "2023-12-01"}
    apply_run(store, 1, hits, Scope(None, None, frozenset()), "monitor", versions, MATCHER_VERSION)
    made = {
        "reader": keys.create(store, ["read"], "reader")[1],
        "alice": keys.create(store, ["analyst"], "alice")[1],
        "alice approving": keys.create(store, ["approver"], "alice")[1],
        "carol": keys.create(store, ["analyst"], "carol")[1],
        "bob": keys.create(store, ["approver"], "bob")[1],
    }
    path = store.path
    store.close()
    for running in serve(create_app(path)):
        yield Server(running, made)


def test_reading_and_scopes(server: Server) -> None:
    listed = server.call("reader", "GET", "/alerts?status=open")
    assert listed.status_code == 200
    assert [(a["id"], a["customer_id"], a["party_id"]) for a in listed.json()["alerts"]] == [
        (1, "c1", "us-ofac-sdn-37658"),
        (2, "c2", "us-ofac-sdn-37658"),
        (3, "c3", "us-ofac-sdn-45430"),
        (4, "c4", "us-ofac-sdn-45430"),
    ]
    one = server.call("alice", "GET", "/alerts/1").json()
    assert (one["status"], one["version"], one["matcher_version"]) == ("open", 1, MATCHER_VERSION)
    assert one["list_versions"] == {"us_ofac_sdn": "2023-12-01"}
    assert server.call("reader", "GET", "/alerts/99").status_code == 404
    assert server.call("reader", "GET", "/alerts?status=cleared").status_code == 422
    body = {"decision": "true_match", "reason": "same DOB"}
    denied = server.call("reader", "POST", "/alerts/1/decision", body)
    assert denied.status_code == 403
    assert denied.json()["detail"] == "this API key lacks the 'analyst' scope"
    approve = server.call("alice", "POST", "/alerts/1/approval", {"approve": True})
    assert approve.status_code == 403
    assert approve.json()["detail"] == "this API key lacks the 'approver' scope"


def test_four_eyes_by_key_name(server: Server) -> None:
    body = {"decision": "false_positive", "reason": "born elsewhere", "version": 1}
    decided = server.call("alice", "POST", "/alerts/1/decision", body)
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["version"]) == ("pending_approval", 2)
    own = server.call("alice approving", "POST", "/alerts/1/approval", {"approve": True})
    assert own.status_code == 403
    assert own.json()["detail"] == "'alice' made this decision: a different identity must review it"
    assert server.call("reader", "GET", "/alerts/1").json()["status"] == "pending_approval"
    done = server.call("bob", "POST", "/alerts/1/approval", {"approve": True, "version": 2})
    assert done.status_code == 200
    shown = done.json()
    assert (shown["status"], shown["reason"]) == (
        "false_positive",
        "false_positive approved by bob",
    )
    assert shown["suppression"]["state"] == "active"
    assert [(e["actor"], e["kind"]) for e in shown["history"]] == [
        ("monitor", "alert.raised"),
        ("alice", "alert.decided"),
        ("bob", "alert.approved"),
        ("bob", "suppression.created"),
        ("bob", "alert.closed"),
    ]
    again = server.call("bob", "POST", "/alerts/1/approval", {"approve": True})
    assert again.status_code == 409
    assert again.json()["alert"]["status"] == "false_positive"


def test_concurrent_decisions_one_wins_the_other_gets_409(server: Server) -> None:
    start = threading.Barrier(2)
    answers: dict[str, httpx.Response] = {}

    def decide(who: str, decision: str) -> None:
        with httpx.Client(base_url=server.running.url, timeout=30) as client:
            start.wait()
            answers[who] = client.post(
                "/alerts/2/decision",
                json={"decision": decision, "reason": f"{who} looked"},
                headers={"Authorization": f"Bearer {server.keys[who]}"},
            )

    threads = [
        threading.Thread(target=decide, args=("alice", "false_positive")),
        threading.Thread(target=decide, args=("carol", "true_match")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(a.status_code for a in answers.values())
    assert statuses == [200, 409]
    winner = next(w for w, a in answers.items() if a.status_code == 200)
    loser = answers["carol" if winner == "alice" else "alice"].json()
    assert loser["alert"]["status"] == "pending_approval"
    assert loser["alert"]["version"] == 2
    assert loser["alert"]["decisions"][0]["decided_by"] == winner
    stale = server.call(
        "carol",
        "POST",
        "/alerts/3/decision",
        {"decision": "needs_info", "reason": "x", "version": 5},
    )
    assert stale.status_code == 409
    assert stale.json()["detail"] == "alert 3 is at version 1, not 5"
