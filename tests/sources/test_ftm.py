"""FollowTheMoney JSON lines: yente's t1 export and its two t2 delta versions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources import ftm
from sanctum.sources.base import ParseContext, ParseResult

T1_PARTIES = [
    "NK-2GdmHtZTeNXjNVrBGEXZNj",  # Organization, LLC "Inter Tobacco"
    "NK-2Ka3UvopqbpZmVDFjWd4LA",  # Person, Vitaly Yurievich KUZMENKO
    "NK-2KeUB68qUJtykm3BuAcazG",  # Person, Tatyana Vladimirovna ZHURAVLEVA
    "NK-2Mht2rqBeravCTdyQAWc4o",  # Person, Svetlana Pavlovna POCHODOVA
    "NK-2Myxbs6wX9xFKGoQn3sLaY",  # Person, Viktor Vladimirovich SOYKO
    "NK-2PacmNpiLUmoz4XD2mSt7A",  # Organization, IRGC
]
T1_ADDRESS = "NK-2MQE6AmhAk4tqhENJAMUG9"  # Address that no party of t1 refers to
DELTA_1 = ["NK-2T3S8Hu29ktYnKSTgQp2wL", "NK-2sJaJRaPJcWUfMbHjTtWcL"]  # ISIL, JANAN AGHA
DELTA_2 = ["Q4365364"]  # Vladimir Nikolaevich PLOTNIKOV


@pytest.fixture(scope="module")
def ftm_dir(data_dir: Path) -> Path:
    return data_dir / "opensanctions_ftm"


@pytest.fixture(scope="module")
def t1_file(ftm_dir: Path) -> Path:
    return ftm_dir / "yente_t1" / "entities.ftm.json"


@pytest.fixture(scope="module")
def delta_files(ftm_dir: Path) -> list[Path]:
    base = ftm_dir / "yente_t2_deltas"
    return [
        base / "20240527194702-wnk" / "entities.delta.json",
        base / "20240528134729-3iv" / "entities.delta.json",
    ]


@pytest.fixture(scope="module")
def t1(t1_file: Path) -> ParseResult:
    return ftm.parse([t1_file], ParseContext("os"))


@pytest.fixture(scope="module")
def t1_lines(t1_file: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in t1_file.read_text("utf-8").splitlines()]


def ids(result: ParseResult) -> list[str]:
    return [str(r.party.id) for r in result.records]


def write(tmp_path: Path, lines: list[dict[str, Any]] | bytes, name: str = "x.json") -> Path:
    path = tmp_path / name
    if isinstance(lines, bytes):
        path.write_bytes(lines)
    else:
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return path


def test_t1_parties(t1: ParseResult) -> None:
    # 7 entities: 6 parties and one Address
    assert ids(t1) == T1_PARTIES
    assert [r.party.schema.name for r in t1.records] == [
        "Organization",
        "Person",
        "Person",
        "Person",
        "Person",
        "Organization",
    ]
    assert all(r.derived == [] for r in t1.records)
    assert t1.published == date(2024, 6, 1)  # the newest `last_seen` stamp in the file


def test_t1_values(t1: ParseResult) -> None:
    kuzmenko = t1.records[1].party
    assert "Vitaly Yurievich KUZMENKO" in kuzmenko.get("name")
    assert "Виталий Юрьевич КУЗЬМЕНКО" in kuzmenko.get("name")
    assert kuzmenko.get("birthDate") == ["1971-01-22"]
    assert kuzmenko.get("nationality") == ["ru"]
    assert kuzmenko.context["datasets"] == ["eu_fsf"]  # other keys are kept
    inter = t1.records[0].party
    assert inter.get("registrationNumber") == ["808000714"]
    assert inter.get("country") == ["by"]


def test_t1_issues(t1: ParseResult) -> None:
    orphan = [(i.row, i.entity_id) for i in t1.issues if i.kind == "orphan-entity"]
    assert orphan == [(4, T1_ADDRESS)]
    dangling = [(i.row, i.entity_id) for i in t1.issues if i.kind == "dangling-reference"]
    # both Organizations refer to addresses (addr-…) that the file does not contain
    assert dangling == [(1, T1_PARTIES[0]), (7, T1_PARTIES[5])]


def test_delta_sequence_from_nothing(delta_files: list[Path]) -> None:
    first = ftm.parse([delta_files[0]], ParseContext("os"))
    assert ids(first) == DELTA_1
    second = ftm.parse([delta_files[1]], ParseContext("os", previous=list(first.entities())))
    assert ids(second) == DELTA_1 + DELTA_2
    agha = second.records[1].party
    assert {"جانان آغا", "ジャナン・アガ", "JANAN AGHA"} <= set(agha.get("name"))
    assert sorted(agha.get("birthDate")) == ["1953", "1958"]


def test_delta_sequence_on_t1(t1: ParseResult, delta_files: list[Path]) -> None:
    state = t1
    for path in delta_files:
        state = ftm.parse([path], ParseContext("os", previous=list(state.entities())))
    assert ids(state) == T1_PARTIES + DELTA_1 + DELTA_2


def test_mod_and_del(tmp_path: Path, t1: ParseResult, t1_lines: list[dict[str, Any]]) -> None:
    kuzmenko = dict(t1_lines[1])
    kuzmenko["properties"] = {**kuzmenko["properties"], "alias": ["KUZMENKO Vitaliy"]}
    path = write(
        tmp_path,
        [
            {"op": "MOD", "entity": kuzmenko},
            {"op": "DEL", "entity": {"id": T1_PARTIES[2]}},
            {"op": "DEL", "entity": {"id": "no-such-id"}},
        ],
    )
    result = ftm.parse([path], ParseContext("os", previous=list(t1.entities())))
    assert ids(result) == [p for p in T1_PARTIES if p != T1_PARTIES[2]]
    assert result.records[1].party.get("alias") == ["KUZMENKO Vitaliy"]
    assert [(i.kind, i.row, i.entity_id) for i in result.issues if i.kind == "delete-unknown"] == [
        ("delete-unknown", 3, "no-such-id")
    ]


def test_full_export_ignores_previous(t1_file: Path, delta_files: list[Path]) -> None:
    first = ftm.parse([delta_files[0]], ParseContext("os"))
    again = ftm.parse([t1_file], ParseContext("os", previous=list(first.entities())))
    assert ids(again) == T1_PARTIES


def test_derived_entities_follow_their_party(
    tmp_path: Path, t1_lines: list[dict[str, Any]]
) -> None:
    person = t1_lines[1]
    pid = person["id"]
    company = {**t1_lines[0], "properties": {**t1_lines[0]["properties"], "addressEntity": ["a1"]}}
    lines = [
        person,
        company,
        {"id": "s1", "schema": "Sanction", "properties": {"entity": [pid], "authority": ["EU"]}},
        {"id": "p1", "schema": "Passport", "properties": {"holder": [pid], "number": ["123"]}},
        {"id": "a1", "schema": "Address", "properties": {"full": ["Minsk"]}},
        {"id": "s2", "schema": "Sanction", "properties": {"authority": ["EU"]}},
    ]
    result = ftm.parse([write(tmp_path, lines)], ParseContext("os"))
    assert ids(result) == [pid, company["id"]]
    assert [e.id for e in result.records[0].derived] == ["s1", "p1"]
    assert [e.id for e in result.records[1].derived] == ["a1"]  # referred to by the company
    assert [(i.kind, i.entity_id) for i in result.issues] == [("orphan-entity", "s2")]


def test_dropped_values_reported(tmp_path: Path) -> None:
    line = {
        "id": "x1",
        "schema": "Person",
        "properties": {"name": ["A B"], "birthDate": ["01 Sep 1969"], "favouriteColour": ["red"]},
    }
    result = ftm.parse([write(tmp_path, [line])], ParseContext("os"))
    assert result.records[0].party.get("birthDate") == []
    messages = sorted(i.message for i in result.issues if i.kind == "dropped-value")
    assert messages == [
        "Person has no property 'favouriteColour'; its values are not stored",
        "birthDate value '01 Sep 1969' is not a valid date; not stored",
    ]


def test_line_separator_inside_a_value(tmp_path: Path) -> None:
    line = {"id": "x1", "schema": "Person", "properties": {"notes": ["one\u2028two"]}}
    (rec,) = ftm.parse([write(tmp_path, [line])], ParseContext("os")).records
    assert rec.party.get("notes") == ["one two"]  # one line; FtM cleans U+2028 to a space


def test_ids_kept(t1: ParseResult) -> None:
    entity: EntityProxy = t1.records[5].party
    assert entity.id == "NK-2PacmNpiLUmoz4XD2mSt7A"


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="empty"):
        ftm.parse([write(tmp_path, b"\n")], ParseContext("os"))


def test_truncated_line(tmp_path: Path, t1_file: Path) -> None:
    data = t1_file.read_bytes()
    cut = data[: data.rindex(b"\n", 0, len(data) - 1) + 200]  # last line cut after 200 bytes
    with pytest.raises(ParseError, match="invalid JSON") as err:
        ftm.parse([write(tmp_path, cut)], ParseContext("os"))
    assert err.value.row == 7


def test_utf16(tmp_path: Path, t1_file: Path) -> None:
    data = t1_file.read_text("utf-8").encode("utf-16")
    with pytest.raises(ParseError, match="UTF-16"):
        ftm.parse([write(tmp_path, data)], ParseContext("os"))


def test_latin1(tmp_path: Path, t1_file: Path) -> None:
    text = t1_file.read_text("utf-8")
    first = next(i for i, c in enumerate(text) if 0x80 <= ord(c) <= 0xFF)  # first Latin-1 byte
    data = text.encode("latin-1", errors="replace")
    with pytest.raises(ParseError, match="not UTF-8") as err:
        ftm.parse([write(tmp_path, data)], ParseContext("os"))
    assert err.value.row == text.count("\n", 0, first) + 1


def test_unknown_schema(tmp_path: Path, t1_lines: list[dict[str, Any]]) -> None:
    bad = {**t1_lines[2], "schema": "Personn"}
    with pytest.raises(ParseError, match="unknown FtM schema") as err:
        ftm.parse([write(tmp_path, [t1_lines[0], bad])], ParseContext("os"))
    assert err.value.row == 2


def test_unknown_op(tmp_path: Path, t1_lines: list[dict[str, Any]]) -> None:
    with pytest.raises(ParseError, match="unknown op, expected one of") as err:
        ftm.parse([write(tmp_path, [{"op": "UPSERT", "entity": t1_lines[0]}])], ParseContext("os"))
    assert err.value.row == 1


def test_mixed_lines(tmp_path: Path, t1_lines: list[dict[str, Any]]) -> None:
    lines = [t1_lines[0], {"op": "ADD", "entity": t1_lines[1]}]
    with pytest.raises(ParseError, match="delta line in a file of plain lines") as err:
        ftm.parse([write(tmp_path, lines)], ParseContext("os"))
    assert err.value.row == 2


def test_wrong_file(data_dir: Path) -> None:
    dpl = data_dir / "us_bis_dpl" / "2023-11-30" / "dpl.txt"
    with pytest.raises(ParseError, match="invalid JSON") as err:
        ftm.parse([dpl], ParseContext("os"))
    assert err.value.path == str(dpl) and err.value.row == 1
