"""The audit trail against a forger who can write the store but holds neither the audit key
nor the checkpoint log: every rewrite, truncation and deletion is detected; an older,
unkeyed chain is migrated only when intact; the key file is kept private."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctum import audit
from sanctum.cli import app as cli_app
from sanctum.store.db import Store


def _entry(n: int, name: str = "Kim") -> audit.Entry:
    return audit.Entry("screen", {"name": f"{name} {n}"}, {"un_sc": "2024-01-01"}, "v1", "s", [])


@pytest.fixture(autouse=True)
def key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key from the home's key file, not the test session's SANCTUM_AUDIT_KEY."""
    monkeypatch.delenv("SANCTUM_AUDIT_KEY", raising=False)


@pytest.fixture()
def store(home_env: Path) -> Store:
    """A store with five audited screenings, in a fresh home (own key, own checkpoints)."""
    made = Store(home_env / "sanctum.sqlite")
    for n in range(5):
        audit.append_many(made, "t", [_entry(n)])
    return made


def _rechain_unkeyed(db: sqlite3.Connection, start: int = 1) -> None:
    """What a forger without the key can do: recompute every hash from `start` on with plain
    sha256 (the pre-keyed scheme) so the chain links up again."""
    rows = db.execute("SELECT * FROM audit WHERE id>=? ORDER BY id", (start,)).fetchall()
    prev = db.execute("SELECT hash FROM audit WHERE id=?", (start - 1,)).fetchone()
    prev_hash = prev[0] if prev else audit.GENESIS
    for rid, *content, _prev, _digest in rows:
        digest = audit.legacy_hash((rid, *content, prev_hash))
        db.execute("UPDATE audit SET prev_hash=?, hash=? WHERE id=?", (prev_hash, digest, rid))
        prev_hash = digest


def test_an_intact_chain_verifies_and_the_key_file_is_private(store: Store, home_env: Path) -> None:
    assert audit.verify(store) == (True, "5 records, chain intact")
    mode = stat.S_IMODE((home_env / "audit.key").stat().st_mode)
    assert mode == 0o600


@pytest.mark.parametrize(
    "forgery",
    [
        'UPDATE audit SET results=\'[{"id": "x"}]\' WHERE id=3',
        'UPDATE audit SET query=\'{"name": "Someone else"}\' WHERE id=5',
    ],
)
def test_an_edit_rechained_without_the_key_is_detected(store: Store, forgery: str) -> None:
    """Before the chain was keyed, editing a record and recomputing every later hash
    passed `audit verify`."""
    store.db.execute(forgery)
    _rechain_unkeyed(store.db)
    ok, message = audit.verify(store)
    assert not ok
    assert message.startswith("record 1: content does not match its hash")


def test_a_forged_record_appended_with_a_recomputed_hash_is_detected(store: Store) -> None:
    last = store.db.execute("SELECT * FROM audit WHERE id=5").fetchone()
    content = (6, *last[1:9])
    digest = audit.legacy_hash((*content, last[10]))
    store.db.execute(
        "INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?,?,?)", (*content, last[10], digest)
    )
    assert audit.verify(store) == (
        False,
        "record 6: content does not match its hash (altered, or hashed without the audit key)",
    )


def test_deleting_the_newest_records_or_all_is_detected_by_the_checkpoint(store: Store) -> None:
    line = audit.write_checkpoint(store)
    assert (line["count"], line["key_id"]) == (5, audit.key_id(audit.audit_key()))
    ok, message = audit.verify(store)
    assert ok and message.endswith(f"1 checkpoint(s) hold, the latest ({line['at']}) of 5")
    store.db.execute("DELETE FROM audit WHERE id=5")
    assert audit.verify(store) == (
        False,
        f"the chain holds 4 records but the checkpoint of {line['at']} covers 5: records "
        "were deleted",
    )
    store.db.execute("DELETE FROM audit")
    assert audit.verify(store)[1].startswith("the chain holds 0 records but the checkpoint")


def test_a_checkpoint_line_not_signed_by_the_key_is_reported(store: Store) -> None:
    line = audit.write_checkpoint(store)
    path = Path(f"{store.path}.audit-checkpoints")
    forged = {**line, "count": 3}
    with path.open("a") as fh:
        fh.write(json.dumps(forged) + "\n")
    ok, message = audit.verify(store)
    assert not ok
    assert message == f"{path}, line 2: not signed by this audit key (InvalidSignature)"


def test_a_rewritten_head_is_detected_even_with_the_key(store: Store) -> None:
    """Someone holding the key re-chains from record 2 on: the signed head no longer fits."""
    line = audit.write_checkpoint(store)
    key = audit.audit_key()
    store.db.execute("UPDATE audit SET results='[]', actor='x' WHERE id=2")
    rows = store.db.execute("SELECT * FROM audit WHERE id>=2 ORDER BY id").fetchall()
    prev = store.db.execute("SELECT hash FROM audit WHERE id=1").fetchone()[0]
    for rid, *content, _p, _d in rows:
        digest = audit.record_hash((rid, *content, prev), key)
        store.db.execute("UPDATE audit SET prev_hash=?, hash=? WHERE id=?", (prev, digest, rid))
        prev = digest
    assert audit.verify(store) == (
        False,
        f"record 5 is not the head signed in the checkpoint of {line['at']}: the chain was "
        "rewritten",
    )


