"""UK OFSI ConList parser, read against the real 2025-04-10 list (XLSX, and as CSV)."""

from __future__ import annotations

import csv
import re
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from followthemoney import EntityProxy
from lxml import etree

from sanctum.errors import ParseError
from sanctum.sources.base import ParseContext, ParseResult, Record
from sanctum.sources.uk_ofsi import (
    UK_REF_RE,
    UN_REF_RE,
    country_codes,
    labelled_fields,
    leading_refs,
    numbered,
    parse,
    uk_date,
)

CONTEXT = ParseContext("uk_ofsi")
UK_FILE = ("uk_ofsi", "2025-04-10", "UK_Sanctions_List.xlsx")
AU_FILE = ("au_dfat", "2024-12-17", "regulation8_consolidated.xlsx")
UN_FILE = ("un_sc", "2026-02-27", "consolidated.xml")
HEADER_ROW = 2
"""The header is row 2 of the official file; data start on row 3."""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def uk_path(data_dir: Path) -> Path:
    return data_dir.joinpath(*UK_FILE)


@pytest.fixture(scope="module")
def raw_rows(uk_path: Path) -> list[list[object]]:
    """The file's rows as openpyxl reads them, independent of the parser."""
    workbook = openpyxl.load_workbook(uk_path, read_only=True)
    rows: list[list[object]] = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


@pytest.fixture(scope="module")
def result(uk_path: Path) -> ParseResult:
    return parse([uk_path], CONTEXT)


@pytest.fixture(scope="module")
def records(result: ParseResult) -> dict[str, Record]:
    return {str(r.party.id): r for r in result.records}


