"""The reconciliation service as OpenRefine 3.x uses it, checked against the Reconciliation
Service API's own JSON schemas (versions 0.1 and 0.2, shared/compat/reconciliation, copied
from reconciliation-api/specs): the browser's CORS preflight and manifest fetch, JSONP for
0.1 clients, form-encoded batches of 10 with bad cells among them, suggest, preview and
data extension, all over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from .conftest import Keys, Running

SPEC = "https://reconciliation-api.github.io/specs/{version}/schemas/{name}"
SWAGGER = "http://swagger.io/v2/schema.json"
# The manifest schema points at Swagger 2.0's security scheme definition for
# `authentication`; no network here, so the part of it an API key scheme uses stands in.
SWAGGER_SUBSET = {
    "definitions": {
        "securityDefinitions": {
            "additionalProperties": {
                "type": "object",
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["type", "name", "in"],
                        "properties": {
                            "type": {"enum": ["apiKey"]},
                            "name": {"type": "string"},
                            "in": {"enum": ["header", "query"]},
                            "description": {"type": "string"},
                        },
                    },
                    {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"enum": ["basic"]}},
                    },
                ],
            }
        }
    }
}
Validators = dict[tuple[str, str], Any]
ORIGIN = "http://127.0.0.1:3333"
"""Where OpenRefine's web page comes from (another origin than the service)."""
KANG = "us-ofac-sdn-37658"


@pytest.fixture(scope="module")
def schemas(data_dir: Path) -> Validators:
    """Validators by (version, schema file), resolving the schemas' references locally."""
    root = data_dir.parent / "compat" / "reconciliation"

    def retrieve(uri: str) -> Any:
        if uri.startswith(SWAGGER):
            return SWAGGER_SUBSET
        version, name = uri.split("/specs/", 1)[1].split("/schemas/", 1)
        return json.loads((root / version / name).read_text())

    out = {}
    for version in ("0.1", "0.2"):
        for path in sorted((root / version).glob("*.json")):
            schema = json.loads(path.read_text())
            out[(version, path.name)] = jsonschema_rs.validator_for(schema, retriever=retrieve)
    return out


def valid(
    schemas: Validators, name: str, data: Any, versions: tuple[str, ...] = ("0.1", "0.2")
) -> None:
    """`data` validates against the schema of this name in each version that has it."""
    checked = 0
    for version in versions:
        validator = schemas.get((version, name))
        if validator is not None:
            errors = [str(e) for e in validator.iter_errors(data)]
            assert not errors, (version, name, errors[:3])
            checked += 1
    assert checked, name


