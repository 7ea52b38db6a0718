"""The OpenRefine Reconciliation Service API (version 0.2) over the Screener.

https://reconciliation-api.github.io/specs/0.2/ — a service manifest, and batches of
queries `{key: {query, type, limit, properties: [{pid, v}]}}` sent as the form field
`queries=<json>` (what OpenRefine sends) or as a JSON body `{"queries": {...}}`. Each
query becomes one FtM-shaped screening query; each answer lists candidates with a 0–100
score and whether the matcher calls it a match.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal, get_args
from urllib.parse import parse_qs

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from sanctum import config
from sanctum.api.problems import Problem, field_of, lone_surrogate, surrogate_problem
from sanctum.match.query import QueryError
from sanctum.screen import Match

DEFAULT_TYPES = ("Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane")
SCHEMA_SPACE = "https://followthemoney.tech/explorer/schemata/"
DEFAULT_LIMIT = 5
MAX_LIMIT = config.MAX_LIMIT


PropertyId = Literal[
    "name",
    "alias",
    "weakAlias",
    "firstName",
    "secondName",
    "middleName",
    "fatherName",
    "lastName",
    "birthDate",
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "gender",
    "passportNumber",
    "idNumber",
    "imoNumber",
    "registrationNumber",
    "taxNumber",
    "innCode",
    "mmsi",
]
"""Property ids a reconciliation query may give: the FtM properties the matcher reads."""
TypeId = Literal["Thing", "LegalEntity", "Person", "Organization", "Company", "Vessel", "Airplane"]
"""Types a query may ask for: the schemata the matcher screens (`match.query.MATCHABLE`)."""
PROPERTIES: tuple[str, ...] = get_args(PropertyId)


class EntityRef(BaseModel):
    """A value given as a reconciled entity (`{"id": ..., "name": ...}`): its id counts."""

    id: str | None = None
    name: str | None = None


Scalar = StrictStr | StrictInt | StrictFloat
Value = Scalar | EntityRef | list[Scalar | EntityRef] | None


class PropertyValue(BaseModel):
    """One column value of a row: an FtM property id and its value(s)."""

    model_config = ConfigDict(extra="ignore")

    pid: PropertyId = Field(description="The FtM property the value is.")
    v: Value = Field(default=None, description="A value, a list of values, or {id, name} objects.")


class ReconcileQuery(BaseModel):
    """One reconciliation query (one spreadsheet cell, with other columns as properties)."""

    model_config = ConfigDict(extra="ignore")

    query: str = Field(default="", description="The name to reconcile.")
    type: TypeId | list[TypeId] | None = Field(
        default=None, description="The FtM schema the query is (Thing when none is given)."
    )
    limit: int | None = Field(default=None, ge=1, le=MAX_LIMIT)
    properties: list[PropertyValue] = Field(default_factory=list)
    type_strict: str | None = None


class ReconcileQueries(RootModel[dict[str, ReconcileQuery]]):
    """A batch of reconciliation queries by key (the `queries` parameter)."""


class ReconcileBatch(BaseModel):
    """A batch of reconciliation queries by key (as a JSON body)."""

    queries: dict[str, ReconcileQuery]


class TypeRef(BaseModel):
    """A type: its id (an FtM schema) and label."""

    id: str
    name: str


class Candidate(BaseModel):
    """One candidate for a query."""

    id: str
    name: str
    type: list[TypeRef]
    score: float = Field(description="0 to 100.")
    match: bool = Field(description="True when the matcher calls it a match.")
    description: str = ""


class Answer(BaseModel):
    """The candidates for one query."""

    result: list[Candidate]


class ViewTemplate(BaseModel):
    """Where a reconciled entity can be seen (`{{id}}` replaced by its id)."""

    url: str


class Manifest(BaseModel):
    """The service manifest OpenRefine reads when a service is added."""

    versions: list[str]
    name: str
    identifierSpace: str  # member names as the spec spells them
    schemaSpace: str
    defaultTypes: list[TypeRef]
    view: ViewTemplate


_REF = "#/components/schemas/{model}"
API_KEY_PARAMETER = "The API key, for clients that cannot set headers (it shows in logs)."
QUERIES_PARAMETER: dict[str, Any] = {
    "name": "queries",
    "in": "query",
    "required": False,
    "description": "A batch of queries {key: query} as JSON (without it: the manifest).",
    "content": {"application/json": {"schema": {"$ref": _REF.format(model="ReconcileQueries")}}},
}
REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {"queries": {"$ref": _REF.format(model="ReconcileQueries")}},
                "required": ["queries"],
            },
            "encoding": {"queries": {"contentType": "application/json"}},
        },
        "application/json": {"schema": {"$ref": _REF.format(model="ReconcileBatch")}},
    },
}
"""The POST body: OpenRefine's form field `queries` (JSON text), or a JSON object."""


def openapi_schemas() -> dict[str, Any]:
    """Component schemas of the request shapes the reconcile routes read themselves."""
    out: dict[str, Any] = {}
    for model_class in (ReconcileBatch, ReconcileQueries):
        schema = model_class.model_json_schema(ref_template=_REF)
        out.update(schema.pop("$defs", {}))
        out[model_class.__name__] = schema
    return out


