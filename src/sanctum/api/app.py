"""The HTTP API: yente-compatible `/match`, catalog, entities, diffs and wallet screening.

Routes are thin: screening is the Screener's, read models are the catalog's, the audit
trail is audit's. Handlers are `async` so every store access runs on the event loop's
one thread (the store is one SQLite connection).

Settings (environment): `SANCTUM_MAX_QUERIES` (queries per /match request, default 100),
`SANCTUM_MAX_BODY` (request body bytes, default 2 MiB), `SANCTUM_MAX_AGE_<SOURCE>` (days),
`SANCTUM_API_OPEN=1` (no auth; for `sanctum serve --open` with several workers).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sanctum import audit, catalog, settings
from sanctum.api import freshness
from sanctum.api.keys import ApiKey, Verifier
from sanctum.api.problems import BodyLimit, Problem, install
from sanctum.crypto import InvalidAddress
from sanctum.errors import SanctumError
from sanctum.index import load_or_build
from sanctum.match.query import QueryError
from sanctum.match.score import MATCHER_VERSION
from sanctum.screen import Match, Screener
from sanctum.sources import registry
from sanctum.store.db import Store

log = logging.getLogger("sanctum.api")

OPEN_KEY = ApiKey(0, "open mode", ("admin",), False, "")
NAME_KINDS = {"name": "name", "alias": "alias", "weak": "weakAlias", "previous": "previousName"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() else default


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


# -- state ----------------------------------------------------------------------------


class ApiState:
    """What the handlers share: the store, the key verifier and the screener."""

    def __init__(self, store_path: Path, open_mode: bool) -> None:
        self.store = Store(store_path)
        self.index_path = store_path.parent / "index.pickle"
        self.open_mode = open_mode
        self.verifier = Verifier(self.store)
        self.max_queries = _env_int("SANCTUM_MAX_QUERIES", 100)
        self._screener: Screener | None = None

    def screener(self) -> Screener:
        """The screener over the versions in force (rebuilt when a new version lands)."""
        current = self._screener
        if current is None or current.index.generation != self.store.generation():
            index = load_or_build(self.store, self.index_path)
            self._screener = current = Screener(self.store, index)
        return current

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


def _presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key") or None


def require(scope: str) -> Any:
    """A dependency: the caller's API key, which must carry `scope` (admin carries all)."""

    async def dependency(request: Request) -> ApiKey:
        state = _state(request)
        if state.open_mode:
            return OPEN_KEY
        challenge = {"WWW-Authenticate": "Bearer"}
        text = _presented_key(request)
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
        return key

    return dependency


ReadKey = Annotated[ApiKey, Depends(require("read"))]
ScreenKey = Annotated[ApiKey, Depends(require("screen"))]


# -- shaping --------------------------------------------------------------------------


