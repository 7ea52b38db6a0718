"""The HTTP API: yente-compatible `/match`, search, catalog, entities, diffs, wallet
screening, OpenRefine reconciliation and list updates.

Routes are thin: screening is the Screener's, search is `sanctum.search`'s, read models
are the catalog's, reconciliation shapes are `api.reconcile`'s, the audit trail is
audit's. Handlers are `async` so every store access runs on the event loop's one thread
(the store is one SQLite connection); a list update runs in a worker thread on its own
connection.

Settings (environment): `SANCTUM_MAX_QUERIES` (queries per request, default 100),
`SANCTUM_MAX_BODY` (request body bytes, default 2 MiB), `SANCTUM_MAX_NAME` (characters
per name or other query value, default 500), `SANCTUM_RATE_LIMIT` (requests per minute
per API key, default 6000; 0 turns it off), `SANCTUM_MAX_AGE_<SOURCE>` (days),
`SANCTUM_API_OPEN=1` (no auth; for `sanctum serve --open` with several workers).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

import sanctum
from sanctum import audit, catalog, config, search, settings
from sanctum.api import freshness, reconcile
from sanctum.api.problems import BodyLimit, Problem, install, install_openapi, problems
from sanctum.api.ratelimit import RateLimiter, retry_after
from sanctum.crypto import InvalidAddress
from sanctum.errors import SanctumError
from sanctum.index import load_or_build
from sanctum.keys import ApiKey, Verifier
from sanctum.match.query import QueryError
from sanctum.match.score import MATCHER_VERSION
from sanctum.runtime import tune_gc
from sanctum.screen import Match, Screener, Screening
from sanctum.sources import registry
from sanctum.store.db import Store

if TYPE_CHECKING:  # fetching (and the parsers with it) loads with the first update
    from sanctum.fetch import UpdateReport

log = logging.getLogger("sanctum.api")

OPEN_KEY = ApiKey(0, "open mode", ("admin",), False, "")


# -- request bodies -------------------------------------------------------------------


class EntityQuery(BaseModel):
    """One query in the yente shape: a schema and FtM properties."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field("Thing", alias="schema", description="Person, Organization, ...")
    properties: dict[str, list[str] | str] = Field(default_factory=dict)

    def as_query(self) -> dict[str, Any]:
        """The FtM-shaped dict the Screener reads."""
        return {"schema": self.schema_, "properties": self.properties}


class MatchRequest(BaseModel):
    """The yente `/match` request body."""

    queries: dict[str, EntityQuery]


class AddressRequest(BaseModel):
    """A batch of wallet addresses, optionally of one stated currency."""

    addresses: list[str]
    currency: str | None = None


