"""The generated bad-file corpus: for every format, the ways a list file arrives broken,
wrong or hostile, each built from the format's small real version (`seeds.py`).

A case is a version folder to load on top of a store holding every seed: each must be
refused with a clear message (the store unchanged) or loaded with issues recorded, and no
message may quote the canary line placed in the files.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reliability import xlsx_bombs
from reliability.seeds import LONG, Seed, seeds

CANARY = "root:x:0:0:CANARY-7f3a:/root:/bin/bash"
"""A line that must never reach a message, an attempt record or the catalog."""

REFUSED = "refused"
ISSUES = "refused or loaded with issues"
ANY = "refused, or loaded"
"""Expectations: odd file names may be read as the list they are (ANY)."""

Build = Callable[[Path], None]
"""Writes a case's version folder (given, not yet created)."""


@dataclass(frozen=True)
class Case:
    """One bad version of one format."""

    name: str
    fmt: str
    expect: str
    build: Build


def write(folder: Path, files: dict[str, bytes]) -> None:
    """The folder holding exactly `files`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def with_main(seed: Seed, data: bytes, name: str | None = None) -> Build:
    """The seed's files with its main file replaced (and renamed, if `name` is given)."""
    files = dict(seed.files)
    del files[seed.main]
    files[name or seed.main] = data
    return lambda folder: write(folder, files)


def _units(seed: Seed) -> tuple[bytes, list[bytes], bytes]:
    """The main file as (head, entries, tail): lines of text files, entry elements of XML,
    rows of a worksheet (inside its zip)."""
    data = seed.files[seed.main]
    if seed.main.endswith(".xml"):
        tag = b"record" if seed.source == "ca_sema" else b"INDIVIDUAL"
        found = list(re.finditer(rb"\s*<" + tag + rb">.*?</" + tag + rb">", data, re.S))
        head, tail = data[: found[0].start()], data[found[-1].end() :]
        return head, [m[0] for m in found], tail
    lines = data.splitlines(keepends=True)
    return lines[0], lines[1:], b""


def _rebuild(seed: Seed, head: bytes, entries: list[bytes], tail: bytes) -> bytes:
    return head + b"".join(entries) + tail


