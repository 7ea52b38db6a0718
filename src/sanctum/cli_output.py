"""What every `sanctum` command shares: the store it opens, how it fails, and its output
(tables that never wrap ids when piped, JSON, a table or JSON of records)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sanctum import settings
from sanctum.errors import SanctumError
from sanctum.store.db import Store

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def open_store() -> Store:
    """The store at SANCTUM_HOME (or SANCTUM_DB)."""
    return Store(settings.database_path())


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error and exit non-zero."""
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def failing() -> Iterator[None]:
    """A SanctumError raised inside ends the command: its message, a non-zero exit."""
    try:
        yield
    except SanctumError as exc:
        fail(str(exc))


def print_table(table: Table, where: Console | None = None) -> None:
    """A table as boxes on a terminal; elsewhere (a pipe, a log) as tab-separated lines,
    header first, so no id or name is wrapped or cut."""
    where = where or out
    if where.is_terminal:
        where.print(table)
        return
    rows = [[Text.from_markup(str(c.header)).plain for c in table.columns]]
    cells = [list(c.cells) for c in table.columns]
    for i in range(table.row_count):
        rows.append([_plain(col[i]) for col in cells])
    stream = sys.stderr if where.stderr else sys.stdout
    for row in rows:
        stream.write("\t".join(v.replace("\t", " ").replace("\n", "; ") for v in row) + "\n")
    stream.flush()


def _plain(cell: Any) -> str:
    """A table cell as plain text (markup removed)."""
    if isinstance(cell, Text):
        return cell.plain
    return Text.from_markup(str(cell)).plain


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, stable key order."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def cell(value: Any) -> str:
    """A table cell: lists joined by `; `, mappings as JSON, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def print_rows(title: str, cols: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows under a header of `cols`, each value as a `cell`."""
    table = Table(title=title)
    for col in cols:
        table.add_column(col)
    for row in rows:
        table.add_row(*[cell(v) for v in row])
    print_table(table)


def print_records(
    records: Sequence[dict[str, Any]], title: str, cols: Sequence[str], as_json: bool
) -> None:
    """Records as JSON (whole), or as a table of their `cols`."""
    if as_json:
        print_json(list(records))
    else:
        print_rows(title, cols, [[r[c] for c in cols] for r in records])
