"""The reconciliation services over the state: batches screened and audited, suggest,
data extension, and the preview and view pages (shapes in `api.reconcile`)."""

from __future__ import annotations

import html
from typing import Any

from sanctum import audit, catalog, search
from sanctum.api import datasets, reconcile
from sanctum.api.deps import ApiState, actor
from sanctum.api.screening import off_loop_if_large, values_in
from sanctum.errors import SanctumError
from sanctum.match.query import QueryError
from sanctum.schemata import MATCHABLE
from sanctum.screen import Screener, Screening
from sanctum.store.keys import ApiKey

SUGGEST_LIMIT = 10


async def reconcile_batch(
    state: ApiState, dataset: str, batch: reconcile.ReconcileBatch, key: ApiKey, strict: bool
) -> tuple[dict[str, reconcile.Answer], list[str]]:
    """Screen a reconciliation batch, one audited screening per answerable query (off the
    event loop when the batch is large); a query that cannot be answered gets an empty
    result naming its problem. Returns the answers and the stale sources covered."""
    state.check_batch(len(batch.queries), "queries")
    asked = {k: reconcile.read_query(q, state.max_name) for k, q in batch.queries.items()}
    screened = {k: a.query for k, a in asked.items() if a.query is not None}
    state.caps.check({k: q["properties"] for k, q in screened.items()})
    sources = state.covered_sources(dataset)
    stale = state.fail_closed(sources, strict or key.strict)
    screener = state.screener()

    def screen_every() -> dict[str, Screening]:
        done = {}
        for k in screened:
            found = screen_leniently(screener, asked[k], sources)
            if found is not None:
                done[k] = found
        return done

    screenings = await off_loop_if_large(screen_every, values_in(screened))
    audited = [(asked[k].query or {}, s) for k, s in screenings.items()]
    audit.record_screenings(state.store, actor(key), audited, kind="reconcile")
    answers = {}
    for k, a in asked.items():
        found = screenings.get(k)
        linked = (
            {x["id"] for x in state.store.links_of(found.results[0].id)}
            if found and found.results
            else set()
        )
        result = reconcile.grouped(found.results, linked) if found else []
        answers[k] = reconcile.Answer(result=result, problem="; ".join(a.problems) or None)
    return answers, stale


def screen_leniently(
    screener: Screener, asked: reconcile.Asked, sources: set[str]
) -> Screening | None:
    """Screen a query; a column value the matcher cannot read (a date it cannot parse) is
    dropped and named in the query's problems, as OpenRefine sends whatever a cell holds."""
    query = asked.query
    assert query is not None
    for _ in range(len(query["properties"]) + 1):
        try:
            found = screener.screen(query, None, asked.limit, None, sources)
            asked.query = query
            return found
        except QueryError as exc:
            prop = exc.field.removeprefix("properties.")
            asked.problems.append(f"{exc!s} (skipped)")
            if prop == exc.field or prop == "name" or prop not in query["properties"]:
                asked.problems[-1] = str(exc)
                return None
            query = {
                **query,
                "properties": {k: v for k, v in query["properties"].items() if k != prop},
            }
            if not query["properties"]:
                return None
    return None


def suggest_entities(state: ApiState, dataset: str, prefix: str) -> dict[str, Any]:
    """Entities whose names the prefix finds (as `/search` finds them), best first."""
    sources = state.covered_sources(dataset)
    screener = state.screener()
    index = screener.index
    if not prefix.strip() or len(prefix) > state.max_name:
        return {"result": []}
    filters = search.make_filters((), (), (), sources)
    page = search.search(index, prefix, screener.expand, filters, SUGGEST_LIMIT, 0)
    result = []
    for hit in page.hits:
        entry = index.entries[hit.entry]
        result.append(
            {
                "id": entry.id,
                "name": entry.caption,
                "description": entry.source,
                "notable": [reconcile.type_ref(entry.schema).model_dump()],
            }
        )
    return {"result": result}


def _matches(prefix: str, *texts: str) -> bool:
    wanted = prefix.strip().lower()
    return not wanted or any(wanted in t.lower() for t in texts)


def suggest_types(prefix: str) -> dict[str, Any]:
    """The schemata a query may be reconciled as, whose id or label holds the prefix."""
    refs = [reconcile.type_ref(s) for s in MATCHABLE]
    return {"result": [r.model_dump() for r in refs if _matches(prefix, r.id, r.name)]}


