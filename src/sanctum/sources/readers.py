"""Readers shared by the parsers: UTF-8 text and CSV rows, XLSX workbooks, XML documents.

Each reader turns a file's bytes into something a parser can walk, and what is wrong with
them (another encoding, a damaged container, malformed markup, a cut row) into a
:class:`ParseError` naming the file and, where known, the line or row. What a list itself
means by its cells and elements stays in its parser.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from lxml import etree
from python_calamine import CalamineError, CalamineWorkbook

from sanctum.errors import ParseError
from sanctum.sources.base import Issue, read_bytes
from sanctum.sources.containers import check_xlsx, refuse_dtd
from sanctum.values import from_datetime

# --------------------------------------------------------------------------- text


def decode_utf8(data: bytes, path: Path, *, utf16: str, hint: str = "") -> str:
    """UTF-8 text; a BOM is allowed (spreadsheets write one).

    UTF-16 (or binary) bytes raise `utf16` as the reason; an undecodable byte raises a
    ParseError naming its line, with `hint` (say, which encoding it may be) appended.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ParseError(str(path), utf16)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            str(path), f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded{hint}", row=line
        ) from exc


def csv_header(text: str, delimiter: str = ",") -> list[str]:
    """The cells of the first line, read leniently: any first line, even one with an
    unterminated quote or a bare carriage return, gives cells, so a wrong file gets a
    message about its columns, not a crash."""
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    try:
        return next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:  # a stray NUL or quote: cells by the bare delimiter
        return first.split(delimiter)


def csv_rows(
    text: str,
    path: Path,
    header: Sequence[str],
    *,
    delimiter: str = ",",
    skip_blank: bool = False,
    width_hint: str = "truncated file or broken quoting",
    malformed: str = "malformed CSV",
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows below the header line as dicts keyed by `header`, each with the line where
    it starts (a quoted cell may span lines).

    A row of another width (`width_hint` says why it may be) or broken quoting is a
    ParseError naming its line; with `skip_blank`, rows of empty cells are passed over.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        next(reader, None)
        line = reader.line_num + 1
        for cells in reader:
            if skip_blank and not any(c.strip() for c in cells):
                line = reader.line_num + 1
                continue
            if len(cells) != len(header):
                raise ParseError(
                    str(path),
                    f"row has {len(cells)} fields, expected {len(header)} ({width_hint})",
                    row=line,
                )
            yield line, dict(zip(header, cells, strict=True))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(str(path), f"{malformed}: {exc}", row=reader.line_num) from exc


# --------------------------------------------------------------------------- XLSX

HEADER_SEARCH_ROWS = 10
"""A sheet's header is looked for in this many leading rows."""

MODIFIED_TAG = "{http://purl.org/dc/terms/}modified"
_ISO_DAY_RE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)


class Workbook(NamedTuple):
    """The rows of a workbook's first worksheet, and its `modified` document property."""

    rows: list[list[object]]
    modified: date | None


def read_xlsx(path: Path, data: bytes) -> Workbook:
    """Read an XLSX workbook's first worksheet; a damaged or oversized workbook is a
    ParseError naming the file (a cut zip, a cut XML part, a part past the limits of
    `containers.check_xlsx`, which runs first so the reader never meets a bomb).

    Cells come out as a spreadsheet library gives them: None for an empty cell, int for
    a whole number, datetime for a date cell; rows span from A1 to the last used column.
    """
    core = check_xlsx(path, data)
    grid = _calamine_grid(path, data)
    rows: list[list[object]] = [[_cell_value(v) for v in row] for row in grid]
    return Workbook(rows, _modified(path, core))


def _calamine_grid(path: Path, data: bytes) -> Sequence[Sequence[object]]:
    """The first worksheet's cells as the Rust reader gives them; its errors and panics
    (a Rust panic is not an `Exception`) become a ParseError naming the file."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        raise ParseError(str(path), f"not a readable XLSX workbook (truncated?): {exc}") from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise ParseError(str(path), "not a readable XLSX workbook (the reader failed)") from None
    try:
        if not book.sheet_names:
            raise ParseError(str(path), "not a readable XLSX workbook: it has no worksheet")
        grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise ParseError(str(path), f"damaged worksheet (truncated?): {exc}") from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise ParseError(str(path), "damaged worksheet (the reader failed)") from None
    finally:
        book.close()
    return grid


def _cell_value(value: object) -> object:
    """One cell in the usual Python form: '' (empty) → None, a whole float → int, a
    date → datetime at midnight (what a date cell holds)."""
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is date:
        return datetime(value.year, value.month, value.day)
    return value


def _modified(path: Path, core_xml: bytes | None) -> date | None:
    """The `modified` date of the document properties, if the workbook states one."""
    if core_xml is None:
        return None
    try:
        core = etree.fromstring(core_xml, _SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise ParseError(str(path), f"damaged document properties (truncated?): {exc}") from exc
    m = _ISO_DAY_RE.match(core.findtext(MODIFIED_TAG) or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def cell_text(value: object) -> str:
    """A cell as clean text: '' for empty, ISO for spreadsheet dates, whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return from_datetime(value) or ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def header_key(text: str) -> str:
    """A header cell normalised for comparison: spacing collapsed, case folded."""
    return " ".join(text.split()).casefold()


