"""Screening and search by name: yente's `/match` and `/search`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response

from sanctum import config
from sanctum.api import yente
from sanctum.api.deps import KEYED, Dataset, ReadKey, ScreenKey, State
from sanctum.api.matching import MatchParams, match_batch
from sanctum.api.models import AlgorithmResponse, MatchRequest, MatchResponse, SearchResponse
from sanctum.api.problems import problems
from sanctum.api.searching import FACETS as FACET_NAMES
from sanctum.api.searching import SearchFilters, search_page
from sanctum.api.yente import THRESHOLD_HELP

router = APIRouter()

TS_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$"
"""`changed_since` as yente takes it: a date, or a date and time."""
ALGORITHM_HELP = "An algorithm name from /algorithms (yente's names are accepted)."
FUZZY_HELP = (
    "Accepted as in yente; Sanctum's retrieval always finds spelling variants, so it "
    "changes nothing."
)
CUTOFF_HELP = (
    "Results scoring below this are not returned at all (as yente; "
    f"default {config.MATCH_CUTOFF}, never above the threshold)."
)


@router.get("/algorithms", tags=["system"], response_model=AlgorithmResponse)
async def algorithms() -> dict[str, Any]:
    """The algorithm names `/match` accepts (yente's and Sanctum's), and what runs for each."""
    return yente.algorithms_doc()


Names = Annotated[list[str], Query()]
MATCH_EXAMPLE = {
    "queries": {
        "q1": {
            "id": "customer-1",
            "schema": "Person",
            "properties": {"name": ["Kang Kyong Il"], "birthDate": ["1969-09-01"]},
        }
    }
}
"""A yente `/match` body (documented, and a known-good request for schemathesis)."""
MatchBody = Annotated[
    MatchRequest, Body(openapi_examples={"person": {"summary": "A person", "value": MATCH_EXAMPLE}})
]
Facet = Literal["countries", "topics", "datasets"]
Q_HELP = (
    "Free text: a name or part of one, in any script or spelling (at most SANCTUM_MAX_NAME "
    "characters, default 500); empty: every party passing the filters."
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
    body: MatchBody,
    key: ScreenKey,
    state: State,
    response: Response,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0, description=THRESHOLD_HELP)] = None,
    limit: Annotated[int, Query(ge=1, le=config.MAX_LIMIT)] = 5,
    algorithm: Annotated[str | None, Query(description=ALGORITHM_HELP)] = None,
    cutoff: Annotated[float | None, Query(ge=0.0, le=1.0, description=CUTOFF_HELP)] = None,
    include_dataset: Names = [],  # noqa: B006 - FastAPI copies defaults
    exclude_dataset: Names = [],  # noqa: B006
    exclude_schema: Names = [],  # noqa: B006
    exclude_entity_ids: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
    topics: Names = [],  # noqa: B006
    changed_since: Annotated[
        str | None, Query(pattern=TS_PATTERN, description="Only entries changed since then.")
    ] = None,
    fuzzy: Annotated[bool | None, Query(description=FUZZY_HELP)] = None,
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
    """Screen a batch of queries (yente's request and response shape)."""
    params = MatchParams(
        threshold,
        limit,
        algorithm,
        cutoff,
        include_dataset,
        exclude_dataset,
        exclude_schema,
        exclude_entity_ids,
        topics,
        yente.since(changed_since),
        fuzzy,
        strict,
        group,
    )
    answer = await match_batch(state, dataset, body, params, key)
    response.headers["x-batch-size"] = str(len(answer["responses"]))
    return answer


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
    q: Annotated[str, Query(description=Q_HELP)] = "",
    schema: Annotated[
        list[str] | None, Query(description="Only these schemata (and their descendants).")
    ] = None,
    country: Annotated[
        list[str] | None, Query(description="Only parties linked to these countries.")
    ] = None,
    countries: Annotated[list[str] | None, Query(description="yente's name for `country`.")] = None,
    program: Annotated[
        list[str] | None, Query(description="Only parties under these sanction programs.")
    ] = None,
    source: Annotated[list[str] | None, Query(description="Only these sources.")] = None,
    topics: Annotated[
        list[str] | None, Query(description="Only parties with one of these topics (`sanction`).")
    ] = None,
    datasets: Annotated[
        list[str] | None, Query(description="Only parties in one of these datasets or collections.")
    ] = None,
    include_dataset: Annotated[
        list[str] | None, Query(description="yente's name for `datasets`.")
    ] = None,
    exclude_dataset: Annotated[
        list[str] | None, Query(description="No party of these datasets or collections.")
    ] = None,
    exclude_schema: Annotated[
        list[str] | None, Query(description="No party of these schemata.")
    ] = None,
    facets: Annotated[list[Facet] | None, Query(description="Facets to count.")] = None,
    limit: Annotated[int, Query(ge=1, le=config.MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    """Free-text search over the names of every listed party, with yente's filters and
    facets; `dataset` is a source id or a collection (`default`: all). Every word must be
    met by one name of the party (spelling variants, romanizations and Hangul included);
    best relevance first."""
    filters = SearchFilters(
        schema or [],
        (country or []) + (countries or []),
        program or [],
        source or [],
        topics or [],
        datasets or [],
        include_dataset or [],
        exclude_dataset or [],
        exclude_schema or [],
        list(FACET_NAMES if facets is None else facets),
    )
    return search_page(state, dataset, q, filters, limit, offset)