def properties_of(schema: str) -> list[dict[str, str]]:
    """The FtM properties of a schema a value may be given for (not entity links)."""
    from followthemoney import model
    from followthemoney.types import registry

    found = model.get(schema) or model.get("Thing")
    assert found is not None
    return [
        {"id": p.name, "name": str(p.label)}
        for p in sorted(found.properties.values(), key=lambda p: p.name)
        if not p.hidden and p.type != registry.entity
    ]


def suggest_properties(prefix: str) -> dict[str, Any]:
    """Properties of the screened schemata whose id or label holds the prefix."""
    seen: dict[str, dict[str, str]] = {}
    for schema in MATCHABLE:
        for prop in properties_of(schema):
            if _matches(prefix, prop["id"], prop["name"]):
                seen.setdefault(prop["id"], prop)
    return {"result": list(seen.values())[:50]}


def propose_properties(schema: str | None) -> dict[str, Any]:
    """The columns `extend` can add for a type: its FtM properties and Sanctum's own."""
    name = schema if schema in MATCHABLE else "Thing"
    extra = [{"id": k, "name": v} for k, v in reconcile.EXTRA_COLUMNS.items()]
    return {"type": name, "properties": extra + properties_of(name)}


def extension_row(
    view: dict[str, Any], wanted: list[str], sources: dict[str, str], datasets: list[str]
) -> dict[str, Any]:
    """One entity's values for the asked columns, as the extension answer gives them."""
    columns = {
        "program": sorted({p for s in view["sanctions"] for p in s.get("program", [])}),
        "authority": sorted({d["authority"] for d in view["designated_by"] if d["authority"]}),
        "source": [sources.get(view["source"], view["source"])],
        "datasets": datasets,
    }
    row = {}
    for prop in wanted:
        values = columns.get(prop, view["properties"].get(prop, []))
        row[prop] = [{"str": str(v)} for v in values]
    return row


def extend(state: ApiState, text: str) -> dict[str, Any]:
    """A data extension answer: for each id, the values of each asked column."""
    query = reconcile._json(text, "extend")
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list):
        return {"meta": [], "rows": {}}
    ids = [str(i) for i in query["ids"]][: state.max_queries]
    asked = query.get("properties")
    wanted = (
        [str(p.get("id")) for p in asked if isinstance(p, dict)] if isinstance(asked, list) else []
    )
    names = {p["id"]: p["name"] for s in MATCHABLE for p in properties_of(s)}
    names.update(reconcile.EXTRA_COLUMNS)
    titles = {s["source"]: s["title"] for s in catalog.sources_summary(state.store)}
    contexts = state.store.entity_contexts(ids)
    rows: dict[str, Any] = {}
    for entity_id in ids:
        try:
            view = catalog.entity_view(state.store, entity_id)
        except SanctumError:
            rows[entity_id] = {p: [] for p in wanted}
            continue
        found = datasets.entity_datasets(view["source"], contexts.get(entity_id))
        rows[entity_id] = extension_row(view, wanted, titles, found)
    meta = [{"id": p, "name": names.get(p, p)} for p in wanted]
    return {"meta": meta, "rows": rows}


def _rows(view: dict[str, Any]) -> str:
    cells = []
    for prop, values in view["properties"].items():
        shown = ", ".join(html.escape(str(v)) for v in values)
        cells.append(f"<tr><th>{html.escape(prop)}</th><td>{shown}</td></tr>")
    for d in view["designated_by"]:
        what = ", ".join(d["program"]) or "-"
        text = f"{d['authority']}: {what} ({d['entity_id']}, {d['date'] or 'no date'})"
        cells.append(f"<tr><th>designated</th><td>{html.escape(text)}</td></tr>")
    return "".join(cells)


def entity_page(state: ApiState, entity_id: str, full: bool) -> str | None:
    """A readable HTML page (full) or preview card of an entity; None when there is none."""
    try:
        view = catalog.entity_view(state.store, entity_id)
    except SanctumError:
        return None
    names = view["properties"].get("name") or [entity_id]
    title = html.escape(names[0])
    lists = html.escape(", ".join(datasets.entity_datasets(view["source"], None)))
    head = f"<h1>{title}</h1><p>{html.escape(view['schema'])} · {lists} · {view['status']}</p>"
    style = "body{font-family:sans-serif;margin:1em}th{text-align:left;padding-right:1em}"
    body = (
        f"{head}<table>{_rows(view)}</table>"
        if full
        else f"{head}<table>{_rows(view)[:4000]}</table>"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{style}</style></head><body>{body}</body></html>"
    )
