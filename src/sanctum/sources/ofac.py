"""US Treasury OFAC legacy CSV files: the SDN list and the consolidated (non-SDN) lists.

Both lists share one layout: a primary file (`sdn.csv` / `cons_prim.csv`, one row per
entry, no header), aliases (`alt.csv` / `cons_alt.csv`), addresses (`add.csv` /
`cons_add.csv`) and the overflow of remarks longer than 1,000 characters
(`sdn_comments.csv` / `cons_comments.csv`). Any subset may be given as long as the
primary file is there. Cells of `-0-` are empty; each official file ends with a lone
0x1A byte. Most of an entry's data sits in its remarks, read by
:mod:`sanctum.sources.ofac_remarks`; this module reads the files and builds the entities.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from followthemoney import EntityProxy, registry

from sanctum.crypto import check_address
from sanctum.errors import ParseError
from sanctum.runtime import gc_paused
from sanctum.sources.base import (
    Issue,
    ParseContext,
    ParseResult,
    Record,
    derived_id,
    make_entity,
    make_link,
    make_sanction,
    read_bytes,
    wallet_id,
)
from sanctum.sources.ofac_remarks import IDENTIFIER_KINDS, Fact, parse_remarks
from sanctum.values import country_code, implausible

AUTHORITY = "US Treasury OFAC"
REMARKS_CUT = 1000
"""OFAC cuts remarks at this many characters and puts the rest in the comments file."""
EOF_MARKER = "\x1a"

PRIMARY_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = (
    "ent_num",
    "add_num",
    "Address",
    "City/State/Province/Postal Code",
    "Country",
    "Add_remarks",
)
COMMENTS_COLUMNS = ("ent_num", "Remarks_Extended")

SCHEMATA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization"}
"""SDN_Type → FtM schema; `-0-` (empty) marks entities."""


@dataclass(frozen=True)
class ListLayout:
    """What differs between the SDN and the consolidated list: names, ids, URLs."""

    id_prefix: str
    list_name: str
    source_url: str
    primary: str
    alt: str
    add: str
    comments: str


SDN = ListLayout(
    id_prefix="us-ofac-sdn",
    list_name="Specially Designated Nationals and Blocked Persons (SDN) List",
    source_url="https://www.treasury.gov/ofac/downloads/sdn.csv",
    primary="sdn.csv",
    alt="alt.csv",
    add="add.csv",
    comments="sdn_comments.csv",
)
CONS = ListLayout(
    id_prefix="us-ofac-cons",
    list_name="Consolidated Sanctions List (non-SDN lists)",
    source_url="https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv",
    primary="cons_prim.csv",
    alt="cons_alt.csv",
    add="cons_add.csv",
    comments="cons_comments.csv",
)


def parse_sdn(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Parse one version of the SDN list (`sdn.csv` and any of its companion files)."""
    return _parse(paths, SDN)


