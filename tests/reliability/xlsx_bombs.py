"""Hostile XLSX workbooks, generated: dimension and cell-reference bombs, zip bombs of a
worksheet or of the document properties, parts that lie about their size."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

PKG = b"http://schemas.openxmlformats.org/package/2006"
DOC = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SML = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML = b'<?xml version="1.0" encoding="UTF-8"?>\n'
OOXML = b"application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = (
    XML + b'<Types xmlns="' + PKG + b'/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="' + OOXML + b'.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
    + OOXML
    + b'.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    XML + b'<Relationships xmlns="' + PKG + b'/relationships"><Relationship Id="rId1" '
    b'Type="' + DOC + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    XML + b'<workbook xmlns="' + SML + b'" xmlns:r="' + DOC + b'">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    XML + b'<Relationships xmlns="' + PKG + b'/relationships"><Relationship Id="rId1" '
    b'Type="' + DOC + b'/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = XML + b'<worksheet xmlns="' + SML + b'">'


def sheet(rows: bytes, dimension: str | None = None) -> bytes:
    """A worksheet part holding `rows` (`<row>` elements), with a declared dimension."""
    dim = b'<dimension ref="%s"/>' % dimension.encode() if dimension else b""
    return SHEET_HEAD + dim + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def workbook(sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal one-sheet workbook with `sheet_xml` and any extra parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def dimension_bomb() -> bytes:
    """Defect 1: a worksheet declaring A1:XFD1048576 with one cell at XFD1048576 (the
    reader allocated ~550 GB and aborted the process)."""
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return workbook(sheet(cell, "A1:XFD1048576"))


def cell_bomb() -> bytes:
    """One cell far out, with no dimension declared: the extent comes from the cell."""
    cell = b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row>'
    return workbook(sheet(cell))


def reference_bomb(cell: bytes) -> bytes:
    """A cell whose reference is a run of letters and digits that no worksheet holds (the
    fuzzer's `IndividualE7`): the reader took it for a column past 10^11 and aborted."""
    return workbook(sheet(b'<row r="1"><c r="A1"><v>1</v></c><c %s><v>1</v></c></row>' % cell))


@functools.cache
def _deflated(size: int, fill: bytes = b" ") -> tuple[bytes, int]:
    """`size` bytes of `fill`, raw-deflated in 16 MiB steps (a zip bomb's payload), and
    their CRC (built once per size: a 1 GiB bomb takes seconds)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = fill * (1 << 24)
    parts = [packer.compress(block) for _ in range(size >> 24)]
    parts.append(packer.compress(fill * (size & ((1 << 24) - 1))))
    parts.append(packer.flush())
    crc = 0
    for _ in range(size >> 24):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(fill * (size & ((1 << 24) - 1)), crc)
    return b"".join(parts), crc


def _append_entry(base: bytes, name: str, raw: bytes, size: int, crc: int) -> bytes:
    """A zip holding `base`'s entries (but `name`) and one deflated entry `name` given raw:
    its compressed bytes, size and CRC as they are, so it can declare a size it does not
    have."""
    src = zipfile.ZipFile(io.BytesIO(base))
    entries = [
        (i.filename, zlib.compress(src.read(i), 9)[2:-4], src.read(i))
        for i in src.infolist()
        if i.filename != name
    ]
    body = bytearray()
    central = bytearray()
    rows = [(n, r, len(d), zlib.crc32(d)) for n, r, d in entries] + [(name, raw, size, crc)]
    for entry_name, entry_raw, entry_size, entry_crc in rows:
        encoded = entry_name.encode()
        offset = len(body)
        body += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            0,
            8,
            0,
            0,
            entry_crc,
            len(entry_raw),
            entry_size & 0xFFFFFFFF,
            len(encoded),
            0,
        )
        body += encoded + entry_raw
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            entry_crc,
            len(entry_raw),
            entry_size & 0xFFFFFFFF,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(rows), len(rows), len(central), len(body), 0
    )
    return bytes(body + central + end)


def part_bomb(name: str, size: int, declared: int | None = None) -> bytes:
    """A workbook with a part `name` of `size` spaces (a zip bomb: ~1000 to 1), declaring
    `declared` bytes (its true size unless given)."""
    base = workbook(sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>', "A1"))
    raw, crc = _deflated(size)
    return _append_entry(base, name, raw, size if declared is None else declared, crc)


def empty_zip() -> bytes:
    """A valid zip holding no part at all."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w"):
        pass
    return out.getvalue()
