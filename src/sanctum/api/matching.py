"""A yente `/match` batch: checked, screened, filtered as yente filters, audited, and
answered in yente's shape with Sanctum's additions.

Filters that need more than the screener knows (the datasets an FtM export gives an
entity, topics, excluded schemata and ids, `changed_since`) are applied to the best
`config.MAX_LIMIT` results of each query, then the page is cut to `limit`. A large batch
screens off the event loop (`screening.off_loop_if_large`); `group=party` answers one
result per listed party.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sanctum import audit, catalog, config, search
from sanctum.api import datasets, yente
from sanctum.api.deps import ApiState, actor
from sanctum.api.entities import yente_fields
from sanctum.api.problems import Problem
from sanctum.api.screening import off_loop_if_large, values_in
from sanctum.grouping import PartyResult, PartyScreening, screen_by_party
from sanctum.match.query import QueryError
from sanctum.match.score import MATCHER_VERSION
from sanctum.screen import Match, Screener, Screening
from sanctum.store.db import EntityContext, EntityRecord
from sanctum.store.keys import ApiKey

T = TypeVar("T")


@dataclass
class MatchParams:
    """The query-string parameters of a `/match` request, as yente names them."""

    threshold: float | None = None
    limit: int = 5
    algorithm: str | None = None
    cutoff: float | None = None
    include_dataset: list[str] = field(default_factory=list)
    exclude_dataset: list[str] = field(default_factory=list)
    exclude_schema: list[str] = field(default_factory=list)
    exclude_entity_ids: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    changed_since: str | None = None
    fuzzy: bool | None = None
    strict: bool = False
    group: str | None = None

    def filtering(self) -> bool:
        """Whether a filter applies after screening (so more results are screened)."""
        return bool(
            self.include_dataset
            or self.exclude_dataset
            or self.exclude_schema
            or self.exclude_entity_ids
            or self.topics
            or self.changed_since
        )


@dataclass
class Facts:
    """What the answer reads about the results of a batch, fetched once per batch."""

    records: dict[str, EntityRecord]
    contexts: dict[str, EntityContext]
    changes: dict[str, str]
    groups: dict[str, list[str]]
    excluded: set[str]


def check_lengths(key: str, properties: dict[str, list[str]], max_chars: int) -> None:
    """422 naming the value (`queries.q1.properties.name.0`) longer than `max_chars`."""
    for prop, values in properties.items():
        for n, value in enumerate(values):
            if len(value) > max_chars:
                where = f"queries.{key}.properties.{prop}.{n}"
                raise Problem(422, f"{where}: longer than {max_chars} characters", where)


def read_queries(
    state: ApiState, raw: dict[str, Any], algo: yente.Algorithm
) -> dict[str, dict[str, Any]]:
    """The batch's queries as the screener reads them (400 for a schema it cannot match)."""
    if not raw:
        raise Problem(400, "no queries provided", "queries")
    state.check_batch(len(raw), "queries")
    asked = {key: yente.as_strings(item.properties) for key, item in raw.items()}
    state.caps.check(asked)
    out = {}
    for key, item in raw.items():
        yente.check_schema(key, item.schema_)
        props = asked[key]
        check_lengths(key, props, state.max_name)
        if algo.names_only:
            props = yente.names_only(props)
        out[key] = {"schema": item.schema_, "properties": props}
    return out


def narrowed(sources: set[str], p: MatchParams, groups: dict[str, list[str]]) -> set[str]:
    """The sources left once include/exclude names that are sources or collections are
    applied (names of an FtM export's own datasets are filtered per entity later)."""

    def members(name: str) -> set[str]:
        return set(groups.get(name, [name] if name in sources else []))

    include = [d for d in p.include_dataset if d]
    if include and all(members(d) or d in groups for d in include):
        sources = sources & set().union(*(members(d) for d in include))
    for name in p.exclude_dataset:
        sources = sources - members(name)
    return sources


