"""What every router depends on: the shared state (store, screener, limits), the API-key
check with its scopes and rate limit, and who the audit trail names.

The state is one object on `app.state.sanctum`; routes reach it through the `State`
dependency, so a test or a background rebuild can swap the screener (and its index) in
one place (`ApiState.screener`).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi import Path as PathParam

from sanctum import audit, freshness, settings
from sanctum.api import datasets
from sanctum.api.keys import Attempt, TooManyFailures, Verifier
from sanctum.api.limits import ValueCaps
from sanctum.api.live import LiveIndex
from sanctum.api.problems import Problem
from sanctum.api.ratelimit import RateLimiter, retry_after
from sanctum.screen import Screener
from sanctum.store.db import Store
from sanctum.store.keys import ApiKey

if TYPE_CHECKING:  # fetching (and the parsers with it) loads with the first update
    from sanctum.fetch import UpdateReport

OPEN_KEY = ApiKey(0, "open mode", ("admin",), False, "")
KEYED = (401, 403, 429)
"""Statuses every keyed route may answer."""


class ApiState:
    """What the handlers share: the store, the key verifier and the screener."""

    def __init__(self, store_path: Path, open_mode: bool) -> None:
        freshness.check_settings()
        self.store = Store(store_path)
        audit.ensure(self.store)
        self.index_path = store_path.parent / "index.pickle"
        self.open_mode = open_mode
        self.verifier = Verifier(self.store)
        self.stale_check = freshness.StaleCheck(self.store)
        self.max_queries = settings.max_queries()
        self.max_name = settings.max_name()
        self.caps = ValueCaps()
        self.limiter = RateLimiter(settings.rate_limit())
        self.update_lock = threading.Lock()
        self.live = LiveIndex(self.store, self.index_path)

    def screener(self) -> Screener:
        """The screener over the versions in force; a new version's index is built in the
        background while this one goes on serving (`LiveIndex`), then swapped in whole."""
        return self.live.screener()

    def run_update(self, sources: list[str], force: bool) -> tuple[UpdateReport, int]:
        """Pull new list versions (mirror or web) on a connection of its own, then build
        the index of the new generation and swap it in; returns the report and that
        generation. Runs in a worker thread, one update at a time (the caller holds
        `update_lock`); screening goes on over the previous index meanwhile."""
        store = Store(self.store.path)
        try:
            from sanctum.fetch import update_sources

            before = self.live.screener().index.generation if self.store.source_ids() else 0
            report = update_sources(store, sources, settings.mirror(), force=force, workers=1)
            generation = store.generation()
            if generation != before:
                index = self.live.build_now(store).index
                from sanctum.monitor.run import after_load

                loaded = any(o.status == "loaded" for o in report.outcomes)
                after_load(store, loaded, "api-update", Screener(store, index))
            return report, generation
        finally:
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

    def covered_sources(self, dataset: str) -> set[str]:
        """The loaded sources a request for `dataset` (a source id or a collection, see
        `api.datasets`) covers: 404 for an unknown dataset, 503 when none is loaded."""
        return datasets.scope(dataset, self.require_lists())

    def fail_closed(self, sources: set[str], strict: bool) -> list[str]:
        """The stale sources of this request; 503 instead when the caller asked for strict."""
        stale = self.stale_check.stale(sources)
        if stale and strict:
            raise Problem(
                503,
                f"stale list(s) {', '.join(stale)}: a result could be read as clear",
                "strict",
                stale=stale,
            )
        return stale


def get_state(request: Request) -> ApiState:
    """The app's shared state."""
    state: ApiState = request.app.state.sanctum
    return state


State = Annotated[ApiState, Depends(get_state)]


def actor(key: ApiKey) -> str:
    """Who the audit trail names: the key's id, or `open` in open mode."""
    return str(key.id) if key.id else "open"


def presented_key(request: Request, in_query: bool = False) -> str | None:
    """The API key text the request carries, if any."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() in ("bearer", "apikey") and token.strip():  # ApiKey: yente's clients
        return token.strip()
    found = request.headers.get("x-api-key")
    if not found and in_query:
        found = request.query_params.get("api_key")
    return found or None


def within_rate(state: ApiState, key: ApiKey) -> ApiKey:
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


async def authorize(request: Request, scopes: tuple[str, ...], in_query: bool = False) -> ApiKey:
    """The caller's API key, which must carry one of `scopes` (admin carries all), within
    its rate limit; 401/403/429 otherwise. `in_query`: the key may also come as
    `?api_key=` (for clients that cannot set headers, such as OpenRefine)."""
    state = get_state(request)
    if state.open_mode:
        return within_rate(state, OPEN_KEY)
    challenge = {"WWW-Authenticate": "Bearer"}
    text = presented_key(request, in_query)
    if text is None:
        raise Problem(
            401,
            "an API key is required (Authorization: Bearer or ApiKey <key>, or X-API-Key)",
            "authorization",
            headers=challenge,
        )
    try:
        found = state.verifier.lookup(text, request.client.host if request.client else "")
    except TooManyFailures as exc:
        raise Problem(
            429, str(exc), "authorization", headers={"Retry-After": retry_after(exc.wait)}
        ) from exc
    # the slow hash off the event loop: other requests go on meanwhile
    key = (
        await asyncio.to_thread(state.verifier.settle, found)
        if isinstance(found, Attempt)
        else found
    )
    if key is None:
        raise Problem(401, "unknown, wrong or revoked API key", "authorization", headers=challenge)
    if not any(key.allows(scope) for scope in scopes):
        raise Problem(403, f"this API key lacks the {scopes[0]!r} scope", "authorization")
    return within_rate(state, key)


def require(*scopes: str, in_query: bool = False) -> Any:
    """A dependency: the caller's API key, carrying one of `scopes` (see `authorize`)."""

    async def dependency(request: Request) -> ApiKey:
        return await authorize(request, scopes, in_query)

    return dependency


ReadKey = Annotated[ApiKey, Depends(require("read"))]
ScreenKey = Annotated[ApiKey, Depends(require("screen"))]
AdminKey = Annotated[ApiKey, Depends(require("admin"))]
ReconcileKey = Annotated[ApiKey, Depends(require("screen", in_query=True))]
LookupKey = Annotated[ApiKey, Depends(require("screen", "read", in_query=True))]
"""Reconciliation's look-ups (suggest, preview, view): a screen or a read key."""
Dataset = Annotated[
    str,
    PathParam(
        description="A source id (e.g. us_ofac_sdn, un_sc), or a collection: `default` "
        "(every list), `sanctions` (every official list) or an authority's (see /catalog).",
        examples=["default", "us_ofac_sdn", "sanctions"],
    ),
]
