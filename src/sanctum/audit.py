"""Audit trail: every screening appended to a keyed hash chain, so any edit shows.

Each record's hash is an HMAC (key kept outside the store: `settings.audit_key_file()` or
`SANCTUM_AUDIT_KEY`) over its content and the previous record's hash; `verify` walks the
chain and names the first record whose content, position or predecessor does not fit.
Without the key nobody can recompute a hash, so a forged or re-chained record shows.
What the chain alone cannot show (its newest records deleted, or all of them) the signed
checkpoints show: the count and head hash, signed with an Ed25519 key derived from the
chain key and appended to a log outside the store (`sanctum.audit_checkpoints`).
docs/audit.md says what each attack needs and what detects it.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import sys
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sanctum import settings
from sanctum.errors import SanctumError
from sanctum.store.db import Store, now

GENESIS = "0" * 64
SCHEME = "hmac-sha256"
"""The chain's hash: HMAC-SHA256 under the audit key (before: plain sha256, migrated)."""

log = logging.getLogger(__name__)


class AuditKeyError(SanctumError):
    """The audit key cannot be read, is too weak, or is not the key the chain was made with."""


_READY: weakref.WeakSet[Store] = weakref.WeakSet()
"""Stores whose audit chain this process has already bound to the key (the tables are in
the store's schema)."""


def _read_key_file(path: Path) -> bytes:
    """The key in `path`, created (32 random bytes, mode 0600) when missing; refused when
    others may read it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise AuditKeyError(
            f"{path}: the audit key may be read by others (mode {mode:o}); chmod 600 {path}"
        )
    text = path.read_text("ascii").strip()
    if len(text) < 32:
        raise AuditKeyError(f"{path}: the audit key is shorter than 32 characters")
    return text.encode("ascii")


@lru_cache(maxsize=8)
def _key_for(text: str | None, path: Path | None) -> bytes:
    if text is not None:
        if len(text) < 32:
            raise AuditKeyError("SANCTUM_AUDIT_KEY: shorter than 32 characters")
        return text.encode("utf-8")
    assert path is not None
    return _read_key_file(path)


def audit_key() -> bytes:
    """The chain's HMAC key: `SANCTUM_AUDIT_KEY`, else the key file (made on first use).
    The key file's folder is only looked up (and made) when no key is given."""
    text = settings.audit_key_text()
    return _key_for(text, None if text is not None else settings.audit_key_file())


def key_id(key: bytes) -> str:
    """A public name of a key (so a chain made with another key is told apart)."""
    return hmac.new(key, b"sanctum audit key id", "sha256").hexdigest()[:16]


def _canonical(fields: tuple[Any, ...] | dict[str, Any]) -> bytes:
    """The bytes a record hash or checkpoint signature covers."""
    text = json.dumps(fields, ensure_ascii=False, sort_keys=isinstance(fields, dict))
    return text.encode("utf-8", "surrogatepass")


def legacy_hash(fields: tuple[Any, ...]) -> str:
    """sha256 over the record's fields: the chain's hash before it was keyed."""
    return hashlib.sha256(_canonical(fields)).hexdigest()


def record_hash(fields: tuple[Any, ...], key: bytes | None = None) -> str:
    """HMAC-SHA256 over the record's fields (id included, so reordering breaks the chain)."""
    return hmac.new(key or audit_key(), _canonical(fields), "sha256").hexdigest()


def _ensure(store: Store) -> None:
    if store not in _READY:
        _claim(store, audit_key())
        _READY.add(store)


def ensure(store: Store) -> None:
    """Make sure the audit key is the chain's (AuditKeyError otherwise); a chain of the
    older, unkeyed scheme is migrated (see `_claim`)."""
    _ensure(store)


def _meta(store: Store) -> dict[str, str]:
    return dict(store.db.execute("SELECT name, value FROM audit_meta"))


