"""Australia DFAT consolidated list parser, read against the real 2024-12-17 file."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources.au_dfat import (
    NAME_TYPES,
    birth_dates,
    citizenship_codes,
    listing_date,
    normalised,
    own_un_reference,
    parse,
    programs,
)
from sanctum.sources.base import ParseContext, ParseResult, Record

CONTEXT = ParseContext("au_dfat")
AU_FILE = ("au_dfat", "2024-12-17", "regulation8_consolidated.xlsx")
UK_FILE = ("uk_ofsi", "2025-04-10", "UK_Sanctions_List.xlsx")
COLUMNS = 12
"""The file's twelve named columns (the sheet is 255 columns wide, the rest empty)."""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def au_path(data_dir: Path) -> Path:
    return data_dir.joinpath(*AU_FILE)


@pytest.fixture(scope="module")
def raw_rows(au_path: Path) -> list[list[object]]:
    """The file's rows as openpyxl reads them, independent of the parser."""
    workbook = openpyxl.load_workbook(au_path, read_only=True)
    sheet = workbook.worksheets[0]
    rows: list[list[object]] = [list(r) for r in sheet.iter_rows(values_only=True, max_col=COLUMNS)]
    workbook.close()
    return rows


@pytest.fixture(scope="module")
def result(au_path: Path) -> ParseResult:
    return parse([au_path], CONTEXT)


