"""Bounded checks of untrusted containers before a library reads them.

The XLSX reader (python-calamine, Rust) allocates a worksheet's whole extent and aborts
the process when an allocation fails: no exception reaches Python. So before a workbook is
handed to it, every part of the zip is decompressed here in a streaming, bounded way (size
and ratio per part), every XML part is refused if it declares a DOCTYPE or an entity, and
each worksheet's extent (declared dimension and cell references) is held to a limit. A
gzipped list is decompressed within the same size and ratio limits. What a list means by
its cells stays in its parser.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from sanctum import settings
from sanctum.errors import ParseError

LOCAL_HEADER = struct.Struct("<4s22xHH")
"""A zip local file header: signature, 22 bytes we skip, name and extra-field lengths."""

CHUNK = 1 << 20
"""Decompressed bytes produced per step, so a bomb is stopped within 1 MiB of its limit."""

RATIO_FLOOR = 1 << 20
"""Parts smaller than this are not held to the ratio limit (small XML compresses well)."""

CORE_PROPERTIES = "docProps/core.xml"
"""The workbook part holding document properties such as `modified`."""

PROPS_PREFIX = "docProps/"
"""Document-properties parts, held to their own (small) size limit."""

MAX_COLUMNS = 16384
"""XFD, the last column a worksheet may have."""

_DTD_RE = re.compile(rb"<!(DOCTYPE|ENTITY)\b")
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_TAG_RE = re.compile(rb"<(?:\w+:)?(?:c|row)[\s/>]")
_OPEN = rb"<(?:\w+:)?(?:c|row)"
_ATTR = rb"\s+[\w:.-]+\s*=\s*(?:\"[^\"<]{0,256}\"|'[^'<]{0,256}')"
_REF = rb"\s+r\s*=\s*[\"']([^\"'<\s]{0,256})[\"']"
_WELL_FORMED_RE = re.compile(_OPEN + rb"(?:" + _ATTR + rb")*\s*/?>")
"""A row or cell start tag as spreadsheet programs write them. The reader also takes odd
ones (no space between attributes, `>` inside a value), and any reference in them, so a
tag that is not like this is refused rather than guessed at."""
_REF_RE = re.compile(_OPEN + rb"(?:" + _ATTR + rb")*?" + _REF)
_TWO_REFS_RE = re.compile(
    _OPEN + rb"(?:" + _ATTR + rb")*?" + _REF + rb"(?:" + _ATTR + rb")*?\s+r\s*="
)
"""A tag with a second reference (the reader takes the last, `r="XFD1048576"` after a
real one)."""
_CELL_REF_RE = re.compile(rb"^([A-Za-z]{0,3})(\d{1,7})$", re.MULTILINE)
"""A reference a worksheet can hold (columns to XFD, rows to 1048576). The reader takes
any run of letters and digits: `r="IndividualE7"` put a cell in a column past 10^11 and
its allocation aborted the process."""
_CELL_RE = re.compile(rb"([A-Za-z]{1,7})(\d{1,12})")


def refuse_dtd(path: Path, data: bytes, part: str = "") -> None:
    """Refuse XML that declares a DOCTYPE or an entity: official lists never do, and an
    entity can expand to gigabytes or silently drop text. Names the line (and part)."""
    m = _DTD_RE.search(data)
    if m is None:
        return
    line = data[: m.start()].count(b"\n") + 1
    where = f"part {part}: " if part else ""
    raise ParseError(
        str(path),
        f"{where}XML declares a{'n' if m[1] == b'ENTITY' else ''} {m[1].decode()} "
        "(official lists never do; refused)",
        row=line,
    )


def column_number(letters: bytes) -> int:
    """1 for A, 26 for Z, 27 for AA … 16384 for XFD."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _ref_extent(ref: bytes) -> tuple[int, int]:
    """(rows, columns) up to the bottom-right corner of a range like `A1:XFD1048576`."""
    rows = cols = 0
    for m in _CELL_RE.finditer(ref):
        cols = max(cols, column_number(m[1]))
        rows = max(rows, int(m[2]))
    return rows, cols


def sheet_extent(data: bytes) -> tuple[int, int]:
    """The (rows, columns) a reader may allocate for a worksheet part: the larger of its
    declared dimension and its cell references. A row or cell without a (readable)
    reference counts one past the largest on both axes (a reader places it after the
    previous one), which over-counts only files no spreadsheet program writes."""
    rows, cols = 0, 0
    for m in _DIMENSION_RE.finditer(data):
        r, c = _ref_extent(m[1])
        rows, cols = max(rows, r), max(cols, c)
    refs = _CELL_REF_RE.findall(b"\n".join(_REF_RE.findall(data)))
    loose = len(_TAG_RE.findall(data)) - len(refs)
    rows = max(rows, max((int(digits) for _, digits in refs), default=0))
    letters = {col for col, _ in refs if col}
    cols = max(cols, max((column_number(col) for col in letters), default=0))
    return rows + loose, cols + loose


def bad_cell_tag(data: bytes) -> tuple[int, str] | None:
    """The line of the first row or cell tag of a worksheet part the extent check cannot
    vouch for, and why (None if there is none): see `_WELL_FORMED_RE`, `_TWO_REFS_RE`,
    `_CELL_REF_RE`."""
    if len(_WELL_FORMED_RE.findall(data)) != len(_TAG_RE.findall(data)):
        at = next(
            m.start() for m in _TAG_RE.finditer(data) if not _WELL_FORMED_RE.match(data, m.start())
        )
        return data[:at].count(b"\n") + 1, "a row or cell tag that is not well-formed"
    two = _TWO_REFS_RE.search(data)
    if two is not None:
        return data[: two.start()].count(b"\n") + 1, "a row or cell with two references"
    refs = _REF_RE.findall(data)
    if len(_CELL_REF_RE.findall(b"\n".join(refs))) == len(refs):  # one pass, in C
        return None
    m = next(m for m in _REF_RE.finditer(data) if not _CELL_REF_RE.fullmatch(m[1]))
    line = data[: m.start()].count(b"\n") + 1
    return line, "a cell reference that is not a column and row (A1 to XFD1048576)"


