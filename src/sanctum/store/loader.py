"""Loading list versions into the store: discover, archive, parse, check, commit.

A version is the set of files in one dated folder (`<source>/<date>/<files>`) or the files
of one download. Versions of a source are loaded oldest first. Every check runs before
anything is written; the write itself is one transaction.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
import re
import shutil
import sqlite3
import tempfile
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctum import settings
from sanctum.errors import ParseError, RejectedVersion, SanctumError
from sanctum.runtime import gc_paused
from sanctum.sources import registry
from sanctum.sources.base import ParseContext, ParseResult
from sanctum.store.db import EntityContext, Snapshot, Store, VersionInfo, entity_hash
from sanctum.values import country_code

if TYPE_CHECKING:
    from followthemoney import EntityProxy


def _merge_into(
    slot: tuple[str, str, dict[str, list[str]]], entity: EntityProxy
) -> tuple[str, str, dict[str, list[str]]]:
    """An entity stated again in the same version: the union of the values (sorted)."""
    props = dict(slot[2])
    for prop, values in entity.properties.items():
        props[prop] = sorted(set(props.get(prop, ())).union(values))
    return slot[0], slot[1], dict(sorted(props.items()))


def context_of(entity: EntityProxy) -> EntityContext | None:
    """The datasets, referents and target flag an FtM line gave its entity, if any."""
    ctx = entity.context
    if not any(k in ctx for k in ("datasets", "referents", "target")):
        return None
    target = ctx.get("target")
    return EntityContext(
        tuple(str(d) for d in ctx.get("datasets") or ()),
        tuple(str(r) for r in ctx.get("referents") or ()),
        target if isinstance(target, bool) else None,
    )


def snapshot_of(result: ParseResult) -> Snapshot:
    """Flatten parsed records (an entity stated twice is merged, first party wins)."""
    entities: dict[str, tuple[str, str, dict[str, list[str]]]] = {}
    for record in result.records:
        party_id = str(record.party.id)
        for entity in record.entities():
            eid = str(entity.id)
            slot = entities.get(eid)
            if slot is not None:
                entities[eid] = _merge_into(slot, entity)
                continue
            # FtM keeps a property's values unique, so sorting them is all that is left.
            props = {p: sorted(vs) for p, vs in sorted(entity.properties.items())}
            entities[eid] = (party_id, entity.schema.name, props)
    hashes = {eid: entity_hash(*triple) for eid, triple in entities.items()}
    counts = count_entities(result)
    issues = [
        {
            "file": i.file,
            "row": i.row,
            "kind": i.kind,
            "message": i.message,
            "entity_id": i.entity_id,
        }
        for i in result.issues
    ]
    published = result.published.isoformat() if result.published else None
    context = {str(r.party.id): c for r in result.records if (c := context_of(r.party))}
    parties = counts["entities"]["total"]
    return Snapshot(entities, hashes, counts, issues, published, parties, context)


def count_entities(result: ParseResult) -> dict[str, Any]:
    """Counts for `sources`: listed parties by schema, and derived entities by kind."""
    parties: Counter[str] = Counter()
    derived: Counter[str] = Counter()
    party_ids: set[str] = set()
    wallets: set[str] = set()
    for record in result.records:
        if record.party.id in party_ids:
            continue
        party_ids.add(str(record.party.id))
        parties[record.party.schema.name] += 1
        for entity in record.derived:
            derived[entity.schema.name] += 1
            if entity.schema.name == "CryptoWallet":
                wallets.add(str(entity.id))
    entities: dict[str, int] = {"total": len(party_ids), **dict(sorted(parties.items()))}
    links = sum(n for s, n in derived.items() if _is_edge(s))
    return {
        "entities": entities,
        "wallets": len(wallets),
        "sanctions": derived.get("Sanction", 0),
        "links": links,
        "identifications": derived.get("Identification", 0) + derived.get("Passport", 0),
        "issues": dict(Counter(i.kind for i in result.issues)),
    }


def _is_edge(schema: str) -> bool:
    from followthemoney import model

    found = model.get(schema)
    return bool(found and found.edge)


@dataclass(frozen=True)
class VersionFiles:
    """The files of one version of one source, with the date its folder gives."""

    source: str
    label: str
    folder_date: str | None
    files: tuple[Path, ...]
    escaped: tuple[Path, ...] = ()
    """Files that are symbolic links out of the folder given to load: never read."""


@dataclass
class LoadOutcome:
    """What happened to one version: loaded, unchanged, or rejected (with the reason)."""

    version: VersionFiles
    status: str
    info: VersionInfo | None = None
    message: str = ""
    issues: list[dict[str, object]] = field(default_factory=list)


def folder_date(name: str) -> str | None:
    """A date from a folder name: `2023-12-01`, or a version id like `20240527194702-wnk`."""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", name) or re.match(r"(\d{4})(\d{2})(\d{2})", name)
    return f"{m[1]}-{m[2]}-{m[3]}" if m else None


UNDATED_LAST = "9999"

ISSUE_CHARS = 2000
"""Longest issue message kept; an issue quoting a 10 MB value is cut (the longest from
the official lists has 330 characters)."""


def _data_files(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")))


def escapes(path: Path, root: Path) -> bool:
    """True if `path` (a symbolic link, or a file below one) leads out of the folder
    `root` given to load: a link to `/etc/passwd` in a mirror is never read."""
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return True


def _version(
    source: str, label: str, fdate: str | None, files: Sequence[Path], root: Path
) -> VersionFiles:
    """A version, with the files that lead out of `root` set apart (refused at load)."""
    out = tuple(p for p in files if escapes(p, root))
    return VersionFiles(source, label, fdate, tuple(files), out)


def _versions_under(source: str, folder: Path, root: Path | None = None) -> list[VersionFiles]:
    """Every folder below a source folder that holds files is one version."""
    out: list[VersionFiles] = []
    for sub in [*sorted(p for p in folder.rglob("*") if p.is_dir()), folder]:
        files = _data_files(sub)
        if files:
            label = sub.relative_to(folder).as_posix() if sub != folder else sub.name
            out.append(_version(source, label, folder_date(sub.name), files, root or folder))
    return out


def discover(paths: Sequence[Path], source: str | None = None) -> list[VersionFiles]:
    """Versions found in files or folders (a mirror root, a source folder, a dated folder).

    Versions are returned per source, oldest first; an undated folder comes after the dated
    ones (its date is then read from inside its files, or it is the newest).
    """
    found: list[VersionFiles] = []
    loose: dict[tuple[str, Path], list[Path]] = {}
    for path in paths:
        if not path.exists():
            raise SanctumError(f"{path}: no such file or folder")
        if path.is_file():
            src = source or registry.guess_source(path.name)
            if src is None and path.parent.parent.name in registry.SOURCES:
                src = path.parent.parent.name
            if src is None:
                raise SanctumError(f"{path}: cannot tell which list this is; give --source")
            loose.setdefault((src, path.parent), []).append(path)
        elif source:
            found.extend(_versions_under(source, path))
        elif path.name in registry.SOURCES:
            found.extend(_versions_under(path.name, path))
        elif path.parent.name in registry.SOURCES:
            dated = _data_files(path)
            found.append(_version(path.parent.name, path.name, folder_date(path.name), dated, path))
        else:
            subs = [p for p in sorted(path.iterdir()) if p.is_dir() and p.name in registry.SOURCES]
            if not subs:
                raise SanctumError(
                    f"{path}: no list folders found (expected <source>/<date>/<files>, "
                    f"with source one of {', '.join(registry.SOURCES)})"
                )
            for sub in subs:
                found.extend(_versions_under(sub.name, sub, path))
    for (src, parent), files in loose.items():
        found.append(_version(src, parent.name, folder_date(parent.name), sorted(files), parent))
    return sorted(found, key=lambda v: (v.source, v.folder_date or UNDATED_LAST, v.label))


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive(path: Path, sha: str, home: Path) -> Path:
    """Keep the raw file under its hash in `home`'s archive (idempotent, append-only)."""
    target = home / "archive" / sha[:2] / sha
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # a copy of its own: two loads of one file at once shared one `.part` name, and the
        # slower one's rename found it gone; both copies hold the same bytes
        fd, tmp = tempfile.mkstemp(prefix=f"{sha}.", suffix=".part", dir=target.parent)
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return target


