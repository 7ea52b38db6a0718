"""`kill -9` during a customer import or a monitoring run, in a real subprocess: the book
and the alerts are as before the run or as after it, never half, and the next run
completes the work."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from book import write_book
from sanctum.store.db import Store
from sanctum.store.loader import load_paths

BOOK = 2000


def kill_while_writing(cmd: list[str], db: Path, env: dict[str, str]) -> int:
    """Start `cmd`; SIGKILL it while it holds the store's write lock (found by trying to
    take the lock without waiting). Returns the exit status (-9 when killed)."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        while proc.poll() is None:
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError:  # the child is inside its write transaction
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
        return proc.wait()
    finally:
        probe.close()


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@pytest.fixture()
def home(tmp_path: Path, data_dir: Path) -> Path:
    store = Store(tmp_path / "sanctum.sqlite")
    load_paths(store, [data_dir / "us_ofac_sdn" / "2023-12-01"])
    store.close()
    return tmp_path


def test_kill_import_then_monitoring_run(home: Path) -> None:
    db = home / "sanctum.sqlite"
    env = {**os.environ, "SANCTUM_HOME": str(home), "SANCTUM_MONITOR": "0"}
    book = write_book(home / "book.csv", BOOK)
    cli = [sys.executable, "-m", "sanctum.cli"]
    status = kill_while_writing([*cli, "customers", "import", str(book)], db, env)
    customers = count(db, "SELECT COUNT(*) FROM customers")
    assert (status, customers) in ((-9, 0), (0, BOOK + 4)), status
    done = subprocess.run([*cli, "customers", "import", str(book)], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert count(db, "SELECT COUNT(*) FROM customers") == BOOK + 4
    assert count(db, "SELECT COUNT(*) FROM customer_imports WHERE audit_id IS NULL") == 0
    assert not list(home.glob("import-*"))  # the killed import's staging file is gone too

    status = kill_while_writing([*cli, "monitor", "run"], db, env)
    runs = count(db, "SELECT COUNT(*) FROM monitor_runs WHERE status='done'")
    alerts = count(db, "SELECT COUNT(*) FROM alerts") if runs else 0
    screened = count(db, "SELECT COUNT(*) FROM customers WHERE screened_hash IS NOT NULL")
    if status == -9:
        assert (runs, alerts, screened) == (0, 0, 0)  # nothing of the killed run
    done = subprocess.run([*cli, "monitor", "run"], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert count(db, "SELECT COUNT(*) FROM customers WHERE screened_hash IS NULL") == 0
    planted = count(db, "SELECT COUNT(*) FROM alerts WHERE customer_id LIKE 'planted-%'")
    assert planted == 4
