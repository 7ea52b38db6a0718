"""UN Security Council consolidated XML: the three real versions in shared/data, read exactly.

Expected values below were read from the XML files themselves (counts: PROVENANCE.md).
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources import un_sc
from sanctum.sources.base import ParseContext, ParseResult, Record
from sanctum.sources.readers import split_top_level

VERSIONS = ("2020-03-20", "2024-11-30", "2026-02-27")
CONTEXT = ParseContext("un_sc")


def un_file(data_dir: Path, version: str) -> Path:
    return data_dir / "un_sc" / version / "consolidated.xml"


@pytest.fixture(scope="module")
def results(data_dir: Path) -> dict[str, ParseResult]:
    """Each real version parsed once for the whole module."""
    return {v: un_sc.parse([un_file(data_dir, v)], CONTEXT) for v in VERSIONS}


def record(result: ParseResult, ref: str) -> Record:
    matches = [r for r in result.records if r.party.id == f"un-sc-{ref}"]
    assert len(matches) == 1, ref
    return matches[0]


def derived(rec: Record, schema: str) -> list[EntityProxy]:
    return [e for e in rec.derived if e.schema.name == schema]


# --- whole files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "total", "individuals", "entities", "published"),
    [
        ("2020-03-20", 1014, 709, 305, date(2020, 3, 20)),
        ("2024-11-30", 879, 686, 193, date(2024, 11, 30)),
        ("2026-02-27", 1003, 730, 273, date(2026, 2, 27)),
    ],
)
def test_counts_and_published(
    results: dict[str, ParseResult],
    version: str,
    total: int,
    individuals: int,
    entities: int,
    published: date,
) -> None:
    result = results[version]
    schemata = [r.party.schema.name for r in result.records]
    assert len(result.records) == total
    assert schemata.count("Person") == individuals
    assert schemata.count("Organization") == entities
    assert result.published == published


@pytest.mark.parametrize("version", VERSIONS)
def test_every_entry_has_one_un_sanction_and_unique_id(
    results: dict[str, ParseResult], version: str
) -> None:
    result = results[version]
    ids = [r.party.id for r in result.records]
    assert len(set(ids)) == len(ids)
    for rec in result.records:
        ref = str(rec.party.id).removeprefix("un-sc-")
        (sanction,) = derived(rec, "Sanction")
        assert sanction.get("unscId") == [ref]
        assert sanction.get("authorityId") == [ref]
        assert sanction.get("authority") == ["UN Security Council"]
        assert sanction.get("sourceUrl") == ["https://scsanctions.un.org/"]
        assert sanction.get("program") == rec.party.get("program")
        assert rec.party.get("topics") == ["sanction"]


@pytest.mark.parametrize("version", VERSIONS)
def test_links_point_to_entries_of_the_same_version(
    results: dict[str, ParseResult], version: str
) -> None:
    result = results[version]
    ids = {r.party.id for r in result.records}
    links = [e for e in result.entities() if e.schema.name == "UnknownLink"]
    assert links
    for link in links:
        assert link.get("object")[0] in ids
        assert link.get("subject") != link.get("object")


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "2020-03-20",
            {
                ("un-sc-QDi.391", "nationality"),
                ("un-sc-QDi.154", "nationality"),
                ("un-sc-SOi.010", "nationality"),
                ("un-sc-SDi.004", "nationality"),
                ("un-sc-QDi.119", "nationality"),
                ("un-sc-SOi.009", "nationality"),
                ("un-sc-QDi.290", "nationality"),
                ("un-sc-QDi.291", "birth-date"),
                ("un-sc-LYi.022", "birth-date"),
                ("un-sc-LYi.026", "birth-date"),
            },
        ),
        ("2024-11-30", {("un-sc-LYi.022", "birth-date")}),
        ("2026-02-27", {("un-sc-LYi.022", "birth-date"), ("un-sc-QDi.291", "birth-date")}),
    ],
)
def test_issues_are_the_odd_values_of_the_file(
    results: dict[str, ParseResult], version: str, expected: set[tuple[str, str]]
) -> None:
    issues = results[version].issues
    assert {(i.entity_id, i.kind) for i in issues} == expected
    assert len(issues) == len(expected)


# --- specific entries ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_kim_jong_sik_kpi_066(results: dict[str, ParseResult], version: str) -> None:
    """<FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>JONG SIK</SECOND_NAME>, DOB BETWEEN 1967–1969."""
    rec = record(results[version], "KPi.066")
    party = rec.party
    assert party.schema.name == "Person"
    assert party.get("name") == ["KIM JONG SIK"]
    assert party.get("lastName") == ["KIM"]
    assert party.get("firstName") == ["JONG SIK"]
    assert party.get("alias") == ["Kim Cho’ng-sik"]
    assert party.get("weakAlias") == []
    assert party.get("birthDate") == ["1967", "1968", "1969"]
    assert "Date of birth: between 1967 and 1969" in party.get("notes")
    assert "Gender: male" in party.get("notes")
    assert party.get("nationality") == ["kp"]
    assert party.get("country") == ["kp"]
    assert party.get("program") == ["DPRK"]
    assert party.get("position") == [
        "A leading official guiding the DPRK’s WMD development efforts. Serving as Deputy "
        "Director of the Workers’ Party of Korea Munitions Industry Department"
    ]
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("listingDate") == ["2017-12-22"]
    assert sanction.get("program") == ["DPRK"]
    assert sanction.get("unscId") == ["KPi.066"]
    assert sanction.get("recordId") == ["6908643"]
    assert sanction.get("entity") == ["un-sc-KPi.066"]


def test_low_quality_alias_is_weak_kpi_064(results: dict[str, ParseResult]) -> None:
    """<QUALITY>Low</QUALITY><ALIAS_NAME>Choe Sok Min</ALIAS_NAME>."""
    party = record(results["2026-02-27"], "KPi.064").party
    assert party.get("name") == ["CH'OE SO’K MIN"]
    assert party.get("lastName") == ["CH'OE"]
    assert party.get("firstName") == ["SO’K MIN"]
    assert party.get("weakAlias") == ["Choe Sok Min"]
    assert party.get("alias") == []
    assert party.get("birthDate") == ["1978-07-25"]
    assert party.get("gender") == ["male"]


def test_low_alias_original_script_and_approximate_year_tai_005(
    results: dict[str, ParseResult],
) -> None:
    party = record(results["2024-11-30"], "TAi.005").party
    assert party.get("name") == ["MUHAMMAD TAHER ANWARI", "محمد طاهر أنوري"]
    assert party.get("firstName") == ["MUHAMMAD"]
    assert party.get("secondName") == ["TAHER"]
    assert party.get("middleName") == ["ANWARI"]
    assert party.get("lastName") == []
    assert party.get("alias") == [
        "Mohammad Taher Anwari",
        "Muhammad Tahir Anwari",
        "Mohammad Tahre Anwari",
    ]
    assert party.get("weakAlias") == ["Haji Mudir"]
    assert party.get("birthDate") == ["1961"]
    assert "Date of birth: approximately 1961" in party.get("notes")
    assert party.get("birthPlace") == ["Zurmat District, Paktia Province, Afghanistan"]
    assert party.get("birthCountry") == ["af"]
    assert party.get("title") == ["Mullah"]
    assert party.get("position") == [
        "a) Director of Administrative Affairs under the Taliban regime",
        "Minister of Finance under the Taliban regime",
    ]
    (sanction,) = derived(record(results["2024-11-30"], "TAi.005"), "Sanction")
    assert sanction.get("modifiedAt") == ["2011-11-29"]
    assert sanction.get("listingDate") == ["2001-02-23"]


def test_reconnaissance_general_bureau_kpe_031(results: dict[str, ParseResult]) -> None:
    rec = record(results["2026-02-27"], "KPe.031")
    party = rec.party
    assert party.schema.name == "Organization"
    assert party.get("name") == ["RECONNAISSANCE GENERAL BUREAU"]
    assert party.get("alias") == ["Chongch’al Ch’ongguk", "KPA Unit 586", "RGB"]
    assert party.get("address") == [
        "Hyongjesan-Guyok, Pyongyang, Democratic People's Republic of Korea",
        "Nungrado, Pyongyang, Democratic People's Republic of Korea",
    ]
    assert party.get("country") == ["kp"]
    assert party.get("program") == ["DPRK"]
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("listingDate") == ["2016-03-02"]
    assert sanction.get("unscId") == ["KPe.031"]


def test_fka_is_previous_name_kpe_003(results: dict[str, ParseResult]) -> None:
    party = record(results["2026-02-27"], "KPe.003").party
    assert party.get("name") == ["TANCHON COMMERCIAL BANK"]
    assert party.get("previousName") == ["CHANGGWANG CREDIT BANK", "KOREA CHANGGWANG CREDIT BANK"]
    assert party.get("alias") == []


def test_passport_with_padded_number_and_name_kpi_033(results: dict[str, ParseResult]) -> None:
    """2020 file: <FIRST_NAME> RI </FIRST_NAME>, <NUMBER> 381310014</NUMBER>."""
    rec = record(results["2020-03-20"], "KPi.033")
    assert rec.party.get("name") == ["RI WON HO"]
    assert rec.party.get("lastName") == ["RI"]
    assert rec.party.get("firstName") == ["WON HO"]
    assert rec.party.get("birthDate") == ["1964-07-17"]
    assert rec.party.get("passportNumber") == ["381310014"]
    (passport,) = derived(rec, "Passport")
    assert passport.get("number") == ["381310014"]
    assert passport.get("holder") == ["un-sc-KPi.033"]
    assert passport.get("country") == []


def test_chinese_alias_and_passport_country_kpi_035(results: dict[str, ParseResult]) -> None:
    """<ALIAS_NAME>Jin Tiesan (金铁三)</ALIAS_NAME>: two names."""
    rec = record(results["2026-02-27"], "KPi.035")
    assert rec.party.get("alias") == ["Jin Tiesan", "金铁三"]
    (passport,) = derived(rec, "Passport")
    assert passport.get("number") == ["645120378"]
    assert passport.get("country") == ["kp"]


def test_wide_between_range_keeps_ends_tai_150(results: dict[str, ParseResult]) -> None:
    """An EXACT 1966-01-01 and a BETWEEN 1958–1964 (six years apart: ends only)."""
    party = record(results["2026-02-27"], "TAi.150").party
    assert party.get("birthDate") == ["1966-01-01", "1958", "1964"]
    assert "Date of birth: between 1958 and 1964" in party.get("notes")


@pytest.mark.parametrize("version", VERSIONS)
def test_not_available_name_part_left_out_tai_153(
    results: dict[str, ParseResult], version: str
) -> None:
    """FOURTH_NAME `na` is the list's placeholder, not a name part."""
    party = record(results[version], "TAi.153").party
    assert "FAIZULLAH KHAN NOORZAI" in party.get("name")
    assert not any(n.endswith(" na") for n in party.get("name"))