def fingerprint(hashes: Sequence[tuple[str, str]]) -> str:
    """Identity of a version: the hashes of its files (a renamed file is the same file)."""
    return hashlib.sha256("\n".join(sorted(h for _, h in hashes)).encode()).hexdigest()


def parse_version(store: Store | None, version: VersionFiles, today: str | None = None) -> Snapshot:
    """Parse one version into a Snapshot; delta formats read the previous version from the
    store, every other format reads only its files (so it may run in another process)."""
    spec = registry.format_of(registry.get(version.source), version.files)
    parser = spec.load_parser()
    previous: list[Any] = []
    if spec.delta and store is not None:
        latest = store.latest(version.source)
        previous = list(store.entities_at(version.source, latest.seq)) if latest else []
    result = parser(version.files, ParseContext(version.source, previous))
    if not result.records:
        raise ParseError(str(version.files[0]), "no list entries found in the file(s)")
    snap = snapshot_of(result)
    cap_fields(snap, ", ".join(p.name for p in version.files), settings.max_field_chars(spec.id))
    return snap


def cap_fields(snap: Snapshot, file: str, limit: int) -> None:
    """Truncate values longer than `limit` characters, each recorded as a `truncated`
    issue (nothing a list states is that long: 10 MB fields were stored verbatim); an
    entity id that long is refused, since ids are what other entities refer to. Issue
    messages (which may quote such a value) are cut at ISSUE_CHARS."""
    for issue in snap.issues:
        text = str(issue["message"])
        if len(text) > ISSUE_CHARS:
            issue["message"] = f"{text[:ISSUE_CHARS]}… (cut at {ISSUE_CHARS} characters)"
    for eid, (party, schema, props) in snap.entities.items():
        if len(eid) > limit:
            raise ParseError(file, f"an entity id of {len(eid)} characters (limit {limit})")
        if not any(len(v) > limit for values in props.values() for v in values):
            continue
        for prop, values in props.items():
            for value in values:
                if len(value) > limit:
                    message = (
                        f"{prop} value of {len(value)} characters truncated to {limit} "
                        "(SANCTUM_MAX_FIELD)"
                    )
                    snap.issues.append(
                        {
                            "file": file,
                            "row": None,
                            "kind": "truncated",
                            "message": message,
                            "entity_id": eid,
                        }
                    )
            props[prop] = sorted(dict.fromkeys(v[:limit] for v in values))
        snap.hashes[eid] = entity_hash(party, schema, props)


