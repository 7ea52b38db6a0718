"""A firm's own lists (docs/custom-lists.md): the example file and every error case."""

from __future__ import annotations

from pathlib import Path

import pytest
from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources import custom_csv
from sanctum.sources.base import ParseContext, ParseResult, Record

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "kr_mofa_2023-12-01.csv"

# The person example of docs/custom-lists.md (홍길동 is the Korean placeholder name).
PERSON_HEADER = (
    "id,schema,name,aliases,birth_date,nationality,passport_number,crypto_addresses,"
    "authority,listing_date"
)
PERSON_ROW = (
    "p-0001,Person,홍길동,Hong Gil-dong;HONG Kil Tong,1970-01-01,kp,123456789,"
    "XBT:1BoatSLRHtKNngkdXEeobR76b53LETtpyT,Example authority,2023-12-01"
)


def parse_text(tmp_path: Path, text: str | bytes, source: str = "kr_mofa") -> ParseResult:
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return custom_csv.parse([path], ParseContext(source))


def only(record: Record, schema: str) -> EntityProxy:
    (entity,) = [e for e in record.derived if e.schema.name == schema]
    return entity


def test_example_file() -> None:
    result = custom_csv.parse([EXAMPLE], ParseContext("kr_mofa"))
    (rec,) = result.records
    party = rec.party
    assert party.id == "kr-mofa-kimsuky"
    assert party.schema.name == "Organization"
    assert party.get("name") == ["KIMSUKY"]
    assert party.get("alias") == ["김수키"]
    assert party.get("country") == ["kp"]
    assert party.get("topics") == ["sanction"]
    assert party.get("notes")[0].startswith("EXAMPLE typed for the documentation")
    sanction = only(rec, "Sanction")
    assert sanction.get("authority") == ["South Korea Ministry of Foreign Affairs"]
    assert sanction.get("listingDate") == ["2023-06-02"]
    assert sanction.get("program") == ["대북 독자제재 (independent sanctions on North Korea)"]
    assert sanction.get("entity") == ["kr-mofa-kimsuky"]
    assert result.published is None and result.issues == []


def test_person_example(tmp_path: Path) -> None:
    (rec,) = parse_text(tmp_path, f"{PERSON_HEADER}\n{PERSON_ROW}\n").records
    party = rec.party
    assert party.id == "kr-mofa-p-0001"
    assert party.get("name") == ["홍길동"]
    assert party.get("alias") == ["Hong Gil-dong", "HONG Kil Tong"]
    assert party.get("birthDate") == ["1970-01-01"]
    assert party.get("nationality") == ["kp"]
    assert party.get("passportNumber") == ["123456789"]
    assert only(rec, "Passport").get("holder") == ["kr-mofa-p-0001"]
    wallet = only(rec, "CryptoWallet")
    assert wallet.id == "kr-mofa-p-0001-wallet-xbt-1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    assert wallet.get("publicKey") == ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]
    assert only(rec, "Sanction").get("listingDate") == ["2023-12-01"]


@pytest.mark.parametrize(
    ("source", "prefix"),
    [("kr_mofa", "kr-mofa"), ("JP MOF", "jp-mof"), ("acme.internal", "acme-internal")],
)
def test_source_prefix(source: str, prefix: str) -> None:
    assert custom_csv.source_prefix(source) == prefix


def test_byte_order_mark_and_blank_lines(tmp_path: Path) -> None:
    text = "\ufeffid,schema,name\r\n\r\nv1,Vessel,OCEAN\r\n"
    (rec,) = parse_text(tmp_path, text).records
    assert rec.party.id == "kr-mofa-v1" and rec.derived == []


def test_dates_in_other_forms(tmp_path: Path) -> None:
    text = "id,schema,name,birth_date\na,Person,A B,01 Sep 1969;1970-02;1971\n"
    (rec,) = parse_text(tmp_path, text).records
    assert sorted(rec.party.get("birthDate")) == ["1969-09-01", "1970-02", "1971"]


