"""The OpenRefine reconciliation service: manifest and batches (shapes in `api.reconcile`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sanctum.api import reconcile
from sanctum.api.deps import KEYED, ApiState, Dataset, ReconcileKey, State
from sanctum.api.problems import problems
from sanctum.api.screening import reconcile_batch
from sanctum.sources import registry
from sanctum.store.keys import ApiKey

router = APIRouter(tags=["reconcile"])
Answers = dict[str, reconcile.Answer]


async def answers(
    state: ApiState,
    dataset: str,
    batch: reconcile.ReconcileBatch,
    key: ApiKey,
    strict: bool,
    response: Response,
) -> Answers:
    """The answers to a batch; a stale list is named in `X-Sanctum-Stale`."""
    found, stale = await reconcile_batch(state, dataset, batch, key, strict)
    if stale:
        response.headers["X-Sanctum-Stale"] = ",".join(stale)
    return found


@router.get(
    "/reconcile/{dataset}",
    response_model=reconcile.Manifest | Answers,
    responses=problems(*KEYED, 400, 404, 503),
    openapi_extra={"parameters": [reconcile.QUERIES_PARAMETER]},
)
async def reconcile_get(
    dataset: Dataset,
    request: Request,
    key: ReconcileKey,
    response: Response,
    state: State,
    strict: bool = False,
    api_key: Annotated[str | None, Query(description=reconcile.API_KEY_PARAMETER)] = None,
) -> reconcile.Manifest | Answers:
    """The OpenRefine reconciliation service manifest for `dataset` (a source id or
    `default`); with `queries`, the answers to that batch."""
    queries = request.query_params.get("queries")
    if queries is not None:
        batch = reconcile.from_queries_text(queries)
        return await answers(state, dataset, batch, key, strict, response)
    state.covered_sources(dataset)
    title = "all lists" if dataset == "default" else registry.get(dataset).title
    return reconcile.manifest(str(request.base_url), dataset, title)


@router.post(
    "/reconcile/{dataset}",
    response_model=Answers,
    responses=problems(*KEYED, 400, 404, 413, 415, 503),
    openapi_extra={"requestBody": reconcile.REQUEST_BODY},
)
async def reconcile_post(
    dataset: Dataset,
    request: Request,
    key: ReconcileKey,
    response: Response,
    state: State,
    strict: bool = False,
    api_key: Annotated[str | None, Query(description=reconcile.API_KEY_PARAMETER)] = None,
) -> Answers:
    """Reconcile a batch of queries (OpenRefine's form field `queries=<json>`, or a JSON
    body `{"queries": {...}}`): candidates with a 0-100 score and a match flag."""
    body = await request.body()
    batch = reconcile.read_batch(request.headers.get("content-type", ""), body)
    return await answers(state, dataset, batch, key, strict, response)
