"""Structure-aware mutations of real files, as hypothesis strategies.

A file is cut into units (lines of a CSV or JSON-lines file, elements of an XML list,
rows of a worksheet) and units into fields (cells, attributes, tags); a mutation drops,
repeats, swaps or rewrites units and fields, or damages bytes, with tokens the formats
give meaning to (quotes, separators, markup, OFAC's `-0-`, byte-order marks, surrogates).
Workbooks are mutated part by part and zipped again, or damaged as a container.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from hypothesis import strategies as st

from reliability.seeds import seeds

TOKENS = [
    b'"',
    b"'",
    b",",
    b"\t",
    b";",
    b"\r\n",
    b"\n",
    b"\r",
    b"\x00",
    b"\x1a",
    b"-0-",
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#xD800;",
    b"]]>",
    b"<![CDATA[",
    b"<!-- -->",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"\\ud800",
    b"\xc3",
    b"\xe2\x80\xae",
    "Ω".encode(),
    "김".encode(),
    b"9" * 25,
    b"-1",
    b"1e308",
    b"NaN",
    b"A" * 3000,
    b"{",
    b"}",
    b"[",
    b"]",
    b"null",
    b'"op": "DEL"',
    b'"schema": "Person"',
    b"<!DOCTYPE x>",
    b"<!ENTITY a 'b'>",
    b"&a;",
    b"1900-02-30",
    b"0000-00-00",
    b"31/12/1999",
    b"Individual",
    b"Entity",
    b"individual",
    b"vessel",
    b"a.k.a. ",
    b"Linked To: ",
    b"DOB ",
    b' r="XFD1048576"',
    b' t="s"',
    b"<v>999999</v>",
    b'<c r="A1"><v>1</v></c>',
]
"""Byte strings the formats give meaning to."""

junk = st.one_of(
    st.sampled_from(TOKENS),
    st.binary(max_size=24),
    st.text(max_size=16).map(lambda t: t.encode("utf-8", "surrogatepass")),
)

KINDS = ("drop", "repeat", "swap", "field", "insert", "overwrite", "truncate", "flip")

Op = tuple[str, int, int, bytes]
ops = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 1 << 20), st.integers(0, 1 << 20), junk),
    min_size=1,
    max_size=3,
)


@dataclass(frozen=True)
class Grammar:
    """How a format cuts into units (a lookahead regex) and units into fields."""

    unit: bytes
    field: bytes


TEXT = Grammar(rb"(?<=\n)", rb",")
TABS = Grammar(rb"(?<=\n)", rb"\t")
XML = Grammar(rb"(?=<[A-Za-z])", rb"(?=[<>\"])")
JSON = Grammar(rb"(?<=\n)", rb"(?=[\",:\[\]{}])")
SHEET = Grammar(rb"(?=<row\b)", rb"(?=<c\b)")
STRINGS = Grammar(rb"(?=<si\b)", rb"(?=[<>])")


def _split(data: bytes, pattern: bytes) -> list[bytes]:
    """`data` cut before or after each match of a zero-width `pattern` (nothing lost)."""
    return [part for part in re.split(pattern, data) if part] or [b""]


def mutate(data: bytes, grammar: Grammar, mutations: list[Op]) -> bytes:
    """`data` with each mutation applied in turn."""
    for kind, a, b, token in mutations:
        units = _split(data, grammar.unit)
        i, j = a % len(units), b % len(units)
        if kind == "drop":
            del units[i]
        elif kind == "repeat":
            units.insert(j, units[i])
        elif kind == "swap":
            units[i], units[j] = units[j], units[i]
        elif kind == "field":
            fields = _split(units[i], grammar.field)
            fields[b % len(fields)] = token
            units[i] = b"".join(fields)
        data = b"".join(units)
        at = a % (len(data) + 1)
        if kind == "insert":
            data = data[:at] + token + data[at:]
        elif kind == "overwrite":
            data = data[:at] + token + data[at + len(token) :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "flip" and data:
            at = a % len(data)
            data = data[:at] + bytes([data[at] ^ (b % 255 + 1)]) + data[at + 1 :]
    return data


def grammar_of(name: str) -> Grammar:
    """The grammar of a file or workbook part, by its name."""
    if name.endswith("sheet1.xml"):
        return SHEET
    if name.endswith("sharedStrings.xml"):
        return STRINGS
    if name.endswith((".xml", ".rels")):
        return XML
    if name.endswith(".json"):
        return JSON
    if name.endswith(".txt"):
        return TABS
    return TEXT


Parts = dict[str, bytes]
"""A workbook's parts by name, in archive order."""

