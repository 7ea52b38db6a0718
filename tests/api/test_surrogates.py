"""Text that is not valid Unicode (a lone UTF-16 surrogate, sent as a JSON escape) is a
clear 422 naming the field on every route that reads JSON; it gave 500 on 6 of 6 inputs
(the audit hash's UTF-8 encoding, /reconcile's and /screen/addresses' answers)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import Keys, Running
from .test_api import bearer

JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
RECONCILE = '{"q0": {"query": "\\ud800Kim", "type": "Person"}}'


@pytest.mark.parametrize(
    ("path", "headers", "body", "field"),
    [
        (
            "/match/default",
            JSON,
            '{"queries": {"q1": {"schema": "Person", "properties": {"name": ["\\ud800Kim"]}}}}',
            "queries.q1.properties.name.0",
        ),
        (
            "/match/default",
            JSON,
            '{"queries": {"q1": {"schema": "Person", "properties": {"na\\udfffme": ["Kim"]}}}}',
            "queries.q1.properties.na\\udfffme",
        ),
        (
            "/match/default",
            JSON,
            '{"queries": {"q\\udbff": {"schema": "Person", "properties": {"name": ["Kim"]}}}}',
            "queries.q\\udbff",
        ),
        ("/screen/addresses", JSON, '{"addresses": ["\\udc00abc"]}', "addresses.0"),
        ("/reconcile/default", JSON, '{"queries": ' + RECONCILE + "}", "queries.q0.query"),
        ("/reconcile/default", FORM, "queries=" + quote(RECONCILE), "queries.q0.query"),
    ],
)
def test_lone_surrogates_are_422_naming_the_field(
    api: Running, api_keys: Keys, path: str, headers: dict[str, str], body: str, field: str
) -> None:
    r = api.client.post(path, content=body, headers={**headers, **bearer(api_keys.screen)})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert "lone surrogate" in r.json()["detail"]


def test_lone_surrogates_in_the_reconcile_query_parameter(api: Running, api_keys: Keys) -> None:
    r = api.client.get(
        "/reconcile/default", params={"queries": RECONCILE}, headers=bearer(api_keys.screen)
    )
    assert r.status_code == 422 and r.json()["field"] == "queries.q0.query"


def test_a_pair_of_surrogates_is_one_character_and_screens(api: Running, api_keys: Keys) -> None:
    body = (
        '{"queries": {"q1": {"schema": "Person", "properties": {"name": ["Kim \\ud83d\\ude00"]}}}}'
    )
    r = api.client.post("/match/default", content=body, headers={**JSON, **bearer(api_keys.screen)})
    assert r.status_code == 200
    assert r.json()["responses"]["q1"]["query"]["properties"]["name"] == ["Kim \U0001f600"]