@pytest.mark.parametrize(
    ("header", "row", "column", "reason"),
    [
        ("id,schema,name,birth_date", "a,Person,A B,31/02/1970", "birth_date", "is not a date"),
        ("id,schema,name,birth_date", "a,Person,A B,3033-09-30", "birth_date", "is not a date"),
        ("id,schema,name,nationality", "a,Person,A B,Nort Korea", "nationality", "not a country"),
        ("id,schema,name", "a,Individual,A B", "schema", "is not one of Person"),
        ("id,schema,name", "a,Person,", "name", "a value is required"),
        ("id,schema,name", "a b,Person,A B", "id", "may hold only letters"),
        ("id,schema,name,passport_number", "a,Vessel,X,123", "passport_number", "cannot have"),
        ("id,schema,name,imo_number", "a,Vessel,X,IMO 1234568", "imo_number", "not a valid"),
        ("id,schema,name,program", "a,Person,A B,DPRK", "authority", "needed when program"),
        (
            "id,schema,name,authority,listing_date",
            "a,Person,A B,MOFA,2023-13-01",
            "listing_date",
            "is not a date",
        ),
        ("id,schema,name,crypto_addresses", "a,Person,A B,1BoatSLRH", "crypto_addresses", "CUR"),
        ("id,schema,name,source_url", "a,Person,A B,not a url", "source_url", "not a valid"),
    ],
)
def test_bad_values(tmp_path: Path, header: str, row: str, column: str, reason: str) -> None:
    good = "ok,Person,Fine Name" + "," * (header.count(",") - 2)  # a valid row 2
    text = f"{header}\n{good}\n{row}\n"
    with pytest.raises(ParseError) as err:
        parse_text(tmp_path, text)
    assert err.value.row == 3
    assert err.value.reason.startswith(f"column {column}: ")
    assert reason.replace("CUR", "CURRENCY:address") in err.value.reason


def test_unknown_column(tmp_path: Path) -> None:
    with pytest.raises(
        ParseError, match=r"unknown columns at position\(s\) 4; allowed columns: id"
    ) as err:
        parse_text(tmp_path, "id,schema,name,birthdate\na,Person,A B,1970\n")
    assert err.value.row == 1


def test_missing_required_column(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="missing required columns id"):
        parse_text(tmp_path, "schema,name\nPerson,A B\n")


def test_duplicate_id(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="id 'a' already used on row 2") as err:
        parse_text(tmp_path, "id,schema,name\na,Person,A B\na,Person,C D\n")
    assert err.value.row == 3


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_text(tmp_path, b"")


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no entries"):
        parse_text(tmp_path, EXAMPLE.read_text("utf-8").splitlines()[0] + "\n")


def test_truncated_file(tmp_path: Path) -> None:
    data = EXAMPLE.read_bytes()
    with pytest.raises(ParseError) as err:
        parse_text(tmp_path, data[: len(data) - 40])  # cut inside the quoted notes cell
    assert err.value.path.endswith("list.csv")
    assert err.value.row == 2


def test_truncated_row(tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8")
    cut = text[: text.index(",South Korea")]  # row 2 stops after crypto_addresses
    with pytest.raises(ParseError, match="row has 12 fields, expected 18") as err:
        parse_text(tmp_path, cut)
    assert err.value.row == 2


def test_utf16(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="UTF-16"):
        parse_text(tmp_path, EXAMPLE.read_text("utf-8").encode("utf-16"))


@pytest.mark.parametrize("encoding", ["euc-kr", "latin-1"])
def test_legacy_encoding(tmp_path: Path, encoding: str) -> None:
    text = f"{PERSON_HEADER}\n{PERSON_ROW}\n"
    if encoding == "latin-1":
        text = text.replace("홍길동", "Hông Gil-dông")
    with pytest.raises(ParseError, match="not UTF-8") as err:
        parse_text(tmp_path, text.encode(encoding))
    assert err.value.row == 2


def test_wrong_file(data_dir: Path) -> None:
    dpl = data_dir / "us_bis_dpl" / "2023-11-30" / "dpl.txt"
    with pytest.raises(ParseError, match="unknown columns") as err:
        custom_csv.parse([dpl], ParseContext("kr_mofa"))
    assert err.value.path == str(dpl) and err.value.row == 1
