"""`GET /search/{dataset}` over real HTTP: free text in any spelling, filters, paging, and
the pure search functions beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanctum import config, search
from sanctum.feature_table import COUNTRY, FEATURES
from sanctum.index import Entry, NameRec
from sanctum.store.db import Store

from .conftest import Keys, Running
from .test_api import assert_problem, bearer

KANG = "us-ofac-sdn-37658"  # sdn.csv 2023-12-01 and 2024-05-03: "KANG, Kyong Il", DPRK
KIMSUKY = "us-ofac-sdn-45430"  # sdn.csv from 2023-12-01: "KIMSUKY", DPRK2
GREEN_PINE = {  # "GREEN PINE ASSOCIATED CORPORATION" in each list
    "us-ofac-sdn-12212",  # sdn.csv ent_num 12212
    "us-csl-12212",  # CSL copy of the SDN entry
    "un-sc-KPe.010",  # UN reference KPe.010
    "uk-ofsi-11282",  # OFSI Group ID 11282
    "au-dfat-2539",  # DFAT reference 2539
}


def find(api: Running, keys: Keys, dataset: str = "default", **params: Any) -> Any:
    r = api.client.get(f"/search/{dataset}", params=params, headers=bearer(keys.read))
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(
    ("text", "first", "caption"),
    [
        ("kimsuky", KIMSUKY, "KIMSUKY"),
        ("KIMSUKY", KIMSUKY, "KIMSUKY"),
        ("kimsukky", KIMSUKY, "KIMSUKY"),  # a typo
        ("Velvet Chollima", KIMSUKY, "KIMSUKY"),  # vendor name of the group
        ("kang kyong il", KANG, "KANG, Kyong Il"),
        ("Kang Kyongil", KANG, "KANG, Kyong Il"),  # joined given name
        ("강경일", KANG, "KANG, Kyong Il"),  # Hangul
        ("Gang Gyeong-il", KANG, "KANG, Kyong Il"),  # South Korean romanization
    ],
)
def test_text_finds_the_party(
    api: Running, api_keys: Keys, text: str, first: str, caption: str
) -> None:
    body = find(api, api_keys, q=text)
    best = body["results"][0]
    assert best["id"] == first and best["caption"] == caption
    assert 0.8 <= best["score"] <= 1.0
    assert best["datasets"] == ["us_ofac_sdn"]
    assert body["total"]["value"] >= 1 and body["total"]["relation"] == "eq"
    assert body["list_versions"]["us_ofac_sdn"] == "2024-05-03"


def test_result_shape(api: Running, api_keys: Keys) -> None:
    body = find(api, api_keys, q="kang kyong il")
    assert set(body) == {"results", "total", "limit", "offset", "facets", "list_versions"}
    best = body["results"][0]
    assert set(best) == {
        "id",
        "caption",
        "schema",
        "properties",
        "datasets",
        "referents",
        "target",
        "first_seen",
        "last_seen",
        "last_change",
        "score",
        "matched_name",
    }
    assert best["first_seen"] == "2023-12-01T00:00:00" and best["target"] is True
    assert best["schema"] == "Person" and best["score"] == 1.0
    assert best["matched_name"] == "KANG, Kyong Il"
    props = best["properties"]
    assert props["name"] == ["KANG, Kyong Il"]
    assert props["birthDate"] == ["1969-09-01"]  # "DOB 01 Sep 1969"
    assert props["nationality"] == ["kp"] and props["gender"] == ["male"]
    assert props["program"] == ["DPRK"]


def test_every_word_must_be_met(api: Running, api_keys: Keys) -> None:
    body = find(api, api_keys, q="green pine", limit=20)
    found = {r["id"] for r in body["results"]}
    assert found >= GREEN_PINE
    top = body["results"][: len(GREEN_PINE)]
    assert {r["id"] for r in top} == GREEN_PINE
    assert {r["caption"] for r in top} == {"GREEN PINE ASSOCIATED CORPORATION"}
    assert len({r["score"] for r in top}) == 1  # same name, same relevance
    assert [r["id"] for r in top] == sorted(GREEN_PINE)  # ties by id
    # "green" alone is in many names; "green" and "kimsuky" together in none
    assert find(api, api_keys, q="green")["total"]["value"] > body["total"]["value"]
    assert find(api, api_keys, q="green kimsuky")["total"]["value"] == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "un_sc"}, {"un-sc-KPe.010"}),
        ({"source": ["un_sc", "au_dfat"]}, {"un-sc-KPe.010", "au-dfat-2539"}),
        ({"schema": "Organization", "source": "us_ofac_sdn"}, {"us-ofac-sdn-12212"}),
        ({"schema": "LegalEntity", "source": "us_ofac_sdn"}, {"us-ofac-sdn-12212"}),
        ({"schema": "Person"}, set()),
        ({"country": "kp", "source": "un_sc"}, {"un-sc-KPe.010"}),
        ({"country": "ir", "source": "un_sc"}, set()),
        ({"program": "dprk", "source": "us_ofac_sdn"}, {"us-ofac-sdn-12212"}),
        ({"program": "SDGT"}, set()),
    ],
)
def test_filters(api: Running, api_keys: Keys, params: dict[str, Any], expected: set[str]) -> None:
    body = find(api, api_keys, q="green pine associated corporation", **params)
    assert {r["id"] for r in body["results"]} == expected
    assert body["total"]["value"] == len(expected)


def test_dataset_path_is_a_source(api: Running, api_keys: Keys) -> None:
    body = find(api, api_keys, dataset="un_sc", q="green pine associated corporation")
    assert [r["id"] for r in body["results"]] == ["un-sc-KPe.010"]
    assert body["list_versions"] == {"un_sc": "2026-02-27"}
    none = find(api, api_keys, dataset="un_sc", q="kimsuky")
    assert none["results"] == [] and none["total"]["value"] == 0


def test_paging(api: Running, api_keys: Keys) -> None:
    whole = find(api, api_keys, q="kim", limit=10)
    first = find(api, api_keys, q="kim", limit=5, offset=0)
    second = find(api, api_keys, q="kim", limit=5, offset=5)
    assert whole["total"] == first["total"] == second["total"]
    assert whole["total"]["value"] > 10
    assert [r["id"] for r in first["results"] + second["results"]] == [
        r["id"] for r in whole["results"]
    ]
    scores = [r["score"] for r in whole["results"]]
    assert scores == sorted(scores, reverse=True)
    assert (second["limit"], second["offset"]) == (5, 5)
    beyond = find(api, api_keys, q="kim", offset=whole["total"]["value"])
    assert beyond["results"] == [] and beyond["total"] == whole["total"]


def test_text_without_words(api: Running, api_keys: Keys) -> None:
    body = find(api, api_keys, q="!!! ---")
    assert body["results"] == [] and body["total"]["value"] == 0


@pytest.mark.parametrize(
    ("dataset", "params", "status", "field"),
    [
        ("nowhere", {"q": "kim"}, 404, "dataset"),
        ("default", {"q": "x" * 501}, 422, "q"),
        ("default", {"q": "kim", "schema": "Banana"}, 422, "schema"),
        ("default", {"q": "kim", "country": "Atlantis"}, 422, "country"),
        ("default", {"q": "kim", "source": "nowhere"}, 422, "source"),
        ("default", {"q": "kim", "limit": 0}, 422, "limit"),
        ("default", {"q": "kim", "limit": 501}, 422, "limit"),
        ("default", {"q": "kim", "offset": -1}, 422, "offset"),
    ],
)
def test_bad_searches(
    api: Running,
    api_keys: Keys,
    dataset: str,
    params: dict[str, Any],
    status: int,
    field: str,
) -> None:
    r = api.client.get(f"/search/{dataset}", params=params, headers=bearer(api_keys.read))
    assert_problem(r, status, field)


def test_search_needs_the_read_scope(api: Running, api_keys: Keys) -> None:
    assert_problem(api.client.get("/search/default", params={"q": "kim"}), 401, "authorization")
    r = api.client.get("/search/default", params={"q": "kim"}, headers=bearer(api_keys.screen))
    assert_problem(r, 403, "authorization")
    r = api.client.get("/search/default", params={"q": "kim"}, headers=bearer(api_keys.admin))
    assert r.status_code == 200


# -- the pure functions ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def screener(loaded_home: Path) -> Any:
    from sanctum.index import load_or_build
    from sanctum.screen import Screener

    store = Store(loaded_home / "sanctum.sqlite")
    yield Screener(store, load_or_build(store, loaded_home / "index.pickle"))
    store.close()


def test_search_function_matches_the_endpoint(screener: Any) -> None:
    index = screener.index
    page = search.search(index, "kimsuky", screener.expand)
    assert page.total == 1
    assert index.entries[page.hits[0].entry].id == KIMSUKY
    assert index.names[page.hits[0].name].text == "KIMSUKY"


def test_search_in_the_arabic_script_reaches_what_screening_does(screener: Any) -> None:
    """سيف القذافي reads `sif qdhafi`; `sif` meets Saif only as a word of the Arabic
    script, so the same letters typed in Latin find nothing."""
    index = screener.index
    page = search.search(index, "سيف القذافي", screener.expand, limit=50)
    ids = {index.entries[h.entry].id for h in page.hits}
    assert "us-ofac-sdn-12608" in ids  # QADHAFI, Saif al-Islam
    assert search.search(index, "sif qdhafi", screener.expand).total == 0


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (search.Filters(), True),
        (search.make_filters(schemata=["LegalEntity"]), True),
        (search.make_filters(schemata=["Organization"]), False),
        (search.make_filters(countries=["North Korea"]), True),
        (search.make_filters(countries=["KP", "ir"]), True),
        (search.make_filters(countries=["ir"]), False),
        (search.make_filters(programs=["dprk"]), True),
        (search.make_filters(programs=["DPRK2"]), False),
        (search.make_filters(sources=["us_ofac_sdn"]), True),
        (search.make_filters(sources=[]), False),
    ],
)
def test_filters_allow(filters: search.Filters, allowed: bool) -> None:
    kang = Entry(
        KANG,
        "Person",
        "us_ofac_sdn",
        "KANG, Kyong Il",
        facts=tuple({"kp"} if f is COUNTRY else set() for f in FEATURES),
        sanctions=[{"program": ["DPRK"], "authority": ["US Treasury OFAC"]}],
    )
    assert filters.allows(kang) is allowed


def test_schema_filter_takes_descendants() -> None:
    assert search.schemata_under(["LegalEntity"]) == {
        "Person",
        "Organization",
        "Company",
        "LegalEntity",
    }
    assert search.schemata_under(["Organization"]) == {"Organization", "Company"}
    assert search.schemata_under(["Thing"]) == {
        "Person",
        "Organization",
        "Company",
        "LegalEntity",
        "Vessel",
        "Airplane",
    }
    with pytest.raises(search.FilterError) as caught:
        search.schemata_under(["Banana"])
    assert caught.value.field == "schema"


def test_relevance_of_a_joined_name(screener: Any) -> None:
    """A name reached through a join (`kangkyongil` = KANG + KYONG + IL) is fully covered."""
    index = screener.index
    rec = NameRec(0, "KANG, Kyong Il", "name", ("kang", "kyong", "il"))
    reach = search._Reach(1, [1.0], {"kangkyongil": 1.0})
    assert search.name_relevance(index, ("kangkyongil",), rec, reach) == pytest.approx(1.0)
    weak = NameRec(0, "KANG, Kyong Il", "weak", ("kang", "kyong", "il"))
    expected = config.WEAK_ALIAS_FACTOR
    assert search.name_relevance(index, ("kangkyongil",), weak, reach) == pytest.approx(expected)
    half = search._Reach(1, [1.0], {"kang": 1.0})
    assert 0.0 < search.name_relevance(index, ("kang",), rec, half) < 0.8


def test_yente_filters_and_facets(api: Running, api_keys: Keys) -> None:
    """yente's `countries`, `topics`, `datasets` filters and facets over every result."""
    body = find(api, api_keys, q="green pine", countries="kp", datasets="un_security_council")
    assert [r["id"] for r in body["results"]] == ["un-sc-KPe.010"]
    facets = find(api, api_keys, q="green pine")["facets"]
    datasets = {v["name"]: v["count"] for v in facets["datasets"]["values"]}
    assert datasets["un_sc"] == 1 and datasets["us_ofac_sdn"] >= 1
    top = facets["countries"]["values"][0]
    assert (top["name"], top["label"]) == ("kp", "North Korea")
    assert top["count"] == 4 and sum(datasets.values()) == 7  # three entries name no country
    assert find(api, api_keys, q="green pine", topics="crime.cyber")["results"] == []
    everything = find(api, api_keys, q="", schema="Vessel", limit=1)
    assert everything["total"]["value"] > 100 and everything["results"][0]["schema"] == "Vessel"
