"""Read routes over the store: the catalog of sources, one entity, a diff of versions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse

from sanctum import catalog
from sanctum.api.deps import KEYED, ReadKey, State
from sanctum.api.entities import catalog_view, entity_response
from sanctum.api.models import Catalog, Diff, EntityView
from sanctum.api.problems import Problem, problems
from sanctum.errors import SanctumError

router = APIRouter(tags=["read"])


@router.get("/catalog", response_model=Catalog, responses=problems(*KEYED))
async def get_catalog(state: State, _key: ReadKey) -> dict[str, Any]:
    """Datasets (sources and collections) in yente's shape, and the sources in force:
    versions, publication dates, hashes, counts, age, freshness."""
    return catalog_view(state)


@router.get(
    "/entities/{entity_id}",
    response_model=EntityView,
    responses={**problems(*KEYED, 404), 308: {"description": "Merged into another id"}},
)
async def get_entity(
    entity_id: str,
    state: State,
    _key: ReadKey,
    nested: Annotated[bool, Query(description="Nest adjacent entities (as yente).")] = True,
) -> Any:
    """An entity in yente's shape (adjacent entities nested), with Sanctum's view:
    designations, links, relations, first and last seen. An id the entity was merged
    from (a referent) redirects (308) to the entity."""
    try:
        return entity_response(state.store, entity_id, nested)
    except SanctumError as exc:
        canonical = state.store.canonical_id(entity_id)
        if canonical is not None:
            return RedirectResponse(f"/entities/{quote(canonical)}", status_code=308)
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
