"""Australia DFAT consolidated list (`regulation8_consolidated.xlsx`) → one record per reference.

Layout: one header row (Reference, Name of Individual or Entity, Type, Name Type, Date of
Birth, Place of Birth, Citizenship, Address, Additional Information, Listing Information,
Committees, Control Date), then one row per name. `Reference` 2, 2a, 2b … are names of
the same entry: the base reference (its leading number) is the key, id `au-dfat-<base>`.
Columns are found by header name; trailing blank rows are ignored.

How the list's conventions are read:

- `Type` and `Name Type` are written with stray spaces and any case; they are normalised.
  Type Individual → Person, Entity → Organization, Vessel → Vessel. Name Type
  `Primary Name` and `Original Script` → name, `aka` → alias, `Formerly known as` /
  `Previously listed as` → previousName. The list gives no name parts and no alias quality.
- Dates of birth are cells holding a date, a year, or free text (`a) Approximately
  1955- 1958 b) Approximately 1945-1950`, `12/05/1960`, `1965 or 1966`). Every date read
  becomes an ISO prefix in birthDate; a range of years adds every year when it spans at most
  five years, otherwise its two ends. Approximations, ranges and annotations are ordinary
  data: the text is written into `notes` (`Date of birth: …`). A part that cannot be read at
  all is also reported as an issue.
- `Citizenship` (`a) German b) Moroccan`, `Russian and Ukrainian`) → citizenship codes; a
  part naming no country stays in notes and is reported. `Place of Birth` and `Address`
  are split at `a) b)` markers; `NA` means none.
- UN references: the file does not carry an entry's own UN reference as a field. The
  references in `Additional Information` are, all but a handful, those of *other* UN
  entries the entry is associated with (`Member of … Al-Qaida in Iraq (QDe.115)`), so they
  are left in notes. Only a reference that opens Additional Information (`QDi.349
  Passport no.: …`) is the entry's own and becomes Sanction.unscId.
- One Sanction per entry: authority Australia DFAT, program = Committees (`1718 (DPRK)`,
  `Autonomous (Russia)`), authorityId = the base reference, listingDate = the first date
  in Listing Information (whose full text becomes the Sanction's description), modifiedAt =
  Control Date.
- `published`: the file states no publication date in its cells. The workbook's own
  `modified` property (docProps/core.xml) is used; without it, the latest Control Date.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources.base import (
    Issue,
    ParseContext,
    ParseResult,
    Record,
    canonical_props,
    gather,
    make_entity,
    make_sanction,
    read_bytes,
    unique,
)
from sanctum.sources.readers import (
    Workbook,
    cell_text,
    column_positions,
    find_header,
    read_xlsx,
)
from sanctum.values import MONTHS, country_code, from_datetime, implausible, parse_date

AUTHORITY = "Australia DFAT"
SOURCE_URL = "https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx"
ID_PREFIX = "au-dfat-"
SANCTION_COUNTRY = "au"

REFERENCE = "Reference"
NAME = "Name of Individual or Entity"
REQUIRED = (REFERENCE, NAME, "Type", "Name Type")
"""Columns without which a file is not the DFAT consolidated list."""
OPTIONAL = (
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
)
SCHEMATA = {"individual": "Person", "entity": "Organization", "vessel": "Vessel"}
NAME_TYPES = {
    "primary name": "name",
    "original script": "name",
    "aka": "alias",
    "formerly known as": "previousName",
    "previously listed as": "previousName",
}
"""FtM property types whose values this parser produces ready-cleaned."""
NONE_VALUES = frozenset({"na", "n/a", "-", "none", "unknown"})
"""Cell texts that mean 'no value'."""

EARLIEST_BIRTH_YEAR = 1850
"""Earlier years in a date of birth are other calendars (Hijri) or typos: kept as text only."""

RANGE_ALL_YEARS_MAX_SPAN = 5
"""A range of birth years up to this span is stored year by year, else by its two ends."""

CITIZENSHIP_FIXES = {"türkiyish": "tr", "belarussian": "by"}
"""Citizenship words as the list writes them that the country registry does not read."""

BASE_REFERENCE_RE = re.compile(r"\s*(\d+)\s*([A-Za-z]*\d*)\s*$")
MARKER_RE = re.compile(r"(?<![A-Za-z0-9])[a-z]\)")
"""List markers `a)`, `b)` … inside a cell."""
DOB_SPLIT_RE = re.compile(r"[|;\n]|\bor\b|>>|\balt\.?\s*DOB:?", re.IGNORECASE)
APPROX_RE = re.compile(
    r"^(?:approximately|approx\.?|circa|c\.|about|around|possibly|born in)\s*", re.IGNORECASE
)
RANGE_RE = re.compile(r"^(?:between\s+)?(\d{4})\s*(?:-|–|/|to|and)\s*(\d{4})$", re.IGNORECASE)
SHORT_YEAR_RE = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{2})$")
SHORT_NUMERIC_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2})$")
"""Two-digit birth years (`23-Apr-68`, `07/04/62`) are read as 19yy."""
WORD_RE = re.compile(r"[A-Za-z]+")
LISTED_DATE_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}/\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?[ -]*[A-Za-z]{3,9}\.?,?[ -]*\d{4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}"
)
DATE_IN_TEXT_RE = re.compile(
    LISTED_DATE_RE.pattern + r"|[A-Za-z]{3,9}\.?,? \d{4}|(?<![\d/])(?:19|20)\d{2}(?![\d/])"
)
"""A date anywhere in a text: full dates, then month and year, then a bare year."""
UN_REF_RE = re.compile(r"([A-Za-z]{2})([ie])\.\s?(\d{3})\b", re.IGNORECASE)
PROGRAM_RE = re.compile(r"(?:Autonomous|\d{3,4}(?:/\d{3,4})*)\s*\([^)]*\)")


# --------------------------------------------------------------------------- reading


@dataclass
class Sheet:
    """The rows of the file after its header: (file row number, column → raw cell)."""

    path: Path
    modified: date | None
    rows: list[tuple[int, dict[str, object]]]


def read_workbook(path: Path) -> Workbook:
    """The first worksheet's rows and the workbook's `modified` date; ParseError if damaged."""
    data = read_bytes(path)
    if data[:2] != b"PK":
        raise ParseError(str(path), "not an XLSX workbook (expected the DFAT consolidated XLSX)")
    return read_xlsx(path, data)


def read_sheet(path: Path, issues: list[Issue]) -> Sheet:
    """Read the workbook into header-keyed rows, checking layout and references."""
    rows, modified = read_workbook(path)
    header_index = find_header(path, rows, REQUIRED, "the DFAT consolidated list")
    columns, absent = column_positions(
        path, header_index, rows[header_index], REQUIRED, OPTIONAL, issues
    )
    keyed: list[tuple[int, dict[str, object]]] = []
    for index in range(header_index + 1, len(rows)):
        raw = rows[index]
        values: dict[str, object] = dict.fromkeys(absent)
        values.update({c: raw[i] if i < len(raw) else None for c, i in columns.items()})
        if not any(cell_text(v) for v in values.values()):
            continue
        if not cell_text(values[REFERENCE]):
            raise ParseError(str(path), "row has no Reference (the entry key)", row=index + 1)
        keyed.append((index + 1, values))
    if not keyed:
        raise ParseError(str(path), "no entries below the header (truncated file?)")
    return Sheet(path, modified, keyed)


def base_reference(path: Path, row: int, reference: str) -> str:
    """The entry key of a Reference (`2`, `2a`, `34c1` → `2`, `2`, `34`)."""
    m = BASE_REFERENCE_RE.fullmatch(reference)
    if not m:
        raise ParseError(str(path), "Reference is not a number with a suffix", row)
    return m[1]


# --------------------------------------------------------------------------- values


def normalised(value: object) -> str:
    """A label cell (Type, Name Type) in one form: spacing collapsed, lower case."""
    return cell_text(value).casefold()


def items(value: str) -> list[str]:
    """Split a cell at `a) b)` markers (and `;`/new lines); 'NA' parts are dropped."""
    parts = re.split(r"[|;\n]", MARKER_RE.sub("|", value))
    cleaned = (p.strip().strip(",.").strip() for p in parts)
    return [p for p in cleaned if p and p.casefold() not in NONE_VALUES]


@dataclass
class BirthDates:
    """What a date-of-birth cell says: ISO dates, and whether the text needs keeping."""

    dates: list[str] = field(default_factory=list)
    keep_text: bool = False
    unread: list[str] = field(default_factory=list)


def month_words(piece: str) -> str:
    """Month words in a form the date reader knows (`Aprl` → Apr, `Sept.` → Sep)."""

    def fix(m: re.Match[str]) -> str:
        word = m[0]
        low = word.casefold()
        if low in MONTHS or len(word) < 3 or low[:3] not in MONTHS:
            return word
        return word[:3]

    return WORD_RE.sub(fix, piece)


def year_range(start: int, end: int) -> list[str]:
    """Birth years of a range: every year when short, else the two ends."""
    if end < start:
        start, end = end, start
    if end - start <= RANGE_ALL_YEARS_MAX_SPAN:
        return [str(y) for y in range(start, end + 1)]
    return [str(start), str(end)]


def tidy_date(piece: str) -> str:
    """Spacing and punctuation of a date as the date reader wants it (`21. Jul`, `11-Sep-2000`,
    `09/11/ 1954`)."""
    s = re.sub(r"(?<=\d)\.\s+(?=[A-Za-z])", " ", piece)
    s = re.sub(r"(?<=[A-Za-z])-(?=\d)|(?<=\d)-(?=[A-Za-z])", " ", s)
    s = re.sub(r"\s*/\s*", "/", s)
    return " ".join(s.split()).strip(",. ")


def dates_in(piece: str) -> list[str]:
    """Every date written somewhere in a text (`15 May 1968 1970` → both)."""
    found: list[str] = []
    for m in DATE_IN_TEXT_RE.finditer(piece):
        iso = parse_date(month_words(m[0]))
        if iso and plausible_birth(iso):
            found.append(iso)
    return found


def birth_piece(piece: str) -> tuple[list[str], bool]:
    """ISO dates of one alternative (`Approximately 1955- 1958`, `23-Apr-68`) and whether
    it was plain (nothing approximate, ranged, annotated or picked out of other words)."""
    s = re.sub(r"\([^)]*\)", " ", piece)
    if not s.strip(" ,.;"):
        s = piece
    s = s.replace("(", " ").replace(")", " ")
    plain = s.split() == piece.split()
    s = tidy_date(s)
    approx = APPROX_RE.sub("", s)
    if approx != s:
        plain, s = False, approx.strip()
    m = RANGE_RE.fullmatch(s)
    if m:
        return year_range(int(m[1]), int(m[2])), False
    m = SHORT_YEAR_RE.fullmatch(s)
    if m:
        plain, s = False, f"{m[1]} {m[2]} 19{m[3]}"
    m = SHORT_NUMERIC_RE.fullmatch(s)
    if m:
        plain, s = False, f"{m[1]}/{m[2]}/19{m[3]}"
    iso = parse_date(month_words(s))
    if iso is not None and plausible_birth(iso):
        return [iso], plain
    return dates_in(s), False


def plausible_birth(iso: str) -> bool:
    """A birth date in the range of living people's (a Hijri `1402` year is not)."""
    return int(iso[:4]) >= EARLIEST_BIRTH_YEAR and not implausible(iso)


