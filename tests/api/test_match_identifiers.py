"""`/match` reads FtM `email`, `website` and `phone` as identifiers."""

from __future__ import annotations

import pytest

from .conftest import Keys, Running

KIMSUKY = "us-ofac-sdn-45430"


@pytest.mark.parametrize(
    "properties",
    [
        {"email": ["hongsiao@naver.com"]},
        {"website": ["https://www.onerearth.xyz/"]},
        {"name": ["Unrelated Trading"], "email": ["hongsiao@naver.com"]},
    ],
)
def test_match_by_contact_identifier(
    api: Running, api_keys: Keys, properties: dict[str, list[str]]
) -> None:
    body = {"queries": {"q": {"schema": "LegalEntity", "properties": properties}}}
    r = api.client.post(
        "/match/default", json=body, headers={"Authorization": f"Bearer {api_keys.screen}"}
    )
    assert r.status_code == 200, r.text
    results = r.json()["responses"]["q"]["results"]
    best = next(x for x in results if x["id"] == KIMSUKY)
    assert best["match"] is True
    value = next(iter(v for k, v in properties.items() if k != "name"))[0]
    assert value in best["explanation"]["identifier"]
