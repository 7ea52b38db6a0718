"""Administration: pulling new list versions while the previous ones keep serving."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Query

from sanctum.api.deps import KEYED, AdminKey, State
from sanctum.api.models import UpdateOutcome, UpdateResponse
from sanctum.api.problems import Problem, problems
from sanctum.errors import SanctumError
from sanctum.sources import registry

if TYPE_CHECKING:  # fetching (and the parsers with it) loads with the first update
    from sanctum.fetch import UpdateReport

router = APIRouter(tags=["admin"])

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


@router.post("/admin/update", response_model=UpdateResponse, responses=problems(*KEYED, 409, 503))
async def admin_update(
    _key: AdminKey,
    state: State,
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
    return UpdateResponse(
        mode="mirror" if report.mode == "mirror" else "web",
        outcomes=update_outcomes(report),
        generation=generation,
        list_versions=dict(state.screener().index.versions),
    )
