"""The `sanctum` command line: thin commands over the store, loader and screener."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanctum import catalog, settings
from sanctum.cli_output import (
    console,
    fail,
    failing,
    open_store,
    out,
    print_json,
    print_rows,
    print_table,
)
from sanctum.errors import SanctumError
from sanctum.explain import explain_line
from sanctum.schemata import MATCHABLE
from sanctum.sources import registry
from sanctum.store.db import Store

if TYPE_CHECKING:  # the loader (parsers, FollowTheMoney) loads only for commands that load
    from sanctum.fetch import UpdateReport
    from sanctum.store.loader import LoadOutcome, VersionFiles

app = typer.Typer(
    help="Sanctum: sanctions lists read exactly, versioned, and screened across scripts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
SCHEMA_HELP = f"One of {', '.join(MATCHABLE)}."


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
            console.print(
                f"[bold red]rejected:[/] {o.version.source}: {o.message}", highlight=False
            )
    print_table(table, console)
    return rejected


@contextmanager
def _progress() -> Iterator[Callable[[VersionFiles], None]]:
    """A transient progress line naming the version being loaded."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("loading", total=None)

        def step(version: VersionFiles) -> None:
            progress.update(task, description=f"loading {version.source} {version.label}")

        yield step


def _load_with_progress(
    store: Store, paths: list[Path], source: str | None, force: bool, max_drop: float | None
) -> list[LoadOutcome]:
    from sanctum.store.loader import load_paths

    with _progress() as step:
        return load_paths(
            store, paths, source=source, force=force, max_drop=max_drop, progress=step
        )


@app.command()
def load(
    paths: Annotated[
        list[Path], typer.Argument(help="Files, or folders in the <source>/<date>/<files> layout.")
    ],
    source: Annotated[
        str | None, typer.Option(help="Source id for loose files or an own list.")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Accept a version despite an entry-count drop or jump.")
    ] = False,
    max_drop: Annotated[
        float | None, typer.Option(help="Largest accepted entry-count drop (0.10 = 10%).")
    ] = None,
) -> None:
    """Load list files; dated versions of each source are loaded oldest first."""
    store = open_store()
    with failing():
        outcomes = _load_with_progress(store, paths, source, force, max_drop)
    rejected = _report(outcomes)
    _monitor_after_load(store, any(o.status == "loaded" for o in outcomes))
    if rejected:
        raise typer.Exit(1)


@app.command()
def update(
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from", help="Read this mirror folder instead of the web (or SANCTUM_MIRROR)."
        ),
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option(help="Only these sources (repeatable).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Accept a version despite an entry-count drop or jump.")
    ] = False,
) -> None:
    """Pull the current official lists (or read a mirror) and load what changed."""
    store = open_store()
    report = _pull(store, from_dir or settings.mirror(), source, force)
    for f in report.fetched:
        console.print(f"{f.source}: {f.status} {f.message}", highlight=False)
    rejected = _report(report.outcomes)
    _monitor_after_load(store, any(o.status == "loaded" for o in report.outcomes))
    if rejected or any(f.status == "failed" for f in report.fetched):
        raise typer.Exit(1)


def _pull(store: Store, mirror: Path | None, source: list[str] | None, force: bool) -> UpdateReport:
    """Pull new versions from `mirror` or the web; a bad source id or mirror is an error."""
    from sanctum.fetch import update_sources

    wanted = source or list(registry.SOURCES)
    unknown = [s for s in wanted if s not in registry.SOURCES]
    if unknown:
        fail(f"unknown source {', '.join(unknown)}; valid: {', '.join(registry.SOURCES)}")
    with failing(), _progress() as step:
        return update_sources(store, wanted, mirror, force=force, progress=step)