@pytest.fixture(scope="module")
def csv_path(raw_rows: list[list[object]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real list written as the official ConList.csv layout (UTF-8 with BOM)."""
    path = tmp_path_factory.mktemp("conlist") / "ConList.csv"
    write_csv(path, raw_rows)
    return path


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> None:
    """Rows as a comma-separated file, empty cells empty."""
    with path.open("w", newline="", encoding=encoding, errors="replace") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if c is None else c for c in row])


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """Rows as a one-sheet workbook."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def values(entity: EntityProxy, prop: str) -> set[str]:
    return set(entity.get(prop))


def of_schema(record: Record, schema: str) -> list[EntityProxy]:
    return [e for e in record.derived if e.schema.name == schema]


# --------------------------------------------------------------------------- counts


def test_counts_match_provenance(result: ParseResult, raw_rows: list[list[object]]) -> None:
    """PROVENANCE.md: 4686 Group IDs / 18796 name rows; Last Updated 10/04/2025."""
    data = raw_rows[HEADER_ROW:]
    assert raw_rows[0][:2] == ["Last Updated", "10/04/2025"]
    assert len(data) == 18796
    assert len({r[-1] for r in data}) == 4686
    assert len(result.records) == 4686
    assert result.published == date(2025, 4, 10)


def test_schemata_follow_group_type(result: ParseResult, raw_rows: list[list[object]]) -> None:
    header = raw_rows[HEADER_ROW - 1]
    gid, kind = header.index("Group ID"), header.index("Group Type")
    types = Counter(dict((r[gid], r[kind]) for r in raw_rows[HEADER_ROW:]).values())
    assert types == {"Individual": 3662, "Entity": 1009, "Ship": 15}
    schemata = Counter(r.party.schema.name for r in result.records)
    assert schemata == {"Person": 3662, "Organization": 1009, "Vessel": 15}


def test_every_record_has_a_name_and_a_sanction(result: ParseResult) -> None:
    for rec in result.records:
        assert rec.party.get("name"), rec.party.id
        sanctions = of_schema(rec, "Sanction")
        assert sanctions and all(s.get("authority") == ["UK HM Treasury OFSI"] for s in sanctions)


def test_issues_are_exactly_the_odd_entries(result: ParseResult) -> None:
    """Checked by hand in the file: four country texts no registry reads, three entries
    without a UK reference, two without a 'Primary name' row."""
    found = sorted((i.kind, i.entity_id, i.message) for i in result.issues)
    assert found == [
        (
            "country",
            "uk-ofsi-12922",
            "birthCountry: no country code for Moldovian SSR (now Republic of Moldovia)",
        ),
        ("country", "uk-ofsi-13523", "birthCountry: no country code for Yakut Autonomous SSR"),
        ("country", "uk-ofsi-14788", "birthCountry: no country code for Uzbek SSR"),
        ("country", "uk-ofsi-16677", "country: no country code for 115088"),
        ("name", "uk-ofsi-16601", "no 'Primary name' row; primary name variations used as names"),
        ("name", "uk-ofsi-16789", "no 'Primary name' row; primary name variations used as names"),
        ("reference", "uk-ofsi-15878", "no (UK Sanctions List Ref) in Other Information"),
        ("reference", "uk-ofsi-16681", "no (UK Sanctions List Ref) in Other Information"),
        ("reference", "uk-ofsi-16682", "no (UK Sanctions List Ref) in Other Information"),
    ]


# --------------------------------------------------------------------------- DPRK name order


def un_names(path: Path) -> dict[str, list[str]]:
    """UN reference → FIRST_NAME … FOURTH_NAME tokens of every UN individual."""
    tags = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    names: dict[str, list[str]] = {}
    for person in etree.parse(str(path)).iter("INDIVIDUAL"):
        ref = (person.findtext("REFERENCE_NUMBER") or "").strip()
        names[ref] = " ".join((person.findtext(t) or "").strip() for t in tags).split()
    return names


def tokens(name: str) -> list[str]:
    """Name tokens compared across lists: upper case, one apostrophe."""
    return name.replace("’", "'").upper().split()


def test_kpi_primary_names_read_like_the_un_list(result: ParseResult, data_dir: Path) -> None:
    """For every UK record citing a KPi UN reference, the primary name's token sequence
    is the UN list's (family name first). No exceptions exist in these two files."""
    un = un_names(data_dir.joinpath(*UN_FILE))
    compared, differing = 0, {}
    for rec in result.records:
        refs = [u for s in of_schema(rec, "Sanction") for u in s.get("unscId")]
        kpi = [r for r in refs if r.startswith("KPi.")]
        if not kpi:
            continue
        compared += 1
        uk = [tokens(n) for n in rec.party.get("name")]
        if tokens(" ".join(un[kpi[0]])) not in uk:
            differing[kpi[0]] = (rec.party.get("name"), un[kpi[0]])
    assert compared == 80
    assert differing == {}


@pytest.mark.parametrize(
    ("group_id", "ref", "name", "last", "first", "surname_first"),
    [
        # name1=PAE, name2=WON, name6=UK: the brief's example; UN PAE / WON UK
        ("13567", "KPi.072", "PAE WON UK", "PAE", "WON UK", "UK PAE WON"),
        # name1=KIM, name6=JONG SIK; UN KIM / JONG SIK
        ("13561", "KPi.066", "KIM JONG SIK", "KIM", "JONG SIK", "JONG SIK KIM"),
        # three UN parts: PAK / CHUN / IL
        ("13414", "KPi.029", "PAK CHUN IL", "PAK", "CHUN IL", "IL PAK CHUN"),
        # apostrophes as the list writes them
        ("12868", "KPi.010", "YO'N CHO'NG NAM", "YO'N", "CHO'NG NAM", "CHO'NG NAM YO'N"),
    ],
)
def test_kpi_name_parts(
    records: dict[str, Record],
    group_id: str,
    ref: str,
    name: str,
    last: str,
    first: str,
    surname_first: str,
) -> None:
    record = records[f"uk-ofsi-{group_id}"]
    party = record.party
    assert of_schema(record, "Sanction")[0].get("unscId") == [ref]
    assert party.get("name") == [name]
    assert party.get("lastName") == [last]
    assert party.get("firstName") == [first]
    assert surname_first in party.get("alias")


def test_uk_dprk_listing_keeps_name6_as_surname(records: dict[str, Record]) -> None:
    """DPR0001 (no UN reference): Name 1 = Jong, Name 2 = Hyuk, Name 6 = AN (the surname)."""
    party = records["uk-ofsi-13590"].party
    assert party.get("name") == ["Jong Hyuk AN"]
    assert (party.get("firstName"), party.get("middleName"), party.get("lastName")) == (
        ["Jong"],
        ["Hyuk"],
        ["AN"],
    )
    assert values(party, "alias") == {"AN Jong Hyuk", "Jong Hyok AN", "AN Jong Hyok"}


# --------------------------------------------------------------------------- exact entries


def test_dprk_person_with_un_reference(records: dict[str, Record]) -> None:
    """Group 13561: KIM JONG SIK, DOB 00/00/1967, 1968, 1969, a.k.a. Kim CHO'NG-SIK."""
    rec = records["uk-ofsi-13561"]
    party = rec.party
    assert party.schema.name == "Person"
    assert values(party, "birthDate") == {"1967", "1968", "1969"}
    assert values(party, "alias") == {"JONG SIK KIM", "Kim CHO'NG-SIK", "CHO'NG-SIK Kim"}
    assert party.get("nationality") == ["kp"]
    assert party.get("country") == ["kp"]
    assert party.get("gender") == ["male"]
    assert party.get("topics") == ["sanction"]
    assert party.get("notes") == [
        "(UK Sanctions List Ref):DPR0227. (UN Ref):KPi.066. (Gender):Male"
    ]
    [sanction] = of_schema(rec, "Sanction")
    assert sanction.get("entity") == ["uk-ofsi-13561"]
    assert sanction.get("program") == ["Democratic People's Republic of Korea"]
    assert sanction.get("listingDate") == ["2017-12-22"]
    assert sanction.get("authorityId") == ["DPR0227"]
    assert sanction.get("unscId") == ["KPi.066"]


def test_dprk_person_with_identification(records: dict[str, Record]) -> None:
    """Group 13567: PAE WON UK, DOB 22/08/1969, national ID 472120208 (expires 22 Feb 2017)."""
    rec = records["uk-ofsi-13567"]
    assert rec.party.get("birthDate") == ["1969-08-22"]
    assert rec.party.get("idNumber") == ["472120208"]
    [ident] = of_schema(rec, "Identification")
    assert ident.get("holder") == ["uk-ofsi-13567"]
    assert ident.get("number") == ["472120208"]
    assert ident.get("description") == ["expires 22 Feb 2017"]


def test_russian_entity_with_cyrillic_name(records: dict[str, Record]) -> None:
    """Group 16268: AEROSCAN / АЭРОСКАН (Cyrillic, Russian), Russia regime, RUS2048."""
    rec = records["uk-ofsi-16268"]
    party = rec.party
    assert party.schema.name == "Organization"
    assert party.get("name") == ["AEROSCAN", "АЭРОСКАН"]
    assert party.get("email") == ["info@scan.aero"]
    assert party.get("website") == ["https://scan.aero/index-en.html"]
    assert party.get("phone") == ["+74996730505"]
    [sanction] = of_schema(rec, "Sanction")
    assert sanction.get("program") == ["Russia"]
    assert sanction.get("authorityId") == ["RUS2048"]
    assert sanction.get("listingDate") == ["2023-12-06"]
    assert sanction.get("reason")[0].startswith("AEROSCAN is an involved person")
    assert not sanction.get("unscId")


def test_belarusian_entity_with_two_cyrillic_forms(records: dict[str, Record]) -> None:
    """Group 14201: the primary name carries the Belarusian form, a variation the Russian."""
    party = records["uk-ofsi-14201"].party
    assert party.get("name") == ["JSC 558 AIRCRAFT REPAIR PLANT", "558 АВІЯЦЫЙНЫ РАМОНТНЫ ЗАВОД"]
    assert "558 АВИАЦИОННЫЙ РЕМОНТНЫЙ ЗАВОД" in party.get("alias")
    assert party.get("address") == [
        "bld.7, 50 let VLKSM st., Baranovichi, Brest reg, 225415, Belarus"
    ]
    assert party.get("country") == ["by"]


def test_ship(records: dict[str, Record]) -> None:
    """Group 13651: SAM JONG 2, IMO 7408873, North Korea flag, ex-Russia, oil tanker, 1975."""
    rec = records["uk-ofsi-13651"]
    vessel = rec.party
    assert vessel.schema.name == "Vessel"
    assert vessel.get("name") == ["SAM JONG 2"]
    assert values(vessel, "alias") == {
        "AKTIVA",
        "BIMA",
        "OCHRE POINT",
        "PETROCHEM VALOUR",
        "RAINBOW CHASER",
        "SOLVENT DISCOVERER",
        "TOM MIRA",
        "YU_JONG_3",
    }
    assert vessel.get("imoNumber") == ["IMO7408873"]
    assert vessel.get("flag") == ["kp"]
    assert vessel.get("pastFlags") == ["ru"]
    assert vessel.get("type") == ["Oil tanker"]
    assert vessel.get("tonnage") == ["1676"]
    assert vessel.get("buildDate") == ["1975"]
    [sanction] = of_schema(rec, "Sanction")
    assert sanction.get("authorityId") == ["DPR0100"]
    assert sanction.get("listingDate") == ["2018-04-03"]


def test_hangul_name(records: dict[str, Record]) -> None:
    """Group 16816: KIM YONG BOK, Hangul 김영복 on the primary row (all in Name 6)."""
    party = records["uk-ofsi-16816"].party
    assert party.get("name") == ["KIM YONG BOK", "김영복"]
    assert not party.get("lastName")


def test_two_regimes_two_sanctions(records: dict[str, Record]) -> None:
    """Group 6995: Somalia (listed 28/04/2010) and ISIL/Al-Qaida (08/11/2001); both refs."""
    rec = records["uk-ofsi-6995"]
    by_program = {s.get("program")[0]: s for s in of_schema(rec, "Sanction")}
    assert set(by_program) == {"Somalia", "ISIL (Da'esh) and Al-Qaida"}
    assert by_program["Somalia"].get("listingDate") == ["2010-04-28"]
    assert by_program["ISIL (Da'esh) and Al-Qaida"].get("listingDate") == ["2001-11-08"]
    for sanction in by_program.values():
        assert sanction.get("unscId") == ["QDi.042", "SOi.002"]
        assert sanction.get("authorityId") == ["AQD0194", "SOM0003"]
    party = rec.party
    assert party.get("birthDate") == ["1935"]
    # 'Sheikh AWEYS' is given as Good and as Low quality: the strong alias wins
    assert "Sheikh AWEYS" in party.get("alias")
    assert "Sheikh AWEYS" not in party.get("weakAlias")
    assert not party.get("weakAlias")  # every Low quality name is also given as Good
    assert values(party, "country") == {"er", "so"}


def test_passports_paired_with_their_details(records: dict[str, Record]) -> None:
    """Group 13312: `(1) 223611 (2) C00146605`, `(1) Libya number (2) British passport number`."""
    rec = records["uk-ofsi-13312"]
    assert rec.party.get("passportNumber") == ["223611", "C00146605"]
    passports = {p.first("number"): p for p in of_schema(rec, "Passport")}
    assert passports["223611"].get("country") == ["ly"]
    assert passports["223611"].get("description") == ["Libya number"]
    assert passports["C00146605"].get("country") == ["gb"]


# --------------------------------------------------------------------------- value readers


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("22/08/1990", "1990-08-22"),
        ("00/00/1994", "1994"),
        ("00/05/1994", "1994-05"),
        ("05/1994", "1994-05"),
        ("1994", "1994"),
        ("31/02/1994", None),
    ],
)
def test_uk_date(text: str, iso: str | None) -> None:
    assert uk_date(text) == iso