def parse_cons(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Parse one version of the consolidated non-SDN list (`cons_prim.csv` and companions)."""
    return _parse(paths, CONS)


# --- reading the files -----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One CSV row with its line number (for messages) and raw cells."""

    line: int
    cells: list[str]


def cell(value: str) -> str:
    """A cell's text: `-0-` (OFAC's empty marker) becomes ''; whitespace is trimmed."""
    value = value.strip()
    return "" if value == "-0-" else value


def decode(data: bytes, path: Path) -> str:
    """The text of an OFAC CSV file; refuses encodings it cannot be in.

    Official files are ASCII (Latin-1 at most). NUL bytes or a UTF-16/32 byte-order mark
    mean a re-encoded file; XML, HTML or a ZIP container mean the wrong file altogether.
    """
    head = data[:64].lstrip()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ParseError(
            str(path),
            "wrong encoding: NUL bytes (UTF-16/32?); expected ASCII or Latin-1 OFAC CSV",
            row=1,
        )
    if head.startswith(b"<"):
        raise ParseError(str(path), "this is XML/HTML, not an OFAC legacy CSV file", row=1)
    if head.startswith(b"PK\x03\x04"):
        raise ParseError(
            str(path), "this is a ZIP/XLSX container, not an OFAC legacy CSV file", row=1
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_rows(path: Path, columns: Sequence[str], issues: list[Issue]) -> list[Row]:
    """All rows of one file, each with exactly `len(columns)` cells and a numeric ent_num.

    Raises ParseError naming the file and row for an empty file, an unterminated quoted
    field (a file cut short), a row with the wrong number of columns (a cut row, or a
    different file of the set) or a row whose first cell is not an entry number.
    """
    text = decode(read_bytes(path), path)
    stripped = text.rstrip("\r\n ")
    if stripped.endswith(EOF_MARKER):
        text = stripped[: -len(EOF_MARKER)]
    else:
        issues.append(
            Issue(
                path.name,
                None,
                "missing-eof-marker",
                "file does not end with the 0x1A end-of-file byte of official "
                "OFAC files; it may have been cut at a row boundary",
            )
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        for cells in reader:
            if not cells or cells == [""]:
                continue
            line = reader.line_num
            if len(cells) != len(columns):
                raise ParseError(
                    str(path),
                    f"expected {len(columns)} columns ({', '.join(columns)}), found "
                    f"{len(cells)}: a truncated row or not a {columns[0]}-keyed file of "
                    "this kind",
                    row=line,
                )
            if not cells[0].strip().isdigit():
                raise ParseError(str(path), "ent_num (first column) is not a number", row=line)
            rows.append(Row(line, cells))
    except csv.Error as exc:
        raise ParseError(
            str(path), f"malformed CSV ({exc}); the file may be truncated", row=reader.line_num
        ) from exc
    if not rows:
        raise ParseError(str(path), "file holds no rows")
    return rows


def assign_files(paths: Sequence[Path], layout: ListLayout, issues: list[Issue]) -> dict[str, Path]:
    """Map the given files onto the list's roles by file name (case-insensitive)."""
    roles = {
        layout.primary: "primary",
        layout.alt: "alt",
        layout.add: "add",
        layout.comments: "comments",
    }
    files: dict[str, Path] = {}
    for path in paths:
        role = roles.get(path.name.lower())
        if role is None:
            issues.append(
                Issue(
                    path.name,
                    None,
                    "ignored-file",
                    f"not a file of this list (expected {', '.join(roles)})",
                )
            )
            continue
        if role in files:
            raise ParseError(str(path), f"two files given for {path.name.lower()}")
        files[role] = path
    if "primary" not in files:
        raise ParseError(
            layout.primary,
            f"{layout.primary} is required but was not given "
            f"(got: {', '.join(p.name for p in paths) or 'no files'})",
        )
    return files


# --- entries ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One primary row with its aliases, addresses and remark facts gathered."""

    row: Row
    ent_num: str
    party_id: str
    schema: str
    remarks: str
    truncated: bool = False
    facts: list[Fact] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    """(property, name): alias, weakAlias or previousName from the alias file."""
    addresses: list[tuple[str, str | None, Row]] = field(default_factory=list)
    """(full text, country as written, row) from the address file."""

    @property
    def name(self) -> str:
        """The primary name as listed."""
        return cell(self.row.cells[1])


def program_codes(text: str) -> list[str]:
    """`DPRK2] [CYBER2` or `[DPRK2] [CYBER2]` → ['DPRK2', 'CYBER2']."""
    return [p.strip() for p in re.split(r"\]\s*\[", text.strip().strip("[]")) if p.strip()]


def read_entries(path: Path, layout: ListLayout, issues: list[Issue]) -> dict[str, Entry]:
    """The primary file as entries keyed by ent_num (which must be unique)."""
    entries: dict[str, Entry] = {}
    for row in read_rows(path, PRIMARY_COLUMNS, issues):
        ent_num = row.cells[0].strip()
        sdn_type = cell(row.cells[2]).lower()
        if sdn_type not in SCHEMATA:
            raise ParseError(
                str(path),
                "unknown SDN_Type (expected individual, vessel, aircraft or -0-)",
                row=row.line,
            )
        if ent_num in entries:
            raise ParseError(
                str(path),
                f"ent_num {ent_num} appears twice (first on row {entries[ent_num].row.line})",
                row=row.line,
            )
        if not cell(row.cells[1]):
            raise ParseError(str(path), f"entry {ent_num} has no name", row=row.line)
        remarks = row.cells[11] if cell(row.cells[11]) else ""
        entries[ent_num] = Entry(
            row, ent_num, f"{layout.id_prefix}-{ent_num}", SCHEMATA[sdn_type], remarks
        )
    return entries


def companion_rows(
    entries: dict[str, Entry], path: Path, columns: Sequence[str], issues: list[Issue]
) -> Iterator[tuple[Row, str, Entry | None]]:
    """Rows of a companion file, each with its ent_num and the entry of that number (None
    when the primary file does not list it)."""
    for row in read_rows(path, columns, issues):
        ent_num = row.cells[0].strip()
        yield row, ent_num, entries.get(ent_num)


def orphan(path: Path, row: Row, subject: str) -> Issue:
    """The issue for a companion row whose entry is not listed."""
    return Issue(path.name, row.line, "orphan-row", f"{subject}, which is not listed")


def attach_comments(entries: dict[str, Entry], path: Path | None, issues: list[Issue]) -> None:
    """Append each overflow row to its remark (no separator: the cut falls mid-word)."""
    if path is None:
        return
    for row, ent_num, entry in companion_rows(entries, path, COMMENTS_COLUMNS, issues):
        if entry is None:
            issues.append(orphan(path, row, f"remarks overflow for ent_num {ent_num}"))
        elif len(entry.remarks) < REMARKS_CUT:
            issues.append(
                Issue(
                    path.name,
                    row.line,
                    "unexpected-comment",
                    f"remarks overflow for ent_num {ent_num}, whose remark is only "
                    f"{len(entry.remarks)} characters long; not appended",
                    entry.party_id,
                )
            )
        else:
            entry.remarks += row.cells[1]


def mark_truncated(entries: Iterable[Entry], file_name: str, issues: list[Issue]) -> None:
    """Flag remarks still exactly at the cut length: their end is missing."""
    for entry in entries:
        if len(entry.remarks) == REMARKS_CUT:
            entry.truncated = True
            issues.append(
                Issue(
                    file_name,
                    entry.row.line,
                    "truncated-remarks",
                    f"remarks of ent_num {entry.ent_num} are cut at {REMARKS_CUT} "
                    "characters and no comments row completes them; the last "
                    "clause is kept only as a note",
                    entry.party_id,
                )
            )


def attach_aliases(entries: dict[str, Entry], path: Path | None, issues: list[Issue]) -> None:
    """Aliases: `aka`/`nka` → alias (weakAlias if its remark says weak), `fka` → previousName."""
    if path is None:
        return
    for row, ent_num, entry in companion_rows(entries, path, ALT_COLUMNS, issues):
        name = cell(row.cells[3])
        if entry is None:
            issues.append(orphan(path, row, f"alias {name!r} of ent_num {ent_num}"))
            continue
        if not name:
            issues.append(
                Issue(
                    path.name, row.line, "empty-alias", "alias row without a name", entry.party_id
                )
            )
            continue
        alt_type = cell(row.cells[2]).lower()
        if "weak" in cell(row.cells[4]).lower():
            prop = "weakAlias"
        elif alt_type == "fka":
            prop = "previousName"
        else:
            prop = "alias"
            if alt_type not in ("aka", "nka"):
                issues.append(
                    Issue(
                        path.name,
                        row.line,
                        "unknown-alias-type",
                        f"alt_type {row.cells[2]!r}; kept as an alias",
                        entry.party_id,
                    )
                )
        entry.aliases.append((prop, name))


def attach_addresses(entries: dict[str, Entry], path: Path | None, issues: list[Issue]) -> None:
    """Addresses: the parts joined into one text, plus the country as written."""
    if path is None:
        return
    for row, ent_num, entry in companion_rows(entries, path, ADD_COLUMNS, issues):
        parts = [cell(c) for c in row.cells[2:5]]
        remark = cell(row.cells[5])
        text = ", ".join(p for p in parts if p)
        if remark:
            text = f"{text} ({remark})" if text else remark
        if entry is None:
            issues.append(orphan(path, row, f"address of ent_num {ent_num}"))
        elif text:
            entry.addresses.append((text, parts[2] or None, row))


# --- names of the file, for `Linked To:` ------------------------------------------------


@dataclass
class NameIndex:
    """Exact names of the file's entries → party ids, primary names before aliases."""

    primary: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    other: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> NameIndex:
        """Index primary names, alias-file names and the weak aliases of remarks."""
        index = cls()
        for entry in entries:
            index.primary[entry.name].add(entry.party_id)
            for _, name in entry.aliases:
                index.other[name].add(entry.party_id)
            for fact in entry.facts:
                if fact.kind == "weakAlias":
                    index.other[fact.value].add(entry.party_id)
        return index

    def resolve(self, name: str) -> list[str]:
        """Ids listed under exactly this name, also trying it without a final full stop."""
        candidates = [name, name[:-1].rstrip()] if name.endswith(".") else [name]
        for table in (self.primary, self.other):
            for candidate in candidates:
                hits = table.get(candidate)
                if hits:
                    return sorted(hits)
        return []


# --- building records ------------------------------------------------------------------

PROPERTY_CHOICES: dict[str, tuple[str, ...]] = {
    "jurisdiction": ("jurisdiction", "country"),
    "flag": ("flag", "country"),
    "isin": ("idNumber",),
    "registrationNumber": ("registrationNumber", "idNumber"),
}
"""Where a fact may go, in order of preference, when it is not simply its own property."""

NO_COUNTRY = frozenset({"undetermined", "none identified", "unknown"})
COUNTRY_KINDS = frozenset({"nationality", "citizenship", "jurisdiction", "flag", "pastFlags"})
DATE_KINDS = frozenset({"birthDate", "incorporationDate", "buildDate"})


def choices(kind: str) -> tuple[str, ...]:
    """Candidate properties for a fact kind; identifiers fall back to idNumber."""
    if kind in PROPERTY_CHOICES:
        return PROPERTY_CHOICES[kind]
    if kind in IDENTIFIER_KINDS:
        return (kind, "idNumber", "registrationNumber")
    return (kind,)


_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@lru_cache(maxsize=1 << 17)
def clean(type_name: str, fmt: str | None, value: str) -> str | None:
    """FtM's cleaning of a value of a type (and format), cached: lists repeat their values.

    Two shortcuts give the same result faster: printable ASCII text and strings are kept
    as they are (FtM only trims them), and dates are already ISO prefixes from
    :func:`sanctum.values.parse_date`. The cache is bounded and outlives a parse:
    successive versions of a list repeat most of their values.
    """
    if type_name in ("string", "text") and value.isascii() and value.isprintable():
        return value.strip() or None
    if type_name == "date" and _ISO_DATE.fullmatch(value):
        return value
    cleaned = registry.get(type_name).clean(value, format=fmt)
    return None if cleaned is None else str(cleaned)


iso_country = lru_cache(maxsize=4096)(country_code)
"""ISO code of a country as OFAC writes it: :func:`country_code`, cached."""


def add(entity: EntityProxy, prop_name: str, value: str | None) -> bool:
    """Add a value through the cached cleaner; False if the value is not valid for it."""
    if not value:
        return False
    prop = entity.schema.properties[prop_name]
    cleaned = clean(prop.type.name, prop.format, value)
    if cleaned is None:
        return False
    entity.unsafe_add(prop, cleaned, cleaned=True)
    return True


def put(entity: EntityProxy, props: Iterable[str], value: str) -> str | None:
    """Add `value` to the first of `props` the schema has and FtM accepts; that property."""
    for name in props:
        if name in entity.schema.properties and add(entity, name, value):
            return name
    return None


def misfit(entity: EntityProxy, props: Sequence[str], value: str) -> str:
    """Why `put` refused a value: no such property on this schema, or an invalid value."""
    if any(name in entity.schema.properties for name in props):
        return f"{value!r} is not a valid {props[0]}"
    return f"a {entity.schema.name} has no {props[0]} ({value!r})"


def phone_number(text: str) -> str:
    """OFAC writes international numbers without `+` (`8613314257947`, `(971)(4222)`)."""
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits if digits.startswith("+") else "+" + digits


@dataclass
class Builder:
    """Turns entries into records, collecting issues (by default against the primary file)."""

    layout: ListLayout
    index: NameIndex
    issues: list[Issue]

    def issue(
        self,
        entry: Entry,
        kind: str,
        message: str,
        *,
        row: int | None = None,
        file: str | None = None,
    ) -> None:
        """Record an issue about an entry (by default: its row of the primary file)."""
        self.issues.append(
            Issue(file or self.layout.primary, row or entry.row.line, kind, message, entry.party_id)
        )

    def build(self, entry: Entry) -> Record:
        """The entry's party and everything its rows and remarks state."""
        party = make_entity(entry.schema, entry.party_id)
        record = Record(party)
        cells = [cell(c) for c in entry.row.cells]
        add(party, "name", entry.name)
        if entry.schema == "Person":
            self.name_parts(party, entry.name)
        programs = program_codes(cells[3])
        for program in programs:
            add(party, "program", program)
        add(party, "sourceUrl", self.layout.source_url)
        # The URL is added through the cached cleaner: URL cleaning is slow.
        sanction = make_sanction(party, AUTHORITY, program=programs, authority_id=entry.ent_num)
        add(sanction, "sourceUrl", self.layout.source_url)
        add(sanction, "description", f"OFAC {self.layout.list_name}")
        record.derived.append(sanction)
        self.columns(entry, party, record, cells)
        for prop, name in entry.aliases:
            add(party, prop, name)
        for text, country, row in entry.addresses:
            add(party, "address", text)
            if country:
                self.country(
                    entry, party, ("country",), country, row=row.line, file=self.layout.add
                )
        seen: set[str] = set()
        for fact in entry.facts:
            self.apply(entry, party, sanction, record, fact, seen)
        return record

    @staticmethod
    def name_parts(party: EntityProxy, name: str) -> None:
        """`KANG, Kyong Il` → lastName KANG, firstName `Kyong Il`; a `Jr.` → nameSuffix."""
        if "," not in name:
            return
        last, _, given = name.partition(",")
        given = given.strip()
        suffix = re.search(r",\s*(Jr\.?|Sr\.?|I{2,3}|IV)$", given)
        if suffix:
            add(party, "nameSuffix", suffix[1])
            given = given[: suffix.start()].strip()
        add(party, "lastName", last.strip())
        add(party, "firstName", given)

    def columns(self, entry: Entry, party: EntityProxy, record: Record, cells: list[str]) -> None:
        """Title, call sign, vessel type, tonnages, flag and owner columns."""
        title, call_sign, vess_type, tonnage, grt, flag, owner = cells[4:11]
        line = entry.row.line
        for props, value, column in (
            (("position",), title, "Title"),
            (("callSign",), call_sign, "Call_Sign"),
            (("type",), vess_type, "Vess_type"),
            (("tonnage",), tonnage, "Tonnage"),
            (("grossRegisteredTonnage",), grt, "GRT"),
        ):
            if value and put(party, props, value) is None:
                add(party, "notes", f"{column}: {value}")
                self.issue(
                    entry,
                    "unusable-value",
                    f"{column}: {misfit(party, props, value)}; kept as a note",
                    row=line,
                )
        if flag:
            self.country(entry, party, ("flag", "country"), flag)
        if owner:
            owners = [i for i in self.index.resolve(owner) if i != entry.party_id]
            if owners and entry.schema in ("Vessel", "Airplane"):
                for owner_id in owners:
                    record.derived.append(
                        make_link(owner_id, entry.party_id, "Vessel owner", schema="Ownership")
                    )
            else:
                # Owners are often companies that are not listed themselves: a note suffices.
                add(party, "notes", f"Vessel owner: {owner}")

    def country(
        self,
        entry: Entry,
        party: EntityProxy,
        props: Sequence[str],
        text: str,
        *,
        row: int | None = None,
        file: str | None = None,
    ) -> None:
        """A country as written → its ISO code on the first fitting property, else a note.

        OFAC's own markers for an unknown country (`undetermined`, `None Identified`) are
        skipped: they state no country.
        """
        if text.strip().lower() in NO_COUNTRY:
            return
        code = iso_country(text)
        if code is None or put(party, props, code) is None:
            add(party, "notes", f"{props[0]}: {text}")
            self.issue(
                entry,
                "unknown-country",
                f"country {text!r} ({props[0]}) is not a known country; kept as a note",
                row=row,
                file=file,
            )

    def apply(
        self,
        entry: Entry,
        party: EntityProxy,
        sanction: EntityProxy,
        record: Record,
        fact: Fact,
        seen: set[str],
    ) -> None:
        """Put one remark fact where it belongs; what does not fit stays in the notes."""
        kind = fact.kind
        if kind == "note":
            add(party, "notes", fact.value)
        elif kind == "fragment":
            self.issue(
                entry,
                "truncated-clause",
                f"last remark clause {fact.value!r} is cut off at 1,000 characters; not stored",
            )
        elif kind == "sanctionInfo":
            add(sanction, "provisions", fact.value)
        elif kind == "unparsed":
            add(party, "notes", fact.value)
            self.issue(entry, "unparsed-remark", f"remark clause not understood: {fact.value!r}")
        elif kind == "weakAlias":
            add(party, "weakAlias", fact.value)
        elif kind == "link" or kind == "operator":
            self.link(entry, party, record, fact)
        elif kind == "wallet":
            self.wallet(entry, party, record, fact, seen)
        elif kind == "truncatedWallet":
            self.issue(
                entry,
                "truncated-address",
                f"{fact.label} address {fact.value!r} is cut off at the end of the "
                "truncated remark; not stored as a wallet",
            )
        elif kind in COUNTRY_KINDS:
            self.country(entry, party, choices(kind), fact.value)
        elif kind in DATE_KINDS and implausible(fact.value):
            add(party, "notes", fact.clause)
            self.issue(
                entry, "implausible-date", f"{kind} {fact.value} is implausible; kept as a note"
            )
        else:
            value = phone_number(fact.value) if kind == "phone" else fact.value
            props = choices(kind)
            if put(party, props, value) is None:
                add(party, "notes", fact.clause)
                self.issue(
                    entry, "unusable-value", f"{misfit(party, props, fact.value)}; kept as a note"
                )
            elif kind in IDENTIFIER_KINDS and party.schema.is_a("LegalEntity"):
                record.derived.append(self.identification(party, fact))

    def identification(self, party: EntityProxy, fact: Fact) -> EntityProxy:
        """A Passport or Identification entity for an identifier fact, held by the party."""
        assert party.id is not None
        country = iso_country(fact.country) if fact.country else None
        schema = "Passport" if fact.kind == "passportNumber" else "Identification"
        kind = "passport" if schema == "Passport" else "id"
        ident = make_entity(
            schema, derived_id(party.id, kind, fact.label, fact.value, country or fact.country)
        )
        add(ident, "holder", party.id)
        add(ident, "number", fact.value)
        add(ident, "type", fact.label)
        add(ident, "country", country)
        add(ident, "startDate", fact.issued)
        add(ident, "endDate", fact.expires)
        details = [d for d in (fact.detail, None if country else fact.country) if d]
        add(ident, "description", "; ".join(details) or None)
        return ident

    def link(self, entry: Entry, party: EntityProxy, record: Record, fact: Fact) -> None:
        """`Linked To: NAME` (or an aircraft operator) → an UnknownLink to that entry."""
        targets = [t for t in self.index.resolve(fact.value) if t != entry.party_id]
        role = "Linked To" if fact.kind == "link" else "Aircraft operator"
        if not targets:
            add(party, "notes", fact.clause)
            if fact.kind == "link":
                self.issue(
                    entry,
                    "unresolved-link",
                    f"Linked To {fact.value!r} matches no entry of the file; kept as a note",
                )
            return
        if len(targets) > 1:
            self.issue(
                entry,
                "ambiguous-link",
                f"{role} {fact.value!r} matches "
                f"{len(targets)} entries: {', '.join(targets)}; linked to each",
            )
        for target in targets:
            record.derived.append(make_link(entry.party_id, target, role))

    def wallet(
        self, entry: Entry, party: EntityProxy, record: Record, fact: Fact, seen: set[str]
    ) -> None:
        """A CryptoWallet for every complete listed address.

        An address that fails its chain's check is still what the list says, and screening
        must find it: it is stored as listed and flagged (OFAC lists a Tron address as XBT,
        and a 64-hex string as XMR).
        """
        currency = fact.label or ""
        check = check_address(currency, fact.value)
        if check.valid is False:
            self.issue(
                entry,
                "invalid-address",
                f"{currency} address {fact.value!r} fails its {check.chain} check "
                f"({check.reason}); stored as listed",
            )
        wid = wallet_id(entry.party_id, currency, fact.value)
        if wid in seen:
            return
        seen.add(wid)
        wallet = make_entity("CryptoWallet", wid)
        add(wallet, "publicKey", fact.value)
        add(wallet, "currency", currency)
        add(wallet, "holder", entry.party_id)
        add(wallet, "topics", "sanction")
        record.derived.append(wallet)


def _parse(paths: Sequence[Path], layout: ListLayout) -> ParseResult:
    """Read the files of one version of a list into records (one per entry)."""
    issues: list[Issue] = []
    files = assign_files(paths, layout, issues)
    with gc_paused():
        entries = read_entries(files["primary"], layout, issues)
        attach_comments(entries, files.get("comments"), issues)
        mark_truncated(entries.values(), layout.primary, issues)
        attach_aliases(entries, files.get("alt"), issues)
        attach_addresses(entries, files.get("add"), issues)
        for entry in entries.values():
            entry.facts = parse_remarks(entry.remarks, truncated=entry.truncated)
        builder = Builder(layout, NameIndex.build(entries.values()), issues)
        records = [builder.build(entry) for entry in entries.values()]
    return ParseResult(records=records, published=None, issues=issues)
