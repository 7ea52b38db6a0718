"""Listed Japanese parties (OFAC's Yakuza designations) screened by their names in kanji."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctum.index import load_or_build
from sanctum.screen import Screener
from sanctum.store.db import Store


@pytest.fixture(scope="module")
def screener(loaded_home: Path) -> Screener:
    store = Store(loaded_home / "sanctum.sqlite")
    return Screener(store, load_or_build(store, loaded_home / "index.pickle"))


@pytest.mark.parametrize(
    ("name", "schema", "expected"),
    [
        ("山口組", "Organization", "us-ofac-sdn-13071"),
        ("住吉会", "Organization", "us-ofac-sdn-15495"),
        ("稲川会", "Organization", "us-ofac-sdn-15661"),
        ("西口茂男", "Person", "us-ofac-sdn-15496"),
    ],
)
def test_kanji_name_finds_the_romanised_listing(
    screener: Screener, name: str, schema: str, expected: str
) -> None:
    result = screener.screen({"schema": schema, "properties": {"name": [name]}})
    hit = next(m for m in result.results if m.id == expected)
    assert hit.match
    assert hit.explanation["name"]["query_reading"] == f"Japanese (Hepburn) reading of {name!r}"
