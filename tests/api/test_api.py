"""The HTTP API over real HTTP on loopback: yente compatibility, auth, errors, freshness,
and the audit trail of API screenings."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from sanctum import audit
from sanctum.api.app import create_app
from sanctum.api.keys import Verifier
from sanctum.cli import app as cli_app
from sanctum.store import keys
from sanctum.store.db import Store

from .conftest import Keys, Running, free_port, serve, store_copy

KANG = "us-ofac-sdn-37658"
LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
YENTE_BODY = {"queries": {"q1": {"schema": "Person", "properties": {"name": ["강경일"]}}}}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> Any:
    """The response is a problem document of this status (and field, if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "field"}
    assert body["status"] == status and body["detail"]
    if field is not None:
        assert body["field"] == field, body
    return body


# -- yente compatibility ------------------------------------------------------------------


def test_yente_request_body_finds_kang(api: Running, api_keys: Keys) -> None:
    r = api.client.post("/match/default", json=YENTE_BODY, headers=bearer(api_keys.screen))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"responses", "limit", "matcher_version", "list_versions", "stale"}
    q1 = body["responses"]["q1"]
    assert q1["status"] == 200 and q1["query"] == {"id": None, **YENTE_BODY["queries"]["q1"]}
    best = q1["results"][0]
    assert best["id"] == KANG and best["match"] is True and best["score"] >= 0.9
    assert best["caption"] == "KANG, Kyong Il" and best["schema"] == "Person"
    assert best["datasets"] == ["us_ofac_sdn"]
    assert "KANG, Kyong Il" in best["properties"]["name"]
    assert best["features"] == best["explanation"]["features"]
    assert q1["total"]["value"] == sum(r["match"] for r in q1["results"])  # as yente: matches
    assert body["list_versions"]["us_ofac_sdn"] == "2024-05-03"
    assert body["list_versions"]["un_sc"] == "2026-02-27"
    assert body["stale"] == []


def test_x_api_key_header_and_dataset_filter(api: Running, api_keys: Keys) -> None:
    r = api.client.post("/match/un_sc", json=YENTE_BODY, headers={"X-API-Key": api_keys.admin})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["list_versions"]) == {"un_sc"}
    assert all(res["datasets"] == ["un_sc"] for res in body["responses"]["q1"]["results"])
    r = api.client.post(
        "/match/default?exclude_dataset=us_ofac_sdn&exclude_dataset=us_ofac_cons",
        json=YENTE_BODY,
        headers=bearer(api_keys.screen),
    )
    results = r.json()["responses"]["q1"]["results"]
    assert all(res["datasets"][0] not in ("us_ofac_sdn", "us_ofac_cons") for res in results)


def test_openapi_and_health_are_open(api: Running) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    r = api.client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready"
    assert "/match/{dataset}" in api.client.get("/openapi.json").json()["paths"]


# -- auth -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer sk_1_not-the-secret"}, 401),
        ({"Authorization": "Bearer nonsense"}, 401),
        ({"X-API-Key": "sk_999999_whatever"}, 401),
    ],
)
def test_match_without_a_good_key(api: Running, headers: dict[str, str], status: int) -> None:
    r = api.client.post("/match/default", json=YENTE_BODY, headers=headers)
    assert_problem(r, status, "authorization")
    assert r.headers["www-authenticate"] == "Bearer"


def test_revoked_key_is_refused(api: Running, api_keys: Keys) -> None:
    r = api.client.post("/match/default", json=YENTE_BODY, headers=bearer(api_keys.revoked))
    assert_problem(r, 401, "authorization")


def test_revoking_takes_effect_at_once(api: Running, loaded_home: Path) -> None:
    store = Store(loaded_home / "sanctum.sqlite")
    record, text = keys.create(store, ["screen"], "revoked while in use")
    try:
        ok = api.client.post("/match/default", json=YENTE_BODY, headers=bearer(text))
        assert ok.status_code == 200
        keys.revoke(store, record.id)
    finally:
        store.close()
    r = api.client.post("/match/default", json=YENTE_BODY, headers=bearer(text))
    assert_problem(r, 401, "authorization")


def test_wrong_scope_is_forbidden(api: Running, api_keys: Keys) -> None:
    r = api.client.post("/match/default", json=YENTE_BODY, headers=bearer(api_keys.read))
    assert_problem(r, 403, "authorization")
    r = api.client.get("/catalog", headers=bearer(api_keys.screen))
    assert_problem(r, 403, "authorization")


def test_keys_are_stored_only_as_salted_hashes(loaded_home: Path, api_keys: Keys) -> None:
    db = sqlite3.connect(loaded_home / "sanctum.sqlite")
    try:
        rows = db.execute("SELECT salt, hash FROM api_keys").fetchall()
        everything = db.execute("SELECT * FROM api_keys").fetchall()
    finally:
        db.close()
    secret = api_keys.screen.split("_", 2)[2]
    assert not any(secret in str(cell) for row in everything for cell in row)
    assert len({salt for salt, _ in rows}) == len(rows)
    assert all(len(h) == 64 for _, h in rows)


