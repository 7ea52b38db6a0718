"""yente's own `/match` tests, ported to real HTTP against `sanctum serve` loaded with yente's
test dataset (`zala`).

Ported from opensanctions/yente `tests/test_match.py` (MIT licence, commit 916a474; copy
and provenance in shared/compat/yente). The requests and assertions are yente's; only
the client changed (a real server on loopback instead of yente's in-process test client).

Scenarios that depend on yente internals, and how far each is ported:
- `test_match_logic_v2_with_algorithm_config`: its first half patches nomenklatura's
  `LogicV2.compare` to check the config reaches it; Sanctum does not run LogicV2, so only
  the status codes are ported (a valid option 200, an invalid one 400).
- `test_match_name_without_spaces` and `test_fuzzy_names` patch
  `yente.settings.MATCH_FUZZY` to show that results disappear without fuzzy retrieval
  (yente's Elasticsearch n-grams and fuzziness). Sanctum's retrieval has no such switch
  (`fuzzy` changes nothing), so only their fuzzy halves are ported.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Running

ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"
QUERY_ZAKHAROV = {
    "schema": "Person",
    "properties": {
        "name": ["Alexander Vyacheslavovich ZAKHAROV"],
        "birthDate": ["1965"],
        "country": "Russia",
    },
}
MANY_NAMES = {
    "properties": {
        "name": [
            "Alexander Vyacheslavovich ZAKHAROV",
            "Aleksandr Vyacheslavovich Zakharov",
            "Александр Вячеславович Захаров",
            "Александр ЗАХАРОВ",
            "Захаров Александр Вячеславович",
            "Zakharov Aleksandr Vyacheslavovich",
            "Aleksandr Vjačeslavovič Zacharov",
        ]
    },
    "schema": "Person",
}
SCORED_FIELDS = {
    "id": str,
    "caption": str,
    "schema": str,
    "properties": dict,
    "datasets": list,
    "referents": list,
    "target": bool,
    "first_seen": str,
    "last_seen": str,
    "last_change": str,
    "score": float,
    "match": bool,
    "explanations": dict,
}


def assert_entity_shape(result: dict[str, Any]) -> None:
    """A result has every field of yente's `ScoredEntityResponse`, of its type."""
    for name, kind in SCORED_FIELDS.items():
        assert isinstance(result.get(name), kind), (name, result.get(name))
    for values in result["properties"].values():
        assert isinstance(values, list)
    assert result["datasets"], result


def post(zala: Running, body: dict[str, Any], **params: Any) -> Any:
    """POST /match/zala as yente's test client does."""
    return zala.client.post("/match/zala", json=body, params=params)


def results(zala: Running, query: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    resp = post(zala, {"queries": {"q": query}}, **params)
    assert resp.status_code == 200, resp.text
    found: list[dict[str, Any]] = resp.json()["responses"]["q"]["results"]
    return found


def test_match_zakharov(zala: Running) -> None:
    query = {"queries": {"vv": QUERY_ZAKHAROV, "xx": QUERY_ZAKHAROV, "zz": QUERY_ZAKHAROV}}
    resp = post(zala, query)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-batch-size"] == "3"
    res = resp.json()["responses"]["vv"]
    assert res["query"]["schema"] == "Person"
    assert res["query"]["properties"]["country"][0] == "ru"
    assert res["total"]["value"] > 0, res["total"]
    res0 = res["results"][0]
    assert res0["id"] == ZAKHAROV, res0
    assert_entity_shape(res0)


def test_match_zakharov_name_based_mode(zala: Running) -> None:
    query = {"queries": {"vv": QUERY_ZAKHAROV}}
    assert post(zala, query, algorithm="neural-net").status_code == 400
    resp = post(zala, query, algorithm="name-based")
    assert resp.status_code == 200, resp.text
    res = resp.json()["responses"]["vv"]
    assert res["query"]["schema"] == "Person"
    assert res["query"]["properties"]["country"][0] == "ru"
    assert res["total"]["value"] > 0, res["total"]
    res0 = res["results"][0]
    assert res0["id"] == ZAKHAROV, res0
    assert res0["score"] > 0.70, res0
    assert_entity_shape(res0)
    assert resp.json()["algorithm"] == "sanctum:name-based"


def test_match_no_schema(zala: Running) -> None:
    resp = post(zala, {"queries": {"fail": {"properties": {"name": "Banana"}}}})
    assert resp.status_code == 422, resp.text
    query = {
        "queries": {
            "fail": {"schema": "xxx", "properties": {"name": "Banana"}},
            "ok1": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}},
            "ok2": {"schema": "Person", "properties": {"name": ["John Doe"]}},
        }
    }
    assert post(zala, query).status_code == 400