def _parse_job(version: VersionFiles) -> Snapshot | str:
    """Pool worker: a Snapshot, or the error message (errors must cross the process line)."""
    gc.collect(0)  # the previous parse's cycles: only objects made since the pause are young
    try:
        return parse_version(None, version)
    except SanctumError as exc:
        return str(exc)
    except Exception as exc:  # a parser bug must not take the store down with it
        return crash_message([p.name for p in version.files], exc)


def warm_up(versions: Sequence[VersionFiles]) -> None:
    """Import the parsers and load the country tables once, before forking workers, so
    each worker inherits them instead of spending seconds building its own."""
    for version in versions:
        with suppress(SanctumError):
            registry.parser_for(registry.get(version.source), version.files)
    country_code("Korea, North")


def needs_store(version: VersionFiles) -> bool:
    """True for delta formats, which must be parsed after the version before them landed."""
    try:
        return registry.format_of(registry.get(version.source), version.files).delta
    except SanctumError:
        return False


def load_version(
    store: Store,
    version: VersionFiles,
    *,
    force: bool = False,
    max_drop: float | None = None,
    today: str | None = None,
    superseded: bool = False,
    parsed: Snapshot | str | None = None,
    links: bool = True,
) -> LoadOutcome:
    """Load one version, or refuse it with a reason naming the file; never half-load.

    `superseded`: a newer version of the same source follows in this load, so this one
    is history, never served; its entry count is recorded but not held to the drop limit
    (the UN list really lost 13% between 2020 and 2024 when the Iran list ended).
    `parsed`: the version already parsed elsewhere (a Snapshot, or the parse error).
    """
    names = [p.name for p in version.files]
    if version.escaped:
        return _rejected(store, version, names, _escaped_message(version))
    hashes = [(p.name, sha256_file(p)) for p in version.files]
    fp = fingerprint(hashes)
    known = store.find_version(version.source, fp)
    if known is not None:
        return LoadOutcome(version, "unchanged", known, f"already loaded as {known.version_date}")
    try:
        if isinstance(parsed, str):
            raise SanctumError(parsed)
        snap = parsed if parsed is not None else parse_version(store, version)
        vdate = (
            snap.published or version.folder_date or today or datetime.now(UTC).date().isoformat()
        )
        latest = store.latest(version.source)
        _check_against(latest, version, snap.parties, vdate, force or superseded, max_drop)
        files = [
            {
                "name": n,
                "sha256": h,
                "size": p.stat().st_size,
                "archived": str(archive(p, h, store.home)),
            }
            for p, (n, h) in zip(version.files, hashes, strict=True)
        ]
        info = store.commit_version(
            version.source, version.label, vdate, snap.published, fp, files, snap, links=links
        )
    except SanctumError as exc:
        return _rejected(store, version, names, str(exc))
    except sqlite3.IntegrityError:
        return _raced(store, version, names, fp)
    except Exception as exc:  # a parser bug must not take the store down with it
        return _rejected(store, version, names, crash_message(names, exc))
    store.record_attempt(version.source, names, True, f"loaded {info.version_date}")
    return LoadOutcome(version, "loaded", info, issues=store.version_issues(info.seq))