def type_ref(schema: str) -> TypeRef:
    """A schema as a reconciliation type (labels from FollowTheMoney, loaded on first use)."""
    from followthemoney import model

    found = model.get(schema)
    return TypeRef(id=schema, name=str(found.label) if found else schema)


def manifest(base_url: str, dataset: str, title: str) -> Manifest:
    """The manifest of the service for one dataset (`default`: every list)."""
    base = base_url.rstrip("/")
    return Manifest(
        versions=["0.2"],
        name=f"Sanctum: {title}",
        identifierSpace=f"{base}/entities/",
        schemaSpace=SCHEMA_SPACE,
        defaultTypes=[type_ref(s) for s in DEFAULT_TYPES],
        view=ViewTemplate(url=f"{base}/entities/{{{{id}}}}"),
    )


def _where(loc: Sequence[Any]) -> str:
    """The batch field an error is in: `queries.<key>.<member>`, or
    `queries.<key>.properties.<n>.<member>` (without the union branch pydantic appends)."""
    parts = list(loc)
    if len(parts) >= 3 and parts[0] == "queries":
        parts = parts[:5] if parts[2] == "properties" and len(parts) >= 5 else parts[:3]
    return field_of(parts) or "queries"


def _validate(data: Any) -> ReconcileBatch:
    try:
        return ReconcileBatch.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(first.get("loc", ()))
        raise Problem(422, f"{where}: {first.get('msg', 'invalid')}", where) from exc


def _json(text: str | bytes, where: str) -> Any:
    try:
        data = json.loads(text)
        bad = lone_surrogate(data)
    except (ValueError, RecursionError) as exc:
        raise Problem(400, f"malformed JSON in {where}: {exc}", where) from exc
    if bad is not None:
        raise surrogate_problem(bad if bad.startswith(where) else f"{where}.{bad}")
    return data


def read_batch(content_type: str, body: bytes) -> ReconcileBatch:
    """A batch from a POST body: the form field `queries=<json>` or a JSON body."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise Problem(400, "the form is not UTF-8", "body") from exc
        values = form.get("queries")
        if not values:
            raise Problem(422, "the form has no 'queries' field", "queries")
        return from_queries_text(values[0])
    if media == "application/json" or media.endswith("+json"):
        return _validate(_json(body, "body"))
    raise Problem(
        415,
        f"unsupported content type {media or '(none)'!r}: send application/json "
        "or application/x-www-form-urlencoded",
        "content-type",
    )


def from_queries_text(text: str) -> ReconcileBatch:
    """A batch from the `queries` parameter's JSON text (form field or GET parameter)."""
    return _validate({"queries": _json(text, "queries")})


def _values(value: Value) -> list[str]:
    """A property value as strings (`{"id": ..}` objects give their id, or name)."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = (item.id or item.name) if isinstance(item, EntityRef) else item
        if text is not None and str(text).strip():
            out.append(str(text))
    return out


def schema_of(query: ReconcileQuery) -> str:
    """The FtM schema a query asks for (its first type; Thing when none is given)."""
    types = [query.type] if isinstance(query.type, str) else list(query.type or [])
    return next((t for t in types if t), "Thing")


def to_screening(key: str, query: ReconcileQuery, max_chars: int) -> dict[str, Any]:
    """The FtM-shaped screening query for a reconciliation query; 422 naming the value
    longer than allowed."""
    props: dict[str, list[str]] = {}
    if len(query.query) > max_chars:
        where = f"queries.{key}.query"
        raise Problem(422, f"{where}: longer than {max_chars} characters", where)
    if query.query.strip():
        props["name"] = [query.query]
    for n, item in enumerate(query.properties):
        where = f"queries.{key}.properties.{n}.v"
        values = _values(item.v)
        if any(len(v) > max_chars for v in values):
            raise Problem(422, f"{where}: longer than {max_chars} characters", where)
        props.setdefault(item.pid, []).extend(values)
    return {"schema": schema_of(query), "properties": props}


def error_field(key: str, query: ReconcileQuery, exc: QueryError) -> str:
    """Where in the batch a screening error lies (`queries.q0.type`, `….properties.1.v`)."""
    if exc.field == "schema":
        return f"queries.{key}.type"
    prop = exc.field.split(".", 1)[1] if exc.field.startswith("properties.") else ""
    if prop == "name" and query.query.strip():
        return f"queries.{key}.query"
    for n, item in enumerate(query.properties):
        if item.pid == prop:
            return f"queries.{key}.properties.{n}.v"
    return f"queries.{key}.query" if prop == "name" else f"queries.{key}"


def candidate(match: Match) -> Candidate:
    """A screening result as a reconciliation candidate (score 0–100)."""
    programs = sorted({p for s in match.sanctions for p in s.get("program", [])})
    description = match.source + (f"; {', '.join(programs)}" if programs else "")
    return Candidate(
        id=match.id,
        name=match.caption,
        type=[type_ref(match.schema)],
        score=round(match.score * 100, 2),
        match=match.match,
        description=description,
    )
