"""The `sanctum` command line: thin commands over the store, loader and screener."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanctum import catalog, settings
from sanctum.errors import SanctumError
from sanctum.sources import registry
from sanctum.store.db import Store
from sanctum.store.loader import LoadOutcome, VersionFiles, load_paths, load_version

app = typer.Typer(
    help="Sanctum: sanctions lists read exactly, versioned, and screened across scripts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()


def open_store() -> Store:
    """The store at SANCTUM_HOME (or SANCTUM_DB)."""
    return Store(settings.database_path())


def fail(message: str, code: int = 1) -> None:
    """Print an error and exit non-zero."""
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, stable key order."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _report(outcomes: list[LoadOutcome]) -> int:
    """Table of load outcomes; returns the number of rejected versions."""
    table = Table(title="Loaded versions")
    for col in ("source", "version", "status", "entries", "detail"):
        table.add_column(col)
    rejected = 0
    for o in outcomes:
        entries = str(o.info.parties) if o.info and o.status != "rejected" else "-"
        detail = o.message
        if o.status == "loaded" and o.issues:
            kinds: dict[str, int] = {}
            for issue in o.issues:
                kinds[str(issue["kind"])] = kinds.get(str(issue["kind"]), 0) + 1
            detail = "; ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        style = {"loaded": "green", "unchanged": "dim", "rejected": "bold red"}[o.status]
        version = o.info.version_date if o.info and o.status != "rejected" else o.version.label
        table.add_row(o.version.source, version, f"[{style}]{o.status}[/]", entries, detail)
        if o.status == "rejected":
            rejected += 1
            console.print(f"[bold red]rejected:[/] {o.version.source}: {o.message}", highlight=False)
    console.print(table)
    return rejected


def _load_with_progress(
    store: Store, paths: list[Path], source: str | None, force: bool, max_drop: float | None
) -> list[LoadOutcome]:
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("loading", total=None)

        def step(version: VersionFiles) -> None:
            progress.update(task, description=f"loading {version.source} {version.label}")

        return load_paths(
            store, paths, source=source, force=force, max_drop=max_drop, progress=step
        )


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders in the <source>/<date>/<files> layout.")],
    source: Annotated[str | None, typer.Option(help="Source id for loose files or an own list.")] = None,
    force: Annotated[bool, typer.Option(help="Accept a version despite an entry-count drop.")] = False,
    max_drop: Annotated[float | None, typer.Option(help="Largest accepted entry-count drop (0.10 = 10%).")] = None,
) -> None:
    """Load list files; dated versions of each source are loaded oldest first."""
    store = open_store()
    try:
        outcomes = _load_with_progress(store, paths, source, force, max_drop)
    except SanctumError as exc:
        fail(str(exc))
        return
    if _report(outcomes):
        raise typer.Exit(1)


@app.command()
def update(
    from_dir: Annotated[Path | None, typer.Option("--from", help="Read this mirror folder instead of the web (or SANCTUM_MIRROR).")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these sources (repeatable).")] = None,
    force: Annotated[bool, typer.Option(help="Accept a version despite an entry-count drop.")] = False,
) -> None:
    """Pull the current official lists (or read a mirror) and load what changed."""
    from sanctum.fetch import fetch_source

    store = open_store()
    mirror = from_dir or settings.mirror()
    wanted = source or list(registry.SOURCES)
    outcomes: list[LoadOutcome] = []
    if mirror is not None:
        paths = [mirror / s for s in wanted if (mirror / s).is_dir()]
        if not paths:
            fail(f"{mirror}: no source folders found (expected <source>/<date>/<files>)")
        outcomes = _load_with_progress(store, paths, None, force, None)
    else:
        failed = 0
        for sid in wanted:
            fetched = fetch_source(registry.SOURCES[sid])
            console.print(f"{sid}: {fetched.status} {fetched.message}", highlight=False)
            if fetched.status == "failed":
                failed += 1
                store.record_attempt(sid, [], False, fetched.message)
            elif fetched.version is not None:
                outcomes.append(load_version(store, fetched.version, force=force))
        if failed:
            _report(outcomes)
            raise typer.Exit(1)
    if _report(outcomes):
        raise typer.Exit(1)


@app.command()
def sources(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """The lists in force: version date, file hashes, entity counts by schema."""
    summary = catalog.sources_summary(open_store())
    if as_json:
        print_json(summary)
        return
    table = Table(title="Sources in force")
    for col in ("source", "version", "entries", "by schema", "wallets", "files (sha256)"):
        table.add_column(col)
    for s in summary:
        ents = dict(s["entities"])
        total = ents.pop("total")
        table.add_row(
            s["source"], s["version"], str(total),
            ", ".join(f"{k} {v}" for k, v in ents.items()), str(s["wallets"]),
            "\n".join(f"{f['name']} {f['sha256'][:12]}" for f in s["files"]),
        )
    out.print(table)


@app.command()
def show(
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. us-ofac-sdn-37658.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """An entity: properties, designations, links, first and last seen."""
    try:
        view = catalog.entity_view(open_store(), entity_id)
    except SanctumError as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(view)
        return
    out.print(f"[bold]{entity_id}[/] ({view['schema']}, {view['source']}, {view['status']}; "
              f"first seen {view['first_seen']}, last seen {view['last_seen']})", highlight=False)
    table = Table(show_header=False)
    table.add_column("property", style="cyan")
    table.add_column("values")
    for prop, values in view["properties"].items():
        table.add_row(prop, "\n".join(values))
    out.print(table)
    for d in view["designated_by"]:
        out.print(f"designated by {d['authority']} ({', '.join(d['program'])}) "
                  f"{d['date'] or ''} [{d['entity_id']}]", highlight=False)
    for r in view["relations"]:
        other = [v for k in ("object", "subject", "owner", "asset") for v in r.get(k, [])
                 if v != entity_id]
        out.print(f"relation {r['schema']} {', '.join(r.get('role', []))} → {', '.join(other)}",
                  highlight=False)
    for link in view["cross_list_links"]:
        out.print(f"same party in another list: {link['id']} ({link['kind']} {link['value']})",
                  highlight=False)
    for w in view["wallets"]:
        out.print(f"wallet {w.get('currency', [''])[0]} {w.get('publicKey', [''])[0]}",
                  highlight=False)


@app.command()
def diff(
    source: Annotated[str, typer.Argument(help="Source id, e.g. us_ofac_sdn.")],
    date_from: Annotated[str, typer.Option("--from", help="Day (YYYY-MM-DD) of the old version.")],
    date_to: Annotated[str, typer.Option("--to", help="Day (YYYY-MM-DD) of the new version.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Entries added, removed and changed between the versions in force on two days."""
    try:
        result = catalog.diff_view(open_store(), source, date_from, date_to)
    except SanctumError as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(result)
        return
    out.print(f"{source}: {result['from']['version']} → {result['to']['version']}: "
              f"{len(result['added'])} added, {len(result['removed'])} removed, "
              f"{len(result['changed'])} changed", highlight=False)
    for key in ("added", "removed"):
        for eid in result[key]:
            out.print(f"  {'+' if key == 'added' else '-'} {eid}", highlight=False)
    for change in result["changed"]:
        out.print(f"  ~ {change['id']}: {', '.join(change['properties'])}", highlight=False)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="Output format: ftm (JSON lines).")] = "ftm",
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File (default stdout).")] = None,
) -> None:
    """Export the entities in force as FollowTheMoney JSON lines."""
    if fmt != "ftm":
        fail(f"unknown format {fmt!r}; supported: ftm")
    store = open_store()
    fh = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for entity in store.current_entities(source):
            fh.write(json.dumps(entity.to_dict(), ensure_ascii=False) + "\n")
    finally:
        if output:
            fh.close()


@app.command()
def run() -> None:
    """The main job (`make run`): pull the lists (or read SANCTUM_MIRROR) and show them."""
    try:
        update(from_dir=None, source=None, force=False)
    except typer.Exit as exc:
        if exc.exit_code:
            console.print("[yellow]some sources failed to update; serving what is loaded[/]")
    sources(as_json=False)


def main() -> None:
    """Entry point."""
    app()


if __name__ == "__main__":
    main()
