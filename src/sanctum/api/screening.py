"""Screening and search for the HTTP routes: a `/match` batch, a reconciliation batch, a
batch of wallet addresses and a search page, each checked, run, audited (screenings) and
shaped for its answer.

The routes parse the request and call one function here; the screening itself is the
Screener's and the audit trail audit's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sanctum import audit, catalog, config, search
from sanctum.api import reconcile
from sanctum.api.deps import ApiState, actor
from sanctum.api.problems import Problem
from sanctum.crypto import InvalidAddress
from sanctum.grouping import PartyResult, PartyScreening, screen_by_party
from sanctum.match.query import QueryError
from sanctum.match.score import MATCHER_VERSION
from sanctum.screen import Match, Screener, Screening
from sanctum.sources import registry
from sanctum.store.db import Store
from sanctum.store.keys import ApiKey

T = TypeVar("T")


@dataclass
class MatchParams:
    """The query-string parameters of a `/match` request."""

    threshold: float | None = None
    limit: int = 5
    algorithm: str | None = None
    cutoff: float | None = None
    include_dataset: list[str] | None = None
    exclude_dataset: list[str] | None = None
    changed_since: date | None = None
    strict: bool = False
    group: str | None = None


@dataclass
class SearchFilters:
    """The filters of a `/search` request (each a list of accepted values, or None)."""

    schema: list[str] | None = None
    country: list[str] | None = None
    program: list[str] | None = None
    source: list[str] | None = None


def search_page(
    state: ApiState, dataset: str, q: str, f: SearchFilters, limit: int, offset: int
) -> dict[str, Any]:
    """One page of `/search` results for `q` over `dataset`, with the filters applied."""
    if len(q) > state.max_name:
        raise Problem(422, f"q: longer than {state.max_name} characters", "q")
    sources = state.covered_sources(dataset)
    if f.source:
        unknown = sorted(set(f.source) - set(registry.SOURCES))
        if unknown:
            raise Problem(422, f"unknown source(s) {', '.join(unknown)}", "source")
        sources &= set(f.source)
    try:
        filters = search.make_filters(f.schema or (), f.country or (), f.program or (), sources)
    except search.FilterError as exc:
        raise Problem(422, str(exc), exc.field) from exc
    screener = state.screener()
    index = screener.index
    page = search.search(index, q, screener.expand, filters, limit, offset)
    return {
        "results": [search.hit_json(index, h) for h in page.hits],
        "total": {"value": page.total, "relation": "eq"},
        "limit": limit,
        "offset": offset,
        "list_versions": {s: index.versions[s] for s in sorted(sources) if s in index.versions},
    }


def result_json(screener: Screener, match: Match) -> dict[str, Any]:
    """One yente-shaped result, with Sanctum's explanation."""
    entry = screener.index.entries[screener.index.entry_by_id[match.id]]
    return {
        "id": match.id,
        "caption": match.caption,
        "schema": match.schema,
        "properties": search.entry_properties(screener.index, entry),
        "datasets": [match.source],
        "score": match.score,
        "match": match.match,
        "features": dict(match.explanation.get("features") or {}),
        "explanation": match.explanation,
    }


def check_lengths(key: str, properties: dict[str, list[str] | str], max_chars: int) -> None:
    """422 naming the value (`queries.q1.properties.name.0`) longer than `max_chars`."""
    for prop, values in properties.items():
        for n, value in enumerate([values] if isinstance(values, str) else values):
            if len(value) > max_chars:
                where = f"queries.{key}.properties.{prop}.{n}"
                raise Problem(422, f"{where}: longer than {max_chars} characters", where)


def changed_since_only(
    store: Store, screenings: dict[str, Screening], since: date, limit: int
) -> dict[str, str]:
    """Keep the results whose party changed on or after `since` (at most `limit` per
    query); returns each kept party's last change date."""
    ids = {r.id for s in screenings.values() for r in s.results}
    changes = catalog.last_changes(store, ids)
    day = since.isoformat()
    for screening in screenings.values():
        kept = [r for r in screening.results if changes.get(r.id, "") >= day]
        screening.results = kept[:limit]
    return changes