def program() -> str:
    """How to type this command from here: `sanctum` when that is what the PATH finds, else
    its path (`.venv/bin/sanctum` in the project folder), so every hint works as printed."""
    invoked = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if invoked is None or invoked.name != "sanctum":
        return "sanctum"
    found = shutil.which("sanctum")
    if found and Path(found).resolve() == invoked.resolve():
        return "sanctum"
    try:
        return str(invoked.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(invoked.resolve())


@app.command()
def sources(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """The lists in force: version date, file hashes, entity counts by schema."""
    summary = catalog.sources_summary(open_store())
    if as_json:
        print_json(summary)
        return
    table = Table(title="Sources in force")
    columns = ("source", "version", "published", "confirmed", "state", "entries", "by schema")
    for col in (*columns, "wallets", "files (sha256)"):
        table.add_column(col)
    style = {"fresh": "green", "warning": "yellow", "stale": "bold red"}
    for s in summary:
        ents = dict(s["entities"])
        total = ents.pop("total")
        table.add_row(
            s["source"],
            s["version"],
            s["published"][:10],
            s["confirmed_at"][:16].replace("T", " "),
            f"[{style.get(s['state'], '')}]{s['state']}[/]",
            str(total),
            ", ".join(f"{k} {v}" for k, v in ents.items()),
            str(s["wallets"]),
            "\n".join(f"{f['name']} {f['sha256'][:12]}" for f in s["files"]),
        )
    print_table(table)


@app.command()
def show(
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. us-ofac-sdn-37658.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """An entity: properties, designations, links, first and last seen."""
    with failing():
        view = catalog.entity_view(open_store(), entity_id)
    if as_json:
        print_json(view)
        return
    out.print(
        f"[bold]{entity_id}[/] ({view['schema']}, {view['source']}, {view['status']}; "
        f"first seen {view['first_seen']}, last seen {view['last_seen']})",
        highlight=False,
    )
    names = view["country_names"]
    table = Table(show_header=False)
    table.add_column("property", style="cyan")
    table.add_column("values")
    for prop, values in view["properties"].items():
        shown = [f"{v} ({names[v]})" if v in names else v for v in values]
        table.add_row(prop, "\n".join(shown))
    print_table(table)
    for line in _show_lines(entity_id, view):
        out.print(line, highlight=False, markup=False)


def _show_lines(entity_id: str, view: dict[str, Any]) -> Iterator[str]:
    """`show`'s lines after the properties: designations (with their date where the list
    gives one), relations naming the other side, cross-list links, wallets, history."""
    for d in view["designated_by"]:
        when = f", listed {d['date']}" if d["date"] else ""
        yield f"designated by {d['authority']} ({', '.join(d['program'])}{when}) [{d['entity_id']}]"
    for r in view["relations"]:
        other = ", ".join(f"{c['id']} {c['caption']} ({c['schema']})" for c in r["counterparts"])
        yield f"relation {r['schema']} {', '.join(r.get('role', []))} → {other}"
    for link in view["cross_list_links"]:
        yield f"same party in another list: {link['id']} ({link['kind']} {link['value']})"
    for w in view["wallets"]:
        yield f"wallet {w.get('currency', [''])[0]} {w.get('publicKey', [''])[0]}"
    for h in view["history"]:
        yield f"{h['version']}: {h['event']}"
        for prop, sides in h.get("properties", {}).items():
            values = [f"+ {v}" for v in sides.get("added", [])]
            values += [f"- {v}" for v in sides.get("removed", [])]
            yield f"    {prop}: {'; '.join(values)}"


@app.command()
def diff(
    source: Annotated[str, typer.Argument(help="Source id, e.g. us_ofac_sdn.")],
    date_from: Annotated[str, typer.Option("--from", help="Day (YYYY-MM-DD) of the old version.")],
    date_to: Annotated[str, typer.Option("--to", help="Day (YYYY-MM-DD) of the new version.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Entries added, removed and changed between the versions in force on two days."""
    with failing():
        result = catalog.diff_view(open_store(), source, date_from, date_to)
    if as_json:
        print_json(result)
        return
    out.print(
        f"{source}: {result['from']['version']} → {result['to']['version']}: "
        f"{len(result['added'])} added, {len(result['removed'])} removed, "
        f"{len(result['changed'])} changed",
        highlight=False,
    )
    captions = result["captions"]
    for key in ("added", "removed"):
        for eid in result[key]:
            sign = "+" if key == "added" else "-"
            out.print(f"  {sign} {eid}  {captions.get(eid, '')}", highlight=False, markup=False)
    for change in result["changed"]:
        out.print(f"  ~ {change['id']}  {change['caption']}", highlight=False, markup=False)
        for prop, sides in change["properties"].items():
            values = [f"+ {v}" for v in sides.get("added", [])]
            values += [f"- {v}" for v in sides.get("removed", [])]
            out.print(f"      {prop}: {'; '.join(values)}", highlight=False, markup=False)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="Output format: ftm (JSON lines).")] = "ftm",
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default stdout).")
    ] = None,
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


def _screener() -> Any:
    from sanctum.screen import Screener

    store = open_store()
    if not store.source_ids():
        fail(f"no lists loaded: run `{program()} update` (or `{program()} load DIR`) first")
    with console.status("loading index"):
        return Screener(store)


def _shown_identifiers(query: dict[str, Any]) -> str:
    """The identifiers of a query without a name, for a table title."""
    props = query["properties"]
    return ", ".join(v for k, vs in props.items() if k != "birthDate" for v in vs)


def stale_lists(store: Store) -> list[dict[str, Any]]:
    """The loaded lists older than their max age, each said on stderr: a screening
    against them could read as clear while the list has moved on."""
    from sanctum.freshness import states

    with failing():
        stale = [s for s in states(store) if s["stale"]]
    for item in stale:
        console.print(f"[bold yellow]warning: stale list:[/] {item['reason']}", highlight=False)
    return stale


def checkpoint_audit(store: Store) -> None:
    """Sign the audit chain's head after a command appended to it."""
    from sanctum.audit import write_checkpoint

    try:
        write_checkpoint(store)
    except OSError as exc:
        console.print(f"warning: audit checkpoint not written: {exc}", highlight=False)


@app.command()
def screen(
    name: Annotated[
        str | None, typer.Argument(help="Name to screen, in any script (or identifiers only).")
    ] = None,
    schema: Annotated[str, typer.Option(help=SCHEMA_HELP)] = "Thing",
    dob: Annotated[
        list[str] | None, typer.Option(help="Date of birth (YYYY, YYYY-MM or YYYY-MM-DD).")
    ] = None,
    country: Annotated[list[str] | None, typer.Option(help="Nationality or country.")] = None,
    id_: Annotated[
        list[str] | None, typer.Option("--id", help="Passport, national id, IMO number...")
    ] = None,
    email: Annotated[list[str] | None, typer.Option(help="E-mail address.")] = None,
    website: Annotated[list[str] | None, typer.Option(help="Website or domain.")] = None,
    phone: Annotated[
        list[str] | None, typer.Option(help="Phone number, international (+country code).")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Match threshold (default: matcher's).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Results to show.")] = 10,
    algorithm: Annotated[str | None, typer.Option(help="sanctum (default) or ofac.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    group: Annotated[
        str | None,
        typer.Option(
            help="party: one result per listed party (all its lists); the limit counts parties."
        ),
    ] = None,
) -> None:
    """Screen a name and/or identifiers (with optional facts) against every list in force."""
    from sanctum.audit import record_screening

    query = {
        "schema": schema,
        "properties": {
            "name": [name] if name else [],
            "birthDate": dob or [],
            "country": country or [],
            "passportNumber": id_ or [],
            "email": email or [],
            "website": website or [],
            "phone": phone or [],
        },
    }
    screener = _screener()
    if group is not None:
        _screen_parties(screener, query, group, threshold, limit, algorithm, as_json)
        return
    with failing():
        result = screener.screen(query, threshold=threshold, limit=limit, algorithm=algorithm)
    record_screening(screener.store, "cli", query, result)
    checkpoint_audit(screener.store)
    stale = stale_lists(screener.store)
    if as_json:
        print_json({"query": query, **result.as_dict(), "stale": [s["source"] for s in stale]})
        return
    table = Table(
        title=f"Screening '{name or _shown_identifiers(query)}' "
        f"(threshold {result.threshold:.2f}, {result.algorithm})"
    )
    for col in ("score", "match", "id", "caption", "schema", "why"):
        table.add_column(col, overflow="fold")
    for r in result.results:
        table.add_row(
            f"{r.score:.3f}",
            "[bold red]MATCH[/]" if r.match else "",
            r.id,
            r.caption,
            r.schema,
            explain_line(r.explanation),
        )
    print_table(table)
    if not result.results:
        out.print("no candidate scored above zero", highlight=False)


def _check_group(group: str) -> None:
    """Only `party` groups results."""
    if group != "party":
        fail(f"unknown grouping {group!r}; supported: party")


def _screen_parties(
    screener: Any,
    query: dict[str, Any],
    group: str,
    threshold: float | None,
    limit: int,
    algorithm: str | None,
    as_json: bool,
) -> None:
    """`screen --group party`: one row per listed party, with every list designating it."""
    from sanctum.audit import record_screening
    from sanctum.grouping import screen_by_party

    _check_group(group)
    with failing():
        result = screen_by_party(screener, query, threshold, limit, algorithm)
    record_screening(screener.store, "cli", query, result.screening)
    if as_json:
        print_json({"query": query, **result.as_dict()})
        return
    s = result.screening
    table = Table(title=f"Parties (threshold {s.threshold:.2f}, {s.algorithm})")
    for col in ("score", "match", "party", "caption", "lists", "programs", "why"):
        table.add_column(col, overflow="fold")
    for p in result.parties:
        table.add_row(
            f"{p.score:.3f}",
            "[bold red]MATCH[/]" if p.best.match else "",
            p.party_id,
            p.best.caption,
            ", ".join(p.lists),
            ", ".join(p.programs),
            explain_line(p.best.explanation),
        )
    print_table(table)
    if result.more_matched:
        out.print(
            f"[bold red]{result.more_matched} more matching parties not shown[/] "
            f"({result.matched} matched; raise --limit)",
            highlight=False,
        )


@app.command("screen-address")
def screen_address(
    address: Annotated[str, typer.Argument(help="A crypto wallet address.")],
    currency: Annotated[
        str | None, typer.Option(help="Currency code (XBT, ETH, TRX...), if known.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Who holds a wallet address on the lists (an invalid address is an error)."""
    screener = _screener()
    with failing():
        result = screener.screen_address(address, currency)
    if as_json:
        print_json(result)
        return
    out.print(
        f"{address}: {result['chain']} address ({result['validation']}), "
        f"{len(result['matches'])} listed holder(s)",
        highlight=False,
    )
    for m in result["matches"]:
        progs = sorted({p for s in m["sanctions"] for p in s.get("program", [])})
        out.print(
            f"  [bold red]HIT[/] {m['holder_id']} {m['holder']} ({m['currency']}) "
            f"{', '.join(progs)}",
            highlight=False,
        )


@app.command()
def compare(
    name1: Annotated[str | None, typer.Argument(help="First name.")] = None,
    name2: Annotated[str | None, typer.Argument(help="Second name.")] = None,
    schema: Annotated[str, typer.Option(help="Schema of both names.")] = "Thing",
    algorithm: Annotated[str | None, typer.Option(help="sanctum (default) or ofac.")] = None,
    pairs: Annotated[
        Path | None,
        typer.Option(
            help="CSV with columns schema,name1,name2; writes CSV with score and match added."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Score two names against each other, or every pair in a CSV file."""

    from sanctum.pairwise import compare as compare_records

    def one(s: str, a: str, b: str) -> Any:
        return compare_records(
            {"schema": s, "properties": {"name": [a]}},
            {"schema": s, "properties": {"name": [b]}},
            algorithm=algorithm,
        )

    if pairs is not None:
        _compare_pairs(pairs, schema, one)
        return
    if name1 is None or name2 is None:
        fail("give two names, or --pairs FILE.csv")
        return
    with failing():
        r = one(schema, name1, name2)
    if as_json:
        print_json(
            {
                "score": r.score,
                "match": r.match,
                "algorithm": r.algorithm,
                "explanation": r.explanation,
            }
        )
        return
    out.print(
        f"{r.score:.4f} {'MATCH' if r.match else 'no match'} ({r.algorithm})", highlight=False
    )
    out.print(explain_line(r.explanation), highlight=False)


def _compare_pairs(pairs: Path, schema: str, one: Callable[[str, str, str], Any]) -> None:
    """`compare --pairs`: every row of the CSV scored by `one`, as CSV on stdout; the file
    is closed however the rows end."""
    import csv

    try:
        fh = pairs.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        fail(f"{pairs}: cannot read: {exc}")
        return
    with fh:
        try:
            reader = csv.DictReader(fh)
            missing = {"name1", "name2"} - set(reader.fieldnames or [])
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{pairs}: cannot read: {exc}")
            return
        if missing:
            fail(
                f"{pairs}: missing column(s) {', '.join(sorted(missing))} (need schema,name1,name2)"
            )
        fields = [*list(reader.fieldnames or []), "score", "match"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for n, row in enumerate(reader, start=2):
            try:
                r = one(row.get("schema") or schema, row["name1"] or "", row["name2"] or "")
            except SanctumError as exc:
                fail(f"{pairs}, row {n}: {exc}")
                return
            writer.writerow({**row, "score": f"{r.score:.4f}", "match": str(r.match).lower()})


@app.command()
def batch(
    input_file: Annotated[
        Path,
        typer.Argument(
            help="CSV, XLSX or Parquet with columns id,name[,schema,birth_date,country]."
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file: one row per alert.")],
    threshold: Annotated[float | None, typer.Option(help="Match threshold.")] = None,
    algorithm: Annotated[str | None, typer.Option(help="sanctum (default) or ofac.")] = None,
    limit: Annotated[int, typer.Option(help="Alerts per input row at most.")] = 5,
    group: Annotated[
        str | None,
        typer.Option(help="party: one row per matched listed party; the limit counts parties."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv or xlsx (default: from the output's extension)."),
    ] = None,
) -> None:
    """Screen a file of names; resumes where an interrupted run stopped. Columns:
    input_id,input_name,entity_id,caption,schema,source,programs,score,match,why,
    explanation_json."""
    from sanctum.batch import progress_path, run_batch, write_xlsx

    if group is not None:
        _check_group(group)
    kind = (fmt or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")).lower()
    if kind not in ("csv", "xlsx"):
        fail(f"unknown format {fmt!r}; supported: csv, xlsx")
    work = output if kind == "csv" else output.with_name(output.name + ".csv")
    screener = _screener()
    stale_lists(screener.store)
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("screening", total=None)

            def step(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            summary = run_batch(
                screener,
                input_file,
                work,
                threshold=threshold,
                algorithm=algorithm,
                limit=limit,
                progress=step,
                group=group,
            )
    except SanctumError as exc:
        fail(str(exc))
        return
    checkpoint_audit(screener.store)
    if kind == "xlsx":  # the CSV (and its progress file) served to resume; the sheet is whole
        write_xlsx(work, output)
        work.unlink()
        progress_path(work).unlink(missing_ok=True)
    console.print(
        f"{summary['screened']} rows screened ({summary['resumed']} done before), "
        f"{summary['alerts']} alerts → {output}",
        highlight=False,
    )


audit_app = typer.Typer(
    help="The audit trail of screenings (keyed hash chain, signed checkpoints).",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="A checkpoint log to hold the chain to (default: the store's own, "
            "SANCTUM_AUDIT_CHECKPOINTS); e.g. lines kept off-site from `audit checkpoint`."
        ),
    ] = None,
) -> None:
    """Check the keyed hash chain and every signed checkpoint; names the first altered,
    removed or reordered record, or the checkpoint the chain no longer reaches."""
    from sanctum.audit import verify

    with failing():
        ok, message = verify(open_store(), checkpoint)
    if not ok:
        fail(f"audit chain broken: {message}")
    out.print(message, highlight=False)
    if "checkpoint" not in message:
        console.print(
            "warning: no checkpoint yet, so deleting the newest records (or all) would not "
            "show; `sanctum audit checkpoint` writes one",
            highlight=False,
        )


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain's head (count and hash), append it to the checkpoint log and print
    it as one JSON line, for keeping off-site (`audit verify --checkpoint`)."""
    from sanctum.audit import write_checkpoint

    try:
        line = write_checkpoint(open_store())
    except (SanctumError, OSError) as exc:
        fail(str(exc))
        return
    sys.stdout.write(json.dumps(line, sort_keys=True) + "\n")


@audit_app.command("export")
def audit_export(
    date_from: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = None,
) -> None:
    """Write audit records as CSV to stdout."""
    from sanctum.audit import export_csv

    export_csv(open_store(), date_from, date_to)


customers_app = typer.Typer(help="The customer book monitoring screens.", no_args_is_help=True)
app.add_typer(customers_app, name="customers")
monitor_app = typer.Typer(help="Monitoring: the customer book re-screened.", no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")
ACTOR = Annotated[
    str | None, typer.Option("--as", help="Who runs this (recorded; default: $USER).")
]


def _actor(name: str | None) -> str:
    """The operator recorded for a command: `--as NAME`, else the login name."""
    return name or settings.login_name() or "cli"


@customers_app.command("import")
def customers_import(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX, Parquet or JSON lines: id,name,...")],
    replace: Annotated[
        bool, typer.Option(help="The file is the whole book: close customers it lacks.")
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option(help="Import the good rows and report the bad ones.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    actor: ACTOR = None,
) -> None:
    """Upsert customers by id (nothing changes when a row is bad, unless --skip-invalid)."""
    from sanctum.monitor.customers import import_customers

    store = open_store()
    with failing():
        result = import_customers(
            store, file, _actor(actor), replace=replace, skip_invalid=skip_invalid
        )
    if as_json:
        print_json(result.as_dict())
        return
    for line, why in result.skipped:
        console.print(f"[yellow]skipped[/] line {line}: {why}", highlight=False)
    c = result.counts
    out.print(
        f"import {result.import_id}: {c['inserted']} new, {c['updated']} changed, "
        f"{c['unchanged']} unchanged, {c['closed']} closed, {c['invalid']} invalid "
        f"(sha256 {result.sha256[:12]})",
        highlight=False,
    )


@customers_app.command("list")
def customers_list(
    status: Annotated[str | None, typer.Option(help="active or closed.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Every customer in the book."""
    from sanctum.monitor.customers import listing

    found = listing(open_store(), status)
    if as_json:
        print_json(list(found))
        return
    cols = ("id", "name", "schema", "status", "updated")
    rows = [[c["id"], c["name"], c["schema"], c["status"], c["updated_at"]] for c in found]
    print_rows("Customers", cols, rows)


@customers_app.command("show")
def customers_show(
    customer_id: Annotated[str, typer.Argument(help="The customer's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """One customer's record."""
    from sanctum.monitor.customers import get

    found = get(open_store(), customer_id)
    if found is None:
        fail(f"no customer {customer_id!r}")
        return
    if as_json:
        print_json(found)
        return
    for key, value in found.items():
        text = "; ".join(value) if isinstance(value, list) else str(value)
        out.print(f"[cyan]{key}[/]: {text}", highlight=False)


def _print_run(report: dict[str, Any]) -> None:
    """One line per monitoring run."""
    counts = ", ".join(f"{k} {v}" for k, v in report["counts"].items())
    versions = ", ".join(f"{k} {v}" for k, v in report["list_versions"].items())
    out.print(
        f"run {report['run_id']} ({report['kind']}, generation {report['from_seq']} → "
        f"{report['to_seq']}): {counts}\n  lists: {versions or 'none'}",
        highlight=False,
    )


@monitor_app.command("run")
def monitor_run(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    full: Annotated[
        bool, typer.Option(help="Screen the whole book again, not only what changed.")
    ] = False,
    actor: ACTOR = None,
) -> None:
    """Screen new and changed customers, and the list changes since the last run."""
    from sanctum.monitor.run import run_monitoring

    store = open_store()
    with console.status("monitoring"):
        report = run_monitoring(store, _actor(actor), full=full).as_dict()
    if as_json:
        print_json(report)
        return
    _print_run(report)


@monitor_app.command("status")
def monitor_status(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """What was screened against which list versions, and when."""
    from sanctum.monitor.run import status

    found = status(open_store())
    if as_json:
        print_json(found)
        return
    book = found["customers"]
    out.print(
        f"customers: {book['active']} active, {book['closed']} closed, {book['pending']} "
        f"waiting; store generation {found['store_generation']}, "
        f"{'up to date' if found['up_to_date'] else 'a run is due'}",
        highlight=False,
    )
    for run in found["runs"]:
        out.print(f"{run['finished_at']} by {run['actor']}", highlight=False)
        _print_run(run)


def _monitor_after_load(store: Store, loaded: bool) -> None:
    """Monitoring after committed list versions (SANCTUM_MONITOR=0 turns it off)."""
    from sanctum.monitor.run import after_load

    with console.status("monitoring the customer book"):
        report = after_load(store, loaded, _actor(None))
    if report is not None and report.counts:
        _print_run(report.as_dict())


keys_app = typer.Typer(help="API keys for `sanctum serve` (stored as salted hashes).")
app.add_typer(keys_app, name="keys", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    scope: Annotated[
        list[str],
        typer.Option(help="screen, read, admin, analyst or approver (repeatable)."),
    ],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
    strict: Annotated[
        bool, typer.Option(help="Answer 503 instead of results when a list is stale.")
    ] = False,
) -> None:
    """Create a key; it is printed once, alone on the last line, and never shown again."""
    from sanctum.store import keys

    with failing():
        record, text = keys.create(open_store(), scope, name, strict)
    console.print(
        f"API key {record.id} ({', '.join(record.scopes)}{', strict' if strict else ''}) "
        "created; store it now, it is not shown again:",
        highlight=False,
    )
    sys.stdout.write(text + "\n")


@keys_app.command("list")
def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """All keys (never their secrets)."""
    from sanctum.store import keys

    found = keys.list_keys(open_store())
    if as_json:
        print_json([k.as_dict() for k in found])
        return
    cols = ("id", "name", "scopes", "strict", "created", "revoked")
    rows = [
        [k.id, k.name, ",".join(k.scopes), "yes" if k.strict else "", k.created, k.revoked]
        for k in found
    ]
    print_rows("API keys", cols, rows)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="The key's id.")]) -> None:
    """Revoke a key for good."""
    from sanctum.store import keys

    with failing():
        record = keys.revoke(open_store(), key_id)
    out.print(f"API key {record.id} revoked at {record.revoked}", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    open_mode: Annotated[
        bool, typer.Option("--open", help="No API keys required (local use only).")
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every HTTP request line (screenings are in the audit trail either way).",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API (yente-compatible /match, catalog, entities, diffs)."""

    import uvicorn

    settings.serve_open(open_mode)
    if open_mode:
        console.print(
            "[bold red]OPEN MODE: the API answers WITHOUT API keys. "
            "Use this for local work only, never on a shared network.[/]",
            highlight=False,
        )
    from sanctum.audit import ensure as ensure_audit
    from sanctum.freshness import check_settings

    with failing():
        check_settings()
        ensure_audit(open_store())
    if not open_store().source_ids():
        console.print(
            "[yellow]no lists loaded: /readyz answers 503 and /match refuses to screen "
            f"until `{program()} update` (or `{program()} load DIR`) has run[/]",
            highlight=False,
        )
    uvicorn.run(
        "sanctum.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
    )


def _run_mirror() -> Path | None:
    """The mirror `make run` reads: SANCTUM_MIRROR, else the shared data folder when it
    exists (said in one line), else none (the official URLs)."""
    mirror = settings.mirror()
    shared = settings.shared_dir() / "data"
    if mirror is None and shared.is_dir():
        console.print(
            f"reading the lists from {shared} (the shared mirror; SANCTUM_MIRROR to choose "
            f"another, or `{program()} update` for the official URLs)",
            highlight=False,
        )
        return shared
    return mirror


MIRROR_HINT = (
    "set SANCTUM_MIRROR to a folder in the <source>/<date>/<files> layout, "
    "e.g. SANCTUM_MIRROR=../shared/data make run"
)


def _run_pull() -> str:
    """`run`'s update; returns what went wrong with the downloads, in one line ("" if
    nothing did), with the way to use a mirror when none could be fetched."""
    from sanctum.fetch import NO_NETWORK

    store = open_store()
    report = _pull(store, _run_mirror(), None, False)
    if report.outcomes:
        _report(report.outcomes)
        _monitor_after_load(store, any(o.status == "loaded" for o in report.outcomes))
    failed = [f.source for f in report.fetched if f.status == "failed"]
    if failed and len(failed) == len(report.fetched):
        offline = all(f.message == NO_NETWORK for f in report.fetched)
        why = NO_NETWORK if offline else "no internet?"
        return f"could not fetch the lists from the official URLs ({why}): {MIRROR_HINT}"
    if failed:
        return f"could not fetch {', '.join(failed)}; serving what is loaded"
    return ""


@app.command()
def run() -> None:
    """The main job (`make run`): pull the lists (from SANCTUM_MIRROR, the shared data folder
    or the web), show them and an example screening, then serve the HTTP API. Exits
    non-zero when no list is loaded at all."""
    problem = _run_pull()
    if not open_store().source_ids():
        fail(f"no list loaded: {problem or MIRROR_HINT}")
    if problem:
        console.print(f"[yellow]{problem}[/]", highlight=False)
    sources(as_json=False)
    out.print("\nExample screening:", highlight=False)
    screen(
        "강경일",
        schema="Person",
        dob=None,
        country=None,
        id_=None,
        threshold=None,
        limit=3,
        algorithm=None,
        as_json=False,
    )
    if settings.run_serve():
        out.print(
            "\nServing the API on http://127.0.0.1:8000 until Ctrl-C (docs: /docs; create a "
            f"key: `{program()} keys create --scope screen --scope read`; "
            "SANCTUM_RUN_SERVE=0 to skip)",
            highlight=False,
        )
        serve(host="127.0.0.1", port=8000, workers=1, open_mode=False, access_log=False)


from sanctum.cli_cases import alerts_app, webhooks_app  # noqa: E402

app.add_typer(alerts_app, name="alerts")
app.add_typer(webhooks_app, name="webhooks")


def main() -> None:
    """Entry point."""
    app()


if __name__ == "__main__":
    main()