def test_utc_offset_dates_of_2020_file_ssi_005(results: dict[str, ParseResult]) -> None:
    """<DATE>1960-01-01-05:00</DATE> and <LISTED_ON>2015-07-01-04:00</LISTED_ON>."""
    rec = record(results["2020-03-20"], "SSi.005")
    assert rec.party.get("birthDate") == ["1960-01-01"]
    assert rec.party.get("birthPlace") == ["Yirol, Lakes State"]
    assert rec.party.get("firstName") == ["MARIAL"]
    assert rec.party.get("middleName") == ["YOL", "MANGOK"]
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("listingDate") == ["2015-07-01"]
    assert rec.party.get("passportNumber") == ["R00005943, South Sudan"]


def test_cited_references_become_links_qdi_412(results: dict[str, ParseResult]) -> None:
    """COMMENTS1: '… Al-Qaida in Iraq (QDe.115). Director of Al-Kawthar … (QDe.157).'"""
    rec = record(results["2026-02-27"], "QDi.412")
    links = derived(rec, "UnknownLink")
    assert [link.get("object") for link in links] == [["un-sc-QDe.115"], ["un-sc-QDe.157"]]
    assert all(link.get("subject") == ["un-sc-QDi.412"] for link in links)
    assert rec.party.get("idNumber") == ["00405771", "540763"]
    ids = derived(rec, "Identification")
    assert [i.get("type") for i in ids] == [
        ["national identification card"],
        ["Certificate of Iraqi Nationality"],
    ]
    assert ids[0].get("startDate") == ["2013-05-20"]


