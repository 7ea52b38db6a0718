"""The customer book: customers imported from a file, upserted by id, never deleted.

A file (CSV, XLSX, Parquet or JSON lines) has columns `id,name` and optionally those of
OPTIONAL_COLUMNS (several values `;`-separated). Every row is checked before anything is
written; a bad row is reported with its line number and the reason, and the import
changes nothing unless it is told to skip bad rows. The file is read as a stream and the
checked customers are staged in a file of their own (`_Staging`), so a book of any size
is imported in bounded memory; the write is one transaction, so a killed import leaves
the book as it was. Each import is recorded (who, when, file hash, counts) and appended
to the audit trail.

Each customer also files the tokens of its names (`customer_tokens`) and every token its
lookup keys (`customer_keys`): monitoring finds the customers a new listed name may meet
from those, without reading the whole book (`monitor/run.py`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sanctum import settings
from sanctum.batch import INPUT_COLUMNS, query_of
from sanctum.errors import SanctumError
from sanctum.match.query import QueryError, check_schema, parse_query
from sanctum.store.db import Store, now
from sanctum.values import parse_date

OPTIONAL_COLUMNS = ("schema", *(c for c in INPUT_COLUMNS if c != "name"), "address")
"""Columns besides `id` and `name`: those a `sanctum batch` row screens with
(`batch.INPUT_COLUMNS`), and `address`, kept with the customer."""
IMPORT_CHUNK = 10_000
"""Customers checked, staged and written at a time: an import's memory stays bounded by it
instead of growing with the book (`bench/monitoring.py`: 3,558 MB for 1,000,000 customers
when the whole checked book was held)."""
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


class ImportError_(SanctumError):
    """An import refused: the bad rows, each with its line and reason."""

    def __init__(self, path: Path, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  line {n}: {why}" for n, why in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{path}: {len(problems)} bad row(s), nothing imported "
            f"(--skip-invalid imports the others):\n{lines}{more}"
        )


@dataclass(frozen=True)
class Customer:
    """One customer as imported: id, name, schema and the other columns as value lists."""

    id: str
    name: str
    schema: str
    values: dict[str, list[str]]
    tokens: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """Its names' tokens as filed (`reach.filed_tokens`), when checking the row computed
    them already (empty otherwise)."""
    runs: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """Those of `tokens` that are only joined runs."""
    names: str = field(default="", compare=False, repr=False)
    """Its names as `customer_names` keeps them (`reach.names_json`), or empty."""

    def record(self) -> dict[str, Any]:
        """The record as stored and shown (`customer_summary` of an alert)."""
        return {"id": self.id, "name": self.name, "schema": self.schema, **self.values}

    def content_hash(self) -> str:
        """Digest of the record: a changed customer is screened again."""
        raw = json.dumps(self.record(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def query(self) -> dict[str, Any]:
        """The FtM-shaped query screening this customer: a `sanctum batch` row's
        (`batch.query_of`: the same columns screened the same way)."""
        row = {column: ";".join(values) for column, values in self.values.items()}
        return query_of({**row, "name": self.name, "schema": self.schema})


def customer_of(record: dict[str, Any]) -> Customer:
    """A Customer from its stored record."""
    values = {k: list(v) for k, v in record.items() if k not in ("id", "name", "schema")}
    return Customer(str(record["id"]), str(record["name"]), str(record["schema"]), values)


@dataclass
class ImportResult:
    """What an import did."""

    import_id: int
    sha256: str
    counts: dict[str, int]
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "import_id": self.import_id,
            "sha256": self.sha256,
            "counts": self.counts,
            "skipped": [{"line": n, "reason": why} for n, why in self.skipped],
        }


# -- reading ----------------------------------------------------------------------------


class _Reading:
    """What reading a file leaves besides its rows: the lines that could not be read
    (line, reason) and the digest of its bytes, both complete once the rows are."""

    def __init__(self) -> None:
        self.unreadable: list[tuple[int, str]] = []
        self.bad_lines: set[int] = set()
        self.hasher = hashlib.sha256()

    def refuse(self, line: int, reason: str) -> None:
        """Record a line that yields no row."""
        self.unreadable.append((line, reason))
        self.bad_lines.add(line)


def _decoded_lines(fh: IO[bytes], reading: _Reading) -> Iterator[str]:
    """The file's lines as text, one at a time (a line that is not UTF-8 comes out empty,
    and is recorded), hashing its bytes on the way."""
    for n, raw in enumerate(fh, start=1):
        reading.hasher.update(raw)
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            reading.refuse(n, f"not UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1})")
            yield "\n" if raw.endswith(b"\n") else ""


def _csv_rows(fh: IO[bytes], reading: _Reading) -> Iterator[tuple[int, dict[str, Any]]]:
    """CSV rows with the line each starts on (a row starting on an unreadable line is
    dropped: the line is reported instead)."""
    reader = csv.DictReader(_decoded_lines(fh, reading))
    start = 2
    for row in reader:
        if row and any(v for v in row.values() if v) and start not in reading.bad_lines:
            yield start, row
        start = reader.line_num + 1


def _jsonl_rows(fh: IO[bytes], reading: _Reading) -> Iterator[tuple[int, dict[str, Any]]]:
    """JSON lines: one object per line."""
    for n, line in enumerate(_decoded_lines(fh, reading), start=1):
        if n in reading.bad_lines or not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            reading.refuse(n, f"not JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            reading.refuse(n, "not a JSON object")
            continue
        yield n, obj


def _table_rows(path: Path, kind: str, reading: _Reading) -> Iterator[tuple[int, dict[str, Any]]]:
    """XLSX or Parquet rows (line 1 is the header), read a part at a time."""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            reading.hasher.update(block)
    if kind == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        it = wb.active.iter_rows(values_only=True) if wb.active else iter(())
        header = [str(h or "").strip() for h in next(it, ())]
        for n, r in enumerate(it, start=2):
            if any(v not in (None, "") for v in r):
                yield n, {h: v for h, v in zip(header, r, strict=False) if h}
        return
    import pyarrow.parquet as pq

    n = 2
    for batch in pq.ParquetFile(path).iter_batches(batch_size=IMPORT_CHUNK):
        for row in batch.to_pylist():
            yield n, row
            n += 1


def read_rows(path: Path, reading: _Reading) -> Iterator[tuple[int, dict[str, Any]]]:
    """The file's (line, row) pairs, read as a stream; `reading` gets the unreadable lines
    and the file's sha256. A file that cannot be read at all is a SanctumError."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise SanctumError(f"{path}: unknown format; use CSV, XLSX, Parquet or JSON lines")
    try:
        if kind in ("csv", "jsonl"):
            with path.open("rb") as fh:
                yield from (_csv_rows if kind == "csv" else _jsonl_rows)(fh, reading)
        else:
            yield from _table_rows(path, kind, reading)
    except SanctumError:
        raise
    except Exception as exc:
        raise SanctumError(f"{path}: cannot read ({type(exc).__name__}: {exc})") from exc


