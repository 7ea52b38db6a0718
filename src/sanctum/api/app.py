"""The HTTP API: yente-compatible `/match`, search, catalog, entities, diffs, wallet
screening, OpenRefine reconciliation and list updates.

One router per area (`api/routers/`), the shared state, key check and audit actor in
`api/deps.py`, request and response models in `api/models.py`. Routes are thin: they parse,
call one function of the layer below (`api.screening`, the catalog, `sanctum.search`,
`api.reconcile`), and shape the answer. Handlers are `async` so every store access runs on
the event loop's one thread (the store is one SQLite connection); a list update runs in a
worker thread on its own connection.

Settings (environment): `SANCTUM_MAX_QUERIES` (queries per request, default 100),
`SANCTUM_MAX_BODY` (request body bytes, default 2 MiB), `SANCTUM_MAX_NAME` (characters
per name or other query value, default 500), `SANCTUM_RATE_LIMIT` (requests per minute
per API key, default 6000; 0 turns it off), `SANCTUM_MAX_AGE_<SOURCE>` (days),
`SANCTUM_API_OPEN=1` (no auth; for `sanctum serve --open` with several workers).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

import sanctum
from sanctum import audit, settings
from sanctum.api import entities as api_entities
from sanctum.api import reconcile
from sanctum.api.cors import ReconcileCors
from sanctum.api.deps import ApiState
from sanctum.api.problems import BodyLimit, install, install_openapi
from sanctum.api.routers import (
    addresses,
    admin,
    alerts,
    docs,
    entities,
    health,
    match,
    monitoring,
)
from sanctum.api.routers import reconcile as reconcile_routes
from sanctum.monitor import webhooks
from sanctum.names import japanese
from sanctum.runtime import tune_gc

log = logging.getLogger("sanctum.api")

ROUTERS = (health, entities, match, addresses, reconcile_routes, admin, monitoring, alerts, docs)
"""Every area's router module, in the order their routes are listed."""


def lifespan_of(state: ApiState) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start-up and shut-down: warn in open mode, repair derived data a crashed load left
    behind, build the index and read FtM's model and the Japanese dictionaries before the
    first request, tune the
    collector, checkpoint the store, deliver webhooks and sign the audit chain's head in
    the background (and at shut-down)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if state.open_mode:
            log.warning("OPEN MODE: the API answers without API keys; for local use only")
        state.store.repair_derived()  # a load that crashed before deriving its links
        if state.store.source_ids():
            state.screener()
        api_entities.load_ftm()
        japanese.load_dictionary()
        deliveries = webhooks.run_in_background(state.store.path)
        checkpoints = audit.Checkpointer(state.store.path)
        with tune_gc(), state.store.checkpoints_in_background(), checkpoints:
            yield
        deliveries.set()
        state.store.close()

    return lifespan


def create_app(store_path: Path | None = None, open_mode: bool = False) -> FastAPI:
    """The API over the store at `store_path` (default: the configured store)."""
    state = ApiState(store_path or settings.database_path(), open_mode)
    app = FastAPI(
        title="Sanctum",
        summary="Sanctions screening: yente-compatible /match, with keys, audit and freshness.",
        version=sanctum.__version__,
        lifespan=lifespan_of(state),
        docs_url=None,  # served by routers/docs.py, with assets from the package, no CDN
        redoc_url=None,
    )
    app.state.sanctum = state
    install(app)
    install_openapi(app, reconcile.openapi_schemas())
    app.add_middleware(BodyLimit, limit=settings.max_body())
    app.add_middleware(ReconcileCors)
    for module in ROUTERS:
        app.include_router(module.router)
    return app


def app_from_env() -> FastAPI:
    """The app for `uvicorn --factory` (workers): store from settings, open mode from
    `SANCTUM_API_OPEN=1`."""
    return create_app(None, settings.api_open())
