"""UK OFSI consolidated list (ConList layout, XLSX or CSV) → one record per Group ID.

Layout: row 1 `Last Updated` + date (→ `published`), row 2 the header, then one row per
name. A party's facts are repeated on each of its name rows and the list multiplies rows
for every combination of name × date of birth × address × regime, so every value is read
from all rows of the group and de-duplicated. Columns are found by header name.

How the list's conventions are read:

- Schema: Group Type `Individual` → Person, `Entity` → Organization, `Ship` → Vessel.
- Names: the list's own full form is `Name 1 … Name 5 Name 6` (`Name 6` is the surname
  column). Alias Type `Primary name` → name, `Primary name variation` / `AKA` → alias
  (Alias Quality `Low quality` → weakAlias), `FKA` → previousName. `Name Non-Latin Script`
  is the same name in its original script and goes to the same property as its row.
  For individuals the surname-first form `Name 6 Name 1 … Name 5` is kept as well (alias,
  weakAlias or previousName), so matching does not depend on which order a query uses.
- Name-order trap: entries taken over from the UN DPRK list (UN Ref `KPi.…`) put the family
  name in `Name 1` and the given names in `Name 6` (`PAE` / `WON` / `UK` is PAE Won Uk).
  Their list form `Name 1 … Name 6` is already the UN spelling, so only the parts differ:
  lastName = Name 1 and firstName = the rest. Elsewhere firstName = Name 1, middleName =
  Name 2-5, lastName = Name 6. Parts are taken from `Primary name` rows only.
- `Other Information` is kept whole in `notes`; labelled fields inside it are read:
  `(UK Sanctions List Ref):DPR0264` → Sanction.authorityId, `(UN Ref):KPi.066` →
  Sanction.unscId, `(UK Statement of Reasons)` → Sanction.reason, and gender, phone, email,
  website, business registration number, type of entity, ship IMO number, flags, type,
  tonnage and year built.
- One Sanction per Regime with its `Listed On` date (listingDate), `UK Sanctions List Date
  Designated` (date) and `Last Updated` (modifiedAt). An entry lists its references once
  for all its regimes, so every Sanction of the entry carries all of them.
- Numbered values `(1) A (2) B` (nationalities, passports, titles …) are split; passport
  numbers become Passport entities and national identification numbers Identification
  entities, paired with their `(n)` details.
- Country texts no registry reads (`Uzbek SSR`) stay in notes and are reported as issues.
- CSV: UTF-8 (with or without BOM); a file that is not UTF-8 at all is read as Windows-1252
  (Latin-1 if it holds bytes Windows-1252 lacks) and noted as an issue; UTF-16, or a UTF-8
  file with stray single-byte characters (mixed encodings), is refused naming the line.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources import readers
from sanctum.sources.base import (
    Issue,
    ParseContext,
    ParseResult,
    Record,
    canonical_props,
    derived_id,
    gather,
    make_entity,
    make_sanction,
    read_bytes,
    unique,
)
from sanctum.sources.readers import cell_text, column_positions, find_header, read_xlsx
from sanctum.values import country_code, implausible, parse_date

AUTHORITY = "UK HM Treasury OFSI"
SOURCE_URL = "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv"
ID_PREFIX = "uk-ofsi-"
SANCTION_COUNTRY = "gb"

NAME_PARTS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5")
SURNAME = "Name 6"
GROUP_ID = "Group ID"
REQUIRED = (SURNAME, *NAME_PARTS, "Group Type", "Alias Type", "Regime", GROUP_ID)
"""Columns without which a file is not the ConList layout."""
ADDRESS_PARTS = (
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
    "Country",
)
OPTIONAL = (
    "Title",
    "Name Non-Latin Script",
    "Non-Latin Script Type",
    "Non-Latin Script Language",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
    "Position",
    *ADDRESS_PARTS,
    "Other Information",
    "Alias Quality",
    "Listed On",
    "UK Sanctions List Date Designated",
    "Last Updated",
)
PERSON_ONLY_COLUMNS = (
    "Title",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Position",
)
"""Columns read into Person properties; on other parties their text is kept in notes."""
"""FtM property types whose values this parser produces ready-cleaned."""
NAME_STRENGTH = ("name", "alias", "weakAlias")
"""Name properties from strongest to weakest."""
SCHEMATA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
FAMILY_NAME_FIRST_UN_PREFIX = "KP"
"""UN reference prefix of entries whose `Name 1` holds the family name (UN DPRK list)."""

LABELS = (
    "UK Sanctions List Ref",
    "UN Ref",
    "UK Statement of Reasons",
    "Gender",
    "Phone number",
    "Website",
    "Email address",
    "Type of entity",
    "Business Reg No",
    "Parent company",
    "Subsidiaries",
    "IMO number",
    "Flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
    "Current owners",
)
LABEL_RE = re.compile(r"\((" + "|".join(re.escape(lb) for lb in LABELS) + r")\):", re.IGNORECASE)
UK_REF_RE = re.compile(r"[A-Z]{3}\d{4}")
UN_REF_RE = re.compile(r"([A-Za-z]{2})([A-Za-z])\.\s?(\d{3})\b")
REF_SEPARATOR_RE = re.compile(r"\s*(?:,|&|/|\band\b)?\s*")
NUMBERED_RE = re.compile(r"\(\d+(?:\s*-\s*\d+)?\)")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DOB_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

COUNTRY_FIXES = {
    "congo (democratic republic)": "cd",
    "occupied palestinian territories": "ps",
    "bosnia-herzegovina": "ba",
    "repubic of moldova": "md",
}
"""Country names as the UK list writes them that the country registry does not read."""

PROPERTY_LABELS = {
    "Gender": "gender",
    "Phone number": "phone",
    "Website": "website",
    "Type of entity": "legalForm",
    "Business Reg No": "registrationNumber",
    "Type of ship": "type",
    "Tonnage of ship": "tonnage",
}
"""Labelled fields of `Other Information` copied as they are into a party property."""


# --------------------------------------------------------------------------- reading


@dataclass
class Sheet:
    """The rows of one file after its header: (file row number, column → text)."""

    path: Path
    published: date | None
    rows: list[tuple[int, dict[str, str]]]
    issues: list[Issue] = field(default_factory=list)


def header_key(text: str) -> str:
    """Header cell normalised for comparison (case, spacing, trailing `?`)."""
    return readers.header_key(text.strip().rstrip("?"))


def decode_csv(path: Path, data: bytes) -> tuple[str, list[Issue]]:
    """CSV bytes as text: UTF-8 (BOM optional), else wholly Windows-1252; else ParseError."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data:
        raise ParseError(str(path), "file is UTF-16 or binary; expected UTF-8 or Windows-1252 CSV")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if re.search(rb"[\xc2-\xf4][\x80-\xbf]", data):
            raise ParseError(
                str(path),
                f"invalid UTF-8 byte 0x{data[exc.start]:02x} in a UTF-8 file (mixed encodings)",
                row=line,
            ) from exc
    try:
        text, name = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, name = data.decode("latin-1"), "Latin-1"
    issue = Issue(str(path), None, "encoding", f"file is not UTF-8; read as {name}")
    return text, [issue]


