"""OpenRefine reconciliation (spec 0.2) over real HTTP: the manifest, batches as OpenRefine
sends them (form field) and as JSON, properties, errors, auth and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanctum import audit
from sanctum.api import reconcile
from sanctum.schemata import MATCHABLE

from .conftest import Keys, Running, store_copy
from .test_api import assert_problem, bearer

KANG = "us-ofac-sdn-37658"  # "KANG, Kyong Il", DOB 01 Sep 1969, nationality Korea, North
GREEN_PINE = "GREEN PINE ASSOCIATED CORPORATION"


def post_form(api: Running, key: str, queries: dict[str, Any], dataset: str = "default") -> Any:
    """A batch exactly as OpenRefine sends it: `queries=<json>`, form-encoded."""
    return api.client.post(
        f"/reconcile/{dataset}", data={"queries": json.dumps(queries)}, headers=bearer(key)
    )


def answers(response: httpx.Response) -> dict[str, list[dict[str, Any]]]:
    assert response.status_code == 200, response.text
    return {k: v["result"] for k, v in response.json().items()}


def test_manifest(api: Running, api_keys: Keys) -> None:
    r = api.client.get("/reconcile/default")  # no key: OpenRefine reads it from the browser
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["versions"] == ["0.1", "0.2"]
    assert body["name"] == "Sanctum: all lists"
    # from SANCTUM_PUBLIC_URL (default), not from the Host header
    assert body["identifierSpace"] == "http://127.0.0.1:8000/entities/"
    other_host = api.client.get("/reconcile/default", headers={"Host": "localhost"}).json()
    assert other_host["identifierSpace"] == body["identifierSpace"]
    assert body["schemaSpace"] == "https://followthemoney.tech/explorer/schemata/"
    assert [t["id"] for t in body["defaultTypes"]] == [
        "Person",
        "Organization",
        "Company",
        "LegalEntity",
        "Vessel",
        "Airplane",
    ]
    assert {"id": "LegalEntity", "name": "Legal entity"} in body["defaultTypes"]
    assert body["view"] == {"url": "http://127.0.0.1:8000/reconcile/default/view/{{id}}"}
    assert body["batchSize"] == 100
    assert body["authentication"]["type"] == "apiKey"
    assert body["authentication"]["name"] == "api_key" and body["authentication"]["in"] == "query"
    keyed = api.client.get("/reconcile/default", params={"api_key": api_keys.screen}).json()
    assert keyed["view"]["url"].endswith(f"/view/{{{{id}}}}?api_key={api_keys.screen}")
    assert (
        keyed["suggest"]["entity"]["service_path"] == f"/suggest/entity?api_key={api_keys.screen}"
    )
    one = api.client.get("/reconcile/un_sc").json()
    assert one["name"] == "Sanctum: UN Security Council Consolidated List"
    assert_problem(api.client.get("/reconcile/nowhere"), 404, "dataset")


def test_the_view_url_shows_the_entity(
    api: Running, api_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUM_PUBLIC_URL", api.url)
    template = api.client.get("/reconcile/default", params={"api_key": api_keys.screen}).json()
    url = template["view"]["url"].replace("{{id}}", KANG)
    page = httpx.get(url, timeout=30)  # a clicked link: the key is in the URL
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>KANG, Kyong Il</h1>" in page.text and "1969-09-01" in page.text
    assert httpx.get(url.split("?")[0], timeout=30).status_code == 401


def test_openrefine_form_batch(api: Running, api_keys: Keys) -> None:
    queries = {
        "q0": {"query": "강경일", "type": "Person"},
        "q1": {"query": "Green Pine", "type": "Organization", "limit": 3},
    }
    found = answers(post_form(api, api_keys.screen, queries))
    assert set(found) == {"q0", "q1"}
    best = found["q0"][0]
    assert best["id"] == KANG and best["name"] == "KANG, Kyong Il"
    assert best["type"] == [{"id": "Person", "name": "Person"}]
    assert 90 <= best["score"] <= 100 and best["match"] is True
    assert best["description"] == "us_ofac_sdn; DPRK"
    assert len(found["q0"]) == reconcile.DEFAULT_LIMIT
    assert all(c["score"] < best["score"] for c in found["q0"][1:])
    assert len(found["q1"]) == 3
    assert {c["name"] for c in found["q1"]} == {GREEN_PINE}


def test_json_body_and_get_give_the_same(api: Running, api_keys: Keys) -> None:
    queries = {"q0": {"query": "강경일", "type": "Person"}}
    by_form = answers(post_form(api, api_keys.screen, queries))
    by_json = answers(
        api.client.post(
            "/reconcile/default", json={"queries": queries}, headers=bearer(api_keys.screen)
        )
    )
    by_get = answers(
        api.client.get(
            "/reconcile/default",
            params={"queries": json.dumps(queries)},
            headers=bearer(api_keys.screen),
        )
    )
    assert by_form == by_json == by_get
    assert by_form["q0"][0]["id"] == KANG


def test_properties_confirm_or_refute(api: Running, api_keys: Keys) -> None:
    def score(*props: dict[str, Any]) -> float:
        q = {"q": {"query": "강경일", "type": "Person", "properties": list(props)}}
        best = answers(post_form(api, api_keys.screen, q))["q"][0]
        assert best["id"] == KANG
        return float(best["score"])

    plain = score()
    assert plain < 100  # Hangul to romanization: room for confirmation
    assert score({"pid": "birthDate", "v": "1969-09-01"}) > plain
    assert score({"pid": "birthDate", "v": "1980-02-03"}) < plain
    assert score({"pid": "nationality", "v": {"id": "kp", "name": "North Korea"}}) > plain
    assert score({"pid": "passportNumber", "v": ["563210175"]}) >= plain


def test_identifier_alone_reconciles(api: Running, api_keys: Keys) -> None:
    props = [{"pid": "passportNumber", "v": 563210175}]  # "Passport 563210175 (Korea, North)"
    q = {"q": {"query": "", "type": "Person", "properties": props}}
    best = answers(post_form(api, api_keys.screen, q))["q"][0]
    assert best["id"] == KANG and best["match"] is True


def test_dataset_narrows_the_lists(api: Running, api_keys: Keys) -> None:
    q = {"q": {"query": GREEN_PINE, "type": "Organization"}}
    found = answers(post_form(api, api_keys.screen, q, dataset="un_sc"))["q"]
    assert found[0]["id"] == "un-sc-KPe.010"
    assert all(c["id"].startswith("un-sc-") for c in found)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"query": "x", "type": "Banana"}, "type 'Banana' cannot be screened"),
        ({"query": "   "}, "nothing to reconcile"),
        ({"query": ""}, "nothing to reconcile"),
        ({"query": 7}, "nothing to reconcile"),
        ({"query": "x" * 501}, "query longer than 500 characters"),
        ({"query": "x", "properties": [{"pid": "alias", "v": ["ok", "y" * 501]}]}, "longer"),
    ],
)
def test_a_bad_cell_is_answered_alone(
    api: Running, api_keys: Keys, query: dict[str, Any], problem: str
) -> None:
    """A query Sanctum cannot answer gets an empty result naming why; the rest of the
    batch is answered."""
    r = post_form(api, api_keys.screen, {"bad": query, "good": {"query": "강경일"}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["bad"]["result"] == [] and problem in body["bad"]["problem"]
    assert body["good"]["result"][0]["id"] == KANG and "problem" not in body["good"]


@pytest.mark.parametrize(
    "props",
    [
        [{"pid": "colour", "v": "red"}],
        [{"pid": "name", "v": True}],
        [{"pid": "birthDate", "v": "sometime"}],
    ],
)
def test_unreadable_properties_are_skipped(
    api: Running, api_keys: Keys, props: list[dict[str, Any]]
) -> None:
    r = post_form(
        api, api_keys.screen, {"q": {"query": "강경일", "type": "Person", "properties": props}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["q"]["result"][0]["id"] == KANG


@pytest.mark.parametrize(
    ("queries", "status", "field"),
    [
        ({f"q{i}": {"query": "Kim"} for i in range(101)}, 422, "queries"),
        ([], 422, "queries"),
        ({"q": "Kim"}, 422, "queries.q"),
    ],
)
def test_bad_batches(api: Running, api_keys: Keys, queries: Any, status: int, field: str) -> None:
    assert_problem(post_form(api, api_keys.screen, queries), status, field)


def test_one_match_per_query(api: Running, api_keys: Keys) -> None:
    """The CSL copy of an SDN entry ties with it; the designating list's entry is the match."""
    queries = {
        "kim": {"query": "Kim Jong Un", "type": "Person"},
        "gazprom": {"query": "Gazprom"},
        "kang": {"query": "강경일", "type": "Person"},
    }
    found = answers(post_form(api, api_keys.screen, queries))
    for key, candidates in found.items():
        assert sum(c["match"] for c in candidates) <= 1, (key, candidates)
    assert found["kim"][0]["id"] == "us-ofac-sdn-20157" and found["kim"][0]["match"] is True
    assert found["kim"][1]["id"] == "us-csl-20157" and found["kim"][1]["match"] is False


