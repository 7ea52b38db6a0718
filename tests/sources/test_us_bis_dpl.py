"""US BIS Denied Persons List: the 2023-11-30 dpl.txt read exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources import us_bis_dpl
from sanctum.sources.base import ParseContext, ParseResult, Record

GARCIA_ROW = 316  # the row whose Last_Update is 3033-09-30


@pytest.fixture(scope="module")
def dpl_file(data_dir: Path) -> Path:
    return data_dir / "us_bis_dpl" / "2023-11-30" / "dpl.txt"


@pytest.fixture(scope="module")
def dpl_text(dpl_file: Path) -> str:
    return dpl_file.read_text("utf-8")


@pytest.fixture(scope="module")
def result(dpl_file: Path) -> ParseResult:
    return us_bis_dpl.parse([dpl_file], ParseContext("us_bis_dpl"))


@pytest.fixture(scope="module")
def by_name(result: ParseResult) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {}
    for rec in result.records:
        out.setdefault(rec.party.get("name")[0], []).append(rec)
    return out


def sanction(record: Record) -> EntityProxy:
    (only,) = [e for e in record.derived if e.schema.name == "Sanction"]
    return only


def parse_bytes(tmp_path: Path, data: bytes) -> ParseResult:
    path = tmp_path / "dpl.txt"
    path.write_bytes(data)
    return us_bis_dpl.parse([path], ParseContext("us_bis_dpl"))


def test_counts(result: ParseResult, dpl_text: str) -> None:
    assert len(dpl_text.splitlines()) == 1 + 665
    # 665 rows; rows 153/154 (DAQING ZHOU) and 457/458 (NEI-CHIEN CHU) are exact repeats
    assert len(result.records) == 663
    assert len({r.party.id for r in result.records}) == 663
    assert result.published is None
    repeats = sorted((i.row, i.entity_id) for i in result.issues if i.kind == "duplicate-row")
    assert [row for row, _ in repeats] == [154, 458]
    assert repeats[0][1] is not None and repeats[0][1].startswith("us-bis-dpl-daqing-zhou-")
    assert repeats[1][1] is not None and repeats[1][1].startswith("us-bis-dpl-nei-chien-chu-")


def test_entry_id_is_name_slug_and_address_hash() -> None:
    row = {
        "Name": "JOSE ERNESTO GARCIA",
        "Street_Address": "1502 HOLBROOK ROAD, #20",
        "City": "SAN ANTONIO",
        "State": "TX",
        "Country": "",
        "Postal_Code": "78218",
    }
    parts = "JOSE ERNESTO GARCIA|1502 HOLBROOK ROAD, #20|SAN ANTONIO|TX||78218"
    digest = hashlib.sha1(parts.encode()).hexdigest()[:8]
    assert us_bis_dpl.entry_id(row) == f"us-bis-dpl-jose-ernesto-garcia-{digest}"


def test_implausible_date_kept_and_flagged(
    result: ParseResult, by_name: dict[str, list[Record]]
) -> None:
    (issue,) = [i for i in result.issues if i.kind == "implausible-date"]
    assert issue.row == GARCIA_ROW
    assert "Last_Update" in issue.message and "3033-09-30" in issue.message
    (rec,) = by_name["JOSE ERNESTO GARCIA"]
    assert issue.entity_id == rec.party.id
    order = sanction(rec)
    assert order.get("modifiedAt") == []  # the impossible date is not stored
    assert order.get("startDate") == ["2022-09-26"]
    assert order.get("endDate") == ["2030-02-03"]
    assert order.get("description") == ["87 F.R. 59396 9/30/2022"]
    assert rec.party.get("address") == ["1502 HOLBROOK ROAD, #20, SAN ANTONIO, TX, 78218"]


def test_first_row(by_name: dict[str, list[Record]]) -> None:
    # " I. ASH" is denied at three addresses: three rows, three entries
    recs = by_name["I. ASH"]
    assert len(recs) == 3
    first = next(r for r in recs if "SEAGOVILLE" in r.party.get("address")[0])
    assert first.party.schema.name == "LegalEntity"
    assert first.party.get("country") == ["us"]
    assert first.party.get("topics") == ["sanction"]
    order = sanction(first)
    assert order.get("authority") == ["US Commerce BIS"]
    assert order.get("program") == ["Denied Persons List"]
    assert order.get("startDate") == ["2003-06-19"]
    assert order.get("endDate") == ["2056-06-29"]
    assert order.get("modifiedAt") == ["2007-01-31"]
    assert order.get("provisions") == ["Standard order: Y"]
    assert order.get("summary") == ["FEDERAL REGISTER NOTICE UPDATED"]


def test_every_entry_has_one_sanction(result: ParseResult) -> None:
    assert all(len(r.derived) == 1 for r in result.records)


@pytest.mark.parametrize(
    ("name", "company"),
    [
        ("AIR FREIGHT LTD", True),
        ("EMPRESA DE TRANSPORTE AEROCARGO DEL SUR, S.A.", True),
        ("GHARE SABZ CO.", True),
        ("BIB INDUSTRIE-HANDEL DIPL.ING M. MANGELSEN GMBH", True),
        ("SUNTRONIC F.Z.E.", True),
        ("RADIOTESTER OOO", True),
        ("JOSE ERNESTO GARCIA", False),
        ("ABEL HERNANDEZ, JR.", False),
        ("ARATOS GROUP", False),  # no legal form: the list does not say
        ("ALNASER AIRLINES", False),
    ],
)
def test_is_company(name: str, company: bool, by_name: dict[str, list[Record]]) -> None:
    assert us_bis_dpl.is_company(name) is company
    expected = "Company" if company else "LegalEntity"
    assert {r.party.schema.name for r in by_name[name]} == {expected}


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_bytes(tmp_path, b"")


def test_truncated_file(tmp_path: Path, dpl_file: Path) -> None:
    data = dpl_file.read_bytes()
    with pytest.raises(ParseError) as err:
        parse_bytes(tmp_path, data[: len(data) // 2])
    assert err.value.path.endswith("dpl.txt")
    assert err.value.row == data[: len(data) // 2].count(b"\n") + 1  # the cut row


def test_utf16(tmp_path: Path, dpl_text: str) -> None:
    with pytest.raises(ParseError, match="UTF-16"):
        parse_bytes(tmp_path, dpl_text.encode("utf-16"))


def test_latin1(tmp_path: Path, dpl_text: str) -> None:
    text = dpl_text.replace('"JOSE ERNESTO GARCIA"', '"JOSÉ ERNESTO GARCIA"')
    with pytest.raises(ParseError, match="not UTF-8") as err:
        parse_bytes(tmp_path, text.encode("latin-1"))
    assert err.value.row == GARCIA_ROW


def test_wrong_file(data_dir: Path) -> None:
    csl = data_dir / "us_ofac_sdn" / "2023-12-01" / "sdn.csv"
    with pytest.raises(ParseError, match="not a Denied Persons List file") as err:
        us_bis_dpl.parse([csl], ParseContext("us_bis_dpl"))
    assert "Effective_Date" in err.value.reason and err.value.row == 1
