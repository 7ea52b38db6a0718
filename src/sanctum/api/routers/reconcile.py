"""The OpenRefine reconciliation service: manifest, batches, suggest, preview, view and
data extension (shapes in `api.reconcile`, services in `api.refine`). Every route also
reads the key from `?api_key=`; GET routes answer JSONP when given `callback`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from sanctum import settings
from sanctum.api import reconcile, refine
from sanctum.api.deps import KEYED, ApiState, Dataset, LookupKey, ReconcileKey, State, authorize
from sanctum.api.problems import Problem, problems
from sanctum.sources import registry
from sanctum.store.keys import ApiKey

router = APIRouter(prefix="/reconcile/{dataset}", tags=["reconcile"])
Answers = dict[str, reconcile.Answer]
ApiKeyParam = Annotated[str | None, Query(description=reconcile.API_KEY_PARAMETER)]
Callback = Annotated[str | None, Query(description="JSONP: wrap the answer in this function.")]
JSONP = {"application/javascript": {"schema": {"type": "string"}}}


def answer(payload: Any, callback: str | None, headers: dict[str, str] | None = None) -> Response:
    """JSON, or JSONP when a callback is given."""
    data = payload.model_dump(exclude_none=True) if hasattr(payload, "model_dump") else payload
    if callback:
        body = reconcile.jsonp(callback, data)
        return Response(body, media_type="application/javascript", headers=headers)
    return JSONResponse(data, headers=headers)


async def batch_answer(
    state: ApiState,
    dataset: str,
    batch: reconcile.ReconcileBatch,
    key: ApiKey,
    strict: bool,
    callback: str | None = None,
) -> Response:
    """The answers to a batch; a stale list is named in `X-Sanctum-Stale`."""
    found, stale = await refine.reconcile_batch(state, dataset, batch, key, strict)
    headers = {"x-batch-size": str(len(found))}
    if stale:
        headers["X-Sanctum-Stale"] = ",".join(stale)
    return answer({k: v.model_dump(exclude_none=True) for k, v in found.items()}, callback, headers)


@router.get(
    "",
    response_model=dict[str, Any] | Answers,
    responses={**problems(*KEYED, 400, 404, 503), 200: {"content": JSONP}},
    openapi_extra={"parameters": [reconcile.QUERIES_PARAMETER]},
)
async def reconcile_get(
    dataset: Dataset,
    request: Request,
    state: State,
    strict: bool = False,
    api_key: ApiKeyParam = None,
    callback: Callback = None,
) -> Response:
    """The service manifest for `dataset` (a source id, a collection or `default`),
    readable without a key; with `queries`, the answers to that batch (screen key)."""
    queries = request.query_params.get("queries")
    if queries is not None:
        key = await authorize(request, ("screen",), in_query=True)
        batch = reconcile.from_queries_text(queries)
        return await batch_answer(state, dataset, batch, key, strict, callback)
    state.covered_sources(dataset)
    title = "all lists" if dataset == "default" else _title(dataset)
    found = reconcile.manifest(settings.public_url(), dataset, title, state.max_queries, api_key)
    return answer(found, callback)


def _title(dataset: str) -> str:
    spec = registry.SOURCES.get(dataset)
    return spec.title if spec else dataset


@router.post(
    "",
    response_model=Answers | dict[str, Any],
    responses=problems(*KEYED, 400, 404, 413, 415, 503),
    openapi_extra={"requestBody": reconcile.REQUEST_BODY},
)
async def reconcile_post(
    dataset: Dataset,
    request: Request,
    key: ReconcileKey,
    state: State,
    strict: bool = False,
    api_key: ApiKeyParam = None,
) -> Response:
    """Reconcile a batch of queries (OpenRefine's form field `queries=<json>`, or a JSON
    body `{"queries": {...}}`), or extend reconciled ids with columns (`extend=<json>`)."""
    body = await request.body()
    form = reconcile.read_form(request.headers.get("content-type", ""), body)
    if "extend" in form and form["extend"].strip():
        return answer(refine.extend(state, form["extend"]), None)
    if "queries" not in form:
        raise Problem(422, "the form has no 'queries' field", "queries")
    batch = reconcile.from_queries_text(form["queries"])
    return await batch_answer(state, dataset, batch, key, strict)


LOOKUP = {**problems(*KEYED, 400, 404, 503), 200: {"content": JSONP}}
HTML = {
    **problems(*KEYED, 404, 503),
    200: {"content": {"text/html": {"schema": {"type": "string"}}}},
}


@router.get("/suggest/entity", response_model=dict[str, Any], responses=LOOKUP)
async def suggest_entity(
    dataset: Dataset,
    state: State,
    _key: LookupKey,
    prefix: str = "",
    api_key: ApiKeyParam = None,
    callback: Callback = None,
) -> Response:
    """Entities whose names the prefix finds (OpenRefine's entity auto-complete)."""
    return answer(refine.suggest_entities(state, dataset, prefix), callback)


@router.get("/suggest/type", response_model=dict[str, Any], responses=LOOKUP)
async def suggest_type(
    dataset: Dataset,
    _key: LookupKey,
    prefix: str = "",
    api_key: ApiKeyParam = None,
    callback: Callback = None,
) -> Response:
    """Types (FtM schemata) whose id or label holds the prefix."""
    return answer(refine.suggest_types(prefix), callback)


@router.get("/suggest/property", response_model=dict[str, Any], responses=LOOKUP)
async def suggest_property(
    dataset: Dataset,
    _key: LookupKey,
    prefix: str = "",
    api_key: ApiKeyParam = None,
    callback: Callback = None,
) -> Response:
    """Properties whose id or label holds the prefix (for property columns)."""
    return answer(refine.suggest_properties(prefix), callback)


@router.get("/extend/propose", response_model=dict[str, Any], responses=LOOKUP)
async def propose(
    dataset: Dataset,
    _key: LookupKey,
    type: str | None = None,
    api_key: ApiKeyParam = None,
    callback: Callback = None,
) -> Response:
    """The columns `extend` can add for a type."""
    return answer(refine.propose_properties(type), callback)


@router.get(
    "/preview",
    response_class=HTMLResponse,
    responses=HTML,
)
async def preview(
    dataset: Dataset, id: str, state: State, _key: LookupKey, api_key: ApiKeyParam = None
) -> HTMLResponse:
    """A small HTML card of an entity (OpenRefine shows it beside a candidate)."""
    page = refine.entity_page(state, id, full=False)
    if page is None:
        raise Problem(404, f"no entity with id {id!r}", "id")
    return HTMLResponse(page)


@router.get(
    "/view/{entity_id}",
    response_class=HTMLResponse,
    responses=HTML,
)
async def view(
    dataset: Dataset, entity_id: str, state: State, _key: LookupKey, api_key: ApiKeyParam = None
) -> HTMLResponse:
    """A readable HTML page of an entity (where a reconciled cell's link leads)."""
    page = refine.entity_page(state, entity_id, full=True)
    if page is None:
        raise Problem(404, f"no entity with id {entity_id!r}", "entity_id")
    return HTMLResponse(page)