# -- read endpoints -------------------------------------------------------------------------


def test_catalog_entities_and_diff(api: Running, api_keys: Keys) -> None:
    head = bearer(api_keys.read)
    sources = {s["source"]: s for s in api.client.get("/catalog", headers=head).json()["sources"]}
    assert sources["us_ofac_sdn"]["version"] == "2024-05-03"
    assert sources["un_sc"]["versions"] == 3
    entity = api.client.get(f"/entities/{KANG}", headers=head).json()
    assert entity["schema"] == "Person" and entity["source"] == "us_ofac_sdn"
    assert "KANG, Kyong Il" in entity["properties"]["name"]
    assert_problem(api.client.get("/entities/no-such-id", headers=head), 404, "id")
    diff = api.client.get(
        "/diff",
        params={"source": "us_ofac_sdn", "from": "2023-11-30", "to": "2023-12-01"},
        headers=head,
    ).json()
    assert len(diff["added"]) == 9 and diff["removed"] == [] and diff["changed"] == []
    assert KANG in diff["added"]
    bad = api.client.get(
        "/diff",
        params={"source": "us_ofac_sdn", "from": "yesterday", "to": "2023-12-01"},
        headers=head,
    )
    assert_problem(bad, 422, "from")


def test_screen_addresses(api: Running, api_keys: Keys) -> None:
    r = api.client.post(
        "/screen/addresses",
        json={"addresses": [LAZARUS_ETH.lower(), "not-an-address"]},
        headers=bearer(api_keys.screen),
    )
    assert r.status_code == 200, r.text
    first, second = r.json()["responses"]
    assert first["status"] == 200
    assert "us-ofac-sdn-27307" in {m["holder_id"] for m in first["matches"]}
    assert second["status"] == 422 and second["error"]["field"] == "addresses.1"


# -- errors ---------------------------------------------------------------------------------


def post_raw(api: Running, key: str, content: bytes) -> httpx.Response:
    headers = {**bearer(key), "Content-Type": "application/json"}
    return api.client.post("/match/default", content=content, headers=headers)


@pytest.mark.parametrize(
    ("content", "status", "field"),
    [
        (b'{"queries": {"q1": ', 400, "body"),
        (b"\xff\xfe not json", 400, "body"),
        (b"[]", 422, ""),
        (b'{"queries": []}', 422, "queries"),
        (b'{"queries": {"q1": {"properties": {"name": ["x"]}}}}', 422, "queries.q1.schema"),
        (b'{"queries": {}}', 400, "queries"),
        (b'{"queries": {"q1": {"schema": "Person", "properties": []}}}', 422, None),
        (
            b'{"queries": {"q1": {"schema": "Banana", "properties": {"name": ["x"]}}}}',
            400,
            "queries.q1.schema",
        ),
        (
            b'{"queries": {"q1": {"schema": "Address", "properties": {"name": ["x"]}}}}',
            400,
            "queries.q1.schema",
        ),
        (
            b'{"queries": {"q1": {"schema": "Person", "properties": {"name": [""]}}}}',
            422,
            "queries.q1.properties.name",
        ),
    ],
)
def test_bad_bodies_are_4xx_problems(
    api: Running, api_keys: Keys, content: bytes, status: int, field: str | None
) -> None:
    assert_problem(post_raw(api, api_keys.screen, content), status, field)


def test_too_many_queries(api: Running, api_keys: Keys) -> None:
    queries = {f"q{i}": {"schema": "Person", "properties": {"name": ["Kim"]}} for i in range(101)}
    r = api.client.post(
        "/match/default", json={"queries": queries}, headers=bearer(api_keys.screen)
    )
    body = assert_problem(r, 422, "queries")
    assert "101 queries" in body["detail"]


def test_oversized_body(api: Running, api_keys: Keys) -> None:
    big = json.dumps({"queries": {"q1": {"properties": {"name": ["x" * 3_000_000]}}}}).encode()
    assert_problem(post_raw(api, api_keys.screen, big), 413, "body")

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 100_000

    r = api.client.post(
        "/match/default",
        content=chunks(),
        headers={**bearer(api_keys.screen), "Content-Type": "application/json"},
    )
    assert_problem(r, 413, "body")


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("threshold=2", 422, "threshold"),
        ("limit=0", 422, "limit"),
        ("algorithm=magic", 400, "algorithm"),
        ("changed_since=2023-13", 422, "changed_since"),
        ("changed_since=2023-02-30", 400, "changed_since"),
    ],
)
def test_bad_parameters(api: Running, api_keys: Keys, query: str, status: int, field: str) -> None:
    r = api.client.post(f"/match/default?{query}", json=YENTE_BODY, headers=bearer(api_keys.screen))
    assert_problem(r, status, field)


def test_unknown_dataset_and_route(api: Running, api_keys: Keys) -> None:
    r = api.client.post("/match/nowhere", json=YENTE_BODY, headers=bearer(api_keys.screen))
    assert_problem(r, 404, "dataset")
    assert_problem(api.client.get("/no/such/route"), 404)


