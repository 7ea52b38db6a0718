"""The Reconciliation Service API (versions 0.1 and 0.2) over the Screener, as OpenRefine
uses it.

https://reconciliation-api.github.io/specs/0.2/ — a manifest (readable without a key; it
declares how to send one), batches of queries `{key: {query, type, limit, properties:
[{pid, v}]}}` sent as the form field `queries=<json>` (what OpenRefine sends), as a GET
parameter or as a JSON body, suggest services for entities, types and properties, an
HTML preview and view page, and data extension (`extend`). Each query is one screening;
its candidates carry a 0–100 score, and `match: true` goes to one candidate at most (the
best party; copies of it on other lists are grouped behind it).

A query the service cannot answer (an empty or over-long name, a type that cannot be
screened) gets an empty result with its `problem`, inside a 200 batch: one bad cell does
not cost the others. Property values the spec allows but Sanctum cannot read (booleans,
unknown property ids) are skipped and named in `problem` too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from sanctum import config
from sanctum.api.problems import Problem, field_of, lone_surrogate, surrogate_problem
from sanctum.schemata import MATCHABLE, PARTIES
from sanctum.screen import Match

DEFAULT_TYPES = PARTIES
"""The types the manifest offers: every party schema."""
SCHEMA_SPACE = "https://followthemoney.tech/explorer/schemata/"
DEFAULT_LIMIT = 5
MAX_LIMIT = config.MAX_LIMIT
EXTRA_COLUMNS = {
    "program": "Sanction programs",
    "authority": "Designating authorities",
    "source": "List (Sanctum source)",
    "datasets": "Datasets",
}
"""Columns `extend` adds beside the entity's own FtM properties."""


class ReconcileQuery(BaseModel):
    """One reconciliation query (one spreadsheet cell, with other columns as properties).
    Members are read leniently: a value Sanctum cannot use is a problem of this query
    alone, answered in its result."""

    model_config = ConfigDict(extra="ignore")

    query: Any = Field(default="", description="The name to reconcile.")
    type: Any = Field(default=None, description="An FtM schema id (or a list of them).")
    limit: Any = Field(default=None, description=f"Candidates wanted (1-{MAX_LIMIT}).")
    properties: Any = Field(
        default_factory=list, description="Other columns: [{pid, v}], v a value or a list."
    )
    type_strict: Any = None


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
    match: bool = Field(description="True for the best party when the matcher calls it a match.")
    description: str = ""


class Answer(BaseModel):
    """The candidates for one query, and why there are none when the query could not be
    screened."""

    result: list[Candidate]
    problem: str | None = Field(default=None, description="Why this query was not answered.")


@dataclass
class Asked:
    """A reconciliation query read: the screening query (None: not screened), the
    candidates wanted, and the problems found in it."""

    query: dict[str, Any] | None
    limit: int
    problems: list[str] = field(default_factory=list)


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
                "properties": {
                    "queries": {"$ref": _REF.format(model="ReconcileQueries")},
                    "extend": {"type": "string", "description": "A data extension query."},
                },
            },
            "encoding": {"queries": {"contentType": "application/json"}},
        },
        "application/json": {"schema": {"$ref": _REF.format(model="ReconcileBatch")}},
    },
}
"""The POST body: OpenRefine's form field `queries` (JSON text) or `extend`, or a JSON object."""


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


