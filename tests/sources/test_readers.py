"""The shared XLSX reader and cached cleaner, checked against the libraries they replace:
every cell of the real UK and Australian workbooks as openpyxl reads them, and FtM's own
`EntityProxy.add` for the cleaned values."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from followthemoney import model

from sanctum.errors import ParseError
from sanctum.sources.base import add_cleaned, clean_value
from sanctum.sources.readers import csv_header, load_xml, read_xlsx

UK_FILE = ("uk_ofsi", "2025-04-10", "UK_Sanctions_List.xlsx")
AU_FILE = ("au_dfat", "2024-12-17", "regulation8_consolidated.xlsx")


def openpyxl_rows(path: Path) -> list[list[object]]:
    """The first sheet's rows as openpyxl reads them (read-only, cached values)."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows: list[list[object]] = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without trailing empty cells, and without trailing empty rows: openpyxl pads
    to the sheet's declared dimension, which says nothing about the cells. A cell holding
    an empty string counts as empty (parsers read both as '')."""
    out = [[None if v == "" else v for v in r] for r in rows]
    for row in out:
        while row and row[-1] is None:
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("parts", [UK_FILE, AU_FILE], ids=["uk", "au"])
def test_real_workbooks_read_cell_for_cell(data_dir: Path, parts: tuple[str, ...]) -> None:
    path = data_dir.joinpath(*parts)
    book = read_xlsx(path, path.read_bytes())
    assert trimmed(book.rows) == trimmed(openpyxl_rows(path))
    kinds = {type(v) for row in book.rows for v in row}
    assert date not in kinds  # date cells come out as datetime, as openpyxl gives them


def test_real_workbook_sizes_and_dates(data_dir: Path) -> None:
    uk = data_dir.joinpath(*UK_FILE)
    au = data_dir.joinpath(*AU_FILE)
    uk_book = read_xlsx(uk, uk.read_bytes())
    au_book = read_xlsx(au, au.read_bytes())
    assert (len(uk_book.rows), len(uk_book.rows[0])) == (18798, 36)
    # docProps/core.xml: <dcterms:modified>2024-11-11T01:01:21Z; the UK file has no core.xml
    assert au_book.modified == date(2024, 11, 11)
    assert uk_book.modified is None
    assert au_book.rows[1][11] == datetime(2014, 12, 15)


def test_cells_offset_from_a1_keep_their_place(tmp_path: Path) -> None:
    """Leading empty rows and columns are kept, whole numbers are int, dates datetime."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["C3"] = "Name"
    sheet["D4"] = datetime(1969, 9, 1)
    sheet["E5"] = 12
    sheet["F5"] = 1.5
    sheet["C6"] = True
    sheet["C7"] = datetime(2020, 1, 2, 13, 30)
    path = tmp_path / "offset.xlsx"
    workbook.save(path)
    rows = read_xlsx(path, path.read_bytes()).rows
    assert rows == openpyxl_rows(path)
    assert rows[2][2] == "Name" and rows[3][3] == datetime(1969, 9, 1)
    assert rows[4][4:] == [12, 1.5] and type(rows[4][4]) is int


def test_damaged_core_properties_name_the_file(data_dir: Path, tmp_path: Path) -> None:
    source = data_dir.joinpath(*AU_FILE)
    path = tmp_path / "regulation8_consolidated.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as out:
        for member in src.namelist():
            data = src.read(member)
            out.writestr(member, data[:40] if member == "docProps/core.xml" else data)
    with pytest.raises(ParseError, match="truncated") as err:
        read_xlsx(path, path.read_bytes())
    assert err.value.path == str(path)


CLEAN_CASES = [
    # (schema, property, raw value)
    ("Sanction", "listingDate", "2014-12-15"),
    ("Sanction", "listingDate", "15 Dec 2014"),
    ("Sanction", "startDate", "2014-12"),
    ("Sanction", "country", "Korea, North"),
    ("Sanction", "country", "kp"),
    ("Sanction", "country", "Atlantis"),
    ("Sanction", "reason", "  Involved in\u0000 proliferation  "),
    ("Sanction", "reason", "Cafe\u0301 owner"),
    ("Sanction", "reason", "   "),
    ("Person", "name", '"KANG,   Kyong Il"'),
    ("Person", "birthDate", "1969-09-01"),
    ("Person", "phone", "8613314257947"),
    ("Person", "website", "www.example.com"),
    ("Person", "email", "Hongsiao@Naver.com "),
]


@pytest.mark.parametrize(("schema", "prop", "value"), CLEAN_CASES)
def test_cached_cleaning_is_ftm_cleaning(schema: str, prop: str, value: str) -> None:
    expected = model.make_entity(schema)
    expected.add(prop, value)
    got = model.make_entity(schema)
    add_cleaned(got, prop, value)
    add_cleaned(got, prop, value)  # the second time from the cache, not added twice
    assert got.get(prop) == expected.get(prop)
    p = got.schema.properties[prop]
    values: list[str | None] = [*expected.get(prop), None]
    assert clean_value(p.type.name, p.format, value) == values[0]


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("a,b\nc,d", ["a", "b"]),
        ("a,b\rc,d\n", ["a", "b"]),  # a bare carriage return ended the csv module (fuzzing)
        ('a,"b\x00,c\n', ["a", "b\x00,c"]),
        ("", []),
    ],
)
def test_csv_header_never_raises(text: str, cells: list[str]) -> None:
    assert csv_header(text) == cells


def test_xml_error_never_quotes_a_long_name(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_text(f"<CONSOLIDATED_LIST><Item>x</{'A' * 3000}></CONSOLIDATED_LIST>")
    with pytest.raises(ParseError, match="not well-formed XML") as err:
        load_xml(path, "CONSOLIDATED_LIST", "the UN list")
    assert "A" * 41 not in err.value.reason and len(err.value.reason) < 300  # found by fuzzing