_PARTS: dict[bytes, Parts] = {}
"""The parts of the workbooks last unzipped or built here: a second round starts from the
first's workbook, and every input from the seed's, so neither is unzipped again."""


def parts_of(data: bytes) -> Parts | None:
    """A workbook's parts, or None if the container is too damaged to read whole."""
    known = _PARTS.get(data)
    if known is not None:
        return known
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            parts = {info.filename: book.read(info) for info in book.infolist()}
    except Exception:  # any way a damaged container fails to read: only it is left to damage
        return None
    return _remember(data, parts)


def _remember(data: bytes, parts: Parts) -> Parts:
    """Keep `parts` as those of `data` (a few workbooks at a time)."""
    if len(_PARTS) >= 16:
        _PARTS.clear()
    _PARTS[data] = parts
    return parts


@functools.lru_cache(maxsize=256)
def _deflated(body: bytes) -> tuple[int, bytes]:
    """A part's CRC-32 and raw deflate stream, as the real files are (at the fastest level):
    the unchanged parts of a workbook are compressed once, not for every input (rezipping
    was half a workbook input's cost)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return zlib.crc32(body), packer.compress(body) + packer.flush()


def zip_parts(parts: Parts) -> bytes:
    """A zip archive of `parts` (deflated), as zipfile writes one."""
    entries, directory, offset = [], [], 0
    for name, body in parts.items():
        crc, packed = _deflated(body)
        raw = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # bit 11: a UTF-8 name
        sizes = (crc, len(packed), len(body), len(raw), 0)
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, 0, 0x21, *sizes) + raw
        entries += [local, packed]
        head = struct.pack("<IHHHHHHIIIHH", 0x02014B50, 20, 20, flags, 8, 0, 0x21, *sizes)
        directory.append(head + struct.pack("<HHHII", 0, 0, 0, 0, offset) + raw)
        offset += len(local) + len(packed)
    listing = b"".join(directory)
    count = len(directory)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(listing), offset, 0)
    return b"".join(entries) + listing + end


def rezip(parts: Parts, part: str, content: bytes) -> bytes:
    """A workbook with one part replaced (every other part as it was)."""
    new = {**parts, part: content}
    data = zip_parts(new)
    _remember(data, new)
    return data


CONTAINER = "<zip>"
"""The pseudo-part naming a workbook's own bytes (the container is damaged, not a part)."""


def mutated_files(files: dict[str, bytes], main: str, draw: st.DrawFn) -> dict[str, bytes]:
    """One drawn mutation of a version's files: one file (the main one more often), and
    for a workbook one of its parts or its container."""
    name = draw(st.sampled_from([main, main, *files]))
    data = files[name]
    if not name.endswith(".xlsx"):
        return {**files, name: mutate(data, grammar_of(name), draw(ops))}
    parts = parts_of(data) or {}  # damaged by an earlier round: only the container is left
    sheet = "xl/worksheets/sheet1.xml"
    part = draw(st.sampled_from([sheet, sheet, sheet, "xl/sharedStrings.xml", CONTAINER, *parts]))
    if part == CONTAINER or part not in parts:
        return {**files, name: mutate(data, Grammar(rb"(?=PK\x03\x04)", rb"(?=PK)"), draw(ops))}
    return {**files, name: rezip(parts, part, mutate(parts[part], grammar_of(part), draw(ops)))}


@st.composite
def versions(draw: st.DrawFn, fmt: str) -> dict[str, bytes]:
    """A strategy of mutated versions of a format's seed (one or two rounds)."""
    seed = seeds()[fmt]
    files, main = seed.files, seed.main
    for _ in range(draw(st.integers(1, 2))):
        files = mutated_files(files, main, draw)
    return files