def crash_message(names: Sequence[str], exc: BaseException) -> str:
    """What to say when reading raised an unexpected error: the files, the error's type
    and where in Sanctum it arose, never its text (it may quote the file's contents)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "sanctum" in f.filename] or frames
    where = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    return f"{', '.join(names)}: cannot be read ({type(exc).__name__}{where})"


def _escaped_message(version: VersionFiles) -> str:
    """The refusal of a version holding symbolic links out of the load folder."""
    links = ", ".join(p.name for p in version.escaped)
    return f"{links}: a symbolic link out of the folder being loaded; not read (refused)"


def _raced(store: Store, version: VersionFiles, names: list[str], fp: str) -> LoadOutcome:
    """Another load committed the same version first (two loads at once)."""
    known = store.find_version(version.source, fp)
    if known is not None:
        message = f"loaded meanwhile by another load, as {known.version_date}"
        return LoadOutcome(version, "unchanged", known, message)
    message = f"{', '.join(names)}: another load changed the store at the same time; load again"
    return _rejected(store, version, names, message)


def _rejected(store: Store, version: VersionFiles, names: list[str], message: str) -> LoadOutcome:
    """Log a refused version; the version in force stays as it was."""
    store.record_attempt(version.source, names, False, message)
    return LoadOutcome(version, "rejected", store.latest(version.source), message)


def _check_against(
    latest: VersionInfo | None,
    version: VersionFiles,
    parties: int,
    vdate: str,
    force: bool,
    max_drop: float | None,
) -> None:
    """Refuse a version that is older than the current one, or lost or gained too many
    entries (gaining: a wrong list of the same format, e.g. the SDN file as `cons_prim`)."""
    if latest is None:
        return
    where = ", ".join(p.name for p in version.files)
    if vdate < latest.version_date:
        raise RejectedVersion(
            f"{where}: dated {vdate}, older than the version in force ({latest.version_date}); "
            "versions are loaded oldest first"
        )
    limit = settings.max_drop() if max_drop is None else max_drop
    if not force and parties < latest.parties * (1 - limit):
        raise RejectedVersion(
            f"{where}: {parties} entries, down {1 - parties / latest.parties:.0%} from "
            f"{latest.parties} in {latest.version_date} (limit {limit:.0%}; --force to accept)"
        )
    jump = settings.max_jump()
    if not force and latest.parties and parties > latest.parties * (1 + jump):
        raise RejectedVersion(
            f"{where}: {parties} entries, up {parties / latest.parties - 1:.0%} from "
            f"{latest.parties} in {latest.version_date} (limit +{jump:.0%}; another list "
            "of the same format? --force to accept)"
        )


def load_paths(
    store: Store,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    force: bool = False,
    max_drop: float | None = None,
    progress: Callable[[VersionFiles], None] | None = None,
    workers: int | None = None,
) -> list[LoadOutcome]:
    """Discover and load every version under `paths`, oldest first per source.

    Versions are parsed in parallel worker processes, largest files first (parsing is the
    slow part), and committed in this process as soon as every older version of the same
    source has been committed; outcomes are returned in discovery order.
    """
    with gc_paused(), store.bulk():
        return _load_all(store, discover(paths, source), force, max_drop, progress, workers)


def _load_all(
    store: Store,
    versions: list[VersionFiles],
    force: bool,
    max_drop: float | None,
    progress: Callable[[VersionFiles], None] | None,
    workers: int | None,
) -> list[LoadOutcome]:
    """`load_paths` on discovered versions."""
    known = {
        i
        for i, v in enumerate(versions)
        if v.escaped
        or store.find_version(v.source, fingerprint([(p.name, sha256_file(p)) for p in v.files]))
    }
    pooled = [i for i, v in enumerate(versions) if i not in known and not needs_store(v)]
    workers = workers or min(os.cpu_count() or 1, 2)
    outcomes: dict[int, LoadOutcome] = {}
    parsed: dict[int, Snapshot | str] = {}
    queue = {
        s: [i for i, v in enumerate(versions) if v.source == s]
        for s in dict.fromkeys(v.source for v in versions)
    }

    def commit_ready(src: str) -> None:
        """Commit the source's next versions while their parse results are in."""
        waiting = queue[src]
        while waiting and (waiting[0] in parsed or waiting[0] not in pooled):
            i = waiting.pop(0)
            if progress:
                progress(versions[i])
            outcomes[i] = load_version(
                store,
                versions[i],
                force=force,
                max_drop=max_drop,
                superseded=bool(waiting),
                parsed=parsed.pop(i, None),
                links=False,
            )

    for src in queue:
        commit_ready(src)
    order = job_order(versions, pooled)
    with _parsed_stream([(i, versions[i]) for i in order], workers) as stream:
        for i, result in stream:
            parsed[i] = result
            commit_ready(versions[i].source)
    for src in queue:
        commit_ready(src)
    store.repair_derived()  # also after a run that loaded nothing new (crash repair)
    return [outcomes[i] for i in sorted(outcomes)]