# -- checking ---------------------------------------------------------------------------


def _cell(value: Any) -> list[str]:
    """A cell's values: `;`-separated text, or a JSON list, blank ones dropped."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return [s for s in (str(v).strip() for v in items if v is not None) if s]


def check_row(row: dict[str, Any]) -> Customer | str:
    """A Customer from one row, or the reason the row is refused."""
    row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    cid = str(row.get("id") if row.get("id") is not None else "").strip()
    name = str(row.get("name") if row.get("name") is not None else "").strip()
    if not cid:
        return "no id"
    if not name:
        return "no name"
    limit = settings.max_name()
    values: dict[str, list[str]] = {}
    for column in OPTIONAL_COLUMNS:
        found = _cell(row.get(column))
        if found:
            values[column] = found
    for column, items in [("id", [cid]), ("name", [name]), *values.items()]:
        for item in items:
            if len(item) > limit:
                return f"{column} longer than {limit} characters ({len(item)})"
    schema = (values.pop("schema", None) or ["Thing"])[0]
    try:
        check_schema(schema)
    except QueryError as exc:
        return exc.reason
    dates = []
    for text in values.get("birth_date", []):
        iso = _iso_date(text)
        if iso is None:
            return f"birth_date {text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
        dates.append(iso)
    if dates:
        values["birth_date"] = dates
    from sanctum.monitor.reach import filed_names, filed_tokens, names_json

    customer = Customer(cid, name, schema, values)
    try:  # a value the matcher cannot read (a wallet of no known form, …) is the row's fault
        q = parse_query(customer.query())
    except QueryError as exc:
        return exc.reason
    tokens, runs = filed_tokens(q)
    names = names_json(filed_names(q))
    return Customer(cid, name, schema, values, frozenset(tokens), frozenset(runs), names)


def _iso_date(text: str) -> str | None:
    """An ISO date (or year, or year and month) from a birth date cell."""
    if re.fullmatch(r"\d{4}(-\d{2})?", text):
        return text if len(text) == 4 or 1 <= int(text[5:7]) <= 12 else None
    return parse_date(text[:10] if re.match(r"\d{4}-\d\d-\d\d[T ]", text) else text)


def checked(
    rows: Iterable[tuple[int, dict[str, Any]]],
) -> tuple[list[Customer], list[tuple[int, str]]]:
    """The good rows as customers, and (line, reason) for each bad one (a duplicate id
    is bad on every line after the first that carries it)."""
    first: dict[str, int] = {}
    bad: list[tuple[int, str]] = []
    good = [c for n, row in rows if (c := _checked_row(n, row, first, bad)) is not None]
    return good, bad


def _checked_row(
    n: int, row: dict[str, Any], first: dict[str, int], bad: list[tuple[int, str]]
) -> Customer | None:
    """The customer of line `n`, or None with the reason added to `bad`; `first` holds the
    line of every id seen so far (a duplicate is bad)."""
    found = check_row(row)
    if isinstance(found, str):
        bad.append((n, found))
        return None
    if found.id in first:
        bad.append((n, f"duplicate id {found.id!r} (first on line {first[found.id]})"))
        return None
    first[found.id] = n
    return found


class _Staging:
    """Checked customers kept in a file of their own (JSON lines) until the import writes
    them, so a large book is never held in memory; removed when the import ends."""

    def __init__(self, folder: Path) -> None:
        _sweep_staging(folder)
        handle, name = tempfile.mkstemp(
            dir=folder, prefix=f"import-{os.getpid()}-", suffix=".jsonl"
        )
        self.path = Path(name)
        self.fh = os.fdopen(handle, "w+", encoding="utf-8")

    def add(self, customers: list[Customer]) -> None:
        """Keep these customers, after those added before."""
        self.fh.writelines(json.dumps(_staged(c), ensure_ascii=False) + "\n" for c in customers)

    def chunks(self) -> Iterator[list[Customer]]:
        """The customers kept, in the order added, IMPORT_CHUNK at a time."""
        self.fh.flush()
        self.fh.seek(0)
        chunk: list[Customer] = []
        for line in self.fh:
            chunk.append(_unstaged(json.loads(line)))
            if len(chunk) == IMPORT_CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def __enter__(self) -> _Staging:
        return self

    def __exit__(self, *_: object) -> None:
        self.fh.close()
        self.path.unlink(missing_ok=True)


def _sweep_staging(folder: Path) -> None:
    """Remove the staging files of imports whose process is gone (killed before its end
    could remove them): each name carries its process id."""
    for path in folder.glob("import-*-*.jsonl"):
        pid = path.name.split("-")[1]
        if pid.isdigit() and not _running(int(pid)):
            path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    """Whether a process of this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: running
        return True
    return True