def half(seed: Seed) -> bytes:
    """The main file with two thirds of its entries dropped (a count drop)."""
    if seed.main.endswith(".xlsx"):
        return _sheet_rows(seed.files[seed.main], lambda rows: rows[: max(2, len(rows) // 3)])
    head, entries, tail = _units(seed)
    return _rebuild(seed, head, entries[: len(entries) // 3], tail)


def _sheet_rows(data: bytes, change: Callable[[list[bytes]], list[bytes]]) -> bytes:
    """A workbook whose first sheet's rows are `change`d."""
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = src.read("xl/worksheets/sheet1.xml")
    head, rest = sheet.split(b"<sheetData>", 1)
    body, tail = rest.split(b"</sheetData>", 1)
    rows = change(re.findall(rb"<row\b.*?</row>", body, re.S))
    new = head + b"<sheetData>" + b"".join(rows) + b"</sheetData>" + tail
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, new if name == "xl/worksheets/sheet1.xml" else src.read(name))
    return out.getvalue()


def huge_field(seed: Seed) -> bytes:
    """The main file with its longest cell-like value (a name, a remark) made 10 MB."""
    huge = b"A" * 10_000_000
    if seed.main.endswith(".xlsx"):
        src = zipfile.ZipFile(io.BytesIO(seed.files[seed.main]))
        strings = src.read("xl/sharedStrings.xml")
        longest = max(re.findall(rb"<t[^>]*>([^<]{8,})</t>", strings), key=len)
        changed = strings.replace(longest, huge, 1)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in src.namelist():
                dst.writestr(name, changed if name == "xl/sharedStrings.xml" else src.read(name))
        return out.getvalue()
    data = seed.files[seed.main]
    pattern = rb">([^<>]{8,})<" if seed.main.endswith(".xml") else rb'"([^",\t\n]{8,})"'
    values = re.findall(pattern, data) or re.findall(rb"([A-Za-z][A-Za-z ]{8,})", data)
    return data.replace(max(values, key=len), huge, 1)


JUMP_KEYS: dict[str, bytes] = {
    "ofac_sdn": rb"^()(\d+)(,)",
    "ofac_cons": rb"^()(\d+)(,)",
    "custom_csv": rb"^()(kimsuky-\d+)(,)",
    "un_sc": rb"(<REFERENCE_NUMBER>[^<]*?)(\d+)(</REFERENCE_NUMBER>)",
    "ca_sema": rb"(<Item>)(\d+)(</Item>)",
}
"""Where each format keeps its entry key (a number made unique in a repeated entry)."""


def _keyed(key: bytes) -> Callable[[re.Match[bytes]], bytes]:
    """A replacement putting `key` between the match's first and third groups."""
    return lambda m: m[1] + key + m[3]


def jump(fmt: str, seed: Seed) -> bytes:
    """The main file with every entry repeated three times under new keys (a jump)."""
    head, entries, tail = _units(seed)
    pattern = JUMP_KEYS[fmt]
    copies = []
    for copy in range(1, 4):
        for i, entry in enumerate(entries):
            key = b"%d" % (900000 + copy * 1000 + i)
            if fmt == "custom_csv":
                key = b"jump-" + key
            copies.append(re.sub(pattern, _keyed(key), entry, count=1, flags=re.M))
    return _rebuild(seed, head, entries + copies, tail)


def doctype(seed: Seed, declaration: bytes, encoding: str = "utf-8") -> bytes:
    """The XML main file with `declaration` after its XML declaration, and its first
    element text replaced by the entity `&e;`."""
    data = seed.files[seed.main]
    first, rest = data.split(b"\n", 1) if data.startswith(b"<?xml") else (b"", data)
    rest = re.sub(rb">([^<>\s][^<>]*)<", b">&e;<", rest, count=1)
    text = (first + b"\n" + declaration + b"\n" + rest).decode("utf-8")
    if encoding != "utf-8":
        text = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
    return text.encode(encoding)


def symlinked(seed: Seed, target: Callable[[Path], Path]) -> Build:
    """The seed's files with its main file a symbolic link to `target(folder)`."""

    def build(folder: Path) -> None:
        write(folder, {n: d for n, d in seed.files.items() if n != seed.main})
        (folder / seed.main).symlink_to(target(folder))

    return build


def _outside(folder: Path) -> Path:
    """A file with the canary line, outside the folder being loaded."""
    secret = folder.parents[2] / "outside" / "passwd"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(CANARY + "\n")
    return secret


def _outside_dir(seed: Seed) -> Build:
    """The version folder itself a symbolic link to a folder outside the mirror holding
    the canary under the main file's name."""

    def build(folder: Path) -> None:
        away = folder.parents[2] / "outside-dir"
        write(away, {**seed.files, seed.main: (CANARY + "\n").encode()})
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.symlink_to(away, target_is_directory=True)

    return build


XXE = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    b'<!DOCTYPE x [<!ENTITY l0 "lol">'
    + b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
    + b'<!ENTITY e "&l9;">]>'
)
PARAMETER = b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p; <!ENTITY e "x">]>'
INTERNAL = b'<!DOCTYPE x [<!ENTITY e "ERIC">]>'


def _common(fmt: str, seed: Seed, other: Seed) -> list[Case]:
    """The cases every format gets."""
    main = seed.files[seed.main]
    cases = [
        Case("empty", fmt, REFUSED, with_main(seed, b"")),
        Case("blank", fmt, REFUSED, with_main(seed, b" \r\n\t\n")),
        Case("truncated", fmt, ISSUES, with_main(seed, main[: len(main) * 3 // 5])),
        Case("truncated-tiny", fmt, REFUSED, with_main(seed, main[:40])),
        Case("another-source", fmt, REFUSED, with_main(seed, other.files[other.main])),
        Case("passwd-content", fmt, REFUSED, with_main(seed, (CANARY + "\n" * 3).encode())),
        Case("count-drop", fmt, REFUSED, with_main(seed, half(seed))),
        Case("huge-field", fmt, ISSUES, with_main(seed, huge_field(seed))),
        Case("binary-noise", fmt, REFUSED, with_main(seed, bytes(range(256)) * 64)),
        Case("symlink-out", fmt, REFUSED, symlinked(seed, _outside)),
        Case("symlink-dir-out", fmt, REFUSED, _outside_dir(seed)),
        Case("symlink-dangling", fmt, REFUSED, symlinked(seed, lambda f: f / "nowhere")),
        Case("symlink-loop", fmt, REFUSED, symlinked(seed, lambda f: f / seed.main)),
        Case("name-upper", fmt, ANY, with_main(seed, main, seed.main.upper())),
        Case("name-space", fmt, ANY, with_main(seed, main, seed.main + " ")),
        Case("name-newline", fmt, ANY, with_main(seed, main, "x\n" + seed.main)),
        Case("name-unicode", fmt, ANY, with_main(seed, main, "списък-" + seed.main)),
        Case("name-long", fmt, ANY, with_main(seed, main, "n" * 200 + seed.main)),
        Case("name-hidden", fmt, REFUSED, with_main(seed, main, "." + seed.main)),
    ]
    if not seed.main.endswith(".xlsx"):
        text = main.decode("utf-8", "replace")
        # XML declares its encoding, or a byte-order mark does: UTF-16 XML is still XML
        wide = ANY if seed.main.endswith(".xml") else ISSUES
        cases.append(Case("utf-16", fmt, wide, with_main(seed, text.encode("utf-16"))))
        cases.append(Case("utf-32", fmt, wide, with_main(seed, text.encode("utf-32"))))
        cases.append(
            Case("latin-1-mixed", fmt, ISSUES, with_main(seed, main + "é\n".encode("latin-1")))
        )
    if fmt in JUMP_KEYS:
        cases.append(Case("count-jump", fmt, REFUSED, with_main(seed, jump(fmt, seed))))
    return cases


def _xml(fmt: str, seed: Seed) -> list[Case]:
    """DOCTYPE and entity attacks on an XML list."""
    return [
        Case("doctype-internal-entity", fmt, REFUSED, with_main(seed, doctype(seed, INTERNAL))),
        Case("xxe-file", fmt, REFUSED, with_main(seed, doctype(seed, XXE))),
        Case("billion-laughs", fmt, REFUSED, with_main(seed, doctype(seed, LAUGHS))),
        Case("parameter-entity", fmt, REFUSED, with_main(seed, doctype(seed, PARAMETER))),
        Case("doctype-utf-16", fmt, REFUSED, with_main(seed, doctype(seed, INTERNAL, "utf-16"))),
        Case("doctype-only", fmt, REFUSED, with_main(seed, b'<?xml version="1.0"?>\n<!DOCTYPE x>')),
    ]


BOMB = (1 << 30) if LONG else (64 << 20)
"""Decompressed size of the generated zip bombs (1 GiB in the long run)."""


def _xlsx(fmt: str, seed: Seed) -> list[Case]:
    """Workbook bombs and damaged containers."""
    sheet = "xl/worksheets/sheet1.xml"
    return [
        Case("dimension-bomb", fmt, REFUSED, with_main(seed, xlsx_bombs.dimension_bomb())),
        Case("cell-bomb", fmt, REFUSED, with_main(seed, xlsx_bombs.cell_bomb())),
        Case("sheet-bomb", fmt, REFUSED, with_main(seed, xlsx_bombs.part_bomb(sheet, BOMB))),
        Case(
            "sheet-bomb-lying",
            fmt,
            REFUSED,
            with_main(seed, xlsx_bombs.part_bomb(sheet, BOMB, 900)),
        ),
        Case(
            "core-properties-bomb",
            fmt,
            REFUSED,
            with_main(seed, xlsx_bombs.part_bomb("docProps/core.xml", BOMB)),
        ),
        Case(
            "core-properties-lying",
            fmt,
            REFUSED,
            with_main(seed, xlsx_bombs.part_bomb("docProps/core.xml", BOMB, 600)),
        ),
        Case(
            "doctype-in-sheet",
            fmt,
            REFUSED,
            with_main(
                seed,
                xlsx_bombs.workbook(
                    b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "x">]>'
                    + xlsx_bombs.sheet(b"")[len(xlsx_bombs.XML) :]
                ),
            ),
        ),
        Case("not-a-zip", fmt, REFUSED, with_main(seed, b"PK\x03\x04" + b"\x00" * 200)),
        Case("zip-of-nothing", fmt, REFUSED, with_main(seed, xlsx_bombs.empty_zip())),
    ]


def _gzip(fmt: str, seed: Seed) -> list[Case]:
    """A gzipped list: a gzip bomb, and a cut gzip stream."""
    name = seed.main + ".gz"
    packed = gzip.compress(seed.files[seed.main])
    bomb = gzip.compress(seed.files[seed.main][:200] + b" " * (BOMB // 4), 1)
    return [
        Case("gzip-bomb", fmt, REFUSED, with_main(seed, bomb, name)),
        Case("gzip-truncated", fmt, REFUSED, with_main(seed, packed[: len(packed) // 2], name)),
        Case("gzip-trailing-junk", fmt, REFUSED, with_main(seed, packed + b"junk", name)),
    ]


def cases() -> list[Case]:
    """Every case of every format."""
    all_seeds = seeds()
    names = sorted(all_seeds)
    out: list[Case] = []
    for i, fmt in enumerate(names):
        seed = all_seeds[fmt]
        # another list of another format (one of the same format is the count-jump case)
        others = names[i + 1 :] + names[:i]
        other = all_seeds[next(n for n in others if n.split("_")[0] != fmt.split("_")[0])]
        out.extend(_common(fmt, seed, other))
        if seed.main.endswith(".xml"):
            out.extend(_xml(fmt, seed))
        if seed.main.endswith(".xlsx"):
            out.extend(_xlsx(fmt, seed))
        if fmt == "us_csl":
            out.extend(_gzip(fmt, seed))
    return out