@pytest.mark.parametrize(
    ("text", "codes", "unread"),
    [
        ("North Korea", ["kp"], []),
        ("(1) Russia. (2) Ukraine", ["ru", "ua"], []),
        ("Congo (Democratic Republic)", ["cd"], []),
        ("Former USSR, now Ukraine", ["ua"], []),
        ("Iraq (previous address)", ["iq"], []),
        ("Germany. Russia", ["de", "ru"], []),
        ("(1-3) Libya", ["ly"], []),
        ("Uzbek SSR", [], ["Uzbek SSR"]),
    ],
)
def test_country_codes(text: str, codes: list[str], unread: list[str]) -> None:
    assert country_codes(text) == (codes, unread)


def test_numbered_values() -> None:
    assert numbered("(1) Mullah (2) Maulavi") == ["Mullah", "Maulavi"]
    assert numbered("(1) M00073786. (2) 481034886.") == ["M00073786", "481034886"]
    assert numbered("Colonel") == ["Colonel"]
    assert numbered("") == []


@pytest.mark.parametrize(
    ("text", "pattern", "refs"),
    [
        (
            "INU0082 and SYR0310. Listed under the Iran (Nuclear) and Syria",
            UK_REF_RE,
            ["INU0082", "SYR0310"],
        ),
        ("GHR0086. (see RUS0001)", UK_REF_RE, ["GHR0086"]),
        ("QDi.042 and SOi.002. Listed under", UN_REF_RE, ["QDi.042", "SOi.002"]),
        ("CDi. 038. Listed pursuant to", UN_REF_RE, ["CDi. 038"]),
    ],
)
def test_leading_refs(text: str, pattern: re.Pattern[str], refs: list[str]) -> None:
    assert leading_refs(text, pattern) == refs


