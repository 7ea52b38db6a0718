"""The customer book, monitoring status and results grouped by party over real HTTP."""

from __future__ import annotations

from .conftest import Keys, Running


def test_customers_and_status(api: Running, api_keys: Keys) -> None:
    admin = {"X-API-Key": api_keys.admin}
    read = {"X-API-Key": api_keys.read}
    body = [
        {"id": "api-c1", "name": "Gang Gyeong-il", "schema": "Person", "birth_date": "1969-09-01"},
        {"id": "api-c2", "name": "KIMSUKY Group", "country": ["kp", "kr"]},
    ]
    done = api.client.post("/customers", json=body, headers=admin)
    assert done.status_code == 200, done.text
    assert done.json()["counts"]["inserted"] == 2
    assert api.client.post("/customers", json=body, headers=read).status_code == 403
    bad = api.client.post("/customers", json=[{"id": "x", "name": " "}], headers=admin)
    assert (bad.status_code, bad.json()["field"]) == (422, "body.0")
    one = api.client.get("/customers/api-c2", headers=read).json()
    assert (one["name"], one["country"], one["status"]) == ("KIMSUKY Group", ["kp", "kr"], "active")
    assert api.client.get("/customers/nobody", headers=read).status_code == 404
    status = api.client.get("/monitoring/status", headers=read)
    assert status.status_code == 200, status.text
    assert status.json()["customers"]["pending"] >= 2  # imported, not screened yet


def test_match_grouped_by_party(api: Running, api_keys: Keys) -> None:
    query = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Kim Yong Chol"]}}}}
    done = api.client.post(
        "/match/default?group=party&limit=3", json=query, headers={"X-API-Key": api_keys.screen}
    )
    assert done.status_code == 200, done.text
    answer = done.json()["responses"]["q"]
    assert (answer["matched_parties"], answer["more_matched"]) == (5, 2)
    assert len(answer["results"]) == 3
    un = next(r for r in answer["results"] if r["party_id"] == "un-sc-KPi.024")
    assert un["lists"] == ["au_dfat", "uk_ofsi", "un_sc"]
    assert sorted(m["id"] for m in un["members"]) == [
        "au-dfat-3158",
        "uk-ofsi-13334",
        "un-sc-KPi.024",
    ]
