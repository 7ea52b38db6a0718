"""Read routes over the store: the catalog of sources, one entity, a diff of versions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from sanctum import catalog, freshness
from sanctum.api.deps import KEYED, ReadKey, State
from sanctum.api.models import Catalog, Diff, EntityView
from sanctum.api.problems import Problem, problems
from sanctum.errors import SanctumError

router = APIRouter(tags=["read"])


@router.get("/catalog", response_model=Catalog, responses=problems(*KEYED))
async def get_catalog(state: State, _key: ReadKey) -> dict[str, Any]:
    """Sources in force: versions, publication dates, hashes, counts, age."""
    summary = catalog.sources_summary(state.store)
    fresh = {s["source"]: s for s in freshness.states(state.store)}
    for item in summary:
        item["freshness"] = fresh.get(item["source"])
    return {"sources": summary}


@router.get("/entities/{entity_id}", response_model=EntityView, responses=problems(*KEYED, 404))
async def get_entity(entity_id: str, state: State, _key: ReadKey) -> dict[str, Any]:
    """An entity: properties, designations, links, relations, first and last seen."""
    try:
        return catalog.entity_view(state.store, entity_id)
    except SanctumError as exc:
        raise Problem(404, str(exc), "id") from exc


@router.get("/diff", response_model=Diff, responses=problems(*KEYED, 404, 422))
async def get_diff(
    source: str,
    day_from: Annotated[date, Query(alias="from")],
    day_to: Annotated[date, Query(alias="to")],
    state: State,
    _key: ReadKey,
) -> dict[str, Any]:
    """Entries added, removed and changed between the versions in force on two days."""
    try:
        return catalog.diff_view(state.store, source, day_from.isoformat(), day_to.isoformat())
    except SanctumError as exc:
        raise Problem(404, str(exc), "source") from exc