def _raw_part(path: Path, data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of one part, located by its local header (what any zip reader
    decompresses, whatever the central directory says about its size)."""
    start = info.header_offset
    header = data[start : start + LOCAL_HEADER.size]
    if len(header) < LOCAL_HEADER.size:
        raise ParseError(str(path), f"damaged XLSX: part {info.filename} cut off (truncated?)")
    signature, name_len, extra_len = LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise ParseError(str(path), f"damaged XLSX: part {info.filename} has no local header")
    begin = start + LOCAL_HEADER.size + name_len + extra_len
    raw = data[begin : begin + info.compress_size]
    if len(raw) < info.compress_size:
        raise ParseError(str(path), f"damaged XLSX: part {info.filename} cut off (truncated?)")
    return raw


def _inflate(path: Path, info: zipfile.ZipInfo, raw: bytes, limit: int) -> Iterator[bytes]:
    """Decompress a part in steps of at most CHUNK bytes, refusing it as soon as it passes
    `limit` bytes or, past RATIO_FLOOR, the ratio limit."""
    if info.compress_type == zipfile.ZIP_STORED:
        yield raw
        return
    inflater = zlib.decompressobj(-15)
    pending, size = raw, 0
    while pending or not inflater.eof:
        try:
            chunk = inflater.decompress(pending, CHUNK)
        except zlib.error as exc:
            raise ParseError(str(path), f"damaged XLSX part {info.filename}: {exc}") from exc
        pending = inflater.unconsumed_tail
        size += len(chunk)
        _check_growth(path, f"XLSX part {info.filename}", size, len(raw), limit)
        if not chunk and not pending:
            break
        yield chunk


def _check_growth(path: Path, what: str, size: int, packed: int, limit: int) -> None:
    """Refuse `size` decompressed bytes from `packed` compressed ones past the size limit
    or, past RATIO_FLOOR, the ratio limit (a zip or gzip bomb)."""
    if size > limit:
        raise ParseError(str(path), f"{what} decompresses past {limit} bytes (limit)")
    ratio = settings.xlsx_max_ratio()
    if size > RATIO_FLOOR and size > ratio * max(packed, 1):
        raise ParseError(
            str(path),
            f"{what} decompresses more than {ratio} times its compressed size {packed} "
            f"(zip bomb?; limit {ratio})",
        )


def gunzip(path: Path, data: bytes) -> bytes:
    """A gzip file's bytes (every member), decompressed in steps within the same limits
    as an XLSX part; a cut or corrupt stream is a ParseError naming the file."""
    out: list[bytes] = []
    size, pending = 0, data
    limit = settings.xlsx_max_part_bytes()
    try:
        while pending.strip(b"\x00"):  # members follow each other; zero padding may end
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            while not inflater.eof:
                chunk = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                size += len(chunk)
                _check_growth(path, "gzip data", size, len(data), limit)
                if not chunk and not pending and not inflater.eof:
                    raise ParseError(str(path), "truncated or corrupt gzip data: stream cut")
                out.append(chunk)
            pending = inflater.unused_data
    except zlib.error as exc:
        raise ParseError(str(path), f"truncated or corrupt gzip data: {exc}") from exc
    return b"".join(out)


def read_part(path: Path, data: bytes, info: zipfile.ZipInfo) -> bytes:
    """One part's bytes, decompressed within the limits and checked against its CRC."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise ParseError(str(path), f"XLSX part {name} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ParseError(str(path), f"XLSX part {name} uses compression {info.compress_type}")
    is_props = name.startswith(PROPS_PREFIX)
    limit = settings.xlsx_max_props_bytes() if is_props else settings.xlsx_max_part_bytes()
    if info.file_size > limit:
        raise ParseError(
            str(path), f"XLSX part {name} declares {info.file_size} bytes (limit {limit})"
        )
    out = b"".join(_inflate(path, info, _raw_part(path, data, info), limit))
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise ParseError(str(path), f"damaged XLSX part {name} (size or checksum differs)")
    return out


def check_xlsx(path: Path, data: bytes) -> bytes | None:
    """Check every part of a workbook within the limits (see module docstring); returns
    the core document-properties part, if any. ParseError naming the file and part."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise ParseError(str(path), f"not a readable XLSX workbook (truncated?): {exc}") from exc
    except NotImplementedError as exc:  # a part needing a zip version no reader has (fuzzing)
        raise ParseError(str(path), f"not a readable XLSX workbook: {exc}") from exc
    core: bytes | None = None
    max_cells = settings.xlsx_max_cells()
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            part = read_part(path, data, info)
            refuse_dtd(path, part, info.filename)
            bad = bad_cell_tag(part) if b"sheetData" in part else None
            if bad is not None:
                raise ParseError(str(path), f"worksheet {info.filename}: {bad[1]}", row=bad[0])
            rows, cols = sheet_extent(part) if b"sheetData" in part else (0, 0)
            if cols > MAX_COLUMNS or rows * cols > max_cells:
                raise ParseError(
                    str(path),
                    f"worksheet {info.filename} spans {rows} rows × {cols} columns "
                    f"(limit {max_cells} cells, {MAX_COLUMNS} columns)",
                )
            if info.filename == CORE_PROPERTIES:
                core = part
    return core