def screen_each(
    queries: dict[str, dict[str, Any]], one: Callable[[dict[str, Any]], T]
) -> dict[str, T]:
    """`one(query)` for each query of the batch; 422 naming the query field at fault."""
    out = {}
    for name, query in queries.items():
        try:
            out[name] = one(query)
        except QueryError as exc:
            raise Problem(422, str(exc), f"queries.{name}.{exc.field}") from exc
    return out


def gather(state: ApiState, ids: set[str], p: MatchParams) -> Facts:
    """The records, FtM context and last changes of these results, and the excluded ids."""
    store = state.store
    excluded = set(p.exclude_entity_ids)
    excluded |= {c for i in p.exclude_entity_ids if (c := store.canonical_id(i))}
    return Facts(
        store.records_in_force(ids),
        store.entity_contexts(ids),
        catalog.last_changes(store, ids),
        datasets.collections(store.source_ids()),
        excluded,
    )


def kept(match: Match, p: MatchParams, facts: Facts) -> bool:
    """Whether a result passes yente's filters."""
    context = facts.contexts.get(match.id)
    record = facts.records.get(match.id)
    if match.id in facts.excluded or match.schema in p.exclude_schema:
        return False
    names = datasets.filter_names(match.source, context, facts.groups)
    include = [d for d in p.include_dataset if d]
    if (include and not names & set(include)) or names & set(p.exclude_dataset):
        return False
    if p.topics and not set(p.topics) & topics(match, record, context):
        return False
    since = p.changed_since
    return not since or facts.changes.get(match.id, "") >= since[:10]


def topics(match: Match, record: EntityRecord | None, context: EntityContext | None) -> set[str]:
    """An entity's topics: those its data states, and `sanction` for a designated party."""
    stated = set(record.properties.get("topics", [])) if record else set()
    if match.sanctions or (context is not None and context.target):
        stated.add("sanction")
    return stated


def result(screener: Screener, match: Match, facts: Facts) -> dict[str, Any]:
    """One yente `ScoredEntityResponse`, with Sanctum's explanation and source."""
    record = facts.records.get(match.id)
    context = facts.contexts.get(match.id)
    if record is not None:
        props = {k: sorted(set(v)) for k, v in sorted(record.properties.items())}
    else:
        entry = screener.index.entries[screener.index.entry_by_id[match.id]]
        props = search.entry_properties(screener.index, entry)
    change = facts.changes.get(match.id)
    return {
        **yente_fields(
            match.id, match.schema, match.source, props, match.caption, record, context, change
        ),
        "score": match.score,
        "explanations": yente.explanations(match.explanation),
        "match": match.match,
        "features": dict(match.explanation.get("features") or {}),
        "explanation": match.explanation,
        "source": match.source,
    }


def party_result(screener: Screener, party: PartyResult, facts: Facts) -> dict[str, Any]:
    """A party as a yente result: its best entry, with the party around it."""
    return {
        **result(screener, party.best, facts),
        "party_id": party.party_id,
        "lists": party.lists,
        "programs": party.programs,
        "members": party.members,
    }


def grouped_answer(
    screener: Screener, found: PartyScreening, p: MatchParams, facts: Facts
) -> dict[str, Any]:
    """The results of one `group=party` query: parties whose best entry passes the filters."""
    parties = [party for party in found.parties if kept(party.best, p, facts)]
    return {
        "results": [party_result(screener, party, facts) for party in parties],
        "total": {"value": sum(party.best.match for party in parties), "relation": "eq"},
        "matched_parties": found.matched,
        "more_matched": found.more_matched,
    }


def flat_answer(
    screener: Screener, screening: Screening, p: MatchParams, facts: Facts
) -> dict[str, Any]:
    """The results of one query: those passing the filters, cut to the limit; `total`
    counts the matches among them (as yente)."""
    screening.results = [m for m in screening.results if kept(m, p, facts)][: p.limit]
    return {
        "results": [result(screener, m, facts) for m in screening.results],
        "total": {"value": sum(m.match for m in screening.results), "relation": "eq"},
    }