@pytest.fixture(scope="module")
def records(result: ParseResult) -> dict[str, Record]:
    return {str(r.party.id): r for r in result.records}


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """Rows as a one-sheet workbook."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def base_of(reference: object) -> str:
    """The leading number of a Reference cell, read independently of the parser."""
    m = re.match(r"\s*(\d+)", str(reference))
    assert m is not None
    return m[1]


def sanction_of(record: Record) -> EntityProxy:
    [sanction] = [e for e in record.derived if e.schema.name == "Sanction"]
    return sanction


# --------------------------------------------------------------------------- counts


def test_counts_match_provenance(result: ParseResult, raw_rows: list[list[object]]) -> None:
    """PROVENANCE.md: 3062 references / 9553 name rows."""
    named = [r for r in raw_rows[1:] if r[0] is not None]
    assert len(named) == 9553
    assert len({base_of(r[0]) for r in named}) == 3062
    assert len(result.records) == 3062
    assert Counter(r.party.schema.name for r in result.records) == {
        "Person": 2316,
        "Organization": 746,
    }


def test_published_is_the_workbook_modified_date(
    result: ParseResult, raw_rows: list[list[object]]
) -> None:
    """No cell states a publication date; docProps says modified 2024-11-11T01:01:21Z,
    the same day as the newest Control Date."""
    control = [r[11] for r in raw_rows[1:] if isinstance(r[11], datetime)]
    assert max(control).date() == date(2024, 11, 11)
    assert result.published == date(2024, 11, 11)


def test_every_record_has_a_name_and_one_sanction(result: ParseResult) -> None:
    for rec in result.records:
        assert rec.party.get("name"), rec.party.id
        sanction = sanction_of(rec)
        assert sanction.get("authority") == ["Australia DFAT"]
        assert sanction.get("authorityId") == [str(rec.party.id).removeprefix("au-dfat-")]


def test_issues_are_exactly_the_unreadable_cells(result: ParseResult) -> None:
    """Checked by hand in the file: three dates of birth and two citizenships no reader can
    place (a Hijri date, an age, a typo; a withdrawn and an alias-only citizenship)."""
    found = sorted((i.kind, i.entity_id, i.row, i.message) for i in result.issues)
    assert found == [
        ("birth-date", "au-dfat-1254", 2408,
         "unread date of birth '24/06/1402 (Hijri Calendar)'"),
        ("birth-date", "au-dfat-3581", 5746,
         "unread date of birth 'Approximately (30-35 years old)'"),
        ("birth-date", "au-dfat-6960", 6863, "unread date of birth '10/061962'"),
        ("country", "au-dfat-1267", None,
         "citizenship: no country code for Saudi Arabian (this aka only; alt Citizenship Yemeni)"),
        ("country", "au-dfat-485", None,
         "citizenship: no country code for Kuwaiti citizenship withdrawn in 2002"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- exact entries


def test_entry_with_original_script_and_year_ranges(records: dict[str, Record]) -> None:
    """Reference 2 / 2a: MOHAMMAD HASSAN AKHUND, Arabic original script,
    DOB `a) Approximately 1955- 1958 b) Approximately 1945-1950`."""
    rec = records["au-dfat-2"]
    party = rec.party
    assert party.schema.name == "Person"
    assert party.get("name") == ["MOHAMMAD HASSAN AKHUND", "محمد حسن أخوند"]
    assert party.get("birthDate") == [
        "1955", "1956", "1957", "1958", "1945", "1946", "1947", "1948", "1949", "1950"
    ]  # fmt: skip
    assert "Date of birth: a) Approximately 1955- 1958 b) Approximately 1945-1950" in party.get(
        "notes"
    )
    assert party.get("birthPlace") == [
        "Pashmul village, Panjwai District, Kandahar Province, Afghanistan"
    ]
    assert party.get("citizenship") == ["af"]
    sanction = sanction_of(rec)
    assert sanction.get("program") == ["1988 (Taliban)"]
    assert sanction.get("listingDate") == ["2001-01-25"]
    assert sanction.get("modifiedAt") == ["2014-12-15"]


def test_dprk_individual(records: dict[str, Record]) -> None:
    """Reference 3153: KANG MUN KIL (UN KPi.019 — a reference this file does not carry),
    DOB 9 Feb 1963, aliases Jiang Wen-ji and Jian Wenji, 1718 (DPRK)."""
    rec = records["au-dfat-3153"]
    party = rec.party
    assert party.get("name") == ["KANG MUN KIL"]
    assert party.get("alias") == ["Jiang Wen-ji", "Jian Wenji"]
    assert party.get("birthDate") == ["1963-02-09"]
    assert party.get("citizenship") == ["kp"]
    assert party.get("address") == ["Democratic People's Republic of Korea"]
    sanction = sanction_of(rec)
    assert sanction.get("program") == ["1718 (DPRK)"]
    assert sanction.get("listingDate") == ["2016-03-02"]
    assert not sanction.get("unscId")


def test_entry_with_lettered_aliases(records: dict[str, Record]) -> None:
    """Reference 1058, 1058a-f: ANGELO RAMIREZ TRINIDAD. Its Additional Information cites
    QDe.128, QDe.001 and QDe.092 — groups it belongs to, not its own reference."""
    rec = records["au-dfat-1058"]
    party = rec.party
    assert party.get("name") == ["ANGELO RAMIREZ TRINIDAD"]
    assert party.get("alias") == [
        "Calib Trinidad",
        "Kalib Trinidad",
        "Abdul Khalil",
        "Abdukahlil",
        "Abu Khalil",
        "Anis",
    ]
    assert party.get("birthDate") == ["1978-03-20"]
    assert "(QDe.128)" in str(party.first("notes"))
    sanction = sanction_of(rec)
    assert sanction.get("listingDate") == ["2008-06-04"]
    assert not sanction.get("unscId")


def test_only_opening_un_references_are_the_entries_own(result: ParseResult) -> None:
    """The file states an entry's own UN reference only in three Additional Information
    texts, each opening with it (`Qdi.348 Passport no.: …`)."""
    own = {
        str(r.party.id): sanction_of(r).get("unscId")
        for r in result.records
        if sanction_of(r).get("unscId")
    }
    assert own == {
        "au-dfat-3081": ["QDi.348"],
        "au-dfat-3082": ["QDi.349"],
        "au-dfat-3083": ["QDi.350"],
    }


def test_formerly_known_as(records: dict[str, Record]) -> None:
    """Reference 2943 (ADF): 2943b-d are `Formerly known as`."""
    party = records["au-dfat-2943"].party
    assert party.schema.name == "Organization"
    assert party.get("name") == ["ADF"]
    assert party.get("alias") == ["Allied Democratic Forces"]
    assert party.get("previousName") == [
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
        "ADF/NALU",
        "NALU",
    ]


def test_entity(records: dict[str, Record]) -> None:
    """Reference 1113: Korea Mining Development Trading Corporation (KOMID)."""
    rec = records["au-dfat-1113"]
    party = rec.party
    assert party.schema.name == "Organization"
    assert party.get("name") == ["Korea Mining Development Trading Corporation"]
    assert "KOMID" in party.get("alias")
    assert party.get("address") == ["Central District, Pyongyang, DPRK"]
    assert party.get("country") == ["kp"]
    assert sanction_of(rec).get("listingDate") == ["2009-04-24"]


# --------------------------------------------------------------------------- value readers


@pytest.mark.parametrize(
    ("raw", "prop"),
    [
        ("Primary Name", "name"),
        ("Primary Name ", "name"),
        ("primary Name", "name"),
        ("Original Script", "name"),
        ("original script", "name"),
        ("Original script ", "name"),
        ("aka", "alias"),
        ("Aka ", "alias"),
        ("AKA", "alias"),
        ("Formerly known as", "previousName"),
        ("Previously listed as", "previousName"),
    ],
)
def test_name_types(raw: str, prop: str) -> None:
    assert NAME_TYPES[normalised(raw)] == prop


@pytest.mark.parametrize(
    ("raw", "dates", "keep_text", "unread"),
    [
        (datetime(1963, 2, 9), ["1963-02-09"], False, []),
        (1954, ["1954"], False, []),
        ("12 Oct. 1954 ", ["1954-10-12"], False, []),
        ("23/02/1961", ["1961-02-23"], False, []),
        ("Approximately 1963", ["1963"], True, []),
        ("Between 1969 and 1971", ["1969", "1970", "1971"], True, []),
        ("a) 1/01/1968 b) 23-Apr-68", ["1968-01-01", "1968-04-23"], True, []),
        ("a) 11-Sep-2000; \nb) 2001", ["2000-09-11", "2001"], False, []),
        ("1965 or 1966", ["1965", "1966"], False, []),
        ("16/09/1949; alt DOB:15/09/1949", ["1949-09-16", "1949-09-15"], False, []),
        ("29-Aprl-1967", ["1967-04-29"], False, []),
        ("March 16, 1972", ["1972-03-16"], False, []),
        ("August, 1961", ["1961-08"], False, []),
        ("approximately 1977/1978", ["1977", "1978"], True, []),
        ("a) 1937 b) 1938", ["1937", "1938"], False, []),
        ("Circa 1979-1982", ["1979", "1980", "1981", "1982"], True, []),
        ("c. 1957 or 14 March 1942", ["1957", "1942-03-14"], True, []),
        ("15 May 1968 (as Yasir) 1970 (as Ali)", ["1968-05-15", "1970"], True, []),
        ("(Aug. 1961); (Jul. 1961)", ["1961-08", "1961-07"], True, []),
        ("24/06/1402 (Hijri Calendar)", [], True, ["24/06/1402 (Hijri Calendar)"]),
        ("10/061962", [], True, ["10/061962"]),
        ("na", [], False, []),
    ],
)
def test_birth_dates(raw: object, dates: list[str], keep_text: bool, unread: list[str]) -> None:
    found = birth_dates(raw)
    assert found.dates == dates
    assert found.keep_text == keep_text
    assert found.unread == unread


@pytest.mark.parametrize(
    ("raw", "codes", "unread"),
    [
        ("Afghanistan", ("af",), ()),
        ("a) German\xa0 b) Moroccan", ("de", "ma"), ()),
        ("Russian and Ukrainian", ("ru", "ua"), ()),
        ("Malian / Mauritanian", ("ml", "mr"), ()),
        ("Indonesian (as at Dec. 2003)", ("id",), ()),
        ("Possibly Ethiopian", ("et",), ()),
        ("Türkiyish ", ("tr",), ()),
        ("Kuwaiti citizenship withdrawn in 2002", (), ("Kuwaiti citizenship withdrawn in 2002",)),
    ],
)
def test_citizenship(raw: str, codes: tuple[str, ...], unread: tuple[str, ...]) -> None:
    assert citizenship_codes(" ".join(raw.split())) == (codes, unread)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Listed by UN 1267 Committee on 25 January 2001 (amended on 20 December 2005)",
         "2001-01-25"),
        ("Listed on: 16 Jul. 2009 (amended on 26 Jul. 2022)", "2009-07-16"),
        ("Resolution 1735 (2006) Listed on: 4 June. 2008 (amended 13 Dec. 2011)", "2008-06-04"),
        (datetime(2013, 3, 7), "2013-03-07"),
        ("Autonomous Sanctions (Designated Persons and Entities and Declared Persons—Russia "
         "and Ukraine) Amendment (No. 9) Instrument 2022", None),
    ],
)  # fmt: skip
def test_listing_date(raw: object, iso: str | None) -> None:
    assert listing_date(raw) == iso


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("Qdi.348 Passport no.: Indonesian passport number W344982", "QDi.348"),
        ("Member of Jemaah Islamiyah (QDe.092).", None),
        ("", None),
    ],
)
def test_own_un_reference(text: str, ref: str | None) -> None:
    assert own_un_reference(text) == ref


def test_programs() -> None:
    assert programs("1718 (DPRK)") == ["1718 (DPRK)"]
    assert programs("1970 (Libya) 1973 (Libya)") == ["1970 (Libya)", "1973 (Libya)"]
    assert programs("Autonomous (Thematic - Cyber)") == ["Autonomous (Thematic - Cyber)"]


# --------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "regulation8_consolidated.xlsx"
    path.write_bytes(b"")
    with pytest.raises(ParseError, match="file is empty") as err:
        parse([path], CONTEXT)
    assert err.value.path == str(path)


def test_truncated_xlsx(au_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "regulation8_consolidated.xlsx"
    data = au_path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match="truncated") as err:
        parse([path], CONTEXT)
    assert err.value.path == str(path)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_truncated_part_in_intact_zip(au_path: Path, tmp_path: Path, part: str) -> None:
    """A workbook whose zip is whole but one XML part is cut in half."""
    path = tmp_path / "regulation8_consolidated.xlsx"
    with zipfile.ZipFile(au_path) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            target.writestr(member, data[: len(data) // 2] if member == part else data)
    with pytest.raises(ParseError, match="truncated") as err:
        parse([path], CONTEXT)
    assert err.value.path == str(path)


def test_uk_file_handed_to_au_parser(data_dir: Path) -> None:
    path = data_dir.joinpath(*UK_FILE)
    with pytest.raises(ParseError, match="not the DFAT consolidated list") as err:
        parse([path], CONTEXT)
    message = str(err.value)
    assert str(path) in message
    for column in ("'Reference'", "'Name of Individual or Entity'", "'Type'", "'Name Type'"):
        assert column in message


def test_csv_handed_to_au_parser(tmp_path: Path) -> None:
    path = tmp_path / "regulation8_consolidated.csv"
    path.write_text("Reference,Name of Individual or Entity\n1,X\n")
    with pytest.raises(ParseError, match="not an XLSX workbook"):
        parse([path], CONTEXT)


def test_row_without_reference(raw_rows: list[list[object]], tmp_path: Path) -> None:
    rows = [list(r) for r in raw_rows[:30]]
    rows[14][0] = None  # file row 15
    path = tmp_path / "regulation8_consolidated.xlsx"
    write_xlsx(path, rows)
    with pytest.raises(ParseError, match="no Reference") as err:
        parse([path], CONTEXT)
    assert err.value.row == 15
    assert str(path) in str(err.value)


def test_reference_without_number(raw_rows: list[list[object]], tmp_path: Path) -> None:
    rows = [list(r) for r in raw_rows[:30]]
    rows[9][0] = "X12"  # file row 10
    path = tmp_path / "regulation8_consolidated.xlsx"
    write_xlsx(path, rows)
    with pytest.raises(ParseError, match="Reference is not a number with a suffix") as err:
        parse([path], CONTEXT)
    assert err.value.row == 10 and "X12" not in str(err.value)  # the cell is not quoted


def test_small_file_parses(raw_rows: list[list[object]], tmp_path: Path) -> None:
    """The header and first 29 name rows, rewritten: one record per base reference."""
    path = tmp_path / "regulation8_consolidated.xlsx"
    write_xlsx(path, [list(r) for r in raw_rows[:30]])
    parsed = parse([path], CONTEXT)
    bases = {base_of(r[0]) for r in raw_rows[1:30]}
    assert {str(r.party.id) for r in parsed.records} == {f"au-dfat-{b}" for b in bases}
