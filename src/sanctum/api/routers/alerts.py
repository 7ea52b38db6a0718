"""Alert routes: the work list, one alert, an analyst's decision, an approver's review.

Identities are API key names (four eyes compares them; a key without a name is `key <id>`).
Deciding needs the `analyst` scope, reviewing the `approver` scope, reading `read` (which
both carry). Every change names, optionally, the alert version it read: a change that lost
to another answers 409 with the alert as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam

from sanctum.api.deps import KEYED, ReadKey, State, require
from sanctum.api.models import AlertList, AlertStatus, AlertView, ApprovalRequest, DecisionRequest
from sanctum.api.problems import Problem, problems
from sanctum.monitor import decisions, views
from sanctum.monitor.alerts import STATUSES, AlertError
from sanctum.store.db import Store
from sanctum.store.keys import ApiKey

router = APIRouter(tags=["alerts"])

AlertId = Annotated[int, PathParam(ge=1, le=2**62, description="The alert's id.")]
assert set(get_args(AlertStatus)) == set(STATUSES)
AnalystKey = Annotated[ApiKey, Depends(require("analyst"))]
ApproverKey = Annotated[ApiKey, Depends(require("approver"))]


def identity(key: ApiKey) -> str:
    """Who a key acts as: its name (four eyes compares names), else `key <id>`."""
    return key.name or f"key {key.id}"


def _problem(store: Store, alert_id: int, exc: AlertError) -> Problem:
    """The problem answer of a refused change (409 carries the alert as it is now)."""
    extra: dict[str, Any] = {}
    if exc.status == 409:
        extra["alert"] = views.show(store, alert_id)
    field = {403: "authorization", 404: "id"}.get(exc.status)
    return Problem(exc.status, str(exc), field, **extra)


def _after(store: Store, alert_id: int, change: Callable[[], object]) -> dict[str, Any]:
    """Make a change; the alert in full after it, or the problem that refused it."""
    try:
        change()
        return views.show(store, alert_id)
    except AlertError as exc:
        raise _problem(store, alert_id, exc) from exc


CHANGE_ERRORS = problems(*KEYED, 400, 404, 409, 422)


@router.get("/alerts", response_model=AlertList, responses=problems(*KEYED, 422))
async def get_alerts(
    state: State, _key: ReadKey, status: Annotated[AlertStatus | None, Query()] = None
) -> dict[str, Any]:
    """Alerts, oldest first; only those of `status` when given."""
    found = views.list_alerts(state.store, status)
    return {"alerts": found, "total": len(found)}


@router.get("/alerts/{alert_id}", response_model=AlertView, responses=problems(*KEYED, 404))
async def get_alert(alert_id: AlertId, state: State, _key: ReadKey) -> dict[str, Any]:
    """One alert: customer and party side by side, the per-feature explanation, list and
    matcher versions, decisions, suppression and history."""
    try:
        return views.show(state.store, alert_id)
    except AlertError as exc:
        raise _problem(state.store, alert_id, exc) from exc


@router.post("/alerts/{alert_id}/decision", response_model=AlertView, responses=CHANGE_ERRORS)
async def post_decision(
    alert_id: AlertId, body: DecisionRequest, state: State, key: AnalystKey
) -> dict[str, Any]:
    """Decide an alert (`analyst` scope). `needs_info` takes effect at once; `true_match`
    and `false_positive` wait for an approver of another identity."""
    who = identity(key)
    return _after(
        state.store,
        alert_id,
        lambda: decisions.decide(
            state.store, alert_id, body.decision, body.reason, who, body.version
        ),
    )


@router.post("/alerts/{alert_id}/approval", response_model=AlertView, responses=CHANGE_ERRORS)
async def post_approval(
    alert_id: AlertId, body: ApprovalRequest, state: State, key: ApproverKey
) -> dict[str, Any]:
    """Approve or reject the pending decision (`approver` scope; 403 for the identity that
    made the decision). Approved, it takes effect; a false positive then suppresses the
    pair until either side changes."""
    who = identity(key)
    return _after(
        state.store,
        alert_id,
        lambda: decisions.review(
            state.store, alert_id, body.approve, who, body.reason, body.version
        ),
    )
