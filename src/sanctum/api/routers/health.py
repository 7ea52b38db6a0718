"""Liveness and readiness: open routes, no key."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from sanctum import freshness
from sanctum.api.deps import State
from sanctum.api.models import Health, Readiness

router = APIRouter(tags=["system"])


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=None,
    responses={
        200: {"model": Readiness, "description": "Ready"},
        503: {"model": Readiness, "description": "Not ready, with the reasons"},
    },
)
async def readyz(state: State) -> JSONResponse:
    """200 when lists are loaded and every one is younger than its max age, else 503."""
    states = freshness.states(state.store)
    reasons = [s["reason"] for s in states if s["stale"]]
    if not states:
        reasons = ["no sanctions list is loaded"]
    body = {"status": "not ready" if reasons else "ready", "reasons": reasons}
    return JSONResponse({**body, "sources": states}, 503 if reasons else 200)
