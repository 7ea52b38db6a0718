"""SQLite store of list versions and entity statements.

Each statement (entity, property, value) carries the first and last version of its
source that stated it. A new version extends the statements it repeats and adds the
ones it introduces, inside one transaction: a failed or killed load leaves the store
exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files as package_files
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from followthemoney import EntityProxy

# FollowTheMoney (about 75 MB once its model is loaded) is imported where entities are
# made or read, not with the store: a screening process that only reads its index never
# loads it.

OPEN = 1 << 62
"""`last_seq` of a statement the version in force still states (so a new version only
writes what it adds and closes what it drops, not every statement it repeats)."""

SCHEMA_VERSION = 4
"""`PRAGMA user_version` of the schema in schema.sql. Version 2 replaced the `prop IN (...)`
partial index `statements_ref` (slow to maintain on every insert) by `statements_refs`.
Version 3 added the tables of alerts and case management, version 4 the API keys' and the
audit trail's (which `api/keys.py` and `audit.py` used to create on first use, with the
same columns): all created by the schema script, so an older store only needs its version
raised."""

REF_PROPS = (
    "entity",
    "holder",
    "subject",
    "object",
    "owner",
    "asset",
    "person",
    "relative",
    "associate",
)
"""Properties whose values are ids of other entities (what `referencing` looks up)."""

REF_CONDITION = "(" + " OR ".join(f"s.prop = '{p}'" for p in REF_PROPS) + ")"
"""The partial index condition of `statements_refs`, as queries must state it to use it."""


@dataclass(frozen=True)
class VersionInfo:
    """One loaded version of one source."""

    seq: int
    source: str
    label: str
    version_date: str
    published: str | None
    loaded_at: str
    parties: int
    counts: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "seq": self.seq,
            "source": self.source,
            "label": self.label,
            "version": self.version_date,
            "published": self.published,
            "loaded_at": self.loaded_at,
            "parties": self.parties,
        }


@dataclass
class Snapshot:
    """A parsed version in the compact, picklable form the store writes.

    entities: entity id → (party id, schema, {property: sorted values}); hashes: entity id →
    digest of that triple, so an unchanged entity costs one comparison, not a statement diff.
    """

    entities: dict[str, tuple[str, str, dict[str, list[str]]]]
    hashes: dict[str, str]
    counts: dict[str, Any]
    issues: list[dict[str, Any]]
    published: str | None
    parties: int
    context: dict[str, EntityContext] = field(default_factory=dict)
    """Per party of an FtM export: the datasets, referents and target flag it states."""


@dataclass
class EntityRecord:
    """An entity as the versions in force state it, with when it was first and last seen
    (version dates)."""

    id: str
    source: str
    schema: str
    properties: dict[str, list[str]]
    first_seen: str
    last_seen: str


@dataclass(frozen=True)
class EntityContext:
    """What an FtM export says of a party beyond its properties."""

    datasets: tuple[str, ...] = ()
    referents: tuple[str, ...] = ()
    target: bool | None = None


_HASH_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
"""The encoder `entity_hash` uses (built once: one per call costs more than the hashing)."""


def entity_hash(party_id: str, schema: str, props: dict[str, list[str]]) -> str:
    """Digest of everything the store keeps about one entity."""
    raw = _HASH_JSON.encode([party_id, schema, props])
    return hashlib.blake2b(raw.encode("utf-8"), digest_size=16).hexdigest()


def now() -> str:
    """The current UTC time, ISO 8601, seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


log = logging.getLogger(__name__)

PAGE_CACHE_KB = 16_384
"""SQLite page cache of a connection, in KiB (16 MB): enough for serving and the index
build's one pass; a 256 MB cache here kept up to 256 MB in every API worker and made the
index build peak at 680 MB (`make bench`, peak memory)."""
CHECKPOINT_INTERVAL = 1.0
"""Seconds between write-ahead-log checkpoints of a serving process (`Store.checkpoints_in_
background`): at ~500 audited requests a second, about a megabyte of log each time."""
WAL_RESTART_FRAMES = 16_384
"""Log frames (64 MB of 4 KB pages) past which the background checkpoint also restarts the
write-ahead log. Under steady load a passive checkpoint copies every frame but never
catches the moment no write is under way, so the log was never reset: at ~1,000 audited
requests a second it grew by ~10 MB a second without end (866 MB after `make bench`'s
HTTP scenarios). A restart waits for the writer, after the passive copy has left it a
second's frames to copy."""
BULK_PAGE_CACHE_KB = 262_144
"""Page cache while loading list versions (`Store.bulk`): 256 MB (`make bench`, load time)."""