def find_header(
    path: Path,
    rows: Sequence[Sequence[object]],
    required: Sequence[str],
    layout: str,
    key: Callable[[str], str] = header_key,
) -> int:
    """Index of the first leading row holding every `required` column; otherwise a
    ParseError saying the file is not `layout` and naming the columns it lacks."""
    best, best_missing = 0, list(required)
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        present = {key(cell_text(c)) for c in row}
        missing = [c for c in required if key(c) not in present]
        if not missing:
            return index
        if len(missing) < len(best_missing):
            best, best_missing = index, missing
    found = sum(1 for c in rows[best] if cell_text(c)) if rows else 0
    raise ParseError(
        str(path),
        f"not {layout}: header lacks column(s) "
        f"{', '.join(repr(c) for c in best_missing)} ({found} other cells)",
        row=best + 1,
    )


def column_positions(
    path: Path,
    header_index: int,
    header: Sequence[object],
    required: Sequence[str],
    optional: Sequence[str],
    issues: list[Issue],
    key: Callable[[str], str] = header_key,
) -> tuple[dict[str, int], list[str]]:
    """Where each required and optional column stands in the header row, and the optional
    columns it lacks: those are read as empty and reported as one `layout` Issue."""
    positions = {key(cell_text(h)): i for i, h in enumerate(header) if cell_text(h)}
    found = {c: positions[key(c)] for c in (*required, *optional) if key(c) in positions}
    absent = [c for c in optional if c not in found]
    if absent:
        message = f"columns absent, read as empty: {', '.join(absent)}"
        issues.append(Issue(str(path), header_index + 1, "layout", message))
    return found, absent


# --------------------------------------------------------------------------- XML


def clean(text: str | None) -> str | None:
    """Text with whitespace runs (no-break spaces, line wraps) as one space; None if empty."""
    if text is None:
        return None
    joined = " ".join(text.split())
    return joined or None


def line_of(node: etree._Element) -> int | None:
    """The source line of an element (for error messages and issues)."""
    line: object = node.sourceline
    return line if isinstance(line, int) else None


def single_path(paths: Sequence[Path]) -> Path:
    """The one file of a single-file XML list version; a ParseError otherwise."""
    if len(paths) != 1:
        named = ", ".join(str(p) for p in paths) or "(no file)"
        raise ParseError(named, f"expected exactly one XML file, got {len(paths)}")
    return paths[0]


def _declared_encoding(data: bytes) -> str | None:
    """The encoding named in the XML declaration, if any."""
    m = re.match(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", data)
    return m[1].decode("ascii").lower() if m else None


def _check_encoding(path: Path, data: bytes) -> None:
    """Refuse bytes that are UTF-8 but declare another encoding (they would read as mojibake)."""
    declared = _declared_encoding(data)
    if declared is None or declared.replace("-", "").replace("_", "") == "utf8":
        return
    if data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    raise ParseError(str(path), f"declares encoding {declared!r} but its bytes are UTF-8")


_LONG_WORD_RE = re.compile(r"\S{41,}")
"""A name in a parser's message longer than any tag of a list: cut (it quotes the file)."""


def load_xml(path: Path, root_tag: str, expected: str) -> etree._Element:
    """Parse an XML file safely and check its root element; ParseError naming file and line."""
    data = read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        raise ParseError(str(path), f"a ZIP container (e.g. XLSX), not XML; expected {expected}")
    if data.startswith(b"\x1f\x8b"):
        raise ParseError(str(path), f"a gzip file, not XML; expected {expected}")
    _check_encoding(path, data)
    refuse_dtd(path, data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or None
        msg = _LONG_WORD_RE.sub(lambda m: f"{m[0][:40]}…", exc.msg or str(exc))
        hint = " (bytes do not match the declared encoding)" if "encoding" in msg.lower() else ""
        where = f" at line {line}" if line else ""
        raise ParseError(str(path), f"not well-formed XML{where}{hint}: {msg}", row=line) from exc
    docinfo = root.getroottree().docinfo
    if (
        getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None
    ):  # a DOCTYPE in another encoding
        raise ParseError(str(path), "XML declares a DOCTYPE (official lists never do; refused)")
    if root.tag != root_tag:
        raise ParseError(str(path), f"root element is not <{root_tag}>: not {expected}", row=1)
    return root


def split_top_level(text: str, separators: str) -> list[str]:
    """Split `text` at the regex `separators`, but never inside parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    pos = 0
    pattern = re.compile(separators)
    while pos < len(text):
        ch = text[pos]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            m = pattern.match(text, pos)
            if m and m.end() > pos:
                parts.append(text[start:pos])
                start = pos = m.end()
                continue
        pos += 1
    parts.append(text[start:])
    return [p for part in parts if (p := clean(part))]
