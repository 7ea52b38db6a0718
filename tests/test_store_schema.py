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


def schema_names(path: Path, kind: str = "index") -> set[str]:
    """The names of the store's indexes (or tables, `kind="table"`)."""
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type=?", (kind,))}
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
    assert "statements_ref" in schema_names(path)
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    store.close()
    found = schema_names(path)
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


V3_TABLES = """
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, scopes TEXT NOT NULL,
    salt TEXT NOT NULL, hash TEXT NOT NULL, strict INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL, revoked TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
    kind TEXT NOT NULL, query TEXT NOT NULL, list_versions TEXT NOT NULL,
    matcher_version TEXT NOT NULL, algorithm TEXT NOT NULL, results TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
"""The tables `api/keys.py` and `audit.py` created on first use up to schema version 3."""
OWN_TABLES = ("api_keys", "audit", "audit_meta")


def _version_3_store(path: Path, served: bool) -> None:
    """A store as schema version 3 left it: without the API keys' and audit tables, or (if
    it served) with them as their modules created them."""
    Store(path).close()
    db = sqlite3.connect(path)
    for table in OWN_TABLES:
        db.execute(f"DROP TABLE {table}")
    if served:
        db.executescript(V3_TABLES)
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()


def test_a_version_3_store_gets_the_key_and_audit_tables(home_env: Path) -> None:
    """A store that never served: opening it creates the tables, keys and audit work."""
    from sanctum import audit
    from sanctum.api.keys import Verifier
    from sanctum.store import keys

    path = home_env / "sanctum.sqlite"
    _version_3_store(path, served=False)
    assert not set(OWN_TABLES) & schema_names(path, "table")
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (4,)
    _record, text = keys.create(store, ["read"], "analyst")
    assert Verifier(store).verify(text) == keys.list_keys(store)[0]
    audit.append_many(store, "t", [audit.Entry("screen", {"n": "x"}, {}, "v", "s", [])])
    assert audit.verify(store) == (True, "1 records, chain intact")
    store.close()


def test_a_served_version_3_store_keeps_its_keys_and_audit_chain(home_env: Path) -> None:
    """Keys and audit records written into the version 3 tables survive the migration:
    the key still verifies, the revoked one stays revoked, the chain goes on intact."""
    from sanctum import audit
    from sanctum.api.keys import Verifier
    from sanctum.store import keys

    path = home_env / "sanctum.sqlite"
    _version_3_store(path, served=True)
    old = Store(path)  # its rows written through the same columns the version 3 code used
    record, text = keys.create(old, ["screen", "read"], "bank", strict=True)
    _gone, gone_text = keys.create(old, ["admin"])
    keys.revoke(old, 2)
    audit.append_many(old, "t", [audit.Entry("screen", {"n": "x"}, {}, "v", "s", [])])
    old.db.execute("PRAGMA user_version=3")  # as the version 3 code left it
    old.close()
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone() == (4,)
    verifier = Verifier(store)
    assert (verifier.verify(text), verifier.verify(gone_text)) == (record, None)
    assert [(k.id, k.revoked is None) for k in keys.list_keys(store)] == [(1, True), (2, False)]
    audit.append_many(store, "t", [audit.Entry("screen", {"n": "y"}, {}, "v", "s", [])])
    assert audit.verify(store) == (True, "2 records, chain intact")
    store.close()
