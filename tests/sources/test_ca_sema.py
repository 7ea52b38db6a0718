"""Canada consolidated autonomous sanctions list (sema-lmes.xml), read exactly.

Expected values below were read from the XML file itself (count: PROVENANCE.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sanctum.errors import ParseError
from sanctum.sources import ca_sema
from sanctum.sources.base import ParseContext, ParseResult, Record

CONTEXT = ParseContext("ca_sema")


@pytest.fixture(scope="module")
def sema_path(data_dir: Path) -> Path:
    return data_dir / "ca_sema" / "2020-04-15" / "sema-lmes.xml"


@pytest.fixture(scope="module")
def result(sema_path: Path) -> ParseResult:
    """The real file parsed once for the whole module."""
    return ca_sema.parse([sema_path], CONTEXT)


def record(result: ParseResult, party_id: str) -> Record:
    matches = [r for r in result.records if r.party.id == party_id]
    assert len(matches) == 1, party_id
    return matches[0]


# --- whole file ---------------------------------------------------------------------------------


def test_counts(result: ParseResult) -> None:
    schemata = [r.party.schema.name for r in result.records]
    assert len(result.records) == 1369
    assert schemata.count("Person") == 985
    assert schemata.count("Organization") == 384
    assert result.published is None
    assert result.issues == []


def test_ids_unique_and_well_formed(result: ParseResult) -> None:
    ids = [str(r.party.id) for r in result.records]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"ca-sema-[A-Za-z]+(-[A-Za-z]+)?(-\d(-Part-\d)?)?-\d+", i) for i in ids)


def test_programmes_by_regime_and_schedule(result: ParseResult) -> None:
    programs: dict[str, int] = {}
    for rec in result.records:
        (program,) = rec.party.get("program")
        programs[program] = programs.get(program, 0) + 1
    assert programs == {
        "Syria, Schedule 2": 225,
        "Ukraine, Schedule 1": 202,
        "Zimbabwe": 181,
        "Iran, Schedule 1": 161,
        "Russia, Schedule 1": 118,
        "Venezuela": 96,
        "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR), Schedule 1": 70,
        "Russia, Schedule 1, Part 2": 66,
        "Syria, Schedule 1": 56,
        "Burma, Schedule 2": 45,
        "Burma, Schedule 1": 44,
        "Iran, Schedule 2": 41,
        "Ukraine, Schedule 1, Part 2": 40,
        "Nicaragua": 9,
        "Russia, Schedule 2": 7,
        "Russia, Schedule 3": 6,
        "South Sudan": 2,
    }


def test_every_entry_has_one_sanction(result: ParseResult) -> None:
    for rec in result.records:
        (sanction,) = rec.derived
        assert sanction.schema.name == "Sanction"
        assert sanction.get("authority") == ["Global Affairs Canada"]
        assert sanction.get("entity") == [rec.party.id]
        assert sanction.get("program") == rec.party.get("program")
        assert sanction.get("unscId") == []


# --- specific records ---------------------------------------------------------------------------


def test_first_record_air_bagan(result: ParseResult) -> None:
    rec = record(result, "ca-sema-Burma-1-1")
    assert rec.party.schema.name == "Organization"
    assert rec.party.get("name") == ["Air Bagan"]
    assert rec.party.get("alias") == ["Air Bagan Holdings Pte. Ltd.", "Air Bagan Limited"]
    assert rec.party.get("program") == ["Burma, Schedule 1"]
    assert rec.derived[0].get("authorityId") == ["Burma, Schedule 1, Item 1"]


def test_person_given_name_variant_alias_akimov(result: ParseResult) -> None:
    """<LastName>AKIMOV</LastName><GivenName>Andrey Igorevich</GivenName>
    <Aliases> Andrei </Aliases>."""
    party = record(result, "ca-sema-Russia-1-94").party
    assert party.get("name") == ["Andrey Igorevich AKIMOV"]
    assert party.get("firstName") == ["Andrey Igorevich"]
    assert party.get("lastName") == ["AKIMOV"]
    assert party.get("alias") == ["Andrei Igorevich AKIMOV"]
    assert party.get("weakAlias") == []
    assert party.get("birthDate") == ["1953-09-22"]


def test_person_nickname_is_weak_alias_pavlov(result: ParseResult) -> None:
    party = record(result, "ca-sema-Ukraine-1-83").party
    assert party.get("name") == ["Arseny PAVLOV"]
    assert party.get("weakAlias") == ["Motorola"]
    assert party.get("alias") == []


def test_surname_variant_and_full_alias_salyaev(result: ParseResult) -> None:
    """<Aliases>Aleksei, Oleksii SALYAYEV, SALIAIEV</Aliases>."""
    party = record(result, "ca-sema-Russia-1-112").party
    assert party.get("alias") == [
        "Aleksei Mikhailovich SALYAEV",
        "Oleksii SALYAYEV",
        "Aleksey Mikhailovich SALIAIEV",
    ]


def test_two_dates_of_birth_jvcfor(result: ParseResult) -> None:
    """<DateOfBirth>1972-08-10 or 1972-08-11</DateOfBirth>."""
    rec = record(result, "ca-sema-JVCFOR-1-54")
    assert rec.party.get("name") == ["Mansour Othman ABAHUSSAIN"]
    assert rec.party.get("birthDate") == ["1972-08-10", "1972-08-11"]
    assert rec.derived[0].get("authorityId") == [
        "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR), Schedule 1, Item 54"
    ]


def test_bilingual_name_and_aliases_irgc(result: ParseResult) -> None:
    party = record(result, "ca-sema-Iran-1-136").party
    assert party.get("name") == [
        "Islamic Revolutionary Guard Corps/Corps des Gardiens de la Révolution islamique"
    ]
    assert party.get("alias") == [
        "Islamic Revolutionary Guard Corps",
        "Corps des Gardiens de la Révolution islamique",
        "IRGC",
        "Army of the Guardians of the Islamic Revolution",
        "Iranian Revolutionary Guards",
        "IRG",
        "Sepah-e Pasdaran-e Enghelab-e Eslami",
        "GRI",
        "CGRI",
        "l'Armée des Gardiens de la Révolution islamique",
        "Gardiens de la Révolution iranienne",
        "Sepah-e Pasdaran-e Enghelab-e Eslami et Pasdaran",
    ]


def test_record_without_schedule_venezuela_97(result: ParseResult) -> None:
    rec = record(result, "ca-sema-Venezuela-97")
    assert rec.party.get("name") == ["Rafael Alejandro LACAVA EVANGELISTA"]
    assert rec.party.get("program") == ["Venezuela"]
    assert rec.derived[0].get("authorityId") == ["Venezuela, Item 97"]


def test_last_record_zimbabwe_181(result: ParseResult) -> None:
    """Schedule N/A is left out of the key; <LastName>Zhuwao </LastName> is trimmed."""
    assert result.records[-1].party.id == "ca-sema-Zimbabwe-181"
    party = result.records[-1].party
    assert party.get("name") == ["Beauty Lily Zhuwao"]
    assert party.get("birthDate") == ["1965-01-10"]


def test_title_and_no_break_spaces_syria(result: ParseResult) -> None:
    """<Title>Major General/major-général</Title><LastName>Aqel </LastName> (Syria 2/97)."""
    party = record(result, "ca-sema-Syria-2-97").party
    assert party.get("name") == ["Bader Aqel"]
    assert party.get("title") == ["Major General/major-général"]


# --- pure readers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "schedule", "item", "expected"),
    [
        ("Burma / Birmanie", "1", "17", "ca-sema-Burma-1-17"),
        ("Russia / Russie", "1, Part 2", "5", "ca-sema-Russia-1-Part-2-5"),
        ("Zimbabwe", "N/A", "181", "ca-sema-Zimbabwe-181"),
        ("Venezuela ", None, "97", "ca-sema-Venezuela-97"),
        ("South Sudan / Soudan du sud", "N/A", "1", "ca-sema-South-Sudan-1"),
        (
            "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR) /  Règlement …",
            "1",
            "3",
            "ca-sema-JVCFOR-1-3",
        ),
    ],
)
def test_entry_id(country: str, schedule: str | None, item: str, expected: str) -> None:
    regime = ca_sema.regime_of(country)
    assert ca_sema.entry_id(regime, ca_sema.schedule_of(schedule), item) == expected


@pytest.mark.parametrize(
    ("fragment", "given", "last", "expected"),
    [
        ("Andrei", "Andrey Igorevich", "AKIMOV", ("alias", "Andrei Igorevich AKIMOV")),
        ("Lydia", "Lidia Aleksandrovna", "BASOVA", ("alias", "Lydia Aleksandrovna BASOVA")),
        ("ERYGIN", "Vladimir Vladimirovich", "YERYGIN", ("alias", "Vladimir Vladimirovich ERYGIN")),
        (
            "Alexander Alexandrovich",
            "Aleksandr Aleksandrovich",
            "ZHAROV",
            ("alias", "Alexander Alexandrovich ZHAROV"),
        ),
        ("Amir Ali Hajizadeh", "Amir Ali Haji", "Zadeh", ("alias", "Amir Ali Hajizadeh")),
        ("Igor STRELKOV", "Igor", "GIRKIN", ("alias", "Igor STRELKOV")),
        ("Abou Ezzat", "Muhammad", "Khallouf", ("alias", "Abou Ezzat")),
        ("Arina", "Vera Vadimovna", "NOVOSELSKAYA", ("weakAlias", "Arina")),
        ("Motorola", "Arseny", "PAVLOV", ("weakAlias", "Motorola")),
    ],
)
def test_person_alias(fragment: str, given: str, last: str, expected: tuple[str, str]) -> None:
    assert ca_sema.person_alias(fragment, given, last) == expected


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("1931-07-07", ["1931-07-07"]),
        ("1944", ["1944"]),
        ("1964-03", ["1964-03"]),
        ("1972-08-10 or 1972-08-11", ["1972-08-10", "1972-08-11"]),
        ("about 1950", []),
    ],
)
def test_birth_dates(text: str, dates: list[str]) -> None:
    assert ca_sema.birth_dates(text) == dates


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Htoo Trading Company Limited, Htoo Trading Group Company",
            ["Htoo Trading Company Limited", "Htoo Trading Group Company"],
        ),
        ("(Rosselkhozbank)", ["Rosselkhozbank"]),
        ("GORT/ORTAS", ["GORT", "ORTAS"]),
        ("ZAO Interavtomatika (IA)", ["ZAO Interavtomatika (IA)"]),
        ("MEC Steel Mills (Hmaw Bi/Pyi/Ywama)", ["MEC Steel Mills (Hmaw Bi/Pyi/Ywama)"]),
    ],
)
def test_split_names(text: str, names: list[str]) -> None:
    assert ca_sema.split_names(text) == names


# --- bad input ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_bytes(sema_path: Path) -> bytes:
    return sema_path.read_bytes()


def parse_bytes(tmp_path: Path, data: bytes, name: str = "sema-lmes.xml") -> ParseResult:
    path = tmp_path / name
    path.write_bytes(data)
    return ca_sema.parse([path], CONTEXT)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="file is empty") as err:
        parse_bytes(tmp_path, b"  \n")
    assert err.value.path == str(tmp_path / "sema-lmes.xml")


def test_truncated_file(tmp_path: Path, real_bytes: bytes) -> None:
    with pytest.raises(ParseError, match="not well-formed XML at line 4480") as err:
        parse_bytes(tmp_path, real_bytes[: len(real_bytes) // 2])
    assert err.value.row == 4480
    assert "sema-lmes.xml, row 4480" in str(err.value)


def test_bytes_not_in_declared_encoding(tmp_path: Path, real_bytes: bytes) -> None:
    cp1252 = real_bytes.decode("utf-8").encode("cp1252", errors="replace")
    with pytest.raises(ParseError, match="do not match the declared encoding") as err:
        parse_bytes(tmp_path, cp1252)
    assert err.value.row == 367


def test_utf8_bytes_declared_latin1(tmp_path: Path, real_bytes: bytes) -> None:
    relabelled = real_bytes.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1)
    with pytest.raises(ParseError, match="declares encoding 'iso-8859-1' but its bytes are UTF-8"):
        parse_bytes(tmp_path, relabelled)


def test_un_file_is_refused(data_dir: Path) -> None:
    un = data_dir / "un_sc" / "2026-02-27" / "consolidated.xml"
    with pytest.raises(ParseError, match="root element is not <data-set>"):
        ca_sema.parse([un], CONTEXT)


def test_xlsx_is_refused(data_dir: Path) -> None:
    xlsx = data_dir / "uk_ofsi" / "2025-04-10" / "UK_Sanctions_List.xlsx"
    with pytest.raises(ParseError, match="ZIP container") as err:
        ca_sema.parse([xlsx], CONTEXT)
    assert "UK_Sanctions_List.xlsx" in str(err.value)


def test_csv_is_refused(tmp_path: Path, data_dir: Path) -> None:
    csv = (data_dir / "us_bis_dpl" / "2023-11-30" / "dpl.txt").read_bytes()[:5000]
    with pytest.raises(ParseError, match="not well-formed XML at line 1"):
        parse_bytes(tmp_path, csv, "dpl.txt")


def test_record_without_item(tmp_path: Path, real_bytes: bytes) -> None:
    broken = real_bytes.replace(b"<Item>1</Item>", b"", 1)
    with pytest.raises(ParseError, match="record 1 has no <Item>") as err:
        parse_bytes(tmp_path, broken)
    assert err.value.row == 3


def test_record_without_name(tmp_path: Path, real_bytes: bytes) -> None:
    broken = real_bytes.replace(b"<Entity>Air Bagan</Entity>", b"", 1)
    with pytest.raises(ParseError, match="record 1 has no Entity, LastName or GivenName"):
        parse_bytes(tmp_path, broken)


def test_duplicate_entry(tmp_path: Path, real_bytes: bytes) -> None:
    twice = real_bytes.replace(b"<Item>2</Item>", b"<Item>1</Item>", 1)
    with pytest.raises(ParseError, match="entry ca-sema-Burma-1-1 appears twice"):
        parse_bytes(tmp_path, twice)


def test_unexpected_element_in_data_set(tmp_path: Path) -> None:
    odd = b'<?xml version="1.0"?><data-set><entry><Country>X</Country></entry></data-set>'
    with pytest.raises(ParseError, match="unexpected element <entry> in <data-set>"):
        parse_bytes(tmp_path, odd)


def test_data_set_without_records(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no <record> entries"):
        parse_bytes(tmp_path, b'<?xml version="1.0"?><data-set/>')


def test_unknown_field_kept_with_issue(tmp_path: Path, real_bytes: bytes) -> None:
    extra = real_bytes.replace(b"<Item>2</Item>", b"<Item>2</Item><Remark>new field</Remark>", 1)
    result = parse_bytes(tmp_path, extra)
    assert len(result.records) == 1369
    party = record(result, "ca-sema-Burma-1-2").party
    assert party.get("notes") == ["Remark: new field"]
    (issue,) = result.issues
    assert (issue.entity_id, issue.kind) == ("ca-sema-Burma-1-2", "unknown-field")
