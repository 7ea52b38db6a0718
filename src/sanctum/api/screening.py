"""Wallet screening for the HTTP routes: a batch of addresses checked, screened, audited
and shaped for its answer; and the rule that moves a large screening off the event loop
(`/match` is `api.matching`'s, search `api.searching`'s, reconciliation `api.refine`'s).

The routes parse the request and call one function here; the screening itself is the
Screener's and the audit trail audit's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sanctum import audit
from sanctum.api.deps import ApiState, actor
from sanctum.crypto import InvalidAddress
from sanctum.match.score import MATCHER_VERSION
from sanctum.screen import Screener
from sanctum.store.keys import ApiKey

T = TypeVar("T")

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