class SearchResult(BaseModel):
    """One party found by `/search` (yente's result shape, with the name that was found)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]
    datasets: list[str]
    score: float = Field(
        description="Relevance in [0, 1]: how well the text and the name found cover each other."
    )
    matched_name: str


class Total(BaseModel):
    """How many results there are in all (yente's `total`)."""

    value: int
    relation: Literal["eq"] = "eq"


class SearchResponse(BaseModel):
    """A page of `/search` results."""

    results: list[SearchResult]
    total: Total
    limit: int
    offset: int
    list_versions: dict[str, str]


class UpdateOutcome(BaseModel):
    """What an update did for one version (or one download) of one source."""

    source: str
    status: Literal["loaded", "unchanged", "rejected", "failed"]
    label: str | None = Field(default=None, description="The version's folder or download stamp.")
    version: str | None = Field(default=None, description="The version date, when one is in force.")
    entries: int | None = None
    issues: int = 0
    message: str = ""


class UpdateResponse(BaseModel):
    """What `POST /admin/update` did."""

    mode: Literal["mirror", "web"]
    outcomes: list[UpdateOutcome]
    generation: int
    list_versions: dict[str, str]


class Readiness(BaseModel):
    """Whether the service can screen: lists loaded and fresh."""

    status: Literal["ready", "not ready"]
    reasons: list[str]
    sources: list[dict[str, Any]]


# -- state ----------------------------------------------------------------------------


class ApiState:
    """What the handlers share: the store, the key verifier and the screener."""

    def __init__(self, store_path: Path, open_mode: bool) -> None:
        self.store = Store(store_path)
        self.index_path = store_path.parent / "index.pickle"
        self.open_mode = open_mode
        self.verifier = Verifier(self.store)
        self.stale_check = freshness.StaleCheck(self.store)
        self.max_queries = settings.max_queries()
        self.max_name = settings.max_name()
        self.limiter = RateLimiter(settings.rate_limit())
        self.update_lock = threading.Lock()
        self._updating = False
        self._screener: Screener | None = None

    def screener(self) -> Screener:
        """The screener over the versions in force (rebuilt when a new version lands).

        While an update runs, the index of before the update keeps serving, so no request
        sees a half-updated set of lists; the update swaps in the new index when done."""
        current = self._screener
        if current is not None and self._updating:
            return current
        if current is None or current.index.generation != self.store.generation():
            index = load_or_build(self.store, self.index_path)
            self._screener = current = Screener(self.store, index)
        return current

    def run_update(self, sources: list[str], force: bool) -> tuple[UpdateReport, int]:
        """Pull new list versions (mirror or web) on a connection of its own, then build
        the index of the new generation; returns the report and that generation. Runs in
        a worker thread, one update at a time (the caller holds `update_lock`)."""
        store = Store(self.store.path)
        self._updating = True
        try:
            from sanctum.fetch import update_sources

            report = update_sources(store, sources, settings.mirror(), force=force, workers=1)
            generation = store.generation()
            current = self._screener
            if current is None or current.index.generation != generation:
                index = load_or_build(store, self.index_path)
                self._screener = Screener(self.store, index)
            return report, generation
        finally:
            self._updating = False
            store.close()

    def check_batch(self, count: int, field: str) -> None:
        """422 for a request carrying more than `max_queries` items in `field`."""
        if count > self.max_queries:
            raise Problem(422, f"{count} {field}; at most {self.max_queries} per request", field)

    def require_lists(self) -> list[str]:
        """The loaded sources; 503 when there are none (never an empty 'no match')."""
        loaded = self.store.source_ids()
        if not loaded:
            raise Problem(503, "no sanctions list is loaded: nothing can be screened")
        return loaded


def actor(key: ApiKey) -> str:
    """Who the audit trail names: the key's id, or `open` in open mode."""
    return str(key.id) if key.id else "open"


def _state(request: Request) -> ApiState:
    state: ApiState = request.app.state.sanctum
    return state


def _presented_key(request: Request, in_query: bool = False) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    found = request.headers.get("x-api-key")
    if not found and in_query:
        found = request.query_params.get("api_key")
    return found or None


def _within_rate(state: ApiState, key: ApiKey) -> ApiKey:
    """The key, if its bucket has a token left; else 429 saying when to come back."""
    wait = state.limiter.take(key.id)
    if wait > 0:
        raise Problem(
            429,
            f"more than {state.limiter.per_minute} requests a minute with this API key",
            None,
            headers={"Retry-After": retry_after(wait)},
        )
    return key


def require(scope: str, in_query: bool = False) -> Any:
    """A dependency: the caller's API key, which must carry `scope` (admin carries all),
    within its rate limit. `in_query`: the key may also come as `?api_key=` (for clients
    that cannot set headers, such as OpenRefine)."""

    async def dependency(request: Request) -> ApiKey:
        state = _state(request)
        if state.open_mode:
            return _within_rate(state, OPEN_KEY)
        challenge = {"WWW-Authenticate": "Bearer"}
        text = _presented_key(request, in_query)
        if text is None:
            raise Problem(
                401,
                "an API key is required (Authorization: Bearer <key>, or X-API-Key)",
                "authorization",
                headers=challenge,
            )
        key = state.verifier.verify(text)
        if key is None:
            raise Problem(
                401, "unknown, wrong or revoked API key", "authorization", headers=challenge
            )
        if not key.allows(scope):
            raise Problem(403, f"this API key lacks the {scope!r} scope", "authorization")
        return _within_rate(state, key)

    return dependency


ReadKey = Annotated[ApiKey, Depends(require("read"))]
ScreenKey = Annotated[ApiKey, Depends(require("screen"))]
AdminKey = Annotated[ApiKey, Depends(require("admin"))]
ReconcileKey = Annotated[ApiKey, Depends(require("screen", in_query=True))]
Dataset = Annotated[
    str,
    PathParam(
        description="A source id (e.g. us_ofac_sdn, un_sc), or `default` for every list.",
        examples=["default", "us_ofac_sdn", "un_sc"],
    ),
]
KEYED = (401, 403, 429)
"""Statuses every keyed route may answer."""


# -- shaping --------------------------------------------------------------------------


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


def covered_sources(
    loaded: list[str], dataset: str, include: list[str] | None, exclude: list[str] | None
) -> set[str]:
    """The sources a /match request screens against."""
    if dataset == "default":
        wanted = set(loaded)
    elif dataset in loaded:
        wanted = {dataset}
    elif dataset in registry.SOURCES:
        raise Problem(503, f"list {dataset!r} is not loaded: nothing can be screened", "dataset")
    else:
        raise Problem(404, f"unknown dataset {dataset!r}; use 'default' or a source id", "dataset")
    for name, given in (("include_dataset", include), ("exclude_dataset", exclude)):
        unknown = sorted({d for d in given or () if d and d not in registry.SOURCES})
        if unknown:
            raise Problem(422, f"unknown dataset(s) {', '.join(unknown)}", name)
    include = [d for d in include or () if d]
    if include:
        wanted &= set(include)
    wanted -= set(exclude or ())
    if not wanted:
        raise Problem(503, "no loaded list is left to screen against", "include_dataset")
    return wanted


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


def fail_closed(state: ApiState, sources: set[str], strict: bool) -> list[str]:
    """The stale sources of this request; 503 instead when the caller asked for strict."""
    stale = state.stale_check.stale(sources)
    if stale and strict:
        raise Problem(
            503,
            f"stale list(s) {', '.join(stale)}: a result could be read as clear",
            "strict",
            stale=stale,
        )
    return stale


# -- the app --------------------------------------------------------------------------


LOAD_STATUS: dict[str, Literal["loaded", "unchanged", "rejected"]] = {
    "loaded": "loaded",
    "unchanged": "unchanged",
    "rejected": "rejected",
}


def update_outcomes(report: UpdateReport) -> list[UpdateOutcome]:
    """Per source: what the download gave (web) and what happened to each version."""
    out = [
        UpdateOutcome(
            source=f.source,
            status="failed" if f.status == "failed" else "unchanged",
            message=f.message or "not modified since the last download",
        )
        for f in report.fetched
        if f.status != "changed"
    ]
    for o in report.outcomes:
        kept = o.info is not None and o.status != "rejected"
        out.append(
            UpdateOutcome(
                source=o.version.source,
                status=LOAD_STATUS.get(o.status, "rejected"),
                label=o.version.label,
                version=o.info.version_date if kept and o.info else None,
                entries=o.info.parties if kept and o.info else None,
                issues=len(o.issues),
                message=o.message,
            )
        )
    return out


def create_app(store_path: Path | None = None, open_mode: bool = False) -> FastAPI:
    """The API over the store at `store_path` (default: the configured store)."""
    state = ApiState(store_path or settings.database_path(), open_mode)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if open_mode:
            log.warning("OPEN MODE: the API answers without API keys; for local use only")
        if state.store.source_ids():
            state.screener()
        with tune_gc(), state.store.checkpoints_in_background():
            yield
        state.store.close()

    app = FastAPI(
        title="Sanctum",
        summary="Sanctions screening: yente-compatible /match, with keys, audit and freshness.",
        version=sanctum.__version__,
        lifespan=lifespan,
    )
    app.state.sanctum = state
    install(app)
    install_openapi(app, reconcile.openapi_schemas())
    app.add_middleware(BodyLimit, limit=settings.max_body())

    @app.get("/healthz", tags=["system"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["system"],
        response_model=None,
        responses={
            200: {"model": Readiness, "description": "Ready"},
            503: {"model": Readiness, "description": "Not ready, with the reasons"},
        },
    )
    async def readyz() -> JSONResponse:
        """200 when lists are loaded and every one is younger than its max age, else 503."""
        states = freshness.states(state.store)
        reasons = [s["reason"] for s in states if s["stale"]]
        if not states:
            reasons = ["no sanctions list is loaded"]
        body = {"status": "not ready" if reasons else "ready", "reasons": reasons}
        return JSONResponse({**body, "sources": states}, 503 if reasons else 200)

    @app.get("/catalog", tags=["read"], responses=problems(*KEYED))
    async def get_catalog(_key: ReadKey) -> dict[str, Any]:
        """Sources in force: versions, publication dates, hashes, counts, age."""
        summary = catalog.sources_summary(state.store)
        fresh = {s["source"]: s for s in freshness.states(state.store)}
        for item in summary:
            item["freshness"] = fresh.get(item["source"])
        return {"sources": summary}

    @app.get("/entities/{entity_id}", tags=["read"], responses=problems(*KEYED, 404))
    async def get_entity(entity_id: str, _key: ReadKey) -> dict[str, Any]:
        """An entity: properties, designations, links, relations, first and last seen."""
        try:
            return catalog.entity_view(state.store, entity_id)
        except SanctumError as exc:
            raise Problem(404, str(exc), "id") from exc

    @app.get("/diff", tags=["read"], responses=problems(*KEYED, 404, 422))
    async def get_diff(
        source: str,
        day_from: Annotated[date, Query(alias="from")],
        day_to: Annotated[date, Query(alias="to")],
        _key: ReadKey,
    ) -> dict[str, Any]:
        """Entries added, removed and changed between the versions in force on two days."""
        try:
            return catalog.diff_view(state.store, source, day_from.isoformat(), day_to.isoformat())
        except SanctumError as exc:
            raise Problem(404, str(exc), "source") from exc

    @app.get(
        "/search/{dataset}",
        tags=["read"],
        response_model=SearchResponse,
        responses=problems(*KEYED, 404, 422, 503),
    )
    async def search_entities(
        dataset: Dataset,
        key: ReadKey,
        q: Annotated[
            str,
            Query(
                min_length=1,
                description="Free text: a name or part of one, in any script or spelling "
                "(at most SANCTUM_MAX_NAME characters, default 500).",
            ),
        ],
        schema: Annotated[
            list[str] | None, Query(description="Only these schemata (and their descendants).")
        ] = None,
        country: Annotated[
            list[str] | None, Query(description="Only parties linked to these countries.")
        ] = None,
        program: Annotated[
            list[str] | None, Query(description="Only parties under these sanction programs.")
        ] = None,
        source: Annotated[list[str] | None, Query(description="Only these sources.")] = None,
        limit: Annotated[int, Query(ge=1, le=config.MAX_LIMIT)] = 10,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    ) -> dict[str, Any]:
        """Free-text search over the names of every listed party, with filters; `dataset` is
        a source id or `default` (all). Every word must be met by one name of the party
        (spelling variants, romanizations and Hangul included); best relevance first."""
        if len(q) > state.max_name:
            raise Problem(422, f"q: longer than {state.max_name} characters", "q")
        sources = covered_sources(state.require_lists(), dataset, None, None)
        if source:
            unknown = sorted(set(source) - set(registry.SOURCES))
            if unknown:
                raise Problem(422, f"unknown source(s) {', '.join(unknown)}", "source")
            sources &= set(source)
        try:
            filters = search.make_filters(schema or (), country or (), program or (), sources)
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

    @app.post("/match/{dataset}", tags=["screen"], responses=problems(*KEYED, 400, 404, 413, 503))
    async def match(
        dataset: Dataset,
        body: MatchRequest,
        key: ScreenKey,
        threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        limit: Annotated[int, Query(ge=1, le=config.MAX_LIMIT)] = 5,
        algorithm: str | None = None,
        cutoff: Annotated[
            float | None,
            Query(
                ge=0.0,
                le=1.0,
                description="Results scoring below this are not returned at all (as yente; "
                f"default {config.MATCH_CUTOFF}, never above the threshold).",
            ),
        ] = None,
        include_dataset: Annotated[list[str] | None, Query()] = None,
        exclude_dataset: Annotated[list[str] | None, Query()] = None,
        changed_since: Annotated[
            date | None,
            Query(description="Only results whose entry changed on or after this day."),
        ] = None,
        strict: bool = False,
    ) -> dict[str, Any]:
        """Screen a batch of queries (yente request and response shape)."""
        state.check_batch(len(body.queries), "queries")
        for name, item in body.queries.items():
            check_lengths(name, item.properties, state.max_name)
        sources = covered_sources(state.require_lists(), dataset, include_dataset, exclude_dataset)
        stale = fail_closed(state, sources, strict or key.strict)
        screener = state.screener()
        screenings = {}
        wanted = config.MAX_LIMIT if changed_since else limit
        floor = config.MATCH_CUTOFF if cutoff is None else cutoff  # the screener caps it
        queries = {name: item.as_query() for name, item in body.queries.items()}
        for name, query in queries.items():
            try:
                screenings[name] = screener.screen(
                    query, threshold, wanted, algorithm, sources, min_score=floor
                )
            except QueryError as exc:
                field = exc.field if exc.field == "algorithm" else f"queries.{name}.{exc.field}"
                raise Problem(422, str(exc), field) from exc
        changes = (
            changed_since_only(state.store, screenings, changed_since, limit)
            if changed_since
            else {}
        )
        audited = []
        responses = {}
        versions: dict[str, str] = {}
        for name, screening in screenings.items():
            query = queries[name]
            audited.append(
                (
                    {**query, "changed_since": changed_since.isoformat()}
                    if changed_since
                    else query,
                    screening,
                )
            )
            versions = {s: v for s, v in screening.list_versions.items() if s in sources}
            results = [result_json(screener, r) for r in screening.results]
            if changed_since:
                for result in results:
                    result["last_change"] = changes.get(result["id"])
            responses[name] = {
                "status": 200,
                "results": results,
                "total": {"value": len(results), "relation": "eq"},
                "query": query,
            }
        audit.record_screenings(state.store, actor(key), audited)
        return {
            "responses": responses,
            "limit": limit,
            "matcher_version": MATCHER_VERSION,
            "list_versions": versions or {s: screener.index.versions.get(s) for s in sources},
            "stale": stale,
        }

    @app.post("/screen/addresses", tags=["screen"], responses=problems(*KEYED, 400, 413, 503))
    async def screen_addresses(
        body: AddressRequest, key: ScreenKey, strict: bool = False
    ) -> dict[str, Any]:
        """Who holds each wallet address; an invalid address is reported in its item."""
        state.check_batch(len(body.addresses), "addresses")
        loaded = set(state.require_lists())
        stale = fail_closed(state, loaded, strict or key.strict)
        screener = state.screener()
        items: list[dict[str, Any]] = []
        audited: list[audit.Entry] = []
        for n, address in enumerate(body.addresses):
            try:
                found = screener.screen_address(address, body.currency)
            except InvalidAddress as exc:
                items.append(
                    {
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
                )
                continue
            hits = [
                {"id": m["holder_id"], "wallet_id": m["wallet_id"], "score": 1.0, "match": True}
                for m in found["matches"]
            ]
            audited.append(
                audit.Entry(
                    "address",
                    {"address": address, "currency": body.currency},
                    found["list_versions"],
                    MATCHER_VERSION,
                    "address",
                    hits,
                )
            )
            items.append({"status": 200, **found})
        audit.append_many(state.store, actor(key), audited)
        return {"responses": items, "stale": stale, "matcher_version": MATCHER_VERSION}

    def reconcile_answers(
        dataset: Dataset,
        batch: reconcile.ReconcileBatch,
        key: ApiKey,
        strict: bool,
        response: Response,
    ) -> dict[str, reconcile.Answer]:
        """Screen a reconciliation batch: one audited screening per query."""
        state.check_batch(len(batch.queries), "queries")
        asked = {k: reconcile.to_screening(k, q, state.max_name) for k, q in batch.queries.items()}
        sources = covered_sources(state.require_lists(), dataset, None, None)
        stale = fail_closed(state, sources, strict or key.strict)
        screener = state.screener()
        screenings: dict[str, Screening] = {}
        for k, q in batch.queries.items():
            limit = q.limit or reconcile.DEFAULT_LIMIT
            try:
                screenings[k] = screener.screen(asked[k], None, limit, None, sources)
            except QueryError as exc:
                raise Problem(422, str(exc), reconcile.error_field(k, q, exc)) from exc
        audit.record_screenings(
            state.store,
            actor(key),
            [(asked[k], s) for k, s in screenings.items()],
            kind="reconcile",
        )
        if stale:
            response.headers["X-Sanctum-Stale"] = ",".join(stale)
        return {
            k: reconcile.Answer(result=[reconcile.candidate(m) for m in s.results])
            for k, s in screenings.items()
        }

    @app.get(
        "/reconcile/{dataset}",
        tags=["reconcile"],
        response_model=reconcile.Manifest | dict[str, reconcile.Answer],
        responses=problems(*KEYED, 400, 404, 503),
        openapi_extra={"parameters": [reconcile.QUERIES_PARAMETER]},
    )
    async def reconcile_get(
        dataset: Dataset,
        request: Request,
        key: ReconcileKey,
        response: Response,
        strict: bool = False,
        api_key: Annotated[str | None, Query(description=reconcile.API_KEY_PARAMETER)] = None,
    ) -> reconcile.Manifest | dict[str, reconcile.Answer]:
        """The OpenRefine reconciliation service manifest for `dataset` (a source id or
        `default`); with `queries`, the answers to that batch."""
        queries = request.query_params.get("queries")
        if queries is not None:
            batch = reconcile.from_queries_text(queries)
            return reconcile_answers(dataset, batch, key, strict, response)
        covered_sources(state.require_lists(), dataset, None, None)
        title = "all lists" if dataset == "default" else registry.get(dataset).title
        return reconcile.manifest(str(request.base_url), dataset, title)

    @app.post(
        "/reconcile/{dataset}",
        tags=["reconcile"],
        response_model=dict[str, reconcile.Answer],
        responses=problems(*KEYED, 400, 404, 413, 415, 503),
        openapi_extra={"requestBody": reconcile.REQUEST_BODY},
    )
    async def reconcile_post(
        dataset: Dataset,
        request: Request,
        key: ReconcileKey,
        response: Response,
        strict: bool = False,
        api_key: Annotated[str | None, Query(description=reconcile.API_KEY_PARAMETER)] = None,
    ) -> dict[str, reconcile.Answer]:
        """Reconcile a batch of queries (OpenRefine's form field `queries=<json>`, or a JSON
        body `{"queries": {...}}`): candidates with a 0-100 score and a match flag."""
        body = await request.body()
        batch = reconcile.read_batch(request.headers.get("content-type", ""), body)
        return reconcile_answers(dataset, batch, key, strict, response)

    @app.post(
        "/admin/update",
        tags=["admin"],
        response_model=UpdateResponse,
        responses=problems(*KEYED, 409, 503),
    )
    async def admin_update(
        _key: AdminKey,
        source: Annotated[
            list[str] | None, Query(description="Only these sources (default: all).")
        ] = None,
        force: Annotated[
            bool, Query(description="Accept a version despite an entry-count drop.")
        ] = False,
    ) -> UpdateResponse:
        """Pull new list versions: from the official URLs, or from the `SANCTUM_MIRROR`
        folder when set. Per source: loaded, unchanged, rejected (with the reason) or failed.
        Screening goes on over the previous versions until the new index is ready."""
        wanted = source or list(registry.SOURCES)
        unknown = sorted(set(wanted) - set(registry.SOURCES))
        if unknown:
            raise Problem(422, f"unknown source(s) {', '.join(unknown)}", "source")
        if not state.update_lock.acquire(blocking=False):
            raise Problem(409, "an update is already running; try again when it is done")
        try:
            report, generation = await asyncio.to_thread(state.run_update, wanted, force)
        except (SanctumError, OSError, sqlite3.Error) as exc:
            raise Problem(503, f"the update could not run: {exc}") from exc
        finally:
            state.update_lock.release()
        versions = state.screener().index.versions
        return UpdateResponse(
            mode="mirror" if report.mode == "mirror" else "web",
            outcomes=update_outcomes(report),
            generation=generation,
            list_versions=dict(versions),
        )

    return app


def app_from_env() -> FastAPI:
    """The app for `uvicorn --factory` (workers): store from settings, open mode from
    `SANCTUM_API_OPEN=1`."""
    return create_app(None, settings.api_open())
