"""Batch screening of a file of names, resumable.

Input: CSV, XLSX or Parquet with columns `id, name` and, where present, `schema,
birth_date, country` and the identifier columns of INPUT_COLUMNS (`nationality, passport,
id_number, registration_number, imo, wallet, email, website, phone`). Output: CSV, one
row per alert (OUT_COLUMNS), or XLSX made from it when done (`write_xlsx`). Progress is kept
beside the output (`<output>.progress`: what the rows are screened with, the input's hash
among it (`run_key`), rows done, output size); a rerun after an interruption truncates the
output to the last recorded size and continues from the next row, so no row is lost or
written twice. A rerun on other list versions,
another matcher version or other settings starts over: one output file holds the results
of one screening, never a mix.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sanctum.audit import append as audit_append
from sanctum.errors import SanctumError
from sanctum.explain import explain_line
from sanctum.match.score import MATCHER_VERSION
from sanctum.names.japanese import load_dictionary, may_be_japanese
from sanctum.runtime import tune_gc
from sanctum.screen import Match, Screener

CHUNK = 250
"""Rows per unit of work: small enough that both workers stay busy to the end."""
OUT_COLUMNS = [
    "input_id",
    "input_name",
    "entity_id",
    "caption",
    "schema",
    "source",
    "programs",
    "score",
    "match",
    "why",
    "explanation_json",
]
"""One row per alert: the input row, the listed party (its list and programs), the score,
a one-line reason a person reads, and the full explanation for machines."""
PARTY_COLUMNS = ["party_id", "lists", "more_matched"]
"""Added with `--group party`: one row per matched party, `entity_id` its best entry,
`programs` those of every list designating the party, `lists` `;`-separated,
`more_matched` the matched parties left out."""


INPUT_COLUMNS = {
    "name": "name",
    "birth_date": "birthDate",
    "country": "country",
    "nationality": "nationality",
    "passport": "passportNumber",
    "id_number": "idNumber",
    "registration_number": "registrationNumber",
    "imo": "imoNumber",
    "wallet": "publicKey",
    "email": "email",
    "website": "website",
    "phone": "phone",
}
"""Input columns besides `id` and `schema` → the FtM property each fills. A cell may hold
several values separated by `;` (two passports, two e-mail addresses)."""


IDENTIFIER_COLUMNS = (
    "passport",
    "id_number",
    "registration_number",
    "imo",
    "wallet",
    "email",
    "website",
    "phone",
)
"""Columns that identify a party without a name: a file of them alone may be screened."""


def parquet_module(path: Path) -> Any:
    """pyarrow's Parquet reader, or a clear error saying how to install it (an extra)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SanctumError(
            f"{path}: reading Parquet needs pyarrow, an optional extra: "
            "pip install 'sanctum[parquet]' (in this folder: .venv/bin/pip install pyarrow)"
        ) from None
    return pq


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of the input file as dicts of strings; clear errors naming file and column."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            it = wb.active.iter_rows(values_only=True) if wb.active else iter(())
            header = [str(h or "").strip().lower() for h in next(it, ())]
            rows = [
                {h: "" if v is None else str(v) for h, v in zip(header, r, strict=False)}
                for r in it
            ]
        elif suffix == ".parquet":
            pq = parquet_module(path)

            table = pq.read_table(path)
            header = [c.lower() for c in table.column_names]
            rows = [
                {k.lower(): "" if v is None else str(v) for k, v in r.items()}
                for r in table.to_pylist()
            ]
        else:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                header = [h.strip().lower() for h in reader.fieldnames or []]
                rows = [{(k or "").strip().lower(): v or "" for k, v in r.items()} for r in reader]
    except SanctumError:
        raise
    except Exception as exc:
        raise SanctumError(f"{path}: cannot read ({type(exc).__name__}: {exc})") from exc
    if not {"name", *IDENTIFIER_COLUMNS} & set(header):
        raise SanctumError(
            f"{path}: missing column 'name' (columns: id,schema,{','.join(INPUT_COLUMNS)})"
        )
    return rows