def manifest(public: str, dataset: str, title: str, batch: int, key: str | None) -> dict[str, Any]:
    """The manifest of the service for one dataset. Links are built from the public URL
    setting; a key the manifest was fetched with is carried into them (OpenRefine adds
    the service by this URL and cannot send headers)."""
    base = f"{public}/reconcile/{dataset}"
    qs = f"?api_key={key}" if key else ""
    amp = f"&api_key={key}" if key else ""
    service = {"service_url": base}
    return {
        "versions": ["0.1", "0.2"],
        "name": f"Sanctum: {title}",
        "identifierSpace": f"{public}/entities/",
        "schemaSpace": SCHEMA_SPACE,
        "documentation": f"{public}/docs#/reconcile",
        "authentication": {
            "type": "apiKey",
            "name": "api_key",
            "in": "query",
            "description": "A Sanctum API key with the screen scope (sanctum keys create).",
        },
        "batchSize": batch,
        "defaultTypes": [type_ref(s).model_dump() for s in DEFAULT_TYPES],
        "view": {"url": f"{base}/view/{{{{id}}}}{qs}"},
        "preview": {"url": f"{base}/preview?id={{{{id}}}}{amp}", "width": 430, "height": 300},
        "suggest": {
            kind: {**service, "service_path": f"/suggest/{kind}{qs}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {**service, "service_path": f"/extend/propose{qs}"},
            "property_settings": [],
        },
    }


def _where(loc: Sequence[Any]) -> str:
    """The batch field an error is in: `queries.<key>` (or `queries`)."""
    parts = list(loc)[:2]
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


def read_form(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of a POST body: a form, or a JSON object's `queries` as JSON text."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise Problem(400, "the form is not UTF-8", "body") from exc
        return {k: v[0] for k, v in form.items() if k in ("queries", "extend")}
    if media == "application/json" or media.endswith("+json"):
        data = _json(body, "body")
        return {"queries": json.dumps(_validate(data).model_dump()["queries"])}
    raise Problem(
        415,
        f"unsupported content type {media or '(none)'!r}: send application/json "
        "or application/x-www-form-urlencoded",
        "content-type",
    )


def from_queries_text(text: str) -> ReconcileBatch:
    """A batch from the `queries` parameter's JSON text (form field or GET parameter)."""
    if "\ufffd" in text:
        raise Problem(400, "the queries are not UTF-8", "queries")
    return _validate({"queries": _json(text, "queries")})


def _texts(value: Any) -> tuple[list[str], bool]:
    """A property value as strings (`{"id": ..}` objects give their id, or name); and
    whether some part of it could not be read (booleans, nested lists)."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    skipped = False
    for item in items:
        if isinstance(item, dict):
            item = item.get("id") or item.get("name")
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            skipped = skipped or item is not None
            continue
        if str(item).strip():
            out.append(str(item))
    return out, skipped


def schema_of(query: ReconcileQuery) -> str | None:
    """The FtM schema a query asks for (its first type; Thing when none), None when the
    type cannot be screened."""
    types = query.type if isinstance(query.type, list) else [query.type]
    for t in types:
        name = t.get("id") if isinstance(t, dict) else t
        if name:
            return name if name in MATCHABLE else None
    return "Thing"


def _limit(value: Any) -> int:
    """The candidates wanted: the query's limit within 1..MAX_LIMIT, else the default."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min(value, MAX_LIMIT)
    return DEFAULT_LIMIT


def read_query(query: ReconcileQuery, max_chars: int) -> Asked:
    """The screening query of a reconciliation query (None when a problem stops it), with
    the problems found (values skipped, or what stopped it)."""
    asked = Asked(None, _limit(query.limit))
    schema = schema_of(query)
    stops = [] if schema else [f"type {query.type!r} cannot be screened"]
    text = query.query if isinstance(query.query, str) else ""
    if len(text) > max_chars:
        stops.append(f"query longer than {max_chars} characters")
    props: dict[str, list[str]] = {"name": [text]} if text.strip() else {}
    pairs = query.properties if isinstance(query.properties, list) else []
    for n, item in enumerate(pairs):
        pid = item.get("pid") if isinstance(item, dict) else None
        values, skipped = _texts(item.get("v") if isinstance(item, dict) else None)
        if not isinstance(pid, str) or not _known_property(pid):
            asked.problems.append(f"properties.{n}: unknown property {pid!r} skipped")
            continue
        if skipped:
            asked.problems.append(f"properties.{n}: a value that is not text skipped")
        if any(len(v) > max_chars for v in values):
            stops.append(f"properties.{n}: longer than {max_chars} characters")
        props.setdefault(pid, []).extend(values)
    if not props:
        stops.append("nothing to reconcile: no name and no property")
    asked.problems.extend(stops)
    if not stops and schema:
        asked.query = {"schema": schema, "properties": props}
    return asked


def _known_property(pid: str) -> bool:
    """Whether a property id names an FtM property of a schema the matcher screens."""
    from followthemoney import model

    return any(pid in model.schemata[s].properties for s in MATCHABLE if s in model.schemata)


def candidate(match: Match, is_match: bool) -> Candidate:
    """A screening result as a reconciliation candidate (score 0–100)."""
    programs = sorted({p for s in match.sanctions for p in s.get("program", [])})
    description = match.source + (f"; {', '.join(programs)}" if programs else "")
    return Candidate(
        id=match.id,
        name=match.caption,
        type=[type_ref(match.schema)],
        score=round(match.score * 100, 2),
        match=is_match,
        description=description,
    )


SOURCE_RANK = (
    "us_ofac_sdn",
    "un_sc",
    "uk_ofsi",
    "au_dfat",
    "ca_sema",
    "us_ofac_cons",
    "us_bis_dpl",
    "us_csl",
    "opensanctions_ftm",
)
"""Which copy of a party stands for it when lists copy each other (the designating list
before the lists that collect designations from others)."""


def _copy_key(match: Match) -> tuple[str, str, float]:
    return match.schema, re.sub(r"\W+", " ", match.caption.lower()).strip(), match.score


def grouped(results: list[Match], linked: set[str]) -> list[Candidate]:
    """Candidates in score order with `match: true` on the best party alone: copies of
    it on other lists (same name and score, or linked across lists) are grouped behind
    the copy of the designating list."""
    if not results or not results[0].match:
        return [candidate(m, False) for m in results]
    top = _copy_key(results[0])
    copies = [m for m in results if _copy_key(m) == top or m.id in linked]
    rank = {s: n for n, s in enumerate(SOURCE_RANK)}
    best = min(copies, key=lambda m: (-m.score, rank.get(m.source, len(rank)), m.id))
    ordered = [best] + [m for m in copies if m is not best]
    ordered += [m for m in results if m not in ordered]
    return [candidate(m, m is best) for m in ordered]


JSONP_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")
"""A JSONP callback name: a JavaScript identifier path, nothing else (no script injection)."""


def jsonp(callback: str, payload: Any) -> str:
    """A JSONP body: `callback(<json>);`; 400 for a callback that is not a plain name."""
    if not JSONP_CALLBACK.fullmatch(callback) or len(callback) > 100:
        raise Problem(400, "callback must be a JavaScript identifier", "callback")
    return f"/**/{callback}({json.dumps(payload, ensure_ascii=False)});"