def screen_queries(
    screener: Screener, queries: dict[str, dict[str, Any]], p: MatchParams, sources: set[str]
) -> dict[str, Screening]:
    """Screen each query of a `/match` batch; 422 naming the query field at fault."""
    wanted = config.MAX_LIMIT if p.changed_since else p.limit
    floor = config.MATCH_CUTOFF if p.cutoff is None else p.cutoff  # the screener caps it
    screenings = {}
    for name, query in queries.items():
        try:
            screenings[name] = screener.screen(
                query, p.threshold, wanted, p.algorithm, sources, min_score=floor
            )
        except QueryError as exc:
            field = exc.field if exc.field == "algorithm" else f"queries.{name}.{exc.field}"
            raise Problem(422, str(exc), field) from exc
    return screenings


def group_queries(
    screener: Screener, queries: dict[str, dict[str, Any]], p: MatchParams, sources: set[str]
) -> dict[str, PartyScreening]:
    """`group=party`: each query's results grouped by listed party, the limit on parties."""
    floor = config.MATCH_CUTOFF if p.cutoff is None else p.cutoff
    out = {}
    for name, query in queries.items():
        try:
            out[name] = screen_by_party(
                screener, query, p.threshold, p.limit, p.algorithm, sources, floor
            )
        except QueryError as exc:
            field = exc.field if exc.field == "algorithm" else f"queries.{name}.{exc.field}"
            raise Problem(422, str(exc), field) from exc
    return out


def party_json(screener: Screener, party: PartyResult) -> dict[str, Any]:
    """A party as a yente result: its best entry, with the party around it."""
    return {
        **result_json(screener, party.best),
        "party_id": party.party_id,
        "lists": party.lists,
        "programs": party.programs,
        "members": party.members,
    }


OFF_LOOP_VALUES = 20
"""Requests with more query values than this screen in a worker thread, so the event loop
answers other clients meanwhile (the GIL passes every few ms); smaller ones screen on the
loop, where the thread hop would cost more than they do."""


def values_in(queries: dict[str, Any]) -> int:
    """How many property values the FtM-shaped queries hold in all."""
    return sum(
        1 if isinstance(v, str) else len(v)
        for q in queries.values()
        for v in q.get("properties", {}).values()
    )


async def off_loop_if_large(work: Callable[[], T], values: int) -> T:
    """`work()` in a worker thread when the request is large (OFF_LOOP_VALUES), else here.
    The work must not touch the store (one connection, used on the loop's thread)."""
    if values > OFF_LOOP_VALUES:
        return await asyncio.to_thread(work)
    return work()


async def match_batch(
    state: ApiState, dataset: str, queries: dict[str, dict[str, Any]], p: MatchParams, key: ApiKey
) -> dict[str, Any]:
    """Screen a `/match` batch, audit every query, and shape the yente answer."""
    state.check_batch(len(queries), "queries")
    state.caps.check({name: query["properties"] for name, query in queries.items()})
    for name, query in queries.items():
        check_lengths(name, query["properties"], state.max_name)
    sources = state.covered_sources(dataset, p.include_dataset, p.exclude_dataset)
    stale = state.fail_closed(sources, p.strict or key.strict)
    screener = state.screener()
    if p.group is not None and p.changed_since:
        raise Problem(422, "group=party does not combine with changed_since", "group")
    values = values_in(queries)
    grouped = (
        await off_loop_if_large(lambda: group_queries(screener, queries, p, sources), values)
        if p.group
        else {}
    )
    screenings = (
        {n: g.screening for n, g in grouped.items()}
        if p.group
        else await off_loop_if_large(lambda: screen_queries(screener, queries, p, sources), values)
    )
    since = p.changed_since
    changes = changed_since_only(state.store, screenings, since, p.limit) if since else {}
    audited = []
    responses = {}
    versions: dict[str, str] = {}
    for name, screening in screenings.items():
        query = queries[name]
        audited.append(
            ({**query, "changed_since": since.isoformat()} if since else query, screening)
        )
        versions = {s: v for s, v in screening.list_versions.items() if s in sources}
        results = [result_json(screener, r) for r in screening.results]
        if since:
            for result in results:
                result["last_change"] = changes.get(result["id"])
        extra: dict[str, int] = {}
        if name in grouped:
            results = [party_json(screener, party) for party in grouped[name].parties]
            extra = {
                "matched_parties": grouped[name].matched,
                "more_matched": grouped[name].more_matched,
            }
        responses[name] = {
            "status": 200,
            "results": results,
            "total": {"value": len(results), "relation": "eq"},
            "query": query,
            **extra,
        }
    audit.record_screenings(state.store, actor(key), audited)
    return {
        "responses": responses,
        "limit": p.limit,
        "matcher_version": MATCHER_VERSION,
        "list_versions": versions or {s: screener.index.versions.get(s) for s in sources},
        "stale": stale,
        "warnings": state.stale_check.warnings(sources),
    }