class Store:
    """The store in one SQLite file (WAL mode, so readers never wait for a load)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KB}")
        self._migrate()

    def _migrate(self) -> None:
        """Create the schema, and bring a store of an older schema version up to date."""
        schema = package_files("sanctum.store").joinpath("schema.sql").read_text()
        self.db.executescript(schema)
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version < SCHEMA_VERSION:
            self.db.execute("DROP INDEX IF EXISTS statements_ref")
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @property
    def home(self) -> Path:
        """The store's home: the folder of its file. Everything Sanctum writes for this
        store (raw-file archive, downloads, index) lives under it, never elsewhere."""
        return self.path.parent

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def checkpoints_in_background(
        self, interval: float = CHECKPOINT_INTERVAL, restart_frames: int = WAL_RESTART_FRAMES
    ) -> Iterator[None]:
        """Commits on this connection stop checkpointing the write-ahead log themselves; a
        thread with its own connection checkpoints every `interval` seconds instead (SQLite
        works without the GIL). A serving process then never stalls a request for a
        checkpoint: one in ~300 audit appends took 3–650 ms doing it. Once the log holds
        `restart_frames` frames, all copied, the thread restarts it (WAL_RESTART_FRAMES)."""
        stop = threading.Event()

        def run() -> None:
            conn = sqlite3.connect(str(self.path), check_same_thread=False)
            try:
                conn.execute("PRAGMA busy_timeout=1000")
                while not stop.wait(interval):
                    try:
                        _busy, frames, copied = conn.execute(
                            "PRAGMA wal_checkpoint(PASSIVE)"
                        ).fetchone()
                        if frames >= restart_frames and copied == frames:
                            conn.execute("PRAGMA wal_checkpoint(RESTART)")
                    except sqlite3.Error as exc:  # next time; the log only grows meanwhile
                        log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                conn.close()

        before = int(self.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        self.db.execute("PRAGMA wal_autocheckpoint=0")
        thread = threading.Thread(target=run, name="wal-checkpoints", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.db.execute(f"PRAGMA wal_autocheckpoint={before}")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction: every query inside sees the store as of its first read,
        never half of a version another process commits meanwhile (inside a transaction
        already under way: that one)."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """A large page cache for the duration of a load (versions of one source are
        compared page by page), given back after it: screening processes and the index
        build read each page once or seldom, and every page cached stays in their memory."""
        self.db.execute(f"PRAGMA cache_size=-{BULK_PAGE_CACHE_KB}")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KB}")
            self.db.execute("PRAGMA shrink_memory")

    # -- versions ---------------------------------------------------------------------

    def _version(self, row: sqlite3.Row | tuple[Any, ...] | None) -> VersionInfo | None:
        if row is None:
            return None
        seq, source, label, vdate, published, loaded_at, parties, counts = row
        return VersionInfo(
            seq, source, label, vdate, published, loaded_at, parties, json.loads(counts)
        )

    _VCOLS = "seq, source, label, version_date, published, loaded_at, parties, counts"

    def generation(self) -> int:
        """Changes whenever a version lands: the newest version seq (0 for an empty store)."""
        row = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM versions").fetchone()
        return int(row[0])

    def find_version(self, source: str, fingerprint: str) -> VersionInfo | None:
        """The version of `source` made of exactly these files, if loaded before."""
        row = self.db.execute(
            f"SELECT {self._VCOLS} FROM versions WHERE source=? AND fingerprint=?",
            (source, fingerprint),
        ).fetchone()
        return self._version(row)

    def latest(self, source: str) -> VersionInfo | None:
        """The version of `source` now in force."""
        row = self.db.execute(
            f"SELECT {self._VCOLS} FROM versions WHERE seq=(SELECT latest_seq FROM sources "
            "WHERE source=?)",
            (source,),
        ).fetchone()
        return self._version(row)

    def source_ids(self) -> list[str]:
        """Sources with at least one version."""
        return [r[0] for r in self.db.execute("SELECT source FROM sources ORDER BY source")]

    def versions(self, source: str) -> list[VersionInfo]:
        """All versions of a source, oldest first."""
        rows = self.db.execute(
            f"SELECT {self._VCOLS} FROM versions WHERE source=? ORDER BY seq", (source,)
        )
        return [v for v in (self._version(r) for r in rows) if v is not None]

    def version_at(self, source: str, day: str) -> VersionInfo | None:
        """The version of `source` in force on `day` (ISO date): the newest dated on or before."""
        row = self.db.execute(
            f"SELECT {self._VCOLS} FROM versions WHERE source=? AND version_date<=? "
            "ORDER BY version_date DESC, seq DESC LIMIT 1",
            (source, day[:10]),
        ).fetchone()
        return self._version(row)

    def version_files(self, seq: int) -> list[dict[str, Any]]:
        """Files of a version with their hashes and archive paths."""
        rows = self.db.execute(
            "SELECT vf.name, vf.sha256, f.size, f.archived FROM version_files vf "
            "JOIN files f ON f.sha256=vf.sha256 WHERE vf.seq=? ORDER BY vf.name",
            (seq,),
        )
        return [{"name": n, "sha256": h, "size": s, "archived": a} for n, h, s, a in rows]

    def version_issues(self, seq: int) -> list[dict[str, Any]]:
        """What the parser noticed and kept for this version."""
        row = self.db.execute("SELECT issues FROM versions WHERE seq=?", (seq,)).fetchone()
        issues: list[dict[str, Any]] = json.loads(row[0]) if row else []
        return issues

    def commit_version(
        self,
        source: str,
        label: str,
        version_date: str,
        published: str | None,
        fingerprint: str,
        files: list[dict[str, Any]],
        snap: Snapshot,
        links: bool = True,
    ) -> VersionInfo:
        """Store a parsed version atomically and make it the source's current version.

        `links=False` leaves the cross-list links to one `recompute_links()` after a batch
        of versions (they are derived from the versions in force, so recomputing them
        once gives the same result)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for f in files:
                db.execute(
                    "INSERT OR IGNORE INTO files (sha256, size, name, archived, first_loaded) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (f["sha256"], f["size"], f["name"], f["archived"], now()),
                )
            cur = db.execute(
                "INSERT INTO versions (source, label, version_date, published, loaded_at, "
                "fingerprint, parties, counts, issues) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    source,
                    label,
                    version_date,
                    published,
                    now(),
                    fingerprint,
                    snap.parties,
                    json.dumps(snap.counts),
                    json.dumps(snap.issues),
                ),
            )
            seq = int(cur.lastrowid or 0)
            db.executemany(
                "INSERT INTO version_files (seq, name, sha256) VALUES (?, ?, ?)",
                [(seq, f["name"], f["sha256"]) for f in files],
            )
            self._merge(source, seq, snap)
            self._write_context(source, snap.context)
            db.execute(
                "INSERT INTO sources (source, latest_seq) VALUES (?, ?) "
                "ON CONFLICT(source) DO UPDATE SET latest_seq=excluded.latest_seq",
                (source, seq),
            )
            if links:
                self._recompute_links()
            else:
                self._mark_derived("xlinks", completed=False)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        info = self.latest(source)
        assert info is not None
        return info

    def _write_context(self, source: str, context: dict[str, EntityContext]) -> None:
        """Record the datasets, target flag and referents an FtM version gave its parties."""
        self.db.executemany(
            "INSERT OR REPLACE INTO entity_context (entity_id, source, datasets, target) "
            "VALUES (?, ?, ?, ?)",
            [(eid, source, json.dumps(c.datasets), c.target) for eid, c in context.items()],
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO entity_referents (referent, entity_id) VALUES (?, ?)",
            [(r, eid) for eid, c in context.items() for r in c.referents if r != eid],
        )

    def entity_contexts(self, entity_ids: Iterable[str]) -> dict[str, EntityContext]:
        """The FtM context of these entities (those that have one)."""
        ids = list(entity_ids)
        out: dict[str, EntityContext] = {}
        for n in range(0, len(ids), 500):
            chunk = ids[n : n + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT entity_id, datasets, target FROM entity_context "
                f"WHERE entity_id IN ({marks})",
                chunk,
            ).fetchall()
            refs: dict[str, list[str]] = defaultdict(list)
            for ref, eid in self.db.execute(
                f"SELECT referent, entity_id FROM entity_referents WHERE entity_id IN ({marks}) "
                "ORDER BY referent",
                chunk,
            ):
                refs[eid].append(ref)
            for eid, datasets, target in rows:
                flag = None if target is None else bool(target)
                out[eid] = EntityContext(tuple(json.loads(datasets)), tuple(refs[eid]), flag)
        return out

    def canonical_id(self, referent: str) -> str | None:
        """The entity an id was merged into (an FtM referent), if it is one."""
        row = self.db.execute(
            "SELECT entity_id FROM entity_referents WHERE referent=?", (referent,)
        ).fetchone()
        return str(row[0]) if row else None

    def _merge(self, source: str, seq: int, snap: Snapshot) -> None:
        """Close the statements the new version drops and open the ones it adds.

        Entities whose digest is unchanged are skipped outright; only changed, new and
        removed entities are compared statement by statement.
        """
        db = self.db
        prev = db.execute("SELECT latest_seq FROM sources WHERE source=?", (source,)).fetchone()
        old = dict(db.execute("SELECT entity_id, hash FROM entity_state WHERE source=?", (source,)))
        changed = [eid for eid, h in snap.hashes.items() if old.get(eid) != h]
        removed = [eid for eid in old if eid not in snap.hashes]
        close: list[tuple[int, int]] = []
        insert: list[tuple[Any, ...]] = []
        changed.sort()  # entity order: index pages fill in sequence
        for eid in changed:
            party, schema, props = snap.entities[eid]
            if eid not in old or prev is None:
                insert.extend(
                    (source, eid, party, schema, p, v, seq, OPEN)
                    for p, vs in props.items()
                    for v in vs
                )
                continue
            fresh = {(schema, p, v) for p, vs in props.items() for v in vs}
            for rid, *fact in self._open_rows(source, eid):
                key = (fact[0], fact[1], fact[2])
                if key in fresh:
                    fresh.discard(key)
                else:
                    close.append((prev[0], rid))
            insert.extend((source, eid, party, sc, p, v, seq, OPEN) for sc, p, v in sorted(fresh))
        for eid in removed:
            close.extend((prev[0], row[0]) for row in self._open_rows(source, eid))
        db.executemany("UPDATE statements SET last_seq=? WHERE id=?", close)
        db.executemany(
            "INSERT INTO statements (source, entity_id, party_id, schema, prop, value, "
            "first_seq, last_seq) VALUES (?,?,?,?,?,?,?,?)",
            insert,
        )
        db.executemany(
            "DELETE FROM entity_state WHERE source=? AND entity_id=?",
            [(source, eid) for eid in removed],
        )
        db.executemany(
            "INSERT OR REPLACE INTO entity_state (source, entity_id, hash) VALUES (?,?,?)",
            [(source, eid, snap.hashes[eid]) for eid in changed],
        )
        parties = {snap.entities[eid][0] for eid in changed}
        for eid in removed:
            row = db.execute("SELECT party_id FROM statements WHERE entity_id=? LIMIT 1", (eid,))
            parties.update(r[0] for r in row)
        db.executemany(
            "INSERT OR IGNORE INTO version_changes (seq, party_id) VALUES (?,?)",
            [(seq, pid) for pid in sorted(parties)],
        )

    def changed_since(self, seq: int) -> list[str]:
        """Listed entries that a version after `seq` added, changed or removed (their
        designations, identifiers and other derived entities included)."""
        rows = self.db.execute(
            "SELECT DISTINCT party_id FROM version_changes WHERE seq>? ORDER BY party_id", (seq,)
        )
        return [r[0] for r in rows]

    def _open_rows(self, source: str, entity_id: str) -> list[tuple[int, str, str, str]]:
        """(row id, schema, prop, value) of the statements still open for an entity."""
        return self.db.execute(
            "SELECT id, schema, prop, value FROM statements WHERE entity_id=? AND last_seq=? "
            "AND source=?",
            (entity_id, OPEN, source),
        ).fetchall()

    def record_attempt(self, source: str, files: Iterable[str], ok: bool, message: str) -> None:
        """Log a load attempt (kept even when the load itself was rolled back)."""
        self.db.execute(
            "INSERT INTO load_attempts (source, at, files, ok, message) VALUES (?,?,?,?,?)",
            (source, now(), json.dumps(list(files)), int(ok), message),
        )

    def last_attempt(self, source: str) -> dict[str, Any] | None:
        """The most recent load attempt of a source."""
        row = self.db.execute(
            "SELECT at, files, ok, message FROM load_attempts WHERE source=? "
            "ORDER BY id DESC LIMIT 1",
            (source,),
        ).fetchone()
        if row is None:
            return None
        return {"at": row[0], "files": json.loads(row[1]), "ok": bool(row[2]), "message": row[3]}

    # -- entities ---------------------------------------------------------------------

    def _rows_at(self, source: str, seq: int) -> Iterator[tuple[str, str, str, str, str]]:
        return self.db.execute(
            "SELECT entity_id, party_id, schema, prop, value FROM statements "
            "WHERE source=? AND first_seq<=? AND last_seq>=? ORDER BY entity_id",
            (source, seq, seq),
        )

    def entities_at(self, source: str, seq: int) -> Iterator[EntityProxy]:
        """Rebuild the FtM entities a version of a source stated."""
        yield from _group(self._rows_at(source, seq))

    def current_entities(self, source: str | None = None) -> Iterator[EntityProxy]:
        """Entities of the versions now in force (all sources, or one)."""
        for src in [source] if source else self.source_ids():
            latest = self.latest(src)
            if latest is not None:
                yield from self.entities_at(src, latest.seq)

    def current_statements(
        self, props: Iterable[str]
    ) -> Iterator[tuple[str, str, str, str, str, str]]:
        """(source, entity_id, party_id, schema, prop, value) of current versions for props,
        by source, entity and statement: not in the order the rows were written, which
        depends on which list a parallel load finished first, so that an index built from
        them (and the order in which it breaks ties between listed names) is the same
        however the lists were loaded. The sort costs ~0.3 s of an index build."""
        props = list(props)
        marks = ",".join("?" * len(props))
        return self.db.execute(
            "SELECT s.source, s.entity_id, s.party_id, s.schema, s.prop, s.value "
            f"FROM statements s WHERE s.last_seq={OPEN} AND s.prop IN ({marks}) "
            "ORDER BY s.source, s.entity_id, s.id",
            props,
        )

    def entity_history(self, entity_id: str) -> list[dict[str, Any]]:
        """Every statement ever made about an entity, with the versions that carried it."""
        rows = self.db.execute(
            "SELECT s.source, s.schema, s.prop, s.value, s.party_id, f.version_date, "
            "l.version_date, s.first_seq, c.latest_seq, s.last_seq "
            "FROM statements s JOIN versions f ON f.seq=s.first_seq "
            "JOIN sources c ON c.source=s.source "
            f"JOIN versions l ON l.seq=(CASE WHEN s.last_seq={OPEN} THEN c.latest_seq "
            "ELSE s.last_seq END) WHERE s.entity_id=? ORDER BY s.id",
            (entity_id,),
        )
        return [
            {
                "source": r[0],
                "schema": r[1],
                "prop": r[2],
                "value": r[3],
                "party_id": r[4],
                "first_seen": r[5],
                "last_seen": r[6],
                "first_seq": r[7],
                "last_seq": r[8],
                "current": r[9] == OPEN,
            }
            for r in rows
        ]

    def party_changes(self, party_id: str) -> list[dict[str, Any]]:
        """A party's history, one item per version of its list that changed it: `listed`
        (first stated, or stated again after a removal), `changed` (with each property's
        real change, its own and its derived entities' as `Schema:prop`) or `removed`."""
        rows = self.db.execute(
            "SELECT entity_id, schema, prop, value, first_seq, last_seq, source "
            "FROM statements WHERE party_id=?",
            (party_id,),
        ).fetchall()
        if not rows:
            return []
        out: list[dict[str, Any]] = []
        previous: int | None = None
        for version in self.versions(rows[0][6]):
            seq = version.seq
            alive_now = any(f <= seq <= last for _, _, _, _, f, last, _ in rows)
            alive_before = previous is not None and any(
                f <= previous <= last for _, _, _, _, f, last, _ in rows
            )
            item: dict[str, Any] = {"version": version.version_date, "seq": seq}
            if alive_now and not alive_before:
                out.append(item | {"event": "listed"})
            elif alive_before and not alive_now:
                out.append(item | {"event": "removed"})
            elif alive_now:
                changes = _changes_at(rows, party_id, seq, previous)
                if changes:
                    out.append(item | {"event": "changed", "properties": changes})
            previous = seq
        return out

    def current_captions(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """(caption, schema) of each entity as currently stated (or as last stated, for
        one no longer listed)."""
        out: dict[str, tuple[str, str]] = {}
        for eid in sorted(set(ids)):
            rows = self.db.execute(
                "SELECT entity_id, party_id, schema, prop, value FROM statements "
                "WHERE entity_id=? AND last_seq=(SELECT MAX(last_seq) FROM statements "
                "WHERE entity_id=?) ORDER BY id",
                (eid, eid),
            )
            for entity in _group(rows):
                out[eid] = (entity.caption, entity.schema.name)
        return out

    def records_in_force(self, entity_ids: Iterable[str]) -> dict[str, EntityRecord]:
        """The entities among these ids that versions in force state: source, schema,
        properties, and the dates of the first and the latest version stating them."""
        ids = list(dict.fromkeys(entity_ids))
        found: dict[str, EntityRecord] = {}
        for n in range(0, len(ids), 500):
            chunk = ids[n : n + 500]
            rows = self.db.execute(
                "SELECT s.entity_id, s.source, s.schema, s.prop, s.value, f.version_date, "
                "l.version_date FROM statements s JOIN versions f ON f.seq=s.first_seq "
                "JOIN sources c ON c.source=s.source JOIN versions l ON l.seq=c.latest_seq "
                f"WHERE s.entity_id IN ({','.join('?' * len(chunk))}) AND s.last_seq={OPEN} "
                "ORDER BY s.id",
                chunk,
            )
            for eid, source, schema, prop, value, first, last in rows:
                record = found.setdefault(eid, EntityRecord(eid, source, schema, {}, first, last))
                record.properties.setdefault(prop, []).append(value)
                record.first_seen = min(record.first_seen, first)
        return found

    def derived_of(self, party_id: str, current_only: bool = True) -> list[EntityProxy]:
        """Entities derived from a party's entry (sanctions, wallets, links, ids)."""
        sql = (
            "SELECT s.entity_id, s.party_id, s.schema, s.prop, s.value FROM statements s "
            "WHERE s.party_id=? AND s.entity_id<>s.party_id"
        )
        if current_only:
            sql += f" AND s.last_seq={OPEN}"
        return list(_group(self.db.execute(sql + " ORDER BY s.entity_id", (party_id,))))

    def referencing(self, entity_id: str) -> list[EntityProxy]:
        """Current entities whose properties point at `entity_id` (links from other entries)."""
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT s.entity_id FROM statements s "
                f"WHERE s.last_seq={OPEN} AND s.value=? AND {REF_CONDITION}",
                (entity_id,),
            )
        ]
        out: list[EntityProxy] = []
        for eid in ids:
            rows = self.db.execute(
                "SELECT s.entity_id, s.party_id, s.schema, s.prop, s.value FROM statements s "
                f"WHERE s.last_seq={OPEN} AND s.entity_id=?",
                (eid,),
            )
            out.extend(_group(rows))
        return out

    # -- diffs ------------------------------------------------------------------------

    def _parties_at(self, source: str, seq: int) -> set[str]:
        rows = self.db.execute(
            "SELECT DISTINCT party_id FROM statements WHERE source=? AND first_seq<=? "
            "AND last_seq>=?",
            (source, seq, seq),
        )
        return {r[0] for r in rows}

    def _dropped_and_added(
        self, source: str, seq_a: int, seq_b: int
    ) -> tuple[set[tuple[str, str, str, str, str]], set[tuple[str, str, str, str, str]]]:
        """Statements alive at a but not b, and at b but not a (a < b)."""
        cols = "entity_id, party_id, schema, prop, value"
        dropped = set(
            self.db.execute(
                f"SELECT {cols} FROM statements WHERE source=? AND first_seq<=? AND last_seq>=? "
                "AND last_seq<?",
                (source, seq_a, seq_a, seq_b),
            )
        )
        added = set(
            self.db.execute(
                f"SELECT {cols} FROM statements WHERE source=? AND first_seq<=? AND last_seq>=? "
                "AND first_seq>?",
                (source, seq_b, seq_b, seq_a),
            )
        )
        both = dropped & added  # a fact dropped in between and stated again
        return dropped - both, added - both

    def diff(self, source: str, seq_a: int, seq_b: int) -> dict[str, Any]:
        """Parties added, removed and changed (with the properties that changed)."""
        if seq_a == seq_b:
            return {"added": [], "removed": [], "changed": [], "hidden_by_truncation": []}
        reverse = seq_a > seq_b
        lo, hi = (seq_b, seq_a) if reverse else (seq_a, seq_b)
        dropped, added = self._dropped_and_added(source, lo, hi)
        if reverse:
            dropped, added = added, dropped
        parties_a = self._parties_at(source, seq_a)
        parties_b = self._parties_at(source, seq_b)
        cut_a, cut_b = self._truncated(seq_a), self._truncated(seq_b)
        hidden: set[str] = set()
        changes: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(
            lambda: defaultdict(lambda: {"added": [], "removed": []})
        )
        for side, facts, cut in (("removed", dropped, cut_b), ("added", added, cut_a)):
            for entity_id, party_id, schema, prop, value in facts:
                if party_id in cut:
                    # beyond the 1,000-character cut of a file without its overflow file:
                    # unknown, not changed
                    hidden.add(party_id)
                    continue
                if party_id in parties_a and party_id in parties_b:
                    label = prop if entity_id == party_id else f"{schema}:{prop}"
                    changes[party_id][label][side].append(value)
        changed = []
        for pid, props in sorted(changes.items()):
            real = {
                label: sides
                for label, values in sorted(props.items())
                if (sides := real_change(values["added"], values["removed"]))
            }
            if real:
                changed.append({"id": pid, "properties": real})
        return {
            "added": sorted(parties_b - parties_a),
            "removed": sorted(parties_a - parties_b),
            "changed": changed,
            "hidden_by_truncation": sorted(hidden - set(changes)),
        }

    def captions_at(self, source: str, seq: int, ids: Iterable[str]) -> dict[str, str]:
        """The caption (FtM's: the name a person reads) of each of a source's entities as
        stated in version `seq`."""
        wanted = sorted(set(ids))
        out: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.db.execute(
                "SELECT entity_id, party_id, schema, prop, value FROM statements "
                f"WHERE source=? AND first_seq<=? AND last_seq>=? AND entity_id IN "
                f"({','.join('?' * len(chunk))}) ORDER BY entity_id, id",
                (source, seq, seq, *chunk),
            )
            out.update({str(e.id): e.caption for e in _group(rows)})
        return out

    def _truncated(self, seq: int) -> set[str]:
        """Entries of a version whose remarks were cut with no overflow file to complete them."""
        return {
            str(i["entity_id"])
            for i in self.version_issues(seq)
            if i.get("kind") == "truncated-remarks" and i.get("entity_id")
        }

    # -- cross-list links -------------------------------------------------------------

    def recompute_links(self) -> None:
        """Recompute the cross-list links of the versions in force, and the parties. They
        are computed from one snapshot, without the write lock (~1.5 s for every list on
        this machine, while a serving process's audited requests would wait for it:
        `bench/soak.py`), then written in one short transaction; if another writer changed
        the versions in force meanwhile, they are computed again under the lock."""
        with self.snapshot():
            basis = self._derived_basis()
            plan = self._links_plan()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if self._derived_basis() != basis:
                plan = self._links_plan()
            self._write_links(*plan)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _recompute_links(self) -> None:
        """`recompute_links` inside the caller's write transaction."""
        self._write_links(*self._links_plan())

    def _derived_basis(self) -> tuple[str, int]:
        """What a links plan was computed from: the versions in force and the generation
        (the parties' `changed_seq`)."""
        return self.derived_inputs(), self.generation()

    def _links_plan(self) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, int]]]:
        """The cross-list links of the versions in force (parties of different sources that
        share a strong identifier), and the party rows they change (`_party_changes`):
        reads only."""
        from sanctum.store.links import LINK_PROPS, find_links

        links = list(find_links(self.current_statements(LINK_PROPS)))
        return links, self._party_changes([(a, b) for a, b, _kind, _value in links])

    def _write_links(
        self, links: list[tuple[str, str, str, str]], changes: list[tuple[str, str, int]]
    ) -> None:
        """Replace the links and write the changed party rows (inside a transaction)."""
        self.db.execute("DELETE FROM xlinks")
        self.db.executemany(
            "INSERT OR IGNORE INTO xlinks (a, b, kind, value) VALUES (?,?,?,?)", links
        )
        self.db.executemany(
            "INSERT INTO party_members (entity_id, party_id, changed_seq) VALUES (?,?,?) "
            "ON CONFLICT(entity_id) DO UPDATE SET party_id=excluded.party_id, "
            "changed_seq=excluded.changed_seq",
            changes,
        )
        self._mark_derived("xlinks", completed=True)

    def _party_changes(self, linked: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
        """Group entries into parties (store/parties.py) from the linked pairs and the CSL's
        copies of OFAC entries: (entry, party, generation) for the rows whose party or
        party members changed."""
        from sanctum.store.parties import components, party_ids, republished

        db = self.db
        listed = [
            r[0]
            for r in db.execute(
                "SELECT entity_id FROM entity_state WHERE source IN "
                "('us_csl', 'us_ofac_sdn', 'us_ofac_cons')"
            )
        ]
        new = party_ids(components([*linked, *republished(listed)]), self._first_seen)
        old = dict(db.execute("SELECT entity_id, party_id FROM party_members"))
        new_members: dict[str, set[str]] = defaultdict(set)
        old_members: dict[str, set[str]] = defaultdict(set)
        for eid, pid in new.items():
            new_members[pid].add(eid)
        for eid, pid in old.items():
            old_members[pid].add(eid)
        seq = self.generation()
        return [
            (eid, new.get(eid, eid), seq)
            for eid in sorted(set(new) | set(old))
            if new.get(eid, eid) != old.get(eid, eid)
            or new_members.get(new.get(eid, eid), {eid})
            != old_members.get(old.get(eid, eid), {eid})
        ]

    def _first_seen(self, entity_id: str) -> str:
        """The date of the first version that stated anything about an entity (what `show`
        calls first seen; a date, not a seq, so that lists loaded in parallel, committed
        in whatever order their parses finish, give the same parties)."""
        row = self.db.execute(
            "SELECT MIN(v.version_date) FROM statements s JOIN versions v ON v.seq=s.first_seq "
            "WHERE s.entity_id=?",
            (entity_id,),
        ).fetchone()
        return str(row[0]) if row and row[0] is not None else "9999"

    def party_map(self) -> dict[str, str]:
        """Entry id → party id, for the entries grouped with others now (an entry missing
        here is a party of its own)."""
        return {
            e: p
            for e, p in self.db.execute(
                "SELECT entity_id, party_id FROM party_members WHERE entity_id<>party_id "
                "OR party_id IN (SELECT party_id FROM party_members WHERE entity_id<>party_id)"
            )
        }

    def parties_changed_since(self, seq: int) -> list[str]:
        """Entries whose party or party members changed in a version after `seq`."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT entity_id FROM party_members WHERE changed_seq>? ORDER BY entity_id",
                (seq,),
            )
        ]

    # -- derived state ----------------------------------------------------------------

    def derived_inputs(self) -> str:
        """What derived data is a function of: each source's version in force."""
        rows = self.db.execute("SELECT source, latest_seq FROM sources ORDER BY source")
        return json.dumps(dict(rows.fetchall()), sort_keys=True)

    def _mark_derived(self, name: str, completed: bool) -> None:
        """Record (inside the caller's transaction) that `name` was built from the inputs
        now in force, or that it is owed for them (`completed=False`)."""
        self.db.execute(
            "INSERT OR REPLACE INTO derived_state (name, inputs, completed, at) VALUES (?,?,?,?)",
            (name, self.derived_inputs(), int(completed), now()),
        )

    def derived_current(self, name: str) -> bool:
        """True if `name` was built, to the end, from the versions now in force."""
        row = self.db.execute(
            "SELECT inputs, completed FROM derived_state WHERE name=?", (name,)
        ).fetchone()
        if row is None:
            return not self.source_ids()  # nothing loaded: nothing to derive
        return bool(row[1]) and row[0] == self.derived_inputs()

    def await_derived(self, timeout: float) -> list[str]:
        """Derived data current before it is read: wait up to `timeout` s for a load under
        way to commit what it owes (its links follow its version), then rebuild here what is
        still behind (`repair_derived`; what it returns)."""
        deadline = time.monotonic() + timeout
        while not self.derived_current("xlinks") and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.repair_derived()

    def repair_derived(self) -> list[str]:
        """Rebuild derived data whose inputs changed or whose build did not finish (a crash
        between a version's commit and its links); returns what was rebuilt. Decided from
        the recorded state, not from whether this run loaded anything new."""
        if self.derived_current("xlinks"):
            return []
        log.info("cross-list links are behind the versions in force: recomputing")
        self.recompute_links()
        return ["xlinks"]

    def links_of(self, party_id: str) -> list[dict[str, str]]:
        """Parties in other lists that share a strong identifier with this one."""
        rows = self.db.execute(
            "SELECT b, kind, value FROM xlinks WHERE a=? UNION "
            "SELECT a, kind, value FROM xlinks WHERE b=? ORDER BY 1",
            (party_id, party_id),
        )
        return [{"id": r[0], "kind": r[1], "value": r[2]} for r in rows]

    def source_of(self, entity_id: str) -> str | None:
        """The source whose statements mention this entity."""
        row = self.db.execute(
            "SELECT source FROM statements WHERE entity_id=? LIMIT 1", (entity_id,)
        ).fetchone()
        return str(row[0]) if row else None


def _same_form(value: str) -> str:
    """A value as diffs compare it: spacing and case do not make a change."""
    return " ".join(value.split()).casefold()


def real_change(added: list[str], removed: list[str]) -> dict[str, list[str]]:
    """What really changed in one property: the values stated on one side and not the other,
    compared after the same normalisation and in any order. A derived entity (a
    designation, an identification) stated again under a new id drops and adds the same
    values; those cancel out, and a property with nothing left is no change ({})."""
    left = Counter(_same_form(v) for v in removed)
    right = Counter(_same_form(v) for v in added)
    gone, new = left - right, right - left
    sides = {
        "added": sorted(v for v in set(added) if _same_form(v) in new),
        "removed": sorted(v for v in set(removed) if _same_form(v) in gone),
    }
    return {k: v for k, v in sides.items() if v}


def _changes_at(
    rows: list[tuple[str, str, str, str, int, int, str]],
    party_id: str,
    seq: int,
    previous: int | None,
) -> dict[str, dict[str, list[str]]]:
    """Per property (`prop` of the party, `Schema:prop` of a derived entity): the values
    version `seq` stated anew and those the version before it (`previous`) was the last to
    state, as real changes (`real_change`)."""
    sides: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"added": [], "removed": []})
    for entity_id, schema, prop, value, first, last, _ in rows:
        label = prop if entity_id == party_id else f"{schema}:{prop}"
        if first == seq:
            sides[label]["added"].append(value)
        elif last == previous:
            sides[label]["removed"].append(value)
    return {
        label: change
        for label, values in sorted(sides.items())
        if (change := real_change(values["added"], values["removed"]))
    }


def _group(rows: Iterable[tuple[str, str, str, str, str]]) -> Iterator[EntityProxy]:
    """Group ordered (entity_id, party_id, schema, prop, value) rows into entities."""
    from followthemoney import model

    current: EntityProxy | None = None
    for entity_id, _party, schema, prop, value in rows:
        if current is None or current.id != entity_id:
            if current is not None:
                yield current
            current = model.make_entity(schema)
            current.id = entity_id
        current.unsafe_add(current.schema.properties[prop], value, cleaned=True)
    if current is not None:
        yield current