def _staged(c: Customer) -> list[Any]:
    """A customer as a line of the staging file."""
    return [c.id, c.name, c.schema, c.values, sorted(c.tokens), sorted(c.runs), c.names]


def _unstaged(row: list[Any]) -> Customer:
    """The customer again from its staging line (`_staged`)."""
    cid, name, schema, values, tokens, runs, names = row
    return Customer(cid, name, schema, values, frozenset(tokens), frozenset(runs), names)


def _chunks(customers: list[Customer]) -> Iterator[list[Customer]]:
    """`customers` IMPORT_CHUNK at a time."""
    for start in range(0, len(customers), IMPORT_CHUNK):
        yield customers[start : start + IMPORT_CHUNK]


# -- writing ----------------------------------------------------------------------------


def import_customers(
    store: Store, path: Path, actor: str, *, replace: bool = False, skip_invalid: bool = False
) -> ImportResult:
    """Upsert the file's customers (by id) in one transaction; `replace`: close those the
    file does not name. Bad rows refuse the whole import unless `skip_invalid`. The file
    is read, checked and staged a part at a time, then written in one transaction."""
    reading = _Reading()
    first: dict[str, int] = {}
    bad: list[tuple[int, str]] = []
    rows = 0
    with _Staging(store.home) as staging:
        batch: list[Customer] = []
        for n, row in read_rows(path, reading):
            rows += 1
            found = _checked_row(n, row, first, bad)
            if found is not None and (skip_invalid or not bad):  # refused: only check the rest
                batch.append(found)
            if len(batch) >= IMPORT_CHUNK:
                staging.add(batch)
                batch = []
        staging.add(batch)
        bad = sorted(reading.unreadable + bad)
        if bad and not skip_invalid:
            raise ImportError_(path, bad)
        counts = {"rows": rows + len(reading.unreadable), "invalid": len(bad)}
        import_id = _write(
            store,
            staging.chunks(),
            first if replace else None,
            counts,
            (actor, str(path), reading.hasher.hexdigest(), "replace" if replace else "upsert"),
        )
    audit_imports(store)
    return ImportResult(import_id, reading.hasher.hexdigest(), counts, bad)