def result_json(screener: Screener, match: Match) -> dict[str, Any]:
    """One yente-shaped result, with Sanctum's explanation."""
    entry = screener.index.entries[screener.index.entry_by_id[match.id]]
    props: dict[str, list[str]] = {}
    for rec in screener.names_of(entry):
        if rec.kind in NAME_KINDS:
            props.setdefault(NAME_KINDS[rec.kind], []).append(rec.text)
    for prop, values in (
        ("birthDate", entry.birth_dates),
        ("country", entry.countries),
        ("gender", entry.gender),
    ):
        if values:
            props[prop] = sorted(values)
    return {
        "id": match.id,
        "caption": match.caption,
        "schema": match.schema,
        "properties": {k: list(dict.fromkeys(v)) for k, v in props.items()},
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
    if include:
        wanted &= set(include)
    wanted -= set(exclude or ())
    if not wanted:
        raise Problem(503, "no loaded list is left to screen against", "include_dataset")
    return wanted


def fail_closed(state: ApiState, sources: set[str], strict: bool) -> list[str]:
    """The stale sources of this request; 503 instead when the caller asked for strict."""
    stale = freshness.stale(state.store, sources)
    if stale and strict:
        raise Problem(
            503,
            f"stale list(s) {', '.join(stale)}: a result could be read as clear",
            "strict",
            stale=stale,
        )
    return stale


# -- the app --------------------------------------------------------------------------


def create_app(store_path: Path | None = None, open_mode: bool = False) -> FastAPI:
    """The API over the store at `store_path` (default: the configured store)."""
    state = ApiState(store_path or settings.database_path(), open_mode)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if open_mode:
            log.warning("OPEN MODE: the API answers without API keys; for local use only")
        if state.store.source_ids():
            state.screener()
        yield
        state.store.close()

    app = FastAPI(
        title="Sanctum",
        summary="Sanctions screening: yente-compatible /match, with keys, audit and freshness.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.sanctum = state
    install(app)
    app.add_middleware(BodyLimit, limit=_env_int("SANCTUM_MAX_BODY", 2 * 1024 * 1024))

    @app.get("/healthz", tags=["system"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["system"])
    async def readyz() -> JSONResponse:
        """200 when lists are loaded and every one is younger than its max age, else 503."""
        states = freshness.states(state.store)
        reasons = [s["reason"] for s in states if s["stale"]]
        if not states:
            reasons = ["no sanctions list is loaded"]
        body = {"status": "not ready" if reasons else "ready", "reasons": reasons}
        return JSONResponse({**body, "sources": states}, 503 if reasons else 200)

    @app.get("/catalog", tags=["read"])
    async def get_catalog(_key: ReadKey) -> dict[str, Any]:
        """Sources in force: versions, publication dates, hashes, counts, age."""
        summary = catalog.sources_summary(state.store)
        fresh = {s["source"]: s for s in freshness.states(state.store)}
        for item in summary:
            item["freshness"] = fresh.get(item["source"])
        return {"sources": summary}

    @app.get("/entities/{entity_id}", tags=["read"])
    async def get_entity(entity_id: str, _key: ReadKey) -> dict[str, Any]:
        """An entity: properties, designations, links, relations, first and last seen."""
        try:
            return catalog.entity_view(state.store, entity_id)
        except SanctumError as exc:
            raise Problem(404, str(exc), "id") from exc

    @app.get("/diff", tags=["read"])
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

    @app.post("/match/{dataset}", tags=["screen"])
    async def match(
        dataset: str,
        body: MatchRequest,
        key: ScreenKey,
        threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 5,
        algorithm: str | None = None,
        include_dataset: Annotated[list[str] | None, Query()] = None,
        exclude_dataset: Annotated[list[str] | None, Query()] = None,
        strict: bool = False,
    ) -> dict[str, Any]:
        """Screen a batch of queries (yente request and response shape)."""
        if len(body.queries) > state.max_queries:
            raise Problem(
                422,
                f"{len(body.queries)} queries; at most {state.max_queries} per request",
                "queries",
            )
        sources = covered_sources(state.require_lists(), dataset, include_dataset, exclude_dataset)
        stale = fail_closed(state, sources, strict or key.strict)
        screener = state.screener()
        screenings = {}
        for name, item in body.queries.items():
            try:
                screenings[name] = screener.screen(
                    item.as_query(), threshold, limit, algorithm, sources
                )
            except QueryError as exc:
                field = exc.field if exc.field == "algorithm" else f"queries.{name}.{exc.field}"
                raise Problem(422, str(exc), field) from exc
        responses = {}
        versions: dict[str, str] = {}
        for name, screening in screenings.items():
            query = body.queries[name].as_query()
            audit.record_screening(state.store, actor(key), query, screening)
            versions = {s: v for s, v in screening.list_versions.items() if s in sources}
            results = [result_json(screener, r) for r in screening.results]
            responses[name] = {
                "status": 200,
                "results": results,
                "total": {"value": len(results), "relation": "eq"},
                "query": query,
            }
        return {
            "responses": responses,
            "limit": limit,
            "matcher_version": MATCHER_VERSION,
            "list_versions": versions or {s: screener.index.versions.get(s) for s in sources},
            "stale": stale,
        }

    @app.post("/screen/addresses", tags=["screen"])
    async def screen_addresses(
        body: AddressRequest, key: ScreenKey, strict: bool = False
    ) -> dict[str, Any]:
        """Who holds each wallet address; an invalid address is reported in its item."""
        if len(body.addresses) > state.max_queries:
            raise Problem(
                422,
                f"{len(body.addresses)} addresses; at most {state.max_queries} per request",
                "addresses",
            )
        loaded = set(state.require_lists())
        stale = fail_closed(state, loaded, strict or key.strict)
        screener = state.screener()
        items: list[dict[str, Any]] = []
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
            audit.append(
                state.store,
                actor(key),
                "address",
                {"address": address, "currency": body.currency},
                found["list_versions"],
                MATCHER_VERSION,
                "address",
                hits,
            )
            items.append({"status": 200, **found})
        return {"responses": items, "stale": stale, "matcher_version": MATCHER_VERSION}

    return app


def app_from_env() -> FastAPI:
    """The app for `uvicorn --factory` (workers): store from settings, open mode from
    `SANCTUM_API_OPEN=1`."""
    return create_app(None, os.environ.get("SANCTUM_API_OPEN") == "1")