# -- fail-closed ----------------------------------------------------------------------------


def test_stale_source(api: Running, api_keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUM_MAX_AGE_UN_SC", "0")
    ready = api.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "not ready"
    assert any(reason.startswith("un_sc:") for reason in ready.json()["reasons"])
    r = api.client.post("/match/default", json=YENTE_BODY, headers=bearer(api_keys.screen))
    assert r.status_code == 200
    assert r.json()["stale"] == ["un_sc"]
    assert r.json()["responses"]["q1"]["results"][0]["id"] == KANG
    only_ofac = api.client.post(
        "/match/us_ofac_sdn", json=YENTE_BODY, headers=bearer(api_keys.screen)
    )
    assert only_ofac.json()["stale"] == []
    strict = api.client.post(
        "/match/default?strict=true", json=YENTE_BODY, headers=bearer(api_keys.screen)
    )
    assert assert_problem(strict, 503, "strict")["stale"] == ["un_sc"]
    by_key = api.client.post("/match/default", json=YENTE_BODY, headers=bearer(api_keys.strict))
    assert_problem(by_key, 503, "strict")


def test_no_list_loaded_is_503_not_no_match(tmp_path: Path) -> None:
    empty = Store(tmp_path / "sanctum.sqlite")
    _, key = keys.create(empty, ["admin"])
    empty.close()
    for running in serve(create_app(tmp_path / "sanctum.sqlite")):
        r = running.client.post("/match/default", json=YENTE_BODY, headers=bearer(key))
        assert_problem(r, 503)
        assert running.client.get("/readyz").status_code == 503


# -- audit trail ----------------------------------------------------------------------------


def test_api_screenings_are_audited_and_tamper_shows(
    api: Running, api_keys: Keys, loaded_home: Path, tmp_path: Path
) -> None:
    body = {
        "queries": {
            "audit-a": {"schema": "Person", "properties": {"name": ["강경일"]}},
            "audit-b": {"schema": "Organization", "properties": {"name": ["Velvet Chollima"]}},
        }
    }
    r = api.client.post("/match/default", json=body, headers=bearer(api_keys.screen))
    assert r.status_code == 200
    store = store_copy(loaded_home, tmp_path)
    try:
        ok, message = audit.verify(store)
        assert ok, message
        rows = store.db.execute(
            "SELECT id, actor, query, results FROM audit WHERE query LIKE ? ORDER BY id",
            ("%Velvet Chollima%",),
        ).fetchall()
        rid, actor, query, results = rows[-1]
        assert actor == str(api_keys.screen_id)
        assert json.loads(query)["schema"] == "Organization"
        assert json.loads(results)[0]["id"] == "us-ofac-sdn-45430"
        store.db.execute("UPDATE audit SET results='[]' WHERE id=?", (rid,))
        ok, message = audit.verify(store)
        assert not ok and message.startswith(f"record {rid}:")
    finally:
        store.close()
    copy = tmp_path / "copy.sqlite"  # where store_copy put it
    done = CliRunner().invoke(cli_app, ["audit", "verify"], env={"SANCTUM_DB": str(copy)})
    assert done.exit_code == 1
    assert f"record {rid}" in done.output


# -- command line ---------------------------------------------------------------------------


def test_keys_cli(tmp_path: Path) -> None:
    env = {"SANCTUM_DB": str(tmp_path / "keys.sqlite")}
    runner = CliRunner()
    made = runner.invoke(
        cli_app, ["keys", "create", "--scope", "read", "--name", "analyst", "--strict"], env=env
    )
    assert made.exit_code == 0, made.output
    text = made.stdout.strip().splitlines()[-1]
    assert text.startswith("sk_1_") and len(text) > 40
    store = Store(tmp_path / "keys.sqlite")
    try:
        found = Verifier(store).verify(text)
        assert found is not None and found.scopes == ("read",) and found.strict
    finally:
        store.close()
    listed = runner.invoke(cli_app, ["keys", "list", "--json"], env=env)
    assert json.loads(listed.stdout)[0]["name"] == "analyst"
    assert runner.invoke(cli_app, ["keys", "revoke", "1"], env=env).exit_code == 0
    again = runner.invoke(cli_app, ["keys", "revoke", "1"], env=env)
    assert again.exit_code == 1 and "already revoked" in again.output
    assert runner.invoke(cli_app, ["keys", "revoke", "7"], env=env).exit_code == 1
    bad = runner.invoke(cli_app, ["keys", "create", "--scope", "root"], env=env)
    assert bad.exit_code == 1 and "unknown scope" in bad.output


def test_serve_open_mode_says_so(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SANCTUM_HOME": str(tmp_path), "SANCTUM_DB": str(tmp_path / "s.sqlite")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sanctum.cli", "serve", "--open", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        assert r.status_code == 503 and r.json()["reasons"] == ["no sanctions list is loaded"]
        # open mode: no key needed, and an empty store still refuses to screen
        m = httpx.post(f"http://127.0.0.1:{port}/match/default", json=YENTE_BODY, timeout=10)
        assert m.status_code == 503
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "OPEN MODE" in err