async def screen_batch(
    screener: Screener,
    queries: dict[str, dict[str, Any]],
    p: MatchParams,
    algo: str,
    sources: set[str],
) -> tuple[dict[str, Screening], dict[str, PartyScreening]]:
    """Screen every query (grouped by party with `group`: the limit counts parties), off
    the event loop when the batch is large; the screenings, and the party groups when
    grouped. No source left to screen (the filters excluded them all): no results."""
    empty = Screening([], p.threshold or config.THRESHOLD, algo, {})
    if not sources:
        nothing = {name: PartyScreening([], 0, empty) for name in queries}
        return {name: empty for name in queries}, nothing if p.group else {}
    floor = config.MATCH_CUTOFF if p.cutoff is None else p.cutoff  # the screener caps it
    values = values_in(queries)
    if p.group is None:
        wanted = config.MAX_LIMIT if p.filtering() else p.limit

        def flat(query: dict[str, Any]) -> Screening:
            return screener.screen(query, p.threshold, wanted, algo, sources, floor)

        return await off_loop_if_large(lambda: screen_each(queries, flat), values), {}

    def grouped(query: dict[str, Any]) -> PartyScreening:
        return screen_by_party(screener, query, p.threshold, p.limit, algo, sources, floor)

    groups = await off_loop_if_large(lambda: screen_each(queries, grouped), values)
    return {n: g.screening for n, g in groups.items()}, groups


async def match_batch(
    state: ApiState, dataset: str, body: Any, p: MatchParams, key: ApiKey
) -> dict[str, Any]:
    """Screen a `/match` batch, audit every query, and shape the yente answer."""
    algo = yente.algorithm(p.algorithm)
    ignored = yente.check_tuning(algo, body.config, body.weights)
    if p.group is not None and p.changed_since:
        raise Problem(422, "group=party does not combine with changed_since", "group")
    queries = read_queries(state, body.queries, algo)
    loaded = state.require_lists()
    sources = narrowed(datasets.scope(dataset, loaded), p, datasets.collections(loaded))
    stale = state.fail_closed(sources, p.strict or key.strict)
    screener = state.screener()
    screenings, groups = await screen_batch(screener, queries, p, algo.runs, sources)
    ids = {m.id for s in screenings.values() for m in s.results}
    ids |= {party.best.id for g in groups.values() for party in g.parties}
    facts = gather(state, ids, p)
    responses = {}
    for name, screening in screenings.items():
        item = body.queries[name]
        answer = (
            grouped_answer(screener, groups[name], p, facts)
            if name in groups
            else flat_answer(screener, screening, p, facts)
        )
        responses[name] = {
            "status": 200,
            **answer,
            "query": yente.echo(item.id, item.schema_, yente.as_strings(item.properties)),
        }
    audited = [(audit_query(queries[n], p), s) for n, s in screenings.items()]
    audit.record_screenings(state.store, actor(key), audited)
    return {
        "responses": responses,
        "limit": p.limit,
        "algorithm": algo.ran,
        "ignored": ignored,
        "matcher_version": MATCHER_VERSION,
        "list_versions": {s: screener.index.versions.get(s) for s in sorted(sources)},
        "stale": stale,
        "warnings": state.stale_check.warnings(sources),
    }


def audit_query(query: dict[str, Any], p: MatchParams) -> dict[str, Any]:
    """The query as the audit trail records it, with the filters that shaped its answer."""
    filters = {
        k: v
        for k, v in (
            ("changed_since", p.changed_since),
            ("topics", p.topics),
            ("include_dataset", p.include_dataset),
            ("exclude_dataset", p.exclude_dataset),
            ("exclude_schema", p.exclude_schema),
            ("exclude_entity_ids", p.exclude_entity_ids),
        )
        if v
    }
    return {**query, **filters}