LEGACY_AUDIT = """
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
    kind TEXT NOT NULL, query TEXT NOT NULL, list_versions TEXT NOT NULL,
    matcher_version TEXT NOT NULL, algorithm TEXT NOT NULL, results TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
"""
"""The audit table as `audit.py` created it before the chain was keyed (no audit_meta)."""


def _legacy_store(path: Path, broken: bool) -> None:
    """A store written by the unkeyed scheme (plain sha256 chain), as before this change."""
    db = sqlite3.connect(path)
    db.executescript(LEGACY_AUDIT)
    prev = audit.GENESIS
    for rid in (1, 2, 3):
        content = (
            rid,
            "2026-01-01T00:00:00+00:00",
            "t",
            "screen",
            '{"n": 1}',
            "{}",
            "v",
            "s",
            "[]",
        )
        digest = audit.legacy_hash((*content, prev))
        db.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?,?,?)", (*content, prev, digest))
        prev = digest
    if broken:
        db.execute("UPDATE audit SET actor='forged' WHERE id=2")
    db.commit()
    db.close()


def test_an_intact_unkeyed_chain_is_migrated_under_the_key(home_env: Path) -> None:
    home_env.mkdir(parents=True)
    _legacy_store(home_env / "sanctum.sqlite", broken=False)
    store = Store(home_env / "sanctum.sqlite")
    audit.append_many(store, "t", [_entry(9)])
    assert audit.verify(store) == (True, "4 records, chain intact")
    meta = dict(store.db.execute("SELECT name, value FROM audit_meta"))
    assert (meta["scheme"], meta["migrated_records"]) == ("hmac-sha256", "3")


def test_a_broken_unkeyed_chain_is_not_laundered(home_env: Path) -> None:
    home_env.mkdir(parents=True)
    _legacy_store(home_env / "sanctum.sqlite", broken=True)
    store = Store(home_env / "sanctum.sqlite")
    ok, message = audit.verify(store)
    assert not ok and message.startswith("record 1: content does not match its hash")
    meta = dict(store.db.execute("SELECT name, value FROM audit_meta"))
    assert meta["migrated_records"] == "0"


def test_another_key_and_a_readable_key_file_are_refused(
    store: Store, home_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUM_AUDIT_KEY", "k" * 40)
    with pytest.raises(audit.AuditKeyError, match="is not the one the audit chain was made with"):
        audit.ensure(Store(store.path))
    monkeypatch.delenv("SANCTUM_AUDIT_KEY")
    os.chmod(home_env / "audit.key", 0o644)
    audit._key_for.cache_clear()
    with pytest.raises(audit.AuditKeyError, match="may be read by others"):
        audit.audit_key()
    os.chmod(home_env / "audit.key", 0o600)
    audit._key_for.cache_clear()


def test_lone_surrogates_are_recorded_and_verify(store: Store) -> None:
    """A query text that is not valid Unicode made the hash's UTF-8 encoding raise (500)."""
    audit.append_many(store, "t", [_entry(1, name="\ud800Kim")])
    assert audit.verify(store) == (True, "6 records, chain intact")
    text = store.db.execute("SELECT query FROM audit WHERE id=6").fetchone()[0]
    assert text == '{"name": "\\ud800Kim 1"}'


def test_the_checkpointer_signs_the_head_at_exit(store: Store) -> None:
    with audit.Checkpointer(store.path, interval=3600):
        audit.append_many(store, "t", [_entry(7)])
    lines = Path(f"{store.path}.audit-checkpoints").read_text().splitlines()
    assert [json.loads(x)["count"] for x in lines] == [6]


def test_cli_checkpoint_then_truncation_fails_verify(store: Store) -> None:
    runner = CliRunner()
    env = {"SANCTUM_DB": str(store.path)}
    done = runner.invoke(cli_app, ["audit", "checkpoint"], env=env)
    assert done.exit_code == 0, done.output
    exported = json.loads(done.stdout)
    assert exported["count"] == 5 and len(exported["signature"]) == 128
    offsite = store.path.parent / "offsite.jsonl"
    offsite.write_text(done.stdout)
    Path(f"{store.path}.audit-checkpoints").unlink()  # the forger removes the local log too
    store.db.execute("DELETE FROM audit WHERE id>=4")
    done = runner.invoke(cli_app, ["audit", "verify"], env=env)
    assert done.exit_code == 0  # nothing left locally to hold the chain to
    done = runner.invoke(cli_app, ["audit", "verify", "--checkpoint", str(offsite)], env=env)
    assert done.exit_code == 1
    assert "the chain holds 3 records but the checkpoint" in done.output