def _claim(store: Store, key: bytes) -> None:
    """Bind the chain to this key. A chain of the unkeyed scheme (plain sha256) is
    re-hashed under the key in one transaction, but only if it is intact: a broken one is
    left as it is, for `verify` to report. The migration is recorded in audit_meta."""
    meta = _meta(store)
    if meta.get("scheme") == SCHEME:
        if meta.get("key_id") != key_id(key):
            raise AuditKeyError(
                f"the audit key (id {key_id(key)}) is not the one the audit chain was made "
                f"with (id {meta.get('key_id')}): restore {settings.audit_key_file()} or set "
                "SANCTUM_AUDIT_KEY"
            )
        return
    db = store.db
    db.execute("BEGIN IMMEDIATE")
    try:
        if _meta(store).get("scheme") != SCHEME:
            migrated = _rekey(store, key)
            db.executemany(
                "INSERT OR REPLACE INTO audit_meta (name, value) VALUES (?, ?)",
                [
                    ("scheme", SCHEME),
                    ("key_id", key_id(key)),
                    ("migrated_records", str(migrated)),
                    ("migrated_at", now()),
                ],
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    meta = _meta(store)
    if meta.get("key_id") != key_id(key):
        raise AuditKeyError(f"the audit chain was claimed by key id {meta.get('key_id')}")


def _rekey(store: Store, key: bytes) -> int:
    """Re-hash an intact unkeyed chain under `key`; returns how many records (0 when the
    chain is empty or broken: a broken chain is never laundered into a valid one)."""
    rows = store.db.execute("SELECT * FROM audit ORDER BY id").fetchall()
    prev, expected = GENESIS, 1
    for rid, *content, prev_hash, digest in rows:
        if rid != expected or prev_hash != prev or legacy_hash((rid, *content, prev)) != digest:
            log.error("audit record %s breaks the unkeyed chain: left as it is", rid)
            return 0
        prev, expected = digest, expected + 1
    prev, updates = GENESIS, []
    for rid, *content, _prev_hash, _digest in rows:
        digest = record_hash((rid, *content, prev), key)
        updates.append((prev, digest, rid))
        prev = digest
    store.db.executemany("UPDATE audit SET prev_hash=?, hash=? WHERE id=?", updates)
    if rows:
        log.warning("audit trail: %d records re-hashed under the audit key", len(rows))
    return len(rows)


def _column(value: Any) -> str:
    """A JSON column: readable UTF-8 text; escaped where the value holds text that is not
    valid Unicode (a lone surrogate), which SQLite could not store."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, sort_keys=True)
    return text


@dataclass(frozen=True)
class Entry:
    """One record to append: what was asked, against which lists, and what came back."""

    kind: str
    query: Any
    list_versions: dict[str, str]
    matcher_version: str
    algorithm: str
    results: list[dict[str, Any]]


def append_many(store: Store, actor: str, entries: Sequence[Entry]) -> list[int]:
    """Append records to the chain in one transaction (one chained row each); their ids.

    A request's screenings land together or not at all, and the chain is locked once."""
    _ensure(store)
    if not entries:
        return []
    db = store.db
    ids: list[int] = []
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        last_id, prev = (row[0], row[1]) if row else (0, GENESIS)
        at = now()
        key = audit_key()
        rows = []
        for entry in entries:
            last_id += 1
            content = (
                last_id,
                at,
                actor,
                entry.kind,
                _column(entry.query),
                _column(entry.list_versions),
                entry.matcher_version,
                entry.algorithm,
                _column(entry.results),
            )
            digest = record_hash((*content, prev), key)
            rows.append((*content, prev, digest))
            ids.append(last_id)
            prev = digest
        db.executemany(
            "INSERT INTO audit (id, at, actor, kind, query, list_versions, matcher_version, "
            "algorithm, results, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return ids


def append(
    store: Store,
    actor: str,
    kind: str,
    query: Any,
    list_versions: dict[str, str],
    matcher_version: str,
    algorithm: str,
    results: list[dict[str, Any]],
) -> int:
    """Append one record to the chain; returns its id."""
    entry = Entry(kind, query, list_versions, matcher_version, algorithm, results)
    return append_many(store, actor, [entry])[0]


def screening_entry(query: Any, screening: Any, kind: str = "screen") -> Entry:
    """The record of a Screening (results kept as id, score, match)."""
    results = [{"id": r.id, "score": r.score, "match": r.match} for r in screening.results]
    return Entry(
        kind,
        query,
        screening.list_versions,
        screening.matcher_version,
        screening.algorithm,
        results,
    )


def record_screening(store: Store, actor: str, query: Any, screening: Any) -> int:
    """Audit a Screening (results kept as id, score, match)."""
    return append_many(store, actor, [screening_entry(query, screening)])[0]


def record_screenings(
    store: Store, actor: str, items: Iterable[tuple[Any, Any]], kind: str = "screen"
) -> list[int]:
    """Audit a request's (query, Screening) pairs in one transaction, one record each."""
    return append_many(store, actor, [screening_entry(q, s, kind) for q, s in items])


def _walk(store: Store, key: bytes, wanted: set[int]) -> tuple[str | None, int, dict[int, str]]:
    """Walk the chain: (the first fault or None, records, hashes of the `wanted` ids)."""
    prev, expected = GENESIS, 1
    heads: dict[int, str] = {}
    for row in store.db.execute("SELECT * FROM audit ORDER BY id"):
        rid, *content, prev_hash, digest = row
        if rid != expected:
            return f"record {expected} is missing (next is {rid})", expected - 1, heads
        if prev_hash != prev:
            return f"record {rid}: previous-hash does not match record {rid - 1}", rid, heads
        if not hmac.compare_digest(record_hash((rid, *content, prev_hash), key), digest):
            return (
                f"record {rid}: content does not match its hash (altered, or hashed "
                "without the audit key)",
                rid,
                heads,
            )
        if rid in wanted:
            heads[rid] = digest
        prev, expected = digest, expected + 1
    return None, expected - 1, heads


def verify(store: Store, checkpoint_log: Path | None = None) -> tuple[bool, str]:
    """Walk the chain under the audit key and hold it to every signed checkpoint:
    (True, summary) or (False, the first bad record or checkpoint and why)."""
    _ensure(store)
    key = audit_key()
    path = checkpoint_log or settings.audit_checkpoints(store.path)
    try:
        marks = read_checkpoints(path, key)
    except CheckpointError as exc:
        return False, str(exc)
    fault, count, heads = _walk(store, key, {m.count for m in marks})
    if fault:
        return False, fault
    for mark in marks:
        if mark.count > count:
            return False, (
                f"the chain holds {count} records but the checkpoint of {mark.at} covers "
                f"{mark.count}: records were deleted"
            )
        if mark.count and heads.get(mark.count) != mark.head:
            return False, (
                f"record {mark.count} is not the head signed in the checkpoint of {mark.at}: "
                "the chain was rewritten"
            )
    summary = f"{count} records, chain intact"
    if marks:
        last = marks[-1]
        summary += f"; {len(marks)} checkpoint(s) hold, the latest ({last.at}) of {last.count}"
    return True, summary


# -- checkpoints ------------------------------------------------------------------------


class CheckpointError(SanctumError):
    """A checkpoint line that is not signed by this chain's key, or cannot be read."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment: how many records and the last one's hash."""

    count: int
    head: str
    at: str
    key_id: str

    def body(self) -> dict[str, Any]:
        """What the signature covers."""
        return {"count": self.count, "head": self.head, "at": self.at, "key_id": self.key_id}


def _signer(key: bytes) -> Ed25519PrivateKey:
    """The Ed25519 key checkpoints are signed with, derived from the chain key (so one
    secret, kept outside the store, protects both)."""
    seed = hmac.new(key, b"sanctum audit checkpoint signing", "sha256").digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key(key: bytes | None = None) -> str:
    """Hex of the public key that checks checkpoints (safe to publish)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = _signer(key or audit_key()).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return str(raw.hex())


def head(store: Store) -> Checkpoint:
    """The chain's head now (unsigned)."""
    _ensure(store)
    row = store.db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    count, digest = (int(row[0]), str(row[1])) if row else (0, GENESIS)
    return Checkpoint(count, digest, now(), key_id(audit_key()))


def signed(mark: Checkpoint, key: bytes | None = None) -> dict[str, Any]:
    """A checkpoint as its JSON line: body, public key and Ed25519 signature."""
    key = key or audit_key()
    signature = _signer(key).sign(_canonical(mark.body())).hex()
    return {**mark.body(), "public_key": public_key(key), "signature": signature}


def write_checkpoint(store: Store, path: Path | None = None) -> dict[str, Any]:
    """Append a signed checkpoint of the head to the checkpoint log (one write of one
    line, opened append-only, synced); returns it."""
    line = signed(head(store))
    path = path or settings.audit_checkpoints(store.path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(line, sort_keys=True) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def check_line(line: dict[str, Any], key: bytes) -> Checkpoint:
    """The checkpoint of a log line if its signature holds under `key`'s signing key."""
    from cryptography.exceptions import InvalidSignature

    try:
        mark = Checkpoint(int(line["count"]), str(line["head"]), str(line["at"]), line["key_id"])
        _signer(key).public_key().verify(bytes.fromhex(line["signature"]), _canonical(mark.body()))
    except (KeyError, TypeError, ValueError, InvalidSignature) as exc:
        raise CheckpointError(f"not signed by this audit key ({type(exc).__name__})") from exc
    return mark


def read_checkpoints(path: Path, key: bytes) -> list[Checkpoint]:
    """Every checkpoint in the log, oldest first; CheckpointError naming the first line
    that is not one signed by this key (a forged or foreign line is itself tampering)."""
    if not path.exists():
        return []
    marks: list[Checkpoint] = []
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                marks.append(check_line(json.loads(raw), key))
            except (ValueError, CheckpointError) as exc:
                raise CheckpointError(f"{path}, line {n}: {exc}") from exc
    return marks


class Checkpointer:
    """Writes a checkpoint every `interval` seconds while the head moved, and one at
    exit: a thread with its own connection to the store (a serving process)."""

    def __init__(self, store_path: Path, interval: float | None = None) -> None:
        self.store_path = store_path
        self.interval = interval or settings.audit_checkpoint_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)
        self._last: tuple[int, str] | None = None

    def _tick(self, store: Store) -> None:
        mark = head(store)
        if mark.count and (mark.count, mark.head) != self._last:
            write_checkpoint(store)
            self._last = (mark.count, mark.head)

    def _run(self) -> None:
        store = Store(self.store_path)
        try:
            while not self._stop.wait(self.interval):
                try:
                    self._tick(store)
                except (OSError, SanctumError) as exc:  # next time; say so meanwhile
                    log.error("audit checkpoint of %s failed: %s", self.store_path, exc)
            self._tick(store)
        finally:
            store.close()

    def __enter__(self) -> Checkpointer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def rows(store: Store, day_from: str | None, day_to: str | None) -> Iterator[tuple[Any, ...]]:
    """Audit records between two days (inclusive)."""
    _ensure(store)
    sql = "SELECT * FROM audit WHERE at >= ? AND at < ? ORDER BY id"
    return store.db.execute(sql, (day_from or "", (day_to or "9999") + "\uffff"))


def export_csv(
    store: Store, day_from: str | None, day_to: str | None, fh: IO[str] = sys.stdout
) -> int:
    """Write audit records as CSV; returns how many."""
    cols = [
        "id",
        "at",
        "actor",
        "kind",
        "query",
        "list_versions",
        "matcher_version",
        "algorithm",
        "results",
        "prev_hash",
        "hash",
    ]
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(cols)
    n = 0
    for row in rows(store, day_from, day_to):
        writer.writerow(row)
        n += 1
    return n