@functools.lru_cache(maxsize=4096)
def birth_text(value: str) -> BirthDates:
    """Read a free-text date-of-birth cell into its dates (see module docstring)."""
    result = BirthDates()
    marked = MARKER_RE.sub("|", value)
    pieces = [p.strip() for p in DOB_SPLIT_RE.split(marked)]
    for piece in (p for p in pieces if p.strip(" ,.")):
        dates, plain = birth_piece(piece)
        if not dates:
            result.unread.append(piece)
        result.dates.extend(d for d in dates if d not in result.dates)
        result.keep_text = result.keep_text or not plain
    return result


def birth_dates(value: object) -> BirthDates:
    """Dates of birth of a cell holding a date, a year number or text."""
    if isinstance(value, datetime | date):
        iso = from_datetime(value)
        return BirthDates([iso] if iso else [], keep_text=iso is None)
    if isinstance(value, int | float):
        iso = parse_date(str(int(value)))
        return BirthDates([iso] if iso else [], unread=[] if iso else [str(value)])
    shown = cell_text(value)
    if shown.casefold() in NONE_VALUES:
        return BirthDates()
    return birth_text(shown)


@functools.lru_cache(maxsize=4096)
def citizenship_codes(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Country codes of a Citizenship cell, and the parts naming no country."""
    codes: list[str] = []
    unread: list[str] = []
    for part in re.split(r"[|;/,\n]|\band\b", MARKER_RE.sub("|", value)):
        word = part.strip().strip(".").strip()
        if not word or word.casefold() in NONE_VALUES:
            continue
        plain = re.sub(r"\s*\([^)]*\)", "", word)
        plain = re.sub(r"^possibly\s+", "", plain, flags=re.IGNORECASE).strip()
        code = CITIZENSHIP_FIXES.get(plain.casefold()) or country_code(plain)
        if code:
            codes.append(code)
        else:
            unread.append(word)
    return tuple(codes), tuple(unread)


def listing_date(value: object) -> str | None:
    """The listing date: a date cell, or the first date written in Listing Information."""
    if isinstance(value, datetime | date):
        return from_datetime(value)
    for m in LISTED_DATE_RE.finditer(cell_text(value)):
        iso = parse_date(month_words(re.sub(r"(?<=\d)(?:st|nd|rd|th)", "", m[0])))
        if iso and len(iso) == 10:
            return iso
    return None


def own_un_reference(additional: str) -> str | None:
    """The entry's own UN reference: one that opens Additional Information (`Qdi.348 …`)."""
    m = UN_REF_RE.match(additional)
    return f"{m[1].upper()}{m[2].lower()}.{m[3]}" if m else None


def programs(committees: str) -> list[str]:
    """Committees as programs; a cell naming two (`1970 (Libya) 1973 (Libya)`) gives two."""
    found = PROGRAM_RE.findall(committees)
    return found if len(found) > 1 else [committees] if committees else []


# --------------------------------------------------------------------------- entries


@dataclass
class Entry:
    """The rows of one base reference and what is being built from them."""

    path: Path
    reference: str
    rows: list[tuple[int, dict[str, object]]]
    issues: list[Issue]
    party: EntityProxy = field(init=False)
    props: dict[str, list[str]] = field(default_factory=dict)
    """Values gathered for the party, added in one go by :meth:`flush` (FtM adds are slow)."""

    def values(self, column: str) -> list[str]:
        """Distinct non-empty texts of a column over the entry's rows, in file order."""
        return unique(cell_text(v[column]) for _, v in self.rows)

    def note(self, kind: str, message: str, row: int | None = None) -> None:
        """Record an issue about this entry."""
        self.issues.append(Issue(str(self.path), row, kind, message, ID_PREFIX + self.reference))

    def put(self, prop: str, values: Iterable[str | None]) -> None:
        """Gather values for the party; values its schema cannot hold go to notes + issue."""
        gather(self.props, self.party, prop, values, self.note)

    def flush(self) -> None:
        """Add the gathered values to the party, each property once, without repeats."""
        clean = canonical_props(self.party.schema.name)
        for prop, values in self.props.items():
            self.party.add(prop, unique(values), cleaned=prop in clean)
        self.props.clear()


def schema_of(entry: Entry) -> str:
    """FtM schema from Type; an unknown or mixed type becomes LegalEntity + issue."""
    types = unique(normalised(v["Type"]) for _, v in entry.rows)
    schema = SCHEMATA.get(types[0]) if types else None
    if schema is None or len(types) > 1:
        entry.note("schema", f"Type {types!r}", entry.rows[0][0])
    return schema or "LegalEntity"


def add_names(entry: Entry) -> None:
    """Names by Name Type; an entry without a primary name uses its first name row."""
    for row, v in entry.rows:
        name = cell_text(v[NAME])
        if not name:
            entry.note("name", "row without a name", row)
            continue
        kind = normalised(v["Name Type"])
        prop = NAME_TYPES.get(kind)
        if prop is None:
            entry.note(
                "name-type", f"unknown Name Type {cell_text(v['Name Type'])!r}, kept as alias", row
            )
            prop = "alias"
        entry.put(prop, [name])
    if "name" not in entry.props:
        first = cell_text(entry.rows[0][1][NAME])
        entry.note("name", f"no Primary Name row; {first!r} used as name")
        entry.put("name", [first])


def add_birth(entry: Entry) -> None:
    """Dates of birth (see module docstring) and places of birth."""
    seen: set[str] = set()
    for row, v in entry.rows:
        raw = v["Date of Birth"]
        shown = cell_text(raw)
        if not shown or shown in seen:
            continue
        seen.add(shown)
        found = birth_dates(raw)
        entry.put("birthDate", found.dates)
        if found.keep_text or found.unread:
            entry.put("notes", [f"Date of birth: {shown}"])
        if found.unread:
            entry.note("birth-date", f"unread date of birth {'; '.join(found.unread)!r}", row)
    for value in entry.values("Place of Birth"):
        entry.put("birthPlace", items(value))


def add_citizenship(entry: Entry) -> None:
    """Citizenship codes (country for non-persons); unreadable parts kept in notes."""
    prop = "citizenship" if entry.party.schema.is_a("Person") else "country"
    for value in entry.values("Citizenship"):
        codes, unread = citizenship_codes(value)
        entry.put(prop, codes)
        if unread:
            entry.put("notes", [f"Citizenship: {value}"])
            entry.note("country", f"citizenship: no country code for {'; '.join(unread)}")


def add_addresses(entry: Entry) -> None:
    """Address texts, and the country each one ends with when it names one."""
    for value in entry.values("Address"):
        for address in items(value):
            entry.put("address", [address])
            entry.put("country", [country_code(address.rsplit(",", 1)[-1])])


def sanction(entry: Entry) -> EntityProxy:
    """The entry's Sanction."""
    rows = [v for _, v in entry.rows]
    listing = entry.values("Listing Information")
    listed = unique(listing_date(v["Listing Information"]) or "" for v in rows)
    additional = entry.values("Additional Information")
    un_refs = unique(own_un_reference(a) or "" for a in additional)
    result = make_sanction(
        entry.party,
        AUTHORITY,
        program=[p for c in entry.values("Committees") for p in programs(c)],
        listing_date=min(listed) if listed else None,
        source_url=SOURCE_URL,
        authority_id=entry.reference,
        country=SANCTION_COUNTRY,
    )
    result.add("unscId", un_refs)
    result.add("description", listing)
    result.add("modifiedAt", unique(from_datetime(v["Control Date"]) or "" for v in rows))
    return result


def build(entry: Entry) -> Record:
    """The record of one base reference."""
    entry.party = make_entity(schema_of(entry), ID_PREFIX + entry.reference)
    add_names(entry)
    if entry.party.schema.is_a("Person"):
        add_birth(entry)
    else:
        for column in ("Date of Birth", "Place of Birth"):
            entry.put("notes", [f"{column}: {t}" for t in entry.values(column)])
    add_citizenship(entry)
    add_addresses(entry)
    entry.put("notes", entry.values("Additional Information"))
    entry.put("program", [p for c in entry.values("Committees") for p in programs(c)])
    entry.put("sourceUrl", [SOURCE_URL])
    entry.flush()
    return Record(entry.party, [sanction(entry)])


def latest_control_date(sheet: Sheet) -> date | None:
    """The newest Control Date of the list."""
    dates = [v["Control Date"] for _, v in sheet.rows]
    stamps = [d.date() if isinstance(d, datetime) else d for d in dates if isinstance(d, date)]
    return max(stamps) if stamps else None


def parse(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Parse the DFAT consolidated XLSX of one version into one record per base reference."""
    records: list[Record] = []
    issues: list[Issue] = []
    published: list[date] = []
    seen: dict[str, Path] = {}
    for path in map(Path, paths):
        sheet = read_sheet(path, issues)
        stamp = sheet.modified or latest_control_date(sheet)
        if stamp:
            published.append(stamp)
        groups: dict[str, list[tuple[int, dict[str, object]]]] = {}
        for row, values in sheet.rows:
            key = base_reference(path, row, cell_text(values[REFERENCE]))
            groups.setdefault(key, []).append((row, values))
        for key, rows in groups.items():
            if key in seen:
                raise ParseError(str(path), f"Reference {key} also in {seen[key]}", rows[0][0])
            seen[key] = path
            records.append(build(Entry(path, key, rows, issues)))
    return ParseResult(records, max(published) if published else None, issues)
