"""The customer book and monitoring: import customers, read one, and what monitoring
screened against which list versions (monitor/customers.py, monitor/run.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sanctum.api.deps import KEYED, AdminKey, ReadKey, State, actor
from sanctum.api.problems import Problem, problems
from sanctum.monitor import customers as book
from sanctum.monitor.run import status as monitor_status

router = APIRouter(tags=["monitoring"])

Values = str | list[str] | None


class CustomerIn(BaseModel):
    """One customer, with the columns of `sanctum customers import` (several values as a
    list or `;`-separated)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    schema_: str | None = Field(None, alias="schema")
    birth_date: Values = None
    country: Values = None
    nationality: Values = None
    passport: Values = None
    id_number: Values = None
    registration_number: Values = None
    imo: Values = None
    wallet: Values = None
    email: Values = None
    website: Values = None
    phone: Values = None
    address: Values = None


class ImportOut(BaseModel):
    """What an import did."""

    import_id: int
    sha256: str
    counts: dict[str, int]


class CustomerOut(BaseModel):
    """A customer as stored: the record, its status and dates."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    schema_: str = Field(alias="schema")
    status: str
    created_at: str
    updated_at: str
    hash: str


class RunOut(BaseModel):
    """One monitoring run."""

    run_id: int
    kind: str
    actor: str
    started_at: str
    finished_at: str | None
    from_seq: int
    to_seq: int
    list_versions: dict[str, str]
    matcher_version: str
    counts: dict[str, int]


class BookCounts(BaseModel):
    """Customers by state."""

    active: int
    closed: int
    pending: int


class MonitoringStatus(BaseModel):
    """What was screened against which list versions, and when."""

    store_generation: int
    up_to_date: bool
    customers: BookCounts
    last_run: RunOut | None
    runs: list[RunOut]


@router.post("/customers", response_model=ImportOut, responses=problems(*KEYED, 400, 413, 422))
async def post_customers(body: list[CustomerIn], state: State, key: AdminKey) -> dict[str, Any]:
    """Upsert customers by id (all or nothing: a bad record is a 422 naming its position)."""
    state.check_batch(len(body), "customers")
    records = [c.model_dump(by_alias=True, exclude_none=True) for c in body]
    try:
        result = book.import_records(state.store, records, f"api:{actor(key)}")
    except book.ImportError_ as exc:
        n, why = exc.problems[0]
        raise Problem(422, f"customer {n}: {why}", f"body.{n - 1}") from exc
    return {"import_id": result.import_id, "sha256": result.sha256, "counts": result.counts}


@router.get("/customers/{customer_id}", response_model=CustomerOut, responses=problems(*KEYED, 404))
async def get_customer(customer_id: str, state: State, _key: ReadKey) -> dict[str, Any]:
    """One customer's record."""
    found = book.get(state.store, customer_id)
    if found is None:
        raise Problem(404, f"no customer {customer_id!r}", "customer_id")
    return found


@router.get("/monitoring/status", response_model=MonitoringStatus, responses=problems(*KEYED))
async def get_monitoring_status(state: State, _key: ReadKey) -> dict[str, Any]:
    """The last monitoring runs (kind, store generations, list versions, counts) and
    whether customers or list versions wait for one."""
    return monitor_status(state.store)