def address_item(screener: Screener, n: int, address: str, currency: str | None) -> dict[str, Any]:
    """The answer item for one address: its holders, or the problem with it."""
    try:
        found = screener.screen_address(address, currency)
    except InvalidAddress as exc:
        return {
            "address": address,
            "status": 422,
            "error": {
                "type": "about:blank",
                "title": "Invalid address",
                "status": 422,
                "detail": str(exc),
                "field": f"addresses.{n}",
            },
        }
    return {"status": 200, **found}


def address_audit(item: dict[str, Any], currency: str | None) -> audit.Entry:
    """The audit record of one screened address."""
    hits = [
        {"id": m["holder_id"], "wallet_id": m["wallet_id"], "score": 1.0, "match": True}
        for m in item["matches"]
    ]
    query = {"address": item["address"], "currency": currency}
    return audit.Entry("address", query, item["list_versions"], MATCHER_VERSION, "address", hits)


def address_batch(
    state: ApiState, addresses: list[str], currency: str | None, strict: bool, key: ApiKey
) -> dict[str, Any]:
    """Who holds each wallet address; an invalid address is reported in its item."""
    state.check_batch(len(addresses), "addresses")
    loaded = set(state.require_lists())
    stale = state.fail_closed(loaded, strict or key.strict)
    screener = state.screener()
    items = [address_item(screener, n, a, currency) for n, a in enumerate(addresses)]
    audited = [address_audit(item, currency) for item in items if item["status"] == 200]
    audit.append_many(state.store, actor(key), audited)
    return {"responses": items, "stale": stale, "matcher_version": MATCHER_VERSION}


async def reconcile_batch(
    state: ApiState, dataset: str, batch: reconcile.ReconcileBatch, key: ApiKey, strict: bool
) -> tuple[dict[str, reconcile.Answer], list[str]]:
    """Screen a reconciliation batch: one audited screening per query. Returns the
    answers and the stale sources covered."""
    state.check_batch(len(batch.queries), "queries")
    asked = {k: reconcile.to_screening(k, q, state.max_name) for k, q in batch.queries.items()}
    state.caps.check({k: q["properties"] for k, q in asked.items()})
    sources = state.covered_sources(dataset)
    stale = state.fail_closed(sources, strict or key.strict)
    screener = state.screener()

    def screen_all() -> dict[str, Screening]:
        done: dict[str, Screening] = {}
        for k, q in batch.queries.items():
            limit = q.limit or reconcile.DEFAULT_LIMIT
            try:
                done[k] = screener.screen(asked[k], None, limit, None, sources)
            except QueryError as exc:
                raise Problem(422, str(exc), reconcile.error_field(k, q, exc)) from exc
        return done

    screenings = await off_loop_if_large(screen_all, values_in(asked))
    audit.record_screenings(
        state.store, actor(key), [(asked[k], s) for k, s in screenings.items()], kind="reconcile"
    )
    answers = {
        k: reconcile.Answer(result=[reconcile.candidate(m) for m in s.results])
        for k, s in screenings.items()
    }
    return answers, stale
