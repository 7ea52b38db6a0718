"""US Consolidated Screening List: the 2022-05-16 consolidated.csv.gz read exactly."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources import us_csl
from sanctum.sources.base import ParseContext, ParseResult, Record

SDN = "Specially Designated Nationals (SDN) - Treasury Department"
SSI = "Sectoral Sanctions Identifications List (SSI) - Treasury Department"
CAP = "Capta List (CAP) - Treasury Department"
DPL = "Denied Persons List (DPL) - Bureau of Industry and Security"


@pytest.fixture(scope="module")
def csl_file(data_dir: Path) -> Path:
    return data_dir / "us_csl" / "2022-05-16" / "consolidated.csv.gz"


@pytest.fixture(scope="module")
def csl_text(csl_file: Path) -> str:
    return gzip.decompress(csl_file.read_bytes()).decode("utf-8")


@pytest.fixture(scope="module")
def result(csl_file: Path) -> ParseResult:
    return us_csl.parse([csl_file], ParseContext("us_csl"))


@pytest.fixture(scope="module")
def records(result: ParseResult) -> dict[str, Record]:
    return {r.party.id: r for r in result.records if r.party.id}


def derived(record: Record, schema: str) -> list[EntityProxy]:
    return [e for e in record.derived if e.schema.name == schema]


def parse_text(tmp_path: Path, text: str | bytes, name: str = "consolidated.csv") -> ParseResult:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return us_csl.parse([path], ParseContext("us_csl"))


def test_one_party_per_id_one_sanction_per_row(result: ParseResult) -> None:
    # 14160 rows, 14048 distinct _id values: 112 rows repeat an OFAC party on another list.
    assert len(result.records) == 14048
    assert len({r.party.id for r in result.records}) == 14048
    sanctions = [e for e in result.entities() if e.schema.name == "Sanction"]
    # every row is one Sanction, except the repeated CAP row of _id 15268 (same list twice)
    assert len(sanctions) == 14160 - 1
    assert result.published is None


def test_schemata_by_type(result: ParseResult) -> None:
    # distinct _id per `type`: Individual 5284, Entity 4423, (empty) 3625, Vessel 433, Aircraft 283
    counts = Counter(r.party.schema.name for r in result.records)
    assert counts == {
        "Person": 5284,
        "Organization": 4423,
        "LegalEntity": 3625,
        "Vessel": 433,
        "Airplane": 283,
    }


def test_issues(result: ParseResult) -> None:
    kinds = Counter(i.kind for i in result.issues)
    assert kinds["duplicate-entry"] == 1
    (dup,) = [i for i in result.issues if i.kind == "duplicate-entry"]
    assert dup.row == 1980 and dup.entity_id == "us-csl-15268" and CAP in dup.message
    # Entity List rows whose start_date has a two-digit year written as 00YY
    bad_dates = sorted((i.row, i.message) for i in result.issues if i.kind == "implausible-date")
    assert bad_dates == [
        (1753, "start_date '0097-06-30' not stored as a date"),
        (1754, "start_date '0097-06-30' not stored as a date"),
        (9906, "start_date '0017-05-26' not stored as a date"),
    ]
    assert "unknown-id-type" not in kinds


def test_individual(records: dict[str, Record]) -> None:
    rec = records["us-csl-21944"]
    party = rec.party
    assert party.schema.name == "Person"
    assert party.get("name") == ["'ABBAS, Rim"]
    assert party.get("lastName") == ["'ABBAS"]
    assert party.get("firstName") == ["Rim"]
    assert party.get("birthDate") == ["1973-03-25"]
    assert party.get("nationality") == ["sy"]
    assert party.get("country") == ["sy"]
    assert party.get("position") == ["Scientific Studies and Research Center Employee"]
    assert party.get("program") == ["SYRIA"]
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("authority") == [SDN]
    assert sanction.get("authorityId") == ["21944"]
    assert sanction.get("program") == ["SYRIA"]
    assert sanction.get("sourceUrl") == ["http://bit.ly/1I7ipyR"]
    assert sanction.get("entity") == ["us-csl-21944"]


def test_aliases_birth_places_and_passport(records: dict[str, Record]) -> None:
    rec = records["us-csl-9935"]
    aliases = rec.party.get("alias")
    assert len(aliases) == 14
    assert "DJOLAIBA THE SUDANESE" in aliases and "ABDELRAZIK, Sofian" in aliases
    assert rec.party.get("birthPlace") == ["Al-Bawgah, Sudan", "Albaouga, Sudan"]
    assert sorted(rec.party.get("nationality")) == ["ca", "sd"]
    assert rec.party.get("passportNumber") == ["BC166787"]
    (passport,) = derived(rec, "Passport")
    assert passport.get("number") == ["BC166787"]
    assert passport.get("country") == ["ca"]
    assert passport.get("holder") == ["us-csl-9935"]


@pytest.mark.parametrize(
    ("party_id", "expected"),
    [
        ("us-csl-8183", ["1967"]),  # circa 1967
        ("us-csl-16724", ["1969", "1970", "1971"]),  # 1969 to 1971
        ("us-csl-29703", ["1985-03-03"]),
    ],
)
def test_birth_dates(records: dict[str, Record], party_id: str, expected: list[str]) -> None:
    assert sorted(records[party_id].party.get("birthDate")) == expected


def test_party_on_three_lists(records: dict[str, Record]) -> None:
    rec = records["us-csl-18291"]
    assert rec.party.get("name") == ["BANK BELVEB OJSC"]
    authorities = sorted(s.get("authority")[0] for s in derived(rec, "Sanction"))
    assert authorities == sorted([CAP, SDN, SSI])
    assert rec.party.get("swiftBic") == ["BELBBY2X"]
    assert rec.party.get("leiCode") == ["25340038P8SYW80B9W34"]
    assert rec.party.get("incorporationDate") == ["1991-12-23"]
    (tax,) = derived(rec, "Identification")
    assert (tax.get("number"), tax.get("type"), tax.get("country")) == (
        ["7750004150"],
        ["Tax ID No."],
        ["ru"],
    )


def test_repeated_row_on_one_list_is_one_sanction(records: dict[str, Record]) -> None:
    rec = records["us-csl-15268"]
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("authority") == [CAP]
    assert sanction.get("program") == ["561-Related"]


def test_denied_person_row(records: dict[str, Record]) -> None:
    rec = records["us-csl-deb7a1d5743a85c354ca1a2c7f2664e2104b32d7"]
    assert rec.party.schema.name == "LegalEntity"
    assert rec.party.get("name") == ["I. ASH"]  # leading space of the cell removed
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("authority") == [DPL]
    assert sanction.get("startDate") == ["2003-06-19"]
    assert sanction.get("endDate") == ["2056-06-29"]
    assert sanction.get("provisions") == ["Standard order: Y"]


def test_vessel_and_link(records: dict[str, Record]) -> None:
    rec = records["us-csl-23156"]
    assert rec.party.schema.name == "Vessel"
    assert rec.party.get("name") == ["7-28"]
    assert rec.party.get("flag") == ["kp"]  # "Democratic People's Republic of Korea"
    assert rec.party.get("imoNumber") == ["IMO8898831"]
    (link,) = derived(rec, "UnknownLink")  # (Linked To: YUSONG SHIPPING CO)
    assert link.get("object") == ["us-csl-23149"]
    assert records["us-csl-23149"].party.get("name") == ["YUSONG SHIPPING CO"]


def test_aircraft(records: dict[str, Record]) -> None:
    party = records["us-csl-15445"].party
    assert party.schema.name == "Airplane"
    assert party.get("name") == ["EK-30064"]
    assert party.get("model") == ["A300B4-605R"]
    assert party.get("buildDate") == ["1988-05-17"]


def test_wallets(records: dict[str, Record]) -> None:
    rec = records["us-csl-29703"]
    wallets = derived(rec, "CryptoWallet")
    assert len(wallets) == 17
    ids = {w.id for w in wallets}
    assert "us-csl-29703-wallet-xbt-1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3" in ids
    assert "us-csl-29703-wallet-bsv-12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9" in ids
    assert all(w.get("holder") == ["us-csl-29703"] for w in wallets)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("CA, BC166787, Passport", ("ca", None, "BC166787", "Passport")),
        ("LB, 2020-08-28, RL 3367620, Passport", ("lb", "2020-08-28", "RL 3367620", "Passport")),
        ("Male, Gender", (None, None, "Male", "Gender")),
        (
            "PA, 467323, Doc. 694710, Public Registration Number",
            ("pa", None, "467323, Doc. 694710", "Public Registration Number"),
        ),
    ],
)
def test_id_item(item: str, expected: tuple[str | None, str | None, str, str]) -> None:
    assert us_csl.id_item(item) == expected


def test_linked_names() -> None:
    remarks = (
        "(Linked To: GLOBAL VISION GROUP; Linked To: ISLAMIC REVOLUTIONARY GUARD CORPS "
        "(IRGC)-QODS FORCE)"
    )
    assert us_csl.linked_names(remarks) == [
        "GLOBAL VISION GROUP",
        "ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE",
    ]


def test_plain_csv_accepted(tmp_path: Path, csl_text: str) -> None:
    lines = csl_text.splitlines(keepends=True)
    result = parse_text(tmp_path, "".join(lines[:4]))
    assert [r.party.id for r in result.records] == [
        "us-csl-deb7a1d5743a85c354ca1a2c7f2664e2104b32d7",
        "us-csl-21944",
        "us-csl-24904",
    ]


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_text(tmp_path, b"")
    with pytest.raises(ParseError, match="empty"):
        parse_text(tmp_path, gzip.compress(b""), "consolidated.csv.gz")


def test_truncated_gzip(tmp_path: Path, csl_file: Path) -> None:
    data = csl_file.read_bytes()
    with pytest.raises(ParseError, match="truncated or corrupt gzip") as err:
        parse_text(tmp_path, data[: len(data) // 2], "consolidated.csv.gz")
    assert err.value.path.endswith("consolidated.csv.gz")


def test_truncated_csv(tmp_path: Path, csl_text: str) -> None:
    lines = csl_text.splitlines(keepends=True)
    cut = "".join(lines[:30]) + lines[30][:40]  # line 31 cut inside its name cell
    with pytest.raises(ParseError) as err:
        parse_text(tmp_path, cut)
    assert err.value.row == 31


def test_utf16(tmp_path: Path, csl_text: str) -> None:
    with pytest.raises(ParseError, match="UTF-16"):
        parse_text(tmp_path, csl_text.encode("utf-16"))


def test_latin1(tmp_path: Path, csl_text: str) -> None:
    first = next(i for i, c in enumerate(csl_text) if 0x80 <= ord(c) <= 0xFF)  # § on line 39
    line = csl_text.count("\n", 0, first) + 1
    with pytest.raises(ParseError, match="not UTF-8") as err:
        parse_text(tmp_path, csl_text.encode("latin-1", errors="replace"))
    assert err.value.row == line


def test_wrong_file(tmp_path: Path, data_dir: Path) -> None:
    dpl = data_dir / "us_bis_dpl" / "2023-11-30" / "dpl.txt"
    with pytest.raises(ParseError, match="missing columns _id, source") as err:
        us_csl.parse([dpl], ParseContext("us_csl"))
    assert err.value.path == str(dpl) and err.value.row == 1


def test_one_file_only(csl_file: Path) -> None:
    with pytest.raises(ParseError, match="expected one"):
        us_csl.parse([csl_file, csl_file], ParseContext("us_csl"))
