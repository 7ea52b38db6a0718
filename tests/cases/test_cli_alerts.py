"""`sanctum alerts ...` and `sanctum webhooks ...` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sanctum.match.score import MATCHER_VERSION
from sanctum.monitor.alerts import Scope, apply_run
from sanctum.store.db import Store

from .conftest import CUSTOMERS
from .hits import hits_for


def sanctum(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `sanctum` command on the store file `db`."""
    env = {**os.environ, "SANCTUM_DB": str(db), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "sanctum.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_alert_commands(store: Store, tmp_path: Path) -> None:
    versions = {"us_ofac_sdn": "2023-12-01"}
    hits = hits_for(store, CUSTOMERS[:1])
    apply_run(store, 1, hits, Scope(None, None, frozenset()), "monitor", versions, MATCHER_VERSION)
    db = store.path
    listed = json.loads(sanctum(db, "alerts", "list", "--status", "open", "--json").stdout)
    assert [(a["id"], a["customer_id"], a["party_id"]) for a in listed] == [
        (1, "c1", "us-ofac-sdn-37658")
    ]
    bad = sanctum(db, "alerts", "list", "--status", "cleared")
    assert bad.returncode == 1 and "unknown status 'cleared'" in bad.stderr
    shown = json.loads(sanctum(db, "alerts", "show", "1", "--json").stdout)
    assert shown["side_by_side"] == [
        {"field": "birth_dates", "customer": ["1969-09-01"], "party": ["1969-09-01"]},
        {"field": "identifiers", "customer": [], "party": ["563210175"]},
        {"field": "names", "customer": ["Gang Gyeong-il"], "party": ["KANG, Kyong Il"]},
        {"field": "lists", "customer": None, "party": ["us_ofac_sdn"]},
        {"field": "programs", "customer": None, "party": ["DPRK"]},
    ]
    assert (shown["list_versions"], shown["matcher_version"]) == (versions, MATCHER_VERSION)
    assert shown["explanation"]["features"]
    text = sanctum(db, "alerts", "show", "1")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "alert 1 · open (new match) · version 1"
    assert "names\tGang Gyeong-il\tKANG, Kyong Il" in lines
    assert [x for x in lines if x.startswith("explanation: ")]
    decide = ["alerts", "decide", "1", "--decision", "false_positive", "--reason", "other man"]
    assert sanctum(db, *decide, "--as", "alice").returncode == 0
    own = sanctum(db, "alerts", "approve", "1", "--as", "alice")
    assert own.returncode == 1 and "a different identity must review it" in own.stderr
    approved = sanctum(db, "alerts", "approve", "1", "--as", "bob")
    assert approved.stdout.strip() == (
        "alert 1: false_positive (false_positive approved by bob), version 3"
    )
    sups = json.loads(sanctum(db, "alerts", "suppressions", "--json").stdout)
    assert [(s["id"], s["alert_id"], s["state"], s["created_by"]) for s in sups] == [
        (1, 1, "active", "bob")
    ]
    revoke = ["alerts", "revoke-suppression", "1", "--reason", "review", "--as", "carol"]
    assert sanctum(db, *revoke).stdout.strip() == (
        "suppression 1 ended: suppression revoked by carol: review"
    )
    assert sanctum(db, "alerts", "export", "-o", str(tmp_path / "a.csv")).returncode == 0
    assert (tmp_path / "a.csv").read_text().startswith("id,status,reason,customer_id")
    assert "chain intact" in sanctum(db, "audit", "verify").stdout


def test_webhook_commands(store: Store) -> None:
    db = store.path
    added = sanctum(db, "webhooks", "add", "http://127.0.0.1:9/hook", "--secret", "s3")
    assert added.stdout.strip() == "webhook 1 added: http://127.0.0.1:9/hook"
    bad = sanctum(db, "webhooks", "add", "ftp://x", "--secret", "s3")
    assert bad.returncode == 1 and "must be http:// or https://" in bad.stderr
    hooks = json.loads(sanctum(db, "webhooks", "list", "--json").stdout)
    assert [(h["id"], h["url"], h["created_by"]) for h in hooks] == [
        (1, "http://127.0.0.1:9/hook", "cli")
    ]
    assert "secret" not in hooks[0]
    assert sanctum(db, "webhooks", "remove", "1").stdout.strip() == "webhook 1 removed"
    assert json.loads(sanctum(db, "webhooks", "list", "--json").stdout) == []
