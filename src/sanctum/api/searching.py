"""`/search/{dataset}` as yente answers it: a page of entities (yente's `EntityResponse`
fields, with Sanctum's relevance `score` and the `matched_name`), `total`, and facets
(countries, topics, datasets) over every result, not only the page.

Finding is Sanctum's name search (`sanctum.search`): every word must meet a name of the
party, in any spelling or script. An empty `q` lists every party that passes the
filters. Filters: yente's `countries`, `topics`, `datasets`, `include_dataset`,
`exclude_dataset`, `exclude_schema`, and Sanctum's `schema`, `country`, `program`,
`source`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sanctum import catalog, search
from sanctum.api import datasets
from sanctum.api.deps import ApiState
from sanctum.api.entities import yente_fields
from sanctum.api.problems import Problem
from sanctum.feature_table import COUNTRY
from sanctum.index import Entry, Index
from sanctum.sources import registry
from sanctum.store.db import EntityContext

Contexts = dict[str, EntityContext]

FACETS = {"countries": "Countries", "topics": "Topics", "datasets": "Datasets"}


@dataclass
class SearchFilters:
    """The filters of a `/search` request (each a list of accepted values)."""

    schema: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    program: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    include_dataset: list[str] = field(default_factory=list)
    exclude_dataset: list[str] = field(default_factory=list)
    exclude_schema: list[str] = field(default_factory=list)
    facets: list[str] = field(default_factory=lambda: list(FACETS))


def entry_topics(entry: Entry) -> set[str]:
    """A party's topics as the index knows them: `sanction` for a designated party."""
    return {"sanction"} if entry.sanctions else set()


def in_scope(state: ApiState, dataset: str, f: SearchFilters) -> set[str]:
    """The sources a search covers: the path's dataset, narrowed by `source`."""
    sources = datasets.scope(dataset, state.require_lists())
    if f.source:
        unknown = sorted(set(f.source) - set(registry.SOURCES) - set(state.store.source_ids()))
        if unknown:
            raise Problem(422, f"unknown source(s) {', '.join(unknown)}", "source")
        sources &= set(f.source)
    return sources


def found(index: Index, q: str, expand: Any, filters: search.Filters) -> list[search.Hit]:
    """Every hit for `q` (every party passing the filters when `q` is empty), best first."""
    if q.strip():
        return search.search(index, q, expand, filters, len(index.entries) + 1, 0).hits
    return [search.Hit(n, -1, 0.0) for n, e in enumerate(index.entries) if filters.allows(e)]


def contexts_of(state: ApiState, index: Index, hits: list[search.Hit]) -> Contexts:
    """The FtM context of the hits whose source may state datasets of its own."""
    ids = [e.id for h in hits if datasets.may_state_datasets((e := index.entries[h.entry]).source)]
    return state.store.entity_contexts(ids) if ids else {}


def kept(
    state: ApiState, index: Index, hits: list[search.Hit], f: SearchFilters, contexts: Contexts
) -> list[search.Hit]:
    """The hits passing yente's filters (topics, datasets, excluded schemata); a dataset
    name selects the entities an FtM export puts in it, and every entity of a source or
    collection of that name."""
    groups = datasets.collections(state.store.source_ids())
    wanted = [d for d in f.datasets + f.include_dataset if d]
    out = []
    for hit in hits:
        entry = index.entries[hit.entry]
        if entry.schema in f.exclude_schema:
            continue
        if f.topics and not entry_topics(entry) & set(f.topics):
            continue
        names = datasets.filter_names(entry.source, contexts.get(entry.id), groups)
        if (wanted and not names & set(wanted)) or names & set(f.exclude_dataset):
            continue
        out.append(hit)
    return out


def facets(
    index: Index, hits: list[search.Hit], wanted: list[str], contexts: Contexts
) -> dict[str, Any]:
    """Counts of countries, topics and datasets over every hit (yente's facets)."""
    from followthemoney.types import registry as types

    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS if name in wanted}
    for hit in hits:
        entry = index.entries[hit.entry]
        values = {
            "countries": set(entry.facts[COUNTRY.slot]),
            "topics": entry_topics(entry),
            "datasets": set(datasets.entity_datasets(entry.source, contexts.get(entry.id))),
        }
        for name, counter in counts.items():
            counter.update(values[name])

    def label(facet: str, value: str) -> str:
        return str(types.country.caption(value) or value) if facet == "countries" else value

    return {
        name: {
            "label": FACETS[name],
            "values": [
                {"name": v, "label": label(name, v), "count": n} for v, n in counter.most_common()
            ],
        }
        for name, counter in counts.items()
    }


def result(
    index: Index, hit: search.Hit, state: ApiState, facts: tuple[Any, Any, Any]
) -> dict[str, Any]:
    """One search result: yente's entity fields, Sanctum's score and matched name."""
    records, contexts, changes = facts
    entry = index.entries[hit.entry]
    record = records.get(entry.id)
    context = contexts.get(entry.id)
    props = record.properties if record else search.entry_properties(index, entry)
    props = {k: sorted(set(v)) for k, v in sorted(props.items())}
    change = changes.get(entry.id)
    return {
        **yente_fields(
            entry.id, entry.schema, entry.source, props, entry.caption, record, context, change
        ),
        "score": hit.score,
        "matched_name": index.names[hit.name].text if hit.name >= 0 else entry.caption,
    }


def search_page(
    state: ApiState, dataset: str, q: str, f: SearchFilters, limit: int, offset: int
) -> dict[str, Any]:
    """One page of `/search` results for `q` over `dataset`, with the filters applied."""
    if len(q) > state.max_name:
        raise Problem(422, f"q: longer than {state.max_name} characters", "q")
    sources = in_scope(state, dataset, f)
    try:
        filters = search.make_filters(f.schema, f.country, f.program, sources)
    except search.FilterError as exc:
        raise Problem(422, str(exc), exc.field) from exc
    screener = state.screener()
    index = screener.index
    every = found(index, q, screener.expand, filters)
    contexts = contexts_of(state, index, every)
    hits = kept(state, index, every, f, contexts)
    page = hits[offset : offset + limit]
    ids = [index.entries[h.entry].id for h in page]
    store = state.store
    facts = (store.records_in_force(ids), contexts, catalog.last_changes(store, ids))
    return {
        "results": [result(index, h, state, facts) for h in page],
        "total": {"value": len(hits), "relation": "eq"},
        "limit": limit,
        "offset": offset,
        "facets": facets(index, hits, f.facets, contexts),
        "list_versions": {s: index.versions[s] for s in sorted(sources) if s in index.versions},
    }
