"""Structure-aware mutations of real files, as hypothesis strategies.

A file is cut into units (lines of a CSV or JSON-lines file, elements of an XML list,
rows of a worksheet) and units into fields (cells, attributes, tags); a mutation drops,
repeats, swaps or rewrites units and fields, or damages bytes, with tokens the formats
give meaning to (quotes, separators, markup, OFAC's `-0-`, byte-order marks, surrogates).
Workbooks are mutated part by part and zipped again, or damaged as a container.
"""

from __future__ import annotations

import io
import re
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


def rezip(data: bytes, part: str, content: bytes) -> bytes:
    """A workbook with one part replaced (every other part as it was)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = content if info.filename == part else src.read(info)
            # deflate as the real files are, at the fastest level: recompression was a third
            # of a workbook input's cost
            dst.writestr(info.filename, body, zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


CONTAINER = "<zip>"
"""The pseudo-part naming a workbook's own bytes (the container is damaged, not a part)."""


def mutated_files(files: dict[str, bytes], main: str, draw: st.DrawFn) -> dict[str, bytes]:
    """One drawn mutation of a version's files: one file (the main one more often), and
    for a workbook one of its parts or its container."""
    name = draw(st.sampled_from([main, main, *files]))
    data = files[name]
    if not name.endswith(".xlsx"):
        return {**files, name: mutate(data, grammar_of(name), draw(ops))}
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        parts = []  # damaged by an earlier round: only the container is left to damage
    sheet = "xl/worksheets/sheet1.xml"
    part = draw(st.sampled_from([sheet, sheet, sheet, "xl/sharedStrings.xml", CONTAINER, *parts]))
    if part == CONTAINER or part not in parts:
        return {**files, name: mutate(data, Grammar(rb"(?=PK\x03\x04)", rb"(?=PK)"), draw(ops))}
    mutations = draw(ops)
    try:
        content = zipfile.ZipFile(io.BytesIO(data)).read(part)
        return {**files, name: rezip(data, part, mutate(content, grammar_of(part), mutations))}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error):
        return files  # a container damaged by an earlier round


@st.composite
def versions(draw: st.DrawFn, fmt: str) -> dict[str, bytes]:
    """A strategy of mutated versions of a format's seed (one or two rounds)."""
    seed = seeds()[fmt]
    files, main = seed.files, seed.main
    for _ in range(draw(st.integers(1, 2))):
        files = mutated_files(files, main, draw)
    return files