@pytest.mark.parametrize("algorithm", ["logic-v1", "best"])
def test_match_many_names(zala: Running, algorithm: str) -> None:
    found = results(zala, MANY_NAMES, algorithm=algorithm)
    assert len(found) > 0, found
    again = results(zala, MANY_NAMES, algorithm=algorithm, fuzzy="false")
    assert len(found) == len(again), again


def test_match_exclude_dataset(zala: Running) -> None:
    assert results(zala, QUERY_ZAKHAROV, algorithm="name-based", exclude_dataset="zala") == []


def test_match_include_dataset(zala: Running) -> None:
    others = ["ae_local_terrorists", "mx_governors"]
    assert results(zala, QUERY_ZAKHAROV, algorithm="name-based", include_dataset=others) == []
    both = ["zala", "ae_local_terrorists"]
    assert results(zala, QUERY_ZAKHAROV, algorithm="name-based", include_dataset=both)
    three = ["zala", "mx_governors", "ae_local_terrorists"]
    found = results(
        zala, QUERY_ZAKHAROV, algorithm="name-based", include_dataset=three, exclude_dataset="zala"
    )
    assert found == []


def test_match_logic_v2_with_algorithm_config(zala: Running) -> None:
    query = {"queries": {"vv": QUERY_ZAKHAROV}, "config": {"nm_number_mismatch": 0.4}}
    resp = post(zala, query, algorithm="logic-v2")
    assert resp.status_code == 200, resp.text
    assert resp.json()["ignored"] == ["config.nm_number_mismatch"]
    query = {"queries": {"vv": QUERY_ZAKHAROV}, "config": {"invalid_option": 0.4}}
    assert post(zala, query, algorithm="logic-v2").status_code == 400


def test_filter_topic(zala: Running) -> None:
    assert results(zala, QUERY_ZAKHAROV, algorithm="name-based", topics="crime.cyber") == []


def test_id_pass_through(zala: Running) -> None:
    body = {**MANY_NAMES, "id": "zakharov"}
    resp = post(zala, {"queries": {"no1": body}})
    assert resp.status_code == 200, resp.text
    res = resp.json()["responses"]["no1"]
    assert res["query"]["schema"] == "Person"
    assert res["query"]["id"] == "zakharov"


def test_match_name_without_spaces(zala: Running) -> None:
    query = {
        "schema": "Person",
        "properties": {"name": ["alexandervyacheslavovichzakharov", "foo bar"]},
    }
    found = results(zala, query)
    assert len(found) > 0
    assert found[0]["id"] == ZAKHAROV


def test_fuzzy_names(zala: Running) -> None:
    query = {"schema": "Person", "properties": {"name": "Aiexandvr Zakharom"}}
    found = results(zala, query, threshold=0.2, algorithm="logic-v2")
    assert len(found) > 0, found
    assert found[0]["id"] == ZAKHAROV, found[0]


def test_match_numeric_property_value(zala: Running) -> None:
    query = {
        "queries": {
            "q": {
                "schema": "Person",
                "properties": {"name": ["Alexander Zakharov"], "birthDate": [1965]},
            }
        }
    }
    resp = post(zala, query)
    assert resp.status_code == 200, resp.text
    res = resp.json()["responses"]["q"]
    assert "1965" in res["query"]["properties"].get("birthDate", []), res["query"]


def test_exclude_entity_ids(zala: Running) -> None:
    assert results(zala, QUERY_ZAKHAROV)[0]["id"] == ZAKHAROV
    assert results(zala, QUERY_ZAKHAROV, exclude_entity_ids=[ZAKHAROV]) == []
    assert results(zala, QUERY_ZAKHAROV, exclude_entity_ids=["ofac-45937"]) == []