def test_unreadable_dates_of_birth_kept_in_notes(results: dict[str, ParseResult]) -> None:
    hijri = record(results["2026-02-27"], "QDi.291").party
    assert "Date of birth: 24/06/1402 (Hijri Calendar)" in hijri.get("notes")
    age = record(results["2026-02-27"], "LYi.022").party
    assert age.get("birthDate") == []
    assert "Date of birth: approximately 30-35 years old" in age.get("notes")


def test_entity_name_with_two_names_cde_003(results: dict[str, ParseResult]) -> None:
    party = record(results["2026-02-27"], "CDe.003").party
    assert party.get("name") == [
        "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL) ; GREAT LAKES BUSINESS COMPANY (GLBC)"
    ]
    assert party.get("alias")[:2] == [
        "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)",
        "GREAT LAKES BUSINESS COMPANY (GLBC)",
    ]


# --- pure readers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "dates", "remark", "parsed"),
    [
        (("EXACT", "1964-07-17", None, None, None, None), ["1964-07-17"], None, True),
        (("EXACT", "1960-01-01-05:00", None, None, None, None), ["1960-01-01"], None, True),
        (("EXACT", None, "1984", None, None, None), ["1984"], None, True),
        (
            ("APPROXIMATELY", None, "1961", None, None, None),
            ["1961"],
            "Date of birth: approximately 1961",
            True,
        ),
        (
            ("BETWEEN", None, None, "1967", "1969", None),
            ["1967", "1968", "1969"],
            "Date of birth: between 1967 and 1969",
            True,
        ),
        (
            ("BETWEEN", None, None, "1977", "1982", None),
            ["1977", "1978", "1979", "1980", "1981", "1982"],
            "Date of birth: between 1977 and 1982",
            True,
        ),
        (
            ("BETWEEN", None, None, "1958", "1964", None),
            ["1958", "1964"],
            "Date of birth: between 1958 and 1964",
            True,
        ),
        (
            ("BETWEEN", None, None, "1955", "1958", "Approximately "),
            ["1955", "1956", "1957", "1958"],
            "Date of birth: approximately between 1955 and 1958",
            True,
        ),
        (
            ("EXACT", "1979-03-03", None, None, None, "from false passport"),
            ["1979-03-03"],
            "Date of birth: 1979-03-03 (from false passport)",
            True,
        ),
        (("EXACT", None, "1958", None, None, "Sep."), ["1958-09"], None, True),
        (("EXACT", None, None, None, None, "Nov. 1973 "), ["1973-11"], None, True),
        (
            ("EXACT", None, None, None, None, "Between Aug. and Sep. 1977"),
            ["1977-08", "1977-09"],
            "Date of birth: 1977-08 or 1977-09 (Between Aug. and Sep. 1977)",
            True,
        ),
        (
            ("EXACT", None, None, None, None, "24/06/1402 (Hijri Calendar)"),
            [],
            "Date of birth: 24/06/1402 (Hijri Calendar)",
            False,
        ),
        (
            ("APPROXIMATELY", None, None, None, None, "30-35 years old"),
            [],
            "Date of birth: approximately 30-35 years old",
            False,
        ),
        (("EXACT", None, "19xx", None, None, None), [], "Date of birth: 19xx", False),
        (("", None, None, None, None, None), [], None, True),
    ],
)
def test_read_birth_date(
    parts: tuple[str | None, ...], dates: list[str], remark: str | None, parsed: bool
) -> None:
    assert un_sc.read_birth_date(*parts) == un_sc.BirthDate(dates, remark, parsed)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Kim Kyo'ng-il", ["Kim Kyo'ng-il"]),
        ("Jin Tiesan (金铁三)", ["Jin Tiesan", "金铁三"]),
        ("Fazel Rahim; Fazil Rahim", ["Fazel Rahim", "Fazil Rahim"]),
        (
            "حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)",
            ["حسن غول", "Hassan Ghul", "Hassan Gul", "Hasan Gul"],
        ),
        (
            "Mohammed Sabet; Mohammad Sabet b) M. Javad Kareemi Sabet; M. Jawad Karimi Sabet",
            ["Mohammed Sabet", "Mohammad Sabet", "M. Javad Kareemi Sabet", "M. Jawad Karimi Sabet"],
        ),
        (
            "Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام\n(original script); "
            "Hayat\nTahrir al-Sham)",
            ["Hay’at Tahrir al-Sham (HTS)", "هيئة تحرير الشام", "Hayat Tahrir al-Sham"],
        ),
        (
            ") Abdelrahman Mouhamad Zafir al Dabissi Juhan",
            ["Abdelrahman Mouhamad Zafir al Dabissi Juhan"],
        ),
        ("Abu Muhammad (original script: Абу Мухаммад)", ["Abu Muhammad", "Абу Мухаммад"]),
        ("Encep Nurjaman (birth name)", ["Encep Nurjaman (birth name)"]),
        ("Mohammad Ishaq Akhund born in 1963", ["Mohammad Ishaq Akhund born in 1963"]),
        (
            "أنصار الشريعة بليبيا (Ansar al Charia in Libya (ASL))",
            ["أنصار الشريعة بليبيا", "Ansar al Charia in Libya (ASL)"],
        ),
        (
            "Front for the Conquest of Syria/the Levant",
            ["Front for the Conquest of Syria/the Levant"],
        ),
    ],
)
def test_split_alias(text: str, names: list[str]) -> None:
    assert un_sc.split_alias(text) == names


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("AL-ITIHAAD AL-ISLAMIYA / AIAI", ["AL-ITIHAAD AL-ISLAMIYA", "AIAI"]),
        ("BUREAU D'ACHAT/KARDIAM", ["BUREAU D'ACHAT/KARDIAM"]),
        ("A (x / y) / B", ["A (x / y)", "B"]),
        ("A (CAGL) ; B (GLBC)", ["A (CAGL)", "B (GLBC)"]),
    ],
)
def test_split_top_level(text: str, parts: list[str]) -> None:
    assert split_top_level(text, un_sc.ENTITY_NAME_SEPARATORS) == parts


