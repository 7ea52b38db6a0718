"""Limits over real HTTP: name length, per-key rate limits (and the token bucket behind
them), `changed_since` on /match, one audit transaction per request, and the error
documentation in `/openapi.json`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sanctum import audit
from sanctum.api import reconcile
from sanctum.api.app import create_app
from sanctum.api.ratelimit import RateLimiter, retry_after
from sanctum.screen import Match, Screening
from sanctum.store import keys
from sanctum.store.db import Store

from .conftest import Keys, Running, serve, store_copy
from .test_api import YENTE_BODY, assert_problem, bearer

KANG = "us-ofac-sdn-37658"  # first in sdn.csv 2023-12-01, unchanged in 2024-05-03


def person(*names: str, **props: list[str]) -> dict[str, Any]:
    return {"queries": {"q1": {"schema": "Person", "properties": {"name": list(names), **props}}}}


# -- name length ----------------------------------------------------------------------------


def test_names_longer_than_the_default_limit(api: Running, api_keys: Keys) -> None:
    head = bearer(api_keys.screen)
    r = api.client.post("/match/default", json=person("x" * 501), headers=head)
    body = assert_problem(r, 422, "queries.q1.properties.name.0")
    assert "longer than 500 characters" in body["detail"]
    ok = api.client.post("/match/default", json=person("KANG Kyong Il " + "x" * 486), headers=head)
    assert ok.status_code == 200, ok.text


@dataclass
class Small:
    """A server over an empty store with small limits (limits apply before screening)."""

    running: Running
    keys: dict[str, str]


def small_server(home: Path, env: dict[str, str], names: tuple[str, ...]) -> Iterator[Small]:
    """Serve an empty store under these settings, with an admin key per name."""
    store = Store(home / "sanctum.sqlite")
    made = {name: keys.create(store, ["admin"], name)[1] for name in names}
    store.close()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        app = create_app(home / "sanctum.sqlite")
    for running in serve(app):
        yield Small(running, made)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Small]:
    home = tmp_path_factory.mktemp("names")
    yield from small_server(home, {"SANCTUM_MAX_NAME": "20"}, ("names",))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (person("x" * 21), "queries.q1.properties.name.0"),
        (person("KANG Kyong Il", "y" * 21), "queries.q1.properties.name.1"),
        (person("KANG Kyong Il", alias=["ok", "z" * 21]), "queries.q1.properties.alias.1"),
        (
            {"queries": {"q1": {"schema": "Person", "properties": {"name": "x" * 21}}}},
            "queries.q1.properties.name.0",
        ),
    ],
)
def test_name_limit_is_configurable(small: Small, body: dict[str, Any], field: str) -> None:
    r = small.running.client.post("/match/default", json=body, headers=bearer(small.keys["names"]))
    assert_problem(r, 422, field)


def test_name_limit_on_search_and_reconcile(small: Small) -> None:
    client = small.running.client
    head = bearer(small.keys["names"])
    assert_problem(client.get("/search/default", params={"q": "x" * 21}, headers=head), 422, "q")
    queries = json.dumps({"k": {"query": "x" * 21}})
    r = client.post("/reconcile/default", data={"queries": queries}, headers=head)
    assert_problem(r, 503)  # an empty store: nothing to reconcile against
    # with lists loaded, an over-long cell is answered alone (an empty result, its problem)
    asked = reconcile.read_query(reconcile.ReconcileQuery(query="x" * 21), 20)
    assert asked.query is None and asked.problems == ["query longer than 20 characters"]
    # within the limit, an empty store still refuses to screen rather than say "no match"
    r = client.post("/match/default", json=person("x" * 20), headers=head)
    assert_problem(r, 503)


# -- rate limits ----------------------------------------------------------------------------


def test_rate_limit_per_key(tmp_path: Path) -> None:
    for small in small_server(tmp_path, {"SANCTUM_RATE_LIMIT": "3"}, ("a", "b")):
        check_rate_limit(small)


def check_rate_limit(small: Small) -> None:
    client = small.running.client
    a, b = bearer(small.keys["a"]), bearer(small.keys["b"])
    statuses = [client.get("/catalog", headers=a).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    r = client.get("/catalog", headers=a)
    body = assert_problem(r, 429)
    assert "more than 3 requests a minute" in body["detail"]
    assert 1 <= int(r.headers["retry-after"]) <= 20  # 3 a minute: one every 20 s
    assert client.get("/catalog", headers=b).status_code == 200  # each key its own bucket
    assert client.get("/healthz").status_code == 200  # open endpoints are not limited


def test_open_mode_keys_share_one_bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUM_RATE_LIMIT", "2")
    Store(tmp_path / "sanctum.sqlite").close()
    app = create_app(tmp_path / "sanctum.sqlite", open_mode=True)
    for running in serve(app):
        client = running.client
        assert client.get("/catalog").status_code == 200
        assert client.get("/catalog", headers={"X-API-Key": "anything"}).status_code == 200
        assert_problem(client.get("/catalog", headers=bearer("another")), 429)


def test_rate_limit_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUM_RATE_LIMIT", "0")
    Store(tmp_path / "sanctum.sqlite").close()
    app = create_app(tmp_path / "sanctum.sqlite", open_mode=True)
    for running in serve(app):
        assert {running.client.get("/catalog").status_code for _ in range(20)} == {200}


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket() -> None:
    clock = Clock()
    limiter = RateLimiter(60, clock)  # one a second, bursts of 60
    assert [limiter.take(1) for _ in range(60)] == [0.0] * 60
    assert limiter.take(1) == pytest.approx(1.0)
    assert limiter.take(2) == 0.0  # another key
    clock.now += 0.5
    assert limiter.take(1) == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.take(1) == 0.0
    clock.now += 3600  # refills up to the burst size, not beyond
    assert [limiter.take(1) for _ in range(61)].count(0.0) == 60
    off = RateLimiter(0, clock)
    assert not off.enabled and all(off.take(1) == 0.0 for _ in range(1000))
    assert [retry_after(w) for w in (0.01, 1.0, 1.2, 19.5)] == ["1", "1", "2", "20"]


# -- changed_since --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "kang_found"),
    [(None, True), ("2021-07-07", True), ("2023-12-01", True), ("2023-12-02", False)],
)
def test_changed_since(api: Running, api_keys: Keys, since: str | None, kang_found: bool) -> None:
    params: dict[str, str | float] = {"cutoff": 0.0}  # so the page can fill
    if since:
        params["changed_since"] = since
    r = api.client.post(
        "/match/default", params=params, json=YENTE_BODY, headers=bearer(api_keys.screen)
    )
    assert r.status_code == 200, r.text
    results = r.json()["responses"]["q1"]["results"]
    assert (KANG in {x["id"] for x in results}) is kang_found
    assert len(results) == 5  # the page is filled from further down, not left short
    if since:
        assert all(x["last_change"] >= since for x in results)
    if since == "2023-12-01":
        assert results[0]["id"] == KANG and results[0]["last_change"] == "2023-12-01T00:00:00"


def test_cutoff_as_yente(api: Running, api_keys: Keys) -> None:
    """Results below the cutoff (default 0.5, never above the threshold) are not returned."""
    body = {"queries": {"q1": {"schema": "Person", "properties": {"name": ["Kang Min Su"]}}}}

    def scores(**params: float) -> list[float]:
        r = api.client.post(
            "/match/default", params=params, json=body, headers=bearer(api_keys.screen)
        )
        assert r.status_code == 200, r.text
        return [x["score"] for x in r.json()["responses"]["q1"]["results"]]

    everything = scores(cutoff=0.0, limit=50)
    assert min(everything) < 0.5 < max(everything)
    assert scores(limit=50) == [s for s in everything if s >= 0.5]
    assert scores(cutoff=0.7, limit=50) == [s for s in everything if s >= 0.7]
    # as yente: the cutoff never hides a match
    assert scores(cutoff=0.99, threshold=0.6, limit=50) == [s for s in everything if s >= 0.6]


def test_changed_since_must_be_a_date(api: Running, api_keys: Keys) -> None:
    r = api.client.post(
        "/match/default?changed_since=recently", json=YENTE_BODY, headers=bearer(api_keys.screen)
    )
    assert_problem(r, 422, "changed_since")


def test_last_changes_read_from_the_store(loaded_home: Path) -> None:
    from sanctum import catalog

    store = Store(loaded_home / "sanctum.sqlite")
    try:
        found = catalog.last_changes(store, [KANG, "us-ofac-sdn-45430", "un-sc-KPe.010", "none"])
    finally:
        store.close()
    # KANG and KIMSUKY first appear in the 2023-12-01 SDN file, unchanged in 2024-05-03;
    # GREEN PINE (KPe.010) is in all three UN files
    assert found[KANG] == "2023-12-01" and found["us-ofac-sdn-45430"] == "2023-12-01"
    assert found["un-sc-KPe.010"] >= "2020-03-20"
    assert "none" not in found


# -- audit: one transaction per request -----------------------------------------------------


def test_a_match_request_is_audited_in_one_transaction(
    api: Running, api_keys: Keys, loaded_home: Path, tmp_path: Path
) -> None:
    names = ["강경일", "Kim Jong Un", "Velvet Chollima"]
    body = {
        "queries": {
            f"tx-{i}": {"schema": "LegalEntity", "properties": {"name": [n]}}
            for i, n in enumerate(names)
        }
    }
    r = api.client.post("/match/default", json=body, headers=bearer(api_keys.screen))
    assert r.status_code == 200, r.text
    store = store_copy(loaded_home, tmp_path)
    try:
        assert audit.verify(store)[0]
        rows = store.db.execute(
            "SELECT id, at, query FROM audit WHERE kind='screen' ORDER BY id DESC LIMIT 3"
        ).fetchall()[::-1]
    finally:
        store.close()
    assert [json.loads(q)["properties"]["name"] for _, _, q in rows] == [[n] for n in names]
    assert [rid for rid, _, _ in rows] == list(range(rows[0][0], rows[0][0] + 3))
    assert len({at for _, at, _ in rows}) == 1


def fake_screening(entity_id: str) -> Screening:
    hit = Match(entity_id, "X", "Person", "us_ofac_sdn", 0.9, True, {})
    return Screening([hit], 0.8, "sanctum", {"us_ofac_sdn": "2024-05-03"})


def test_record_screenings_is_all_or_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "audit.sqlite")
    try:
        first = audit.record_screening(store, "t", {"n": 0}, fake_screening("a"))
        ids = audit.record_screenings(
            store, "t", [({"n": 1}, fake_screening("b")), ({"n": 2}, fake_screening("c"))]
        )
        assert ids == [first + 1, first + 2]
        with pytest.raises(TypeError):
            audit.record_screenings(
                store, "t", [({"n": 3}, fake_screening("d")), ({object()}, fake_screening("e"))]
            )
        assert audit.record_screenings(store, "t", []) == []
        count = store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        assert count == 3  # the failed batch left nothing behind
        assert audit.verify(store) == (True, "3 records, chain intact")
        kinds = store.db.execute("SELECT kind FROM audit ORDER BY id").fetchall()
        assert kinds == [("screen",)] * 3
        audit.record_screenings(store, "t", [({"n": 4}, fake_screening("f"))], kind="reconcile")
        store.db.execute("UPDATE audit SET query='{}' WHERE id=?", (first + 1,))
        ok, message = audit.verify(store)
        assert not ok and message.startswith(f"record {first + 1}:")
    finally:
        store.close()


# -- the published schema -------------------------------------------------------------------


def test_errors_are_documented_as_problems(api: Running) -> None:
    schema = api.client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/search/{dataset}", "/reconcile/{dataset}", "/admin/update"} <= set(paths)
    assert set(paths["/reconcile/{dataset}"]) == {"get", "post"}
    problem = {"$ref": "#/components/schemas/ProblemDocument"}
    seen = 0
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("4") or (status.startswith("5") and path != "/readyz"):
                    assert response["content"] == {
                        "application/problem+json": {"schema": problem}
                    }, (method, path, status)
                    seen += 1
    assert seen > 40
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    search = paths["/search/{dataset}"]["get"]["responses"]
    assert set(search) >= {"200", "401", "403", "404", "422", "429", "503"}
    body = paths["/reconcile/{dataset}"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/x-www-form-urlencoded", "application/json"}


def test_wrong_method_names_every_allowed_one(api: Running) -> None:
    r = api.client.request("DELETE", "/reconcile/default")
    assert_problem(r, 405)
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    r = api.client.get("/admin/update")
    assert_problem(r, 405)
    assert r.headers["allow"] == "POST"
