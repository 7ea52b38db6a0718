"""Small real files of every format: the official files cut to a few entries.

They seed the bad-file corpus and the fuzzer: each is a real file of its list (same
layout, quirks and encodings), small enough to parse in milliseconds.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

SHARED = Path(os.environ.get("SANCTUM_SHARED", Path(__file__).resolve().parents[3] / "shared"))
DATA = SHARED / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

LONG = os.environ.get("SANCTUM_RELIABILITY") == "long"
"""The long form (`make reliability`); the short form runs inside `make test`."""


@dataclass(frozen=True)
class Seed:
    """One format's small real version: its source id, its files, and the main file (the
    one the corpus damages)."""

    source: str
    files: dict[str, bytes]
    main: str


def _lines(data: bytes, count: int) -> bytes:
    """The first `count` lines, as they are."""
    return b"".join(data.splitlines(keepends=True)[:count])


def _csv_rows(text: str, count: int, delimiter: str = ",") -> bytes:
    """The first `count` CSV records (header included), re-written by the csv module
    (records may span lines, so lines cannot be cut)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
        if i >= count:
            break
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _xml_children(data: bytes, keep: dict[str, int]) -> bytes:
    """The XML with only the first `keep[tag]` elements of each listed tag."""
    root = etree.fromstring(data)
    for tag, count in keep.items():
        nodes = list(root.iter(tag))
        for node in nodes[count:]:
            parent = node.getparent()
            assert parent is not None
            parent.remove(node)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _custom_rows(data: bytes, count: int) -> bytes:
    """The documentation's own-list example with its one row repeated under `count` ids."""
    header, row = data.rstrip(b"\r\n").split(b"\n", 1)
    first, rest = row.split(b",", 1)
    return header + b"\n" + b"".join(b"%s-%d,%s\n" % (first, i, rest) for i in range(count))


_SHARED_CELL = re.compile(rb'(<c\b[^>]*\bt="s"[^>]*>)\s*<v>(\d+)</v>')
_SST = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def cut_xlsx(data: bytes, rows: int) -> bytes:
    """A workbook with the first `rows` rows of its first sheet, its shared strings cut
    to those the rows use; every other part as it is."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    strings: list[str] = []
    if "xl/sharedStrings.xml" in names:
        sst = etree.fromstring(src.read("xl/sharedStrings.xml"))
        strings = ["".join(str(t) for t in si.itertext()) for si in sst]
    sheet = src.read("xl/worksheets/sheet1.xml")
    head, rest = sheet.split(b"<sheetData>", 1)
    body, tail = rest.split(b"</sheetData>", 1)
    kept = b"".join(re.findall(rb"<row\b.*?</row>", body, re.S)[:rows])
    used: dict[int, int] = {}

    def renumber(m: re.Match[bytes]) -> bytes:
        new = used.setdefault(int(m[2]), len(used))
        return m[1] + b"<v>%d</v>" % new

    kept = _SHARED_CELL.sub(renumber, kept)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            if name == "xl/worksheets/sheet1.xml":
                dst.writestr(name, head + b"<sheetData>" + kept + b"</sheetData>" + tail)
            elif name == "xl/sharedStrings.xml":
                items = b"".join(
                    b'<si><t xml:space="preserve">%s</t></si>' % escape(strings[old]).encode()
                    for old in used
                )
                dst.writestr(name, _SST + items + b"</sst>")
            else:
                dst.writestr(name, src.read(name))
    return out.getvalue()


@functools.cache
def seeds() -> dict[str, Seed]:
    """format name → its seed (cached: built once per process)."""
    sdn = (DATA / "us_ofac_sdn/2021-07-07").glob("*.csv")
    cons = (DATA / "us_ofac_cons/2025-12-19").glob("*.csv")
    un = (DATA / "un_sc/2026-02-27/consolidated.xml").read_bytes()
    ca = (DATA / "ca_sema/2020-04-15/sema-lmes.xml").read_bytes()
    csl = gzip.decompress((DATA / "us_csl/2022-05-16/consolidated.csv.gz").read_bytes())
    dpl = (DATA / "us_bis_dpl/2023-11-30/dpl.txt").read_bytes()
    ftm = DATA / "opensanctions_ftm/yente_t1/entities.ftm.json"
    uk = (DATA / "uk_ofsi/2025-04-10/UK_Sanctions_List.xlsx").read_bytes()
    au = (DATA / "au_dfat/2024-12-17/regulation8_consolidated.xlsx").read_bytes()
    return {
        "ofac_sdn": Seed(
            "us_ofac_sdn", {p.name: _lines(p.read_bytes(), 12) for p in sdn}, "sdn.csv"
        ),
        "ofac_cons": Seed(
            "us_ofac_cons", {p.name: _lines(p.read_bytes(), 12) for p in cons}, "cons_prim.csv"
        ),
        "un_sc": Seed(
            "un_sc",
            {"consolidated.xml": _xml_children(un, {"INDIVIDUAL": 6, "ENTITY": 4})},
            "consolidated.xml",
        ),
        "ca_sema": Seed(
            "ca_sema", {"sema-lmes.xml": _xml_children(ca, {"record": 12})}, "sema-lmes.xml"
        ),
        "uk_ofsi": Seed(
            "uk_ofsi", {"UK_Sanctions_List.xlsx": cut_xlsx(uk, 20)}, "UK_Sanctions_List.xlsx"
        ),
        "au_dfat": Seed(
            "au_dfat",
            {"regulation8_consolidated.xlsx": cut_xlsx(au, 14)},
            "regulation8_consolidated.xlsx",
        ),
        "us_csl": Seed(
            "us_csl",
            {"consolidated.csv": _csv_rows(csl.decode("utf-8-sig"), 12)},
            "consolidated.csv",
        ),
        "us_bis_dpl": Seed("us_bis_dpl", {"dpl.txt": _lines(dpl, 12)}, "dpl.txt"),
        "ftm": Seed(
            "opensanctions_ftm", {"entities.ftm.json": ftm.read_bytes()}, "entities.ftm.json"
        ),
        "custom_csv": Seed(
            "kr_mofa",
            {"kr_mofa.csv": _custom_rows((EXAMPLES / "kr_mofa_2023-12-01.csv").read_bytes(), 10)},
            "kr_mofa.csv",
        ),
    }


TALLY: dict[str, dict[str, int]] = {}
"""Counts per reliability check (inputs parsed, refused, cases handled), reported at the
end of the run (conftest.py)."""
