"""Real yente clients against `sanctum serve`: nomenklatura's `YenteEnricher` (the version
pinned in pyproject's dev extra), configured with only the URL, the dataset and the API
key, matches entities and expands the matches through `/entities/{id}?nested=true`; and
the entity endpoint in yente's shape (nested entities, referent redirect)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Keys, Running, serve_command

ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"


def enricher(url: str, dataset: str, key: str, tmp_path: Path, cache: str = "nk") -> Any:
    """A `YenteEnricher` made as `nomenklatura match` makes it from a config file, with
    its own cache database (`cache`: two enrichers sharing one would lock each other)."""
    from followthemoney import Dataset
    from nomenklatura.cache import Cache
    from nomenklatura.db import make_session
    from nomenklatura.enrich import make_enricher

    config = {
        "name": "sanctum_test",
        "title": "Sanctum test",
        "type": "nomenklatura.enrich.yente:YenteEnricher",
        "api": url + "/",
        "dataset": dataset,
        "api_key": key,
    }
    session = make_session(f"sqlite:///{tmp_path / cache}.sqlite")
    ds = Dataset.make({"name": "sanctum_test", "title": "Sanctum test"})
    return make_enricher(ds, Cache(session, ds, create=True), config)


def query_entity(schema: str, **props: list[str]) -> Any:
    """A client's entity, as nomenklatura holds it."""
    from followthemoney import Dataset, StatementEntity

    ds = Dataset.make({"name": "client", "title": "Client"})
    return StatementEntity.from_data(ds, {"id": "q1", "schema": schema, "properties": props})


@pytest.fixture(scope="module")
def full(loaded_home: Path, api_keys: Keys) -> Iterator[Running]:
    """`sanctum serve` over every list in shared/data."""
    yield from serve_command(loaded_home)


def test_enricher_matches_and_expands_zala(zala: Running, tmp_path: Path) -> None:
    key = zala.client.headers["Authorization"].split(" ", 1)[1]
    client = enricher(zala.url, "zala", key, tmp_path)
    person = query_entity("Person", name=["Alexander Vyacheslavovich ZAKHAROV"], birthDate=["1965"])
    found = list(client.match(person))
    assert found and found[0].id == ZAKHAROV, [f.id for f in found]
    assert "zala" not in found[0].datasets  # the entity's own datasets, as yente gives
    expanded = list(client.expand(person, found[0]))
    assert expanded[0].id == ZAKHAROV
    schemata = {e.schema.name for e in expanded[1:]}
    assert "Sanction" in schemata, schemata


def test_enricher_finds_kang_on_the_full_lists(
    full: Running, api_keys: Keys, tmp_path: Path
) -> None:
    client = enricher(full.url, "default", api_keys.screen, tmp_path)
    person = query_entity("Person", name=["강경일"], birthDate=["1969-09-01"])
    found = list(client.match(person))
    assert found[0].id == "us-ofac-sdn-37658"
    assert found[0].caption == "KANG, Kyong Il"
    read = enricher(full.url, "default", api_keys.read, tmp_path, "nk-read")
    expanded = list(read.expand(person, found[0]))
    sanctions = [e for e in expanded if e.schema.name == "Sanction"]
    assert sanctions and sanctions[0].get("program") == ["DPRK"], sanctions


def test_entity_nests_and_redirects(zala: Running) -> None:
    resp = zala.client.get(f"/entities/{ZAKHAROV}")
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert data["caption"] == "Aleksandr Vyacheslavovich Zakharov"
    assert "ofac-45937" in data["referents"]
    sanctions = data["properties"]["sanctions"]
    assert all(isinstance(s, dict) and s["schema"] == "Sanction" for s in sanctions)
    assert "entity" not in sanctions[0]["properties"]  # points back at the entity: dropped
    flat = zala.client.get(f"/entities/{ZAKHAROV}", params={"nested": "false"}).json()
    assert "sanctions" not in flat["properties"]
    moved = zala.client.get("/entities/ofac-45937", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/entities/{ZAKHAROV}"
    assert zala.client.get("/entities/ofac-45937", follow_redirects=True).json()["id"] == ZAKHAROV
    assert zala.client.get("/entities/no-such-id").status_code == 404


def test_search_reads_an_exports_own_datasets(zala: Running) -> None:
    """`/search`'s dataset filters and facet read the datasets an FtM export gives its
    entities, as `/match`'s filters do; the source's own name selects all of them."""

    def search(**params: str) -> dict[str, Any]:
        resp = zala.client.get("/search/zala", params={"q": "Zakharov", **params})
        assert resp.status_code == 200, resp.text
        found: dict[str, Any] = resp.json()
        return found

    ofac = search(datasets="us_ofac_sdn")
    assert ZAKHAROV in [r["id"] for r in ofac["results"]]
    assert all("us_ofac_sdn" in r["datasets"] for r in ofac["results"])
    every = search()
    counts = {v["name"]: v["count"] for v in every["facets"]["datasets"]["values"]}
    assert counts["us_ofac_sdn"] == ofac["total"]["value"], counts
    assert "zala" not in counts  # the entities' own datasets, not the source
    assert search(datasets="zala")["total"] == every["total"]
    excluded = search(exclude_dataset="us_ofac_sdn")
    assert ZAKHAROV not in [r["id"] for r in excluded["results"]]
    assert excluded["total"]["value"] == every["total"]["value"] - ofac["total"]["value"]
