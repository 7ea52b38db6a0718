"""Screening by identifiers that are not names (e-mail, website, phone, wallet), from the
Screener, the CLI and batch input columns, over every list in shared/data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sanctum.batch import query_of
from sanctum.index import load_or_build
from sanctum.match.query import QueryError
from sanctum.screen import Screener
from sanctum.store.db import Store
from test_screen import cli

KIMSUKY = "us-ofac-sdn-45430"
XMR_HEX = "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"
"""Listed as an XMR address, though it is no Monero address: no chain's rule passes it."""


@pytest.fixture(scope="module")
def screener(loaded_home: Path) -> Screener:
    store = Store(loaded_home / "sanctum.sqlite")
    return Screener(store, load_or_build(store, loaded_home / "index.pickle"))


@pytest.mark.parametrize(
    ("prop", "value", "expected", "named"),
    [
        ("email", "hongsiao@naver.com", KIMSUKY, "e-mail hongsiao@naver.com"),
        ("email", "HongSiao@Naver.COM", KIMSUKY, "e-mail HongSiao@Naver.COM"),
        ("website", "https://www.onerearth.xyz/", KIMSUKY, "website https://www.onerearth.xyz/"),
        ("website", "onerearth.xyz", KIMSUKY, "website onerearth.xyz"),
        ("phone", "+98 21 7750 9537", "uk-ofsi-12252", "phone +98 21 7750 9537"),
        ("phone", "00982177509537", "uk-ofsi-12252", "phone 00982177509537"),
    ],
)
def test_identifier_alone_finds_the_party(
    screener: Screener, prop: str, value: str, expected: str, named: str
) -> None:
    result = screener.screen({"schema": "LegalEntity", "properties": {prop: [value]}})
    hits = {m.id: m for m in result.results}
    assert expected in hits
    assert hits[expected].match and hits[expected].score == 0.99
    assert hits[expected].explanation["identifier"] == named


def test_wallet_as_query_identifier(screener: Screener) -> None:
    lazarus = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96".lower()
    result = screener.screen({"schema": "Thing", "properties": {"publicKey": [lazarus]}})
    assert "us-ofac-sdn-27307" in {m.id for m in result.results if m.match}


@pytest.mark.parametrize(
    ("prop", "value"),
    [("email", "nobody at all"), ("website", "not a site"), ("phone", "12")],
)
def test_unreadable_contact_is_an_error_naming_the_field(
    screener: Screener, prop: str, value: str
) -> None:
    with pytest.raises(QueryError) as err:
        screener.screen({"schema": "LegalEntity", "properties": {prop: [value]}})
    assert err.value.field == f"properties.{prop}"


@pytest.mark.parametrize("currency", [None, "XMR"])
def test_listed_address_no_rule_accepts_is_matched_not_validated(
    screener: Screener, currency: str | None
) -> None:
    found = screener.screen_address(XMR_HEX, currency)
    assert found["valid"] is None and found["validation"] == "not validated"
    assert found["matches"] and all(m["address"] == XMR_HEX for m in found["matches"])


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--email", "hongsiao@naver.com"), ("--website", "https://www.onerearth.xyz/")],
)
def test_cli_screen_by_contact(loaded_home: Path, flag: str, value: str) -> None:
    done = cli(loaded_home, "screen", flag, value, "--json")
    assert done.returncode == 0, done.stderr
    best = json.loads(done.stdout)["results"][0]
    assert best["id"] == KIMSUKY and best["match"] is True
    assert value in best["explanation"]["identifier"]
    table = cli(loaded_home, "screen", flag, value)
    assert KIMSUKY in table.stdout and f"{value} listed" in " ".join(table.stdout.split())


@pytest.mark.parametrize(
    ("row", "props"),
    [
        ({"name": "A B"}, {"name": ["A B"]}),
        (
            {"name": "", "passport": "X1; X2", "email": "a@b.cc", "nationality": "kp"},
            {
                "name": [""],
                "passportNumber": ["X1", "X2"],
                "email": ["a@b.cc"],
                "nationality": ["kp"],
            },
        ),
        (
            {"id_number": "1", "registration_number": "2", "imo": "3", "wallet": "4"},
            {
                "name": [""],
                "idNumber": ["1"],
                "registrationNumber": ["2"],
                "imoNumber": ["3"],
                "publicKey": ["4"],
            },
        ),
        (
            {"website": "w.io", "phone": "+1 5"},
            {"name": [""], "website": ["w.io"], "phone": ["+1 5"]},
        ),
    ],
)
def test_batch_columns_become_properties(row: dict[str, str], props: dict[str, list[str]]) -> None:
    assert query_of(row) == {"schema": "Thing", "properties": props}


def test_cli_batch_by_identifier_columns(loaded_home: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "id,email,website,phone,passport\n"
        "1,hongsiao@naver.com,,,\n"
        "2,,www.onerearth.xyz,,\n"
        "3,,,+98 21 7750 9537,\n"
        "4,nobody@example.org,,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "alerts.csv"
    done = cli(loaded_home, "batch", str(src), "-o", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as fh:
        alerts = {(r["input_id"], r["entity_id"]) for r in csv.DictReader(fh)}
    assert {("1", KIMSUKY), ("2", KIMSUKY), ("3", "uk-ofsi-12252")} <= alerts
    assert not any(i == "4" for i, _ in alerts)