def query_of(row: dict[str, str]) -> dict[str, Any]:
    """An FtM-shaped query from an input row."""
    props: dict[str, list[str]] = {"name": [row.get("name", "")]}
    for column, prop in INPUT_COLUMNS.items():
        if column != "name" and (cell := row.get(column, "").strip()):
            props[prop] = [v.strip() for v in cell.split(";") if v.strip()]
    return {"schema": row.get("schema") or "Thing", "properties": props}


def _explain(expl: dict[str, Any]) -> str:
    return json.dumps(expl, ensure_ascii=False, sort_keys=True)


def screen_rows(
    screener: Screener,
    rows: list[tuple[int, dict[str, str]]],
    threshold: float | None,
    algorithm: str | None,
    limit: int,
    group: str | None = None,
) -> list[list[str]]:
    """Alerts for a chunk of rows; a row with a bad query becomes an `error` row."""
    out: list[list[str]] = []
    for n, row in rows:
        input_id = row.get("id") or str(n)
        if group:
            out.extend(_party_rows(screener, input_id, row, threshold, algorithm, limit))
            continue
        try:
            result = screener.screen(
                query_of(row),
                threshold=threshold,
                limit=limit,
                algorithm=algorithm,
                min_score=1.0,  # only alerts are kept: nothing below the threshold
            )
        except SanctumError as exc:
            out.append(_error_row(input_id, row, exc))
            continue
        out.extend(alert_row(input_id, row.get("name", ""), m) for m in result.results if m.match)
    return out


def _party_rows(
    screener: Screener,
    input_id: str,
    row: dict[str, str],
    threshold: float | None,
    algorithm: str | None,
    limit: int,
) -> list[list[str]]:
    """`--group party` rows of one input row: its matched parties, at most `limit`."""
    from sanctum.grouping import screen_by_party

    try:
        found = screen_by_party(screener, query_of(row), threshold, limit, algorithm, None, 1.0)
    except SanctumError as exc:
        return [_error_row(input_id, row, exc) + [""] * len(PARTY_COLUMNS)]
    return [
        [
            *alert_row(input_id, row.get("name", ""), p.best, p.programs),
            *(p.party_id, ";".join(p.lists), str(found.more_matched)),
        ]
        for p in found.parties
        if p.best.match
    ]


def alert_row(
    input_id: str, input_name: str, m: Match, programs: list[str] | None = None
) -> list[str]:
    """One output row (OUT_COLUMNS) for an alert; `programs` default to the entry's own."""
    programs = programs or sorted({p for s in m.sanctions for p in s.get("program", [])})
    return [
        input_id,
        input_name,
        m.id,
        m.caption,
        m.schema,
        m.source,
        "; ".join(programs),
        f"{m.score:.4f}",
        "true" if m.match else "false",
        explain_line(m.explanation),
        _explain(m.explanation),
    ]