# --- bad input ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_bytes(data_dir: Path) -> bytes:
    return un_file(data_dir, "2026-02-27").read_bytes()


def parse_bytes(tmp_path: Path, data: bytes, name: str = "consolidated.xml") -> ParseResult:
    path = tmp_path / name
    path.write_bytes(data)
    return un_sc.parse([path], CONTEXT)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="file is empty") as err:
        parse_bytes(tmp_path, b"")
    assert err.value.path == str(tmp_path / "consolidated.xml")


def test_truncated_file(tmp_path: Path, real_bytes: bytes) -> None:
    with pytest.raises(ParseError, match="not well-formed XML at line") as err:
        parse_bytes(tmp_path, real_bytes[: len(real_bytes) // 2])
    assert err.value.path.endswith("consolidated.xml")
    assert isinstance(err.value.row, int) and err.value.row > 1000


def test_bytes_not_in_declared_encoding(tmp_path: Path, real_bytes: bytes) -> None:
    cp1252 = real_bytes.decode("utf-8").encode("cp1252", errors="replace")
    with pytest.raises(ParseError, match="do not match the declared encoding") as err:
        parse_bytes(tmp_path, cp1252)
    assert isinstance(err.value.row, int)


def test_utf8_bytes_declared_latin1(tmp_path: Path, real_bytes: bytes) -> None:
    relabelled = real_bytes.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1)
    with pytest.raises(ParseError, match="declares encoding 'iso-8859-1' but its bytes are UTF-8"):
        parse_bytes(tmp_path, relabelled)


def test_canada_file_is_refused(data_dir: Path) -> None:
    canada = data_dir / "ca_sema" / "2020-04-15" / "sema-lmes.xml"
    with pytest.raises(ParseError, match="root element is not <CONSOLIDATED_LIST>"):
        un_sc.parse([canada], CONTEXT)


def test_xlsx_is_refused(data_dir: Path) -> None:
    xlsx = data_dir / "au_dfat" / "2024-12-17" / "regulation8_consolidated.xlsx"
    with pytest.raises(ParseError, match="ZIP container") as err:
        un_sc.parse([xlsx], CONTEXT)
    assert "regulation8_consolidated.xlsx" in str(err.value)


def test_csv_is_refused(tmp_path: Path, data_dir: Path) -> None:
    csv = (data_dir / "us_ofac_sdn" / "2021-07-07" / "sdn.csv").read_bytes()[:5000]
    with pytest.raises(ParseError, match="not well-formed XML at line 1") as err:
        parse_bytes(tmp_path, csv, "sdn.csv")
    assert err.value.row == 1


def test_gzip_is_refused(tmp_path: Path, real_bytes: bytes) -> None:
    with pytest.raises(ParseError, match="gzip file, not XML"):
        parse_bytes(tmp_path, gzip.compress(real_bytes[:2000]))


def test_entry_without_reference(tmp_path: Path, real_bytes: bytes) -> None:
    broken = real_bytes.replace(b"<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>", b"", 1)
    with pytest.raises(ParseError, match="<INDIVIDUAL> without REFERENCE_NUMBER") as err:
        parse_bytes(tmp_path, broken)
    assert err.value.row == 4


def test_duplicate_reference(tmp_path: Path, real_bytes: bytes) -> None:
    twice = real_bytes.replace(b"<REFERENCE_NUMBER>CDi.002<", b"<REFERENCE_NUMBER>CDi.001<", 1)
    with pytest.raises(ParseError, match=r"REFERENCE_NUMBER CDi\.001 appears twice"):
        parse_bytes(tmp_path, twice)


def test_list_without_entries(tmp_path: Path) -> None:
    empty_list = (
        b'<?xml version="1.0"?><CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>'
    )
    with pytest.raises(ParseError, match="no INDIVIDUALS/INDIVIDUAL or ENTITIES/ENTITY entries"):
        parse_bytes(tmp_path, empty_list)


def test_exactly_one_file(data_dir: Path) -> None:
    with pytest.raises(ParseError, match="expected exactly one XML file, got 2"):
        un_sc.parse([un_file(data_dir, v) for v in VERSIONS[:2]], CONTEXT)
