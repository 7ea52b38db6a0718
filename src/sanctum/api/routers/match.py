"""Screening and search by name: yente's `/match` and `/search`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from sanctum import config
from sanctum.api.deps import KEYED, Dataset, ReadKey, ScreenKey, State
from sanctum.api.models import MatchRequest, MatchResponse, SearchResponse
from sanctum.api.problems import problems
from sanctum.api.screening import MatchParams, SearchFilters, match_batch, search_page

router = APIRouter()

CUTOFF_HELP = (
    "Results scoring below this are not returned at all (as yente; "
    f"default {config.MATCH_CUTOFF}, never above the threshold)."
)


@router.post(
    "/match/{dataset}",
    tags=["screen"],
    response_model=MatchResponse,
    response_model_exclude_unset=True,
    responses=problems(*KEYED, 400, 404, 413, 503),
)
async def match(
    dataset: Dataset,
    body: MatchRequest,
    key: ScreenKey,
    state: State,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    limit: Annotated[int, Query(ge=1, le=config.MAX_LIMIT)] = 5,
    algorithm: str | None = None,
    cutoff: Annotated[float | None, Query(ge=0.0, le=1.0, description=CUTOFF_HELP)] = None,
    include_dataset: Annotated[list[str] | None, Query()] = None,
    exclude_dataset: Annotated[list[str] | None, Query()] = None,
    changed_since: Annotated[
        date | None,
        Query(description="Only results whose entry changed on or after this day."),
    ] = None,
    strict: bool = False,
    group: Annotated[
        Literal["party"] | None,
        Query(
            description="party: one result per listed party (its best entry, with every "
            "list and programme designating it); the limit counts parties, and "
            "`matched_parties` / `more_matched` say how many matched in all."
        ),
    ] = None,
) -> dict[str, Any]:
    """Screen a batch of queries (yente request and response shape)."""
    params = MatchParams(
        threshold,
        limit,
        algorithm,
        cutoff,
        include_dataset,
        exclude_dataset,
        changed_since,
        strict,
        group,
    )
    queries = {name: item.as_query() for name, item in body.queries.items()}
    return await match_batch(state, dataset, queries, params, key)


@router.get(
    "/search/{dataset}",
    tags=["read"],
    response_model=SearchResponse,
    responses=problems(*KEYED, 404, 422, 503),
)
async def search_entities(
    dataset: Dataset,
    key: ReadKey,
    state: State,
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
    filters = SearchFilters(schema, country, program, source)
    return search_page(state, dataset, q, filters, limit, offset)