def csv_rows(path: Path, data: bytes) -> tuple[list[list[object]], list[Issue]]:
    """All rows of a ConList CSV; an unterminated quoted field is a ParseError."""
    text, issues = decode_csv(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows: list[list[object]] = [list(row) for row in reader]
    except csv.Error as exc:
        raise ParseError(
            str(path), f"malformed CSV (truncated?): {exc}", row=reader.line_num
        ) from exc
    return rows, issues


def published_date(rows: list[list[object]]) -> date | None:
    """The `Last Updated` date written above the header (row 1 in official files)."""
    for row in rows:
        cells = [cell_text(c) for c in row]
        if cells and header_key(cells[0]) == "last updated" and len(cells) > 1:
            iso = parse_date(cells[1])
            if iso and len(iso) == 10:
                return date.fromisoformat(iso)
    return None


def read_sheet(path: Path) -> Sheet:
    """Read one XLSX or CSV file into header-keyed rows, checking layout and completeness."""
    data = read_bytes(path)
    issues: list[Issue] = []
    is_xlsx = data[:2] == b"PK"
    if is_xlsx:
        rows = read_xlsx(path, data).rows
    else:
        rows, issues = csv_rows(path, data)
    header_index = find_header(path, rows, REQUIRED, "the OFSI ConList layout", header_key)
    header = [cell_text(c) for c in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    columns, absent = column_positions(
        path, header_index, header, REQUIRED, OPTIONAL, issues, header_key
    )
    blank = dict.fromkeys(absent, "")
    keyed: list[tuple[int, dict[str, str]]] = []
    for index in range(header_index + 1, len(rows)):
        raw = rows[index]
        cells = [cell_text(c) for c in raw]
        if not any(cells):
            continue
        row_number = index + 1
        if is_xlsx:
            cells += [""] * (len(header) - len(cells))
        elif len(cells) < len(header):
            raise ParseError(
                str(path),
                f"row has {len(cells)} fields, the header has {len(header)} (truncated file?)",
                row=row_number,
            )
        values = {c: cells[i] for c, i in columns.items()} | blank
        if not values[GROUP_ID]:
            raise ParseError(str(path), "row has no Group ID (the entry key)", row=row_number)
        keyed.append((row_number, values))
    if not keyed:
        raise ParseError(str(path), "no entries below the header (truncated file?)")
    return Sheet(path, published_date(rows[:header_index]), keyed, issues)


# --------------------------------------------------------------------------- values


def numbered(text: str) -> list[str]:
    """Split `(1) A (2) B` into ['A', 'B']; plain text gives [text]; '' gives []."""
    parts = NUMBERED_RE.split(text)
    return [p.strip().strip(".;,").strip() for p in parts if p.strip().strip(".;,-").strip()]


def country_codes(text: str) -> tuple[list[str], list[str]]:
    """ISO codes of a country field, and the parts that name no country."""
    codes: list[str] = []
    unread: list[str] = []
    for part in numbered(text):
        found = one_country(part)
        if found is None:
            pieces = [p for p in re.split(r"[.,;/]|\band\b", part) if p.strip()]
            found_parts = [one_country(p) for p in pieces]
            if len(pieces) > 1 and all(found_parts):
                codes.extend(c for c in found_parts if c)
                continue
            unread.append(part)
        else:
            codes.append(found)
    return codes, unread


@functools.lru_cache(maxsize=4096)
def one_country(text: str) -> str | None:
    """ISO code of one country as the list writes it (`Former USSR, now Ukraine` → ua)."""
    key = text.strip().strip(".,").strip()
    if not key or key == "-":
        return None
    fixed = COUNTRY_FIXES.get(key.casefold())
    if fixed:
        return fixed
    now = re.search(r"\b(?:now|currently)\s+([^()]+)", key, re.IGNORECASE)
    if now:
        return one_country(now[1])
    plain = re.sub(r"\s*\([^)]*\)", "", key)
    plain = re.sub(r"^former\s+", "", plain, flags=re.IGNORECASE)
    return country_code(key) or country_code(plain)


def document_country(details: str) -> str | None:
    """The country a document's details start with (`Libya number` → ly), if any."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", details)[:3]
    for n in (3, 2, 1):
        phrase = " ".join(words[:n])
        if len(words) >= n and (len(phrase) >= 4 or phrase.isupper()):
            code = country_code(phrase)
            if code:
                return code
    return None


@functools.lru_cache(maxsize=8192)
def uk_date(text: str) -> str | None:
    """`dd/mm/yyyy` with 00 for an unknown day or month → ISO prefix; other forms via dates."""
    m = DOB_RE.fullmatch(text)
    if not m:
        return parse_date(text)
    day, month, year = int(m[1]), int(m[2]), int(m[3])
    if month == 0:
        return parse_date(str(year))
    if day == 0:
        return parse_date(f"{year:04d}-{month:02d}")
    return parse_date(text)


def labelled_fields(text: str) -> dict[str, list[str]]:
    """`(Label):value` segments of Other Information, keyed by the canonical label."""
    canonical = {lb.casefold(): lb for lb in LABELS}
    fields: dict[str, list[str]] = {}
    marks = list(LABEL_RE.finditer(text))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        value = text[mark.end() : end].strip()
        if value:
            fields.setdefault(canonical[mark[1].casefold()], []).append(value)
    return fields


def leading_refs(text: str, pattern: re.Pattern[str]) -> list[str]:
    """References written at the start of a field (`INU0082 and SYR0310. Listed …`)."""
    refs: list[str] = []
    pos = 0
    while True:
        m = pattern.match(text, pos)
        if not m:
            return refs
        refs.append(m[0])
        pos = m.end()
        sep = REF_SEPARATOR_RE.match(text, pos)
        pos = sep.end() if sep else pos


def un_ref(raw: str) -> str:
    """UN reference in its canonical form: `QDE.145` → QDe.145, `CDi. 038` → CDi.038."""
    m = UN_REF_RE.match(raw)
    assert m is not None
    return f"{m[1].upper()}{m[2].lower()}.{m[3]}"


# --------------------------------------------------------------------------- entries


@dataclass
class Entry:
    """The rows of one Group ID and what is being built from them."""

    path: Path
    group_id: str
    rows: list[tuple[int, dict[str, str]]]
    issues: list[Issue]
    party: EntityProxy = field(init=False)
    props: dict[str, list[str]] = field(default_factory=dict)
    """Values gathered for the party, added in one go by :meth:`flush` (FtM adds are slow)."""

    @property
    def party_id(self) -> str:
        """The stable id of the entry's party."""
        return ID_PREFIX + self.group_id

    def values(self, column: str) -> list[str]:
        """Distinct non-empty values of a column over the entry's rows, in file order."""
        return unique(v[column] for _, v in self.rows)

    def note(self, kind: str, message: str, row: int | None = None) -> None:
        """Record an issue about this entry."""
        self.issues.append(Issue(str(self.path), row, kind, message, self.party_id))

    def put(self, prop: str, values: Iterable[str | None]) -> None:
        """Gather values for the party; values its schema cannot hold go to notes + issue."""
        gather(self.props, self.party, prop, values, self.note)

    def flush(self) -> None:
        """Add the gathered values to the party, each property once, without repeats.

        A name given with several qualities keeps the strongest: name over alias over
        weakAlias (the list repeats names on rows of differing quality).
        """
        stronger: set[str] = set()
        for prop in NAME_STRENGTH:
            values = [v for v in unique(self.props.pop(prop, [])) if v not in stronger]
            self.party.add(prop, values)
            stronger.update(values)
        clean = canonical_props(self.party.schema.name)
        for prop, values in self.props.items():
            self.party.add(prop, unique(values), cleaned=prop in clean)
        self.props.clear()

    def countries(self, prop: str, text: str) -> None:
        """Add the countries of a field; unreadable parts go to notes and become an issue."""
        codes, unread = country_codes(text)
        self.put(prop, codes)
        if unread:
            self.put("notes", [f"{prop}: {part}" for part in unread])
            self.note("country", f"{prop}: no country code for {'; '.join(unread)}")


def schema_of(entry: Entry) -> str:
    """FtM schema from Group Type; an unknown or mixed type becomes LegalEntity + issue."""
    types = entry.values("Group Type")
    schema = SCHEMATA.get(types[0].casefold()) if types else None
    if schema is None or len(types) > 1:
        message = f"unknown or mixed Group Type {types!r}; read as LegalEntity"
        issue = Issue(str(entry.path), entry.rows[0][0], "schema", message, entry.party_id)
        entry.issues.append(issue)
    return schema or "LegalEntity"


def name_property(alias_type: str, quality: str) -> str | None:
    """Property for a name row from its Alias Type and Alias Quality; None if unknown."""
    kind = alias_type.casefold()
    if kind == "primary name":
        return "name"
    if kind == "fka":
        return "previousName"
    if kind in ("aka", "primary name variation"):
        return "weakAlias" if quality.casefold().startswith("low") else "alias"
    return None


def family_name_first(un_refs: Sequence[str]) -> bool:
    """True when the entry comes from the UN DPRK list, whose Name 1 is the family name."""
    return any(r.startswith(FAMILY_NAME_FIRST_UN_PREFIX) for r in un_refs)


def add_names(entry: Entry, un_refs: Sequence[str]) -> None:
    """Names, aliases, original-script and surname-first forms, and name parts."""
    person = entry.party.schema.is_a("Person")
    family_first = person and family_name_first(un_refs)
    has_primary = any(v["Alias Type"].casefold() == "primary name" for _, v in entry.rows)
    for row, v in entry.rows:
        prop = name_property(v["Alias Type"], v["Alias Quality"])
        if prop is None:
            entry.note("alias-type", f"unknown Alias Type {v['Alias Type']!r}, kept as alias", row)
            prop = "alias"
        if prop == "alias" and not has_primary and v["Alias Type"].casefold().startswith("primary"):
            prop = "name"
        parts = [v[c] for c in NAME_PARTS if v[c]]
        surname = v[SURNAME]
        full = " ".join([*parts, surname]).strip()
        if not full:
            entry.note("name", "row without a name", row)
            continue
        entry.put(prop, [full, v["Name Non-Latin Script"]])
        if person and parts and surname:
            entry.put("alias" if prop == "name" else prop, [" ".join([surname, *parts])])
        if person and prop == "name" and parts and surname:
            add_name_parts(entry, parts, surname, family_first)
    if not has_primary:
        entry.note("name", "no 'Primary name' row; primary name variations used as names")


def add_name_parts(entry: Entry, parts: list[str], surname: str, family_first: bool) -> None:
    """firstName/middleName/lastName of a primary name (see the module's name-order trap)."""
    if family_first:
        entry.put("lastName", [parts[0]])
        entry.put("firstName", [" ".join([*parts[1:], surname])])
        return
    entry.put("firstName", [parts[0]])
    entry.put("middleName", [" ".join(parts[1:])])
    entry.put("lastName", [surname])


def add_birth(entry: Entry) -> None:
    """Dates and places of birth."""
    for row, v in entry.rows:
        text = v["DOB"]
        if not text:
            continue
        iso = uk_date(text)
        if iso is None or implausible(iso):
            entry.note("birth-date", f"unreadable DOB {text!r} kept in notes", row)
            entry.put("notes", [f"DOB: {text}"])
        else:
            entry.put("birthDate", [iso])
    for town_text, country_text in unique_pairs(entry, "Town of Birth", "Country of Birth"):
        towns, countries = numbered(town_text), numbered(country_text)
        if towns and len(towns) == len(countries):
            places = [", ".join(unique([t, c])) for t, c in zip(towns, countries, strict=True)]
        else:
            places = [*towns, *countries]
        entry.put("birthPlace", places)
        if country_text:
            entry.countries("birthCountry", country_text)


def unique_pairs(entry: Entry, first: str, second: str) -> list[tuple[str, str]]:
    """Distinct non-empty (first, second) column pairs over the entry's rows."""
    pairs = ((v[first], v[second]) for _, v in entry.rows)
    return list(dict.fromkeys(p for p in pairs if p[0] or p[1]))


def add_documents(entry: Entry, derived: list[EntityProxy]) -> None:
    """Passports and national identification numbers, as properties and entities."""
    specs = (
        ("Passport Number", "Passport Details", "Passport", "passportNumber"),
        (
            "National Identification Number",
            "National Identification Details",
            "Identification",
            "idNumber",
        ),
    )
    for number_col, details_col, schema, prop in specs:
        for number_text, details_text in unique_pairs(entry, number_col, details_col):
            numbers, details = numbered(number_text), numbered(details_text)
            if len(details) != len(numbers):
                details = [details_text] * len(numbers)
            for number, detail in zip(numbers, details, strict=True):
                entry.put(prop, [number])
                derived.append(document(entry.party, schema, number, detail))


def document(party: EntityProxy, schema: str, number: str, details: str) -> EntityProxy:
    """A Passport or Identification entity held by the party."""
    assert party.id is not None
    doc = make_entity(schema, derived_id(party.id, schema.lower(), number))
    doc.add("holder", party.id)
    doc.add("number", number)
    doc.add("country", document_country(details))
    doc.add("description", details or None)
    if schema == "Passport":
        doc.add("type", "passport")
    return doc


def add_person_facts(entry: Entry) -> None:
    """Title, position and nationality."""
    for column, prop in (("Title", "title"), ("Position", "position")):
        for text in entry.values(column):
            entry.put(prop, numbered(text))
    for text in entry.values("Nationality"):
        entry.countries("nationality", text)


def add_addresses(entry: Entry) -> None:
    """Full address texts (Address 1-6, post code, country) and country codes."""
    for _, v in entry.rows:
        entry.put("address", [", ".join(v[c] for c in ADDRESS_PARTS if v[c])])
    for text in entry.values("Country"):
        entry.countries("country", text)


def add_other_information(entry: Entry, fields: dict[str, list[str]]) -> None:
    """The Other Information text (notes) and the party facts labelled inside it."""
    entry.put("notes", entry.values("Other Information"))
    for label, prop in PROPERTY_LABELS.items():
        entry.put(prop, [p for value in fields.get(label, []) for p in numbered(value)])
    for value in fields.get("Email address", []):
        entry.put("email", [e.rstrip(".") for e in EMAIL_RE.findall(value)])
    for value in fields.get("IMO number", []):
        entry.put("imoNumber", re.findall(r"\b\d{7}\b", value))
    for value in fields.get("Year built", []):
        entry.put("buildDate", [parse_date(y) for y in re.findall(r"\b\d{4}\b", value)[:1]])
    for label, prop in (("Flag of ship", "flag"), ("Previous flags", "pastFlags")):
        for value in fields.get(label, []):
            entry.countries(prop, value)


def references(entry: Entry, fields: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The entry's own UK Sanctions List and UN references."""
    uk = unique(
        r for f in fields.get("UK Sanctions List Ref", []) for r in leading_refs(f, UK_REF_RE)
    )
    un = unique(un_ref(r) for f in fields.get("UN Ref", []) for r in leading_refs(f, UN_REF_RE))
    if not uk:
        entry.note("reference", "no (UK Sanctions List Ref) in Other Information")
    return uk, un


def sanctions(
    entry: Entry, uk_refs: list[str], un_refs: list[str], fields: dict[str, list[str]]
) -> list[EntityProxy]:
    """One Sanction per Regime of the entry."""
    result: list[EntityProxy] = []
    reasons = fields.get("UK Statement of Reasons", [])
    for regime in entry.values("Regime"):
        rows = [v for _, v in entry.rows if v["Regime"] == regime]
        listed = sorted({iso for v in rows if (iso := uk_date(v["Listed On"]))})
        if len(listed) > 1:
            entry.note("listing-date", f"{regime}: several Listed On dates {listed}")
        sanction = make_sanction(
            entry.party,
            AUTHORITY,
            program=[regime],
            listing_date=listed[0] if listed else None,
            reason=reasons[0] if reasons else None,
            source_url=SOURCE_URL,
            country=SANCTION_COUNTRY,
        )
        sanction.add("reason", reasons[1:])
        sanction.add("authorityId", uk_refs)
        sanction.add("unscId", un_refs)
        designated = unique(uk_date(v["UK Sanctions List Date Designated"]) or "" for v in rows)
        sanction.add("date", designated, cleaned=True)
        updated = unique(uk_date(v["Last Updated"]) or "" for v in rows)
        sanction.add("modifiedAt", updated, cleaned=True)
        result.append(sanction)
    return result


def build(entry: Entry) -> Record:
    """The record of one Group ID."""
    entry.party = make_entity(schema_of(entry), entry.party_id)
    fields: dict[str, list[str]] = {}
    for text in entry.values("Other Information"):
        for label, found in labelled_fields(text).items():
            fields[label] = unique([*fields.get(label, []), *found])
    uk_refs, un_refs = references(entry, fields)
    derived: list[EntityProxy] = []
    add_names(entry, un_refs)
    if entry.party.schema.is_a("Person"):
        add_person_facts(entry)
        add_birth(entry)
    else:
        for column in PERSON_ONLY_COLUMNS:
            entry.put("notes", [f"{column}: {t}" for t in entry.values(column)])
    add_documents(entry, derived)
    add_addresses(entry)
    add_other_information(entry, fields)
    entry.put("sourceUrl", [SOURCE_URL])
    entry.put("program", entry.values("Regime"))
    entry.flush()
    derived[:0] = sanctions(entry, uk_refs, un_refs, fields)
    return Record(entry.party, derived)


def parse(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Parse the ConList file(s) of one version (XLSX or CSV) into one record per Group ID."""
    records: list[Record] = []
    issues: list[Issue] = []
    published: list[date] = []
    seen: dict[str, Path] = {}
    for path in paths:
        sheet = read_sheet(Path(path))
        issues.extend(sheet.issues)
        if sheet.published:
            published.append(sheet.published)
        groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for row, values in sheet.rows:
            groups.setdefault(values[GROUP_ID], []).append((row, values))
        for group_id, rows in groups.items():
            if group_id in seen:
                raise ParseError(
                    str(path), f"Group ID {group_id} also in {seen[group_id]}", rows[0][0]
                )
            seen[group_id] = sheet.path
            records.append(build(Entry(sheet.path, group_id, rows, issues)))
    return ParseResult(records, max(published) if published else None, issues)