def test_browser_adds_the_service(api: Running, api_keys: Keys, schemas: Validators) -> None:
    """OpenRefine's page asks the browser for the manifest: a CORS preflight (for the key
    header), the fetch itself with an Origin, then JSONP where CORS fails."""
    preflight = api.client.options(
        "/reconcile/default",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "authorization"
    fetched = api.client.get("/reconcile/default", headers={"Origin": ORIGIN})
    assert fetched.status_code == 200
    assert fetched.headers["access-control-allow-origin"] == "*"
    valid(schemas, "manifest.json", fetched.json())
    jsonp = api.client.get("/reconcile/default", params={"callback": "jQuery_123"})
    assert jsonp.headers["content-type"].startswith("application/javascript")
    assert jsonp.text.startswith("/**/jQuery_123(") and jsonp.text.endswith(");")
    assert json.loads(jsonp.text[len("/**/jQuery_123(") : -2]) == fetched.json()
    bad = api.client.get("/reconcile/default", params={"callback": "alert(1)//"})
    assert bad.status_code == 400
    refused = api.client.get("/catalog", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in refused.headers


def cells(n: int) -> dict[str, Any]:
    """Ten cells as OpenRefine batches them: names with a column of birth dates, and bad
    cells among them."""
    rows = [
        {
            "query": "강경일",
            "type": "Person",
            "properties": [{"pid": "birthDate", "v": "1969-09-01"}],
        },
        {"query": "   ", "type": "Person"},
        {"query": "Kim Jong Un", "type": "Person"},
        {"query": "x" * 600, "type": "Person"},
        {"query": "Green Pine Associated Corporation", "type": "Organization"},
        {"query": "Gazprom", "type": "Company", "properties": [{"pid": "country", "v": True}]},
        {"query": "Velvet Chollima", "type": "Organization"},
        {
            "query": "John Smith",
            "type": "Person",
            "properties": [{"pid": "birthdate", "v": "1970"}],
        },
        {"query": "Lazarus Group", "type": "Thing", "limit": 3},
        {"query": "MV Wise Honest", "type": "Spaceship"},
    ]
    return {f"q{n * 10 + i}": row for i, row in enumerate(rows)}


def test_openrefine_reconciles_a_column(api: Running, api_keys: Keys, schemas: Validators) -> None:
    """Form-encoded batches of 10, the key in the service URL, as OpenRefine's backend
    sends them; every batch is a 200 whose bad cells alone are left empty."""
    for n in range(2):
        batch = cells(n)
        r = api.client.post(
            "/reconcile/default",
            params={"api_key": api_keys.screen},
            data={"queries": json.dumps(batch)},
        )
        assert r.status_code == 200, r.text
        assert r.headers["x-batch-size"] == "10"
        body = r.json()
        valid(schemas, "reconciliation-result-batch.json", body)
        assert set(body) == set(batch)
        empty = {k for k, v in body.items() if not v["result"]}
        assert empty == {f"q{n * 10 + i}" for i in (1, 3, 9)}, body
        assert all(body[k]["problem"] for k in empty)
        first = body[f"q{n * 10}"]["result"][0]
        assert first["id"] == KANG and first["match"] is True
        assert all(sum(c["match"] for c in v["result"]) <= 1 for v in body.values())
    valid(schemas, "reconciliation-query-batch.json", cells(0))


def test_suggest_preview_and_extend(api: Running, api_keys: Keys, schemas: Validators) -> None:
    key = {"api_key": api_keys.screen}
    manifest = api.client.get("/reconcile/default", params=key).json()
    entity = api.client.get(
        "/reconcile/default/suggest/entity", params={**key, "prefix": "kang kyong"}
    )
    assert entity.status_code == 200
    valid(schemas, "suggest-entities-response.json", entity.json())
    assert KANG in [e["id"] for e in entity.json()["result"]]
    types = api.client.get("/reconcile/default/suggest/type", params={**key, "prefix": "pers"})
    valid(schemas, "suggest-types-response.json", types.json())
    assert [t["id"] for t in types.json()["result"]] == ["Person"]
    props = api.client.get("/reconcile/default/suggest/property", params={**key, "prefix": "birth"})
    valid(schemas, "suggest-properties-response.json", props.json())
    assert "birthDate" in [p["id"] for p in props.json()["result"]]
    preview = api.client.get(manifest["preview"]["url"].replace("{{id}}", KANG).split("8000", 1)[1])
    assert preview.status_code == 200 and "KANG, Kyong Il" in preview.text
    proposed = api.client.get("/reconcile/default/extend/propose", params={**key, "type": "Person"})
    valid(schemas, "data-extension-property-proposal.json", proposed.json(), ("0.2",))
    assert {"program", "birthDate", "nationality"} <= {
        p["id"] for p in proposed.json()["properties"]
    }
    ask: dict[str, Any] = {
        "ids": [KANG, "no-such-id"],
        "properties": [{"id": p} for p in ("birthDate", "nationality", "program", "source")],
    }
    valid(schemas, "data-extension-query.json", ask)
    r = api.client.post("/reconcile/default", params=key, data={"extend": json.dumps(ask)})
    assert r.status_code == 200, r.text
    valid(schemas, "data-extension-response.json", r.json())
    row = r.json()["rows"][KANG]
    assert row["birthDate"] == [{"str": "1969-09-01"}]
    assert row["nationality"] == [{"str": "kp"}]
    assert row["program"] == [{"str": "DPRK"}]
    assert row["source"] == [{"str": "OFAC Specially Designated Nationals (SDN) list"}]
    assert r.json()["rows"]["no-such-id"] == {p["id"]: [] for p in ask["properties"]}