@pytest.mark.parametrize(
    ("content", "content_type", "status", "field"),
    [
        (b"queries=%7Bnot-json", "application/x-www-form-urlencoded", 400, "queries"),
        (b"other=1", "application/x-www-form-urlencoded", 422, "queries"),
        (b"queries=%FF%FE", "application/x-www-form-urlencoded", 400, "queries"),
        (b"\xff\xfe", "application/x-www-form-urlencoded", 400, "body"),
        (b'{"queries": ', "application/json", 400, "body"),
        (b'{"other": {}}', "application/json", 422, "queries"),
        (b"queries", "text/plain", 415, "content-type"),
    ],
)
def test_bad_bodies(
    api: Running,
    api_keys: Keys,
    content: bytes,
    content_type: str,
    status: int,
    field: str,
) -> None:
    headers = {**bearer(api_keys.screen), "Content-Type": content_type}
    r = api.client.post("/reconcile/default", content=content, headers=headers)
    assert_problem(r, status, field)


def test_auth(api: Running, api_keys: Keys) -> None:
    q = {"q": {"query": "강경일", "type": "Person"}}
    assert_problem(
        api.client.get("/reconcile/default", params={"queries": json.dumps(q)}),
        401,
        "authorization",
    )
    assert_problem(post_form(api, api_keys.read, q), 403, "authorization")
    assert_problem(post_form(api, api_keys.revoked, q), 401, "authorization")
    # OpenRefine cannot set headers: the key may come in the service URL
    r = api.client.post(
        "/reconcile/default",
        params={"api_key": api_keys.screen},
        data={"queries": json.dumps(q)},
    )
    assert answers(r)["q"][0]["id"] == KANG
    manifest = api.client.get("/reconcile/default", params={"api_key": api_keys.screen})
    assert manifest.status_code == 200
    # ... but only there
    r = api.client.get("/catalog", params={"api_key": api_keys.admin})
    assert_problem(r, 401, "authorization")