def _write(
    store: Store,
    chunks: Iterable[list[Customer]],
    kept: Container[str] | None,
    counts: dict[str, int],
    record: tuple[str, str, str, str],
) -> int:
    """In one transaction: upsert the customers chunk by chunk, close the active ones not
    in `kept` (replacing; None: none), and record the import (actor, file, sha256, mode)
    with `counts`, which gets the written counts; the import's id."""
    db = store.db
    at = now()
    db.execute("BEGIN IMMEDIATE")
    try:
        written = {"inserted": 0, "updated": 0, "unchanged": 0, "closed": 0}
        for chunk in chunks:
            for name, count in _upsert(store, chunk, at).items():
                written[name] += count
        if kept is not None:
            written["closed"] = _close_absent(store, kept, at)
        counts.update(written)
        actor, file, digest, mode = record
        cur = db.execute(
            "INSERT INTO customer_imports (at, actor, file, sha256, mode, counts) "
            "VALUES (?,?,?,?,?,?)",
            (now(), actor, file, digest, mode, json.dumps(counts)),
        )
        import_id = int(cur.lastrowid or 0)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return import_id


def _close_absent(store: Store, kept: Container[str], at: str) -> int:
    """Close every active customer not in `kept` (a replacing import); how many."""
    rows = store.db.execute("SELECT id FROM customers WHERE status='active'").fetchall()
    gone = [(at, cid) for (cid,) in rows if cid not in kept]
    store.db.executemany("UPDATE customers SET status='closed', updated_at=? WHERE id=?", gone)
    return len(gone)


def _upsert(store: Store, customers: list[Customer], at: str) -> dict[str, int]:
    """Write new and changed customers of one chunk, their tokens and their tokens' keys.
    Runs inside the import's transaction."""
    from sanctum.monitor.reach import token_keys

    db = store.db
    marks = ",".join("?" * len(customers))
    old = {
        cid: (h, status)
        for cid, h, status in db.execute(
            f"SELECT id, hash, status FROM customers WHERE id IN ({marks})",
            [c.id for c in customers],
        )
    }
    new_rows: list[tuple[str, ...]] = []
    changed_rows: list[tuple[str, ...]] = []
    tokens: list[tuple[str, str]] = []
    singles: set[str] = set()  # filed under every key; joined runs only under theirs
    names: list[tuple[str, str]] = []
    unchanged = 0
    for c in customers:
        h = c.content_hash()
        prev = old.get(c.id)
        if prev is not None and prev == (h, "active"):
            unchanged += 1
            continue
        record = json.dumps(c.record(), ensure_ascii=False, sort_keys=True)
        if prev is None:
            new_rows.append((c.id, c.name, c.schema, record, h, "active", at, at))
        else:
            changed_rows.append((c.name, c.schema, record, h, at, c.id))
        filed, runs, named = _filing(c)
        names.append((c.id, named))
        tokens.extend((t, c.id) for t in filed)
        singles.update(filed - runs)
    tokens.sort()  # in key order: the index's pages fill one after another
    changed_ids = [(r[-1],) for r in changed_rows]
    db.executemany("DELETE FROM customer_tokens WHERE customer_id=?", changed_ids)
    db.executemany(
        "INSERT INTO customers (id, name, schema, record, hash, status, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?,?)",
        new_rows,
    )
    db.executemany(
        "UPDATE customers SET name=?, schema=?, record=?, hash=?, status='active', "
        "updated_at=? WHERE id=?",
        changed_rows,
    )
    db.executemany(
        "INSERT OR IGNORE INTO customer_tokens (token, customer_id) VALUES (?,?)", tokens
    )
    fresh = {t for t, _ in tokens}
    keys = sorted((k, t) for t in fresh for k in token_keys(t, t not in singles))
    db.executemany("INSERT OR IGNORE INTO customer_keys (key, token) VALUES (?,?)", keys)
    db.executemany(
        "INSERT INTO customer_names (customer_id, names) VALUES (?,?) "
        "ON CONFLICT (customer_id) DO UPDATE SET names = excluded.names",
        sorted(names),
    )
    return {"inserted": len(new_rows), "updated": len(changed_rows), "unchanged": unchanged}