def test_labelled_fields() -> None:
    text = "(UK Sanctions List Ref):DPR0100. Note. (IMO number):7408873 (Flag of ship):North Korea"
    assert labelled_fields(text) == {
        "UK Sanctions List Ref": ["DPR0100. Note."],
        "IMO number": ["7408873"],
        "Flag of ship": ["North Korea"],
    }


def test_un_references_are_normalised(records: dict[str, Record]) -> None:
    """`QDE.145` and `CDi. 038` as written in Other Information become QDe.145, CDi.038."""
    refs = {u for r in records.values() for s in of_schema(r, "Sanction") for u in s.get("unscId")}
    assert {"QDe.145", "CDi.038"} <= refs
    assert all(re.fullmatch(r"[A-Z]{2}[ie]\.\d{3}", r) for r in refs)


# --------------------------------------------------------------------------- CSV


def test_csv_reads_like_xlsx(csv_path: Path, result: ParseResult) -> None:
    """The same list as ConList.csv (UTF-8 with BOM) gives the same entities and date."""
    from_csv = parse([csv_path], CONTEXT)
    assert from_csv.published == result.published
    assert [e.to_dict() for e in from_csv.entities()] == [e.to_dict() for e in result.entities()]


def test_csv_in_windows_1252(raw_rows: list[list[object]], tmp_path: Path) -> None:
    """A Windows-1252 CSV is read (and noted); `Abdoulaye Issène` keeps its è."""
    rows = raw_rows[:HEADER_ROW] + [r for r in raw_rows[HEADER_ROW:] if r[-1] == "13458"]
    path = tmp_path / "ConList.csv"
    write_csv(path, rows, encoding="cp1252")
    parsed = parse([path], CONTEXT)
    assert [i.kind for i in parsed.issues] == ["encoding"]
    assert "Abdoulaye Issène" in parsed.records[0].party.get("alias")


