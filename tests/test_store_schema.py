"""Store schema versions: an older store is brought up to date when opened, and lookups of
entities that point at another entity use the index made for them."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sanctum.store.db import REF_CONDITION, REF_PROPS, SCHEMA_VERSION, Store

OLD_INDEX = """CREATE INDEX statements_ref ON statements (value)
    WHERE prop IN ('object', 'subject', 'owner', 'asset', 'entity', 'holder', 'person',
                   'relative', 'associate')"""
"""The partial index of schema version 1 (no `user_version` set)."""


def indexes(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    db.close()
    return names


def test_old_store_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "sanctum.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP INDEX statements_refs")
    db.execute(OLD_INDEX)
    db.execute("PRAGMA user_version=0")
    db.commit()
    db.close()
    assert "statements_ref" in indexes(path)
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    store.close()
    found = indexes(path)
    assert "statements_refs" in found and "statements_ref" not in found


def test_references_are_looked_up_by_index(tmp_path: Path) -> None:
    store = Store(tmp_path / "sanctum.sqlite")
    plan = store.db.execute(
        "EXPLAIN QUERY PLAN SELECT DISTINCT s.entity_id FROM statements s "
        f"WHERE s.last_seq=1 AND s.value=? AND {REF_CONDITION}",
        ("x",),
    ).fetchall()
    assert any("statements_refs" in row[-1] for row in plan), plan
    assert set(REF_PROPS) == {
        "object", "subject", "owner", "asset", "entity", "holder", "person", "relative",
        "associate",
    }  # fmt: skip
    store.close()


def test_background_checkpoints_keep_the_log_bounded_under_steady_writes(tmp_path: Path) -> None:
    """A serving process appends audit records without pause: the log is restarted once it
    holds `restart_frames` copied frames, instead of growing for as long as the load lasts
    (27.9 MB here without the restart, 1.5 MB with it)."""
    from sanctum import audit

    store = Store(tmp_path / "s.sqlite")
    entry = audit.Entry("screen", {"q": "x" * 200}, {"un_sc": "d"}, "v", "sanctum", [{}] * 5)
    with store.checkpoints_in_background(interval=0.02, restart_frames=256):
        for _ in range(3000):
            start = time.perf_counter()
            while time.perf_counter() - start < 0.0005:  # the screening between two appends
                pass
            audit.append_many(store, "k", [entry])
    assert (tmp_path / "s.sqlite-wal").stat().st_size < 256 * 4096 * 8