def write_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    """The finished CSV output as a spreadsheet (one sheet, the same columns, the score a
    number so that it sorts and filters as one), written next to it and moved into place
    whole."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("alerts")
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        header = next(rows, [])
        sheet.append(header)
        score = header.index("score") if "score" in header else -1
        for row in rows:
            sheet.append([float(v) if i == score and v else v for i, v in enumerate(row)])
    tmp = xlsx_path.with_name(xlsx_path.name + ".part")
    book.save(tmp)
    tmp.replace(xlsx_path)


def _error_row(input_id: str, row: dict[str, str], exc: SanctumError) -> list[str]:
    """The row of an input row that could not be screened: the reason as its `why`."""
    blank = [""] * (len(OUT_COLUMNS) - 4)
    return [input_id, row.get("name", ""), *blank, str(exc), _explain({"error": str(exc)})]


_WORKER: Screener | None = None
_WORKER_ARGS: tuple[float | None, str | None, int, str | None] = (None, None, 5, None)


def _work(chunk: list[tuple[int, dict[str, str]]]) -> list[list[str]]:
    """Pool worker: screen a chunk with the screener inherited from the parent (fork)."""
    assert _WORKER is not None
    return screen_rows(_WORKER, chunk, *_WORKER_ARGS)


def _results(
    screener: Screener,
    chunks: list[list[tuple[int, dict[str, str]]]],
    threshold: float | None,
    algorithm: str | None,
    limit: int,
    workers: int,
    group: str | None = None,
) -> Iterator[tuple[list[tuple[int, dict[str, str]]], list[list[str]]]]:
    """Alerts per chunk, in input order; several processes when there is work for them."""
    global _WORKER, _WORKER_ARGS
    if workers <= 1 or len(chunks) < 2 or "fork" not in mp.get_all_start_methods():
        for chunk in chunks:
            yield chunk, screen_rows(screener, chunk, threshold, algorithm, limit, group)
        return
    _WORKER, _WORKER_ARGS = screener, (threshold, algorithm, limit, group)
    # Workers are forked after the index is loaded and share its pages copy-on-write;
    # frozen objects are never scanned by the collector, so it does not copy them.
    if any(may_be_japanese(row.get("name", "")) for chunk in chunks for _, row in chunk):
        load_dictionary()  # read once, shared: each worker read its own (~107 MB apiece)
    gc.collect()
    gc.freeze()
    try:
        with tune_gc(), mp.get_context("fork").Pool(workers) as pool:
            yield from zip(chunks, pool.imap(_work, chunks), strict=True)
    finally:
        _WORKER = None


def progress_path(output: Path) -> Path:
    """Where a batch records its progress: beside its output."""
    return output.with_name(output.name + ".progress")


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _chunks(rows: list[dict[str, str]], start: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    for i in range(start, len(rows), CHUNK):
        yield [(n + 1, r) for n, r in enumerate(rows[i : i + CHUNK], start=i)]


def run_key(
    screener: Screener,
    digest: str,
    threshold: float | None,
    algorithm: str | None,
    limit: int,
    group: str | None = None,
) -> dict[str, Any]:
    """What a batch's rows are screened with: the input, the list versions, the matcher
    version and the settings. A run resumes only under the same key."""
    return {
        "group": group,
        "input_sha256": digest,
        "list_versions": dict(sorted(screener.index.versions.items())),
        "store_generation": screener.index.generation,
        "matcher_version": MATCHER_VERSION,
        "threshold": threshold,
        "algorithm": algorithm or "sanctum",
        "limit": limit,
    }


def run_batch(
    screener: Screener,
    input_file: Path,
    output: Path,
    *,
    threshold: float | None = None,
    algorithm: str | None = None,
    limit: int = 5,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    group: str | None = None,
) -> dict[str, int]:
    """Screen every row, appending alerts to `output`; resume an interrupted run.
    `group="party"`: one row per matched party (PARTY_COLUMNS added)."""
    workers = workers or min(os.cpu_count() or 1, 4)
    rows = read_rows(input_file)
    digest = _file_hash(input_file)
    run = run_key(screener, digest, threshold, algorithm, limit, group)
    state_file = progress_path(output)
    done, size = 0, 0
    if state_file.exists() and output.exists():
        state = json.loads(state_file.read_text())
        if state.get("run") == run:
            done, size = int(state["rows_done"]), int(state["output_bytes"])
    resumed = done
    mode = "r+" if done else "w"
    alerts = 0
    with output.open(mode, newline="", encoding="utf-8") as fh:
        if done:
            fh.truncate(size)
            fh.seek(size)
        else:
            header = OUT_COLUMNS + (PARTY_COLUMNS if group else [])
            csv.writer(fh, lineterminator="\n").writerow(header)
        writer = csv.writer(fh, lineterminator="\n")
        chunks = list(_chunks(rows, done))
        for chunk, found in _results(screener, chunks, threshold, algorithm, limit, workers, group):
            writer.writerows(found)
            alerts += len(found)
            fh.flush()
            os.fsync(fh.fileno())
            done = chunk[-1][0]
            tmp = state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"run": run, "rows_done": done, "output_bytes": fh.tell()}))
            tmp.replace(state_file)
            if progress:
                progress(done, len(rows))
    audit_append(
        screener.store,
        "cli-batch",
        "batch",
        {"input": str(input_file), "sha256": digest, "rows": len(rows)},
        screener.index.versions,
        MATCHER_VERSION,
        algorithm or "sanctum",
        [{"alerts": alerts, "resumed_from": resumed}],
    )
    return {"screened": len(rows) - resumed, "resumed": resumed, "alerts": alerts}