# --------------------------------------------------------------------------- bad input


def small_rows(raw_rows: list[list[object]], n: int = 40) -> list[list[object]]:
    """The two leading rows and the first n data rows."""
    return [list(r) for r in raw_rows[: HEADER_ROW + n]]


@pytest.mark.parametrize("name", ["ConList.xlsx", "ConList.csv"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(ParseError, match="file is empty") as err:
        parse([path], CONTEXT)
    assert err.value.path == str(path)


def test_truncated_xlsx(uk_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "UK_Sanctions_List.xlsx"
    data = uk_path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match="truncated") as err:
        parse([path], CONTEXT)
    assert err.value.path == str(path)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_truncated_part_in_intact_zip(uk_path: Path, tmp_path: Path, part: str) -> None:
    """A workbook whose zip is whole but one XML part is cut in half."""
    path = tmp_path / "UK_Sanctions_List.xlsx"
    with zipfile.ZipFile(uk_path) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            target.writestr(member, data[: len(data) // 2] if member == part else data)
    with pytest.raises(ParseError, match="truncated") as err:
        parse([path], CONTEXT)
    assert err.value.path == str(path)


def test_truncated_csv(raw_rows: list[list[object]], tmp_path: Path) -> None:
    """A CSV cut inside a row: the last row is short (or its quote unterminated)."""
    whole = tmp_path / "whole.csv"
    write_csv(whole, small_rows(raw_rows))
    data = whole.read_bytes()
    cut = data.rindex(b"\n", 0, len(data) - 1) + 60
    path = tmp_path / "ConList.csv"
    path.write_bytes(data[:cut])
    with pytest.raises(ParseError) as err:
        parse([path], CONTEXT)
    assert err.value.path == str(path)
    assert err.value.row == HEADER_ROW + 40


def test_au_file_handed_to_uk_parser(data_dir: Path) -> None:
    path = data_dir.joinpath(*AU_FILE)
    with pytest.raises(ParseError, match="not the OFSI ConList layout") as err:
        parse([path], CONTEXT)
    message = str(err.value)
    assert str(path) in message
    for column in ("'Name 6'", "'Group Type'", "'Alias Type'", "'Regime'", "'Group ID'"):
        assert column in message
    assert "Reference" not in message  # the file's own cells are never echoed
    assert "(12 other cells)" in message


def test_wrong_csv_header(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_text("Reference,Name of Individual or Entity,Type\n1,X,Individual\n")
    with pytest.raises(ParseError, match="'Group ID'"):
        parse([path], CONTEXT)


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_row_without_group_id(raw_rows: list[list[object]], tmp_path: Path, suffix: str) -> None:
    rows = small_rows(raw_rows)
    rows[HEADER_ROW + 9][-1] = None  # the 10th data row, file row 12
    path = tmp_path / f"ConList.{suffix}"
    (write_xlsx if suffix == "xlsx" else write_csv)(path, rows)
    with pytest.raises(ParseError, match="no Group ID") as err:
        parse([path], CONTEXT)
    assert err.value.row == HEADER_ROW + 10
    assert str(path) in str(err.value)


def test_utf16_csv(raw_rows: list[list[object]], tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    write_csv(path, small_rows(raw_rows), encoding="utf-16")
    with pytest.raises(ParseError, match="UTF-16") as err:
        parse([path], CONTEXT)
    assert err.value.path == str(path)


def test_mixed_encoding_csv(raw_rows: list[list[object]], tmp_path: Path) -> None:
    """A UTF-8 file (Cyrillic on line 12) with one Latin-1 byte on line 7: refused, naming
    the line."""
    rows = small_rows(raw_rows)
    rows[6][0] = "CAFÉ"
    rows[11][0] = "ЁЛКА"
    path = tmp_path / "ConList.csv"
    write_csv(path, rows)
    path.write_bytes(path.read_bytes().replace("CAFÉ".encode(), "CAFÉ".encode("latin-1")))
    with pytest.raises(ParseError, match="mixed encodings") as err:
        parse([path], CONTEXT)
    assert err.value.row == 7