def _filing(c: Customer) -> tuple[frozenset[str], frozenset[str], str]:
    """The customer's tokens, those only joined runs, and its names as kept (`check_row`
    computed them, unless the customer was made otherwise)."""
    if c.tokens:
        return c.tokens, c.runs, c.names
    from sanctum.monitor.reach import filed_names, filed_tokens, names_json

    q = parse_query(c.query())
    tokens, runs = filed_tokens(q)
    return frozenset(tokens), frozenset(runs), names_json(filed_names(q))


def audit_imports(store: Store) -> None:
    """Append every import not yet in the audit trail to it (an import killed between its
    commit and its audit record is audited by the next one)."""
    from sanctum.audit import append

    pending = store.db.execute(
        "SELECT id, at, actor, file, sha256, mode, counts FROM customer_imports "
        "WHERE audit_id IS NULL ORDER BY id"
    ).fetchall()
    for iid, at, actor, file, digest, mode, counts in pending:
        query = {"import_id": iid, "at": at, "file": file, "sha256": digest, "mode": mode}
        audit_id = append(store, actor, "customer-import", query, {}, "", "", [json.loads(counts)])
        store.db.execute("UPDATE customer_imports SET audit_id=? WHERE id=?", (audit_id, iid))


def import_records(
    store: Store, records: list[dict[str, Any]], actor: str, label: str = "api"
) -> ImportResult:
    """`import_customers` for records already in memory (the API's JSON array): the same
    checks (line = position in the array, from 1), all or nothing."""
    good, bad = checked(enumerate(records, start=1))
    if bad:
        raise ImportError_(Path(label), bad)
    raw = json.dumps(records, sort_keys=True, ensure_ascii=False).encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    counts = {"rows": len(records), "invalid": 0}
    import_id = _write(store, _chunks(good), None, counts, (actor, label, digest, "upsert"))
    audit_imports(store)
    return ImportResult(import_id, digest, counts)


# -- reading the book -------------------------------------------------------------------


def get(store: Store, customer_id: str) -> dict[str, Any] | None:
    """One customer: its record, status and dates, or None."""
    row = store.db.execute(
        "SELECT record, status, created_at, updated_at, hash FROM customers WHERE id=?",
        (customer_id,),
    ).fetchone()
    if row is None:
        return None
    return {
        **json.loads(row[0]),
        "status": row[1],
        "created_at": row[2],
        "updated_at": row[3],
        "hash": row[4],
    }


def listing(store: Store, status: str | None = None) -> Iterator[dict[str, Any]]:
    """Every customer (or those of one status), by id."""
    sql = "SELECT record, status, updated_at FROM customers"
    args: tuple[str, ...] = ()
    if status:
        sql += " WHERE status=?"
        args = (status,)
    for record, st, updated in store.db.execute(sql + " ORDER BY id", args):
        yield {**json.loads(record), "status": st, "updated_at": updated}


def imports(store: Store) -> list[dict[str, Any]]:
    """Every import, newest first."""
    rows = store.db.execute(
        "SELECT id, at, actor, file, sha256, mode, counts FROM customer_imports ORDER BY id DESC"
    )
    return [
        {
            "id": r[0],
            "at": r[1],
            "actor": r[2],
            "file": r[3],
            "sha256": r[4],
            "mode": r[5],
            "counts": json.loads(r[6]),
        }
        for r in rows
    ]