def test_stale_list_is_flagged_or_refused(
    api: Running, api_keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUM_MAX_AGE_UN_SC", "0")
    q = {"q": {"query": "강경일", "type": "Person"}}
    r = post_form(api, api_keys.screen, q)
    assert r.headers["x-sanctum-stale"] == "un_sc"
    assert answers(r)["q"][0]["id"] == KANG
    assert "x-sanctum-stale" not in post_form(api, api_keys.screen, q, "us_ofac_sdn").headers
    r = api.client.post(
        "/reconcile/default?strict=true",
        data={"queries": json.dumps(q)},
        headers=bearer(api_keys.screen),
    )
    assert assert_problem(r, 503, "strict")["stale"] == ["un_sc"]
    assert_problem(post_form(api, api_keys.strict, q), 503, "strict")


def test_reconciliations_are_audited_together(
    api: Running, api_keys: Keys, loaded_home: Path, tmp_path: Path
) -> None:
    q = {
        "rec-a": {"query": "강경일", "type": "Person"},
        "rec-b": {"query": "Velvet Chollima", "type": "Organization"},
    }
    answers(post_form(api, api_keys.screen, q))
    store = store_copy(loaded_home, tmp_path)
    try:
        ok, message = audit.verify(store)
        assert ok, message
        rows = store.db.execute(
            "SELECT id, at, actor, kind, query, results FROM audit "
            "WHERE kind='reconcile' ORDER BY id DESC LIMIT 2"
        ).fetchall()[::-1]
    finally:
        store.close()
    (id_a, at_a, actor_a, _, query_a, results_a), (id_b, at_b, _, _, query_b, results_b) = rows
    assert id_b == id_a + 1 and at_a == at_b and actor_a == str(api_keys.screen_id)
    assert json.loads(query_a) == {"schema": "Person", "properties": {"name": ["강경일"]}}
    assert json.loads(query_b)["properties"] == {"name": ["Velvet Chollima"]}
    assert json.loads(results_a)[0]["id"] == KANG
    assert json.loads(results_b)[0]["id"] == "us-ofac-sdn-45430"


def test_types_are_the_matchable_schemata() -> None:
    assert set(reconcile.DEFAULT_TYPES) < set(MATCHABLE)
    query = reconcile.ReconcileQuery.model_validate({"query": "x", "type": ["Person"]})
    assert reconcile.schema_of(query) == "Person"
    assert reconcile.schema_of(reconcile.ReconcileQuery.model_validate({"type": "Address"})) is None