def read_size(path: Path) -> int:
    """Bytes a parser reads from a file: the uncompressed size of a gzip file or a zip
    container (XLSX), else the file size. Unreadable headers count as the file size."""
    size = path.stat().st_size
    with suppress(OSError, ValueError, zipfile.BadZipFile):
        with path.open("rb") as fh:
            magic = fh.read(4)
            if magic[:2] == b"\x1f\x8b" and size >= 4:
                fh.seek(-4, os.SEEK_END)  # ISIZE: the uncompressed size modulo 2**32
                return max(size, int.from_bytes(fh.read(4), "little"))
        if magic == b"PK\x03\x04":
            with zipfile.ZipFile(path) as archive:
                return max(size, sum(info.file_size for info in archive.infolist()))
    return size


def job_order(versions: Sequence[VersionFiles], pooled: Sequence[int]) -> list[int]:
    """The order to parse versions in: whole sources, largest first (parsing is the slow
    part, so the small ones fill in at the end), each source's versions oldest first, so
    every parsed version can be committed at once and the writes overlap the parsing."""
    sizes = {i: sum(read_size(p) for p in versions[i].files) for i in pooled}
    largest: dict[str, int] = {}
    for i in pooled:
        largest[versions[i].source] = max(largest.get(versions[i].source, 0), sizes[i])
    return sorted(pooled, key=lambda i: (-largest[versions[i].source], versions[i].source, i))


def _indexed_job(job: tuple[int, VersionFiles]) -> tuple[int, Snapshot | str]:
    return job[0], _parse_job(job[1])


@contextmanager
def _parsed_stream(
    jobs: list[tuple[int, VersionFiles]], workers: int
) -> Iterator[Iterator[tuple[int, Snapshot | str]]]:
    """(position, parse result) as each finishes: a process pool when it pays, else here."""
    if workers < 2 or len(jobs) < 2 or "fork" not in mp.get_all_start_methods():
        yield (_indexed_job(j) for j in jobs)
        return
    warm_up([v for _, v in jobs])
    gc.freeze()  # what the workers inherit is left out of their `gc.collect(0)` walks
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            yield pool.imap_unordered(_indexed_job, jobs)
    finally:
        gc.unfreeze()
