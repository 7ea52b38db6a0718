"""UN Security Council consolidated list (XML, `sc-sanctions.xsd`) → FtM entities.

Layout: `CONSOLIDATED_LIST[@dateGenerated]` holding `INDIVIDUALS/INDIVIDUAL` (→ Person) and
`ENTITIES/ENTITY` (→ Organization). Every entry carries its REFERENCE_NUMBER (`KPi.066`,
`QDe.115`), the key national lists cite; the party id is `un-sc-<reference>`.

How the list's conventions are read:

- Names: FIRST_NAME … FOURTH_NAME joined in file order into `name`. For the DPRK regime the
  UN writes the family name first (`KIM` / `JONG SIK`), so FIRST_NAME is the lastName and the
  rest the firstName. Elsewhere the list does not say which part is the family name, so the
  parts stay positional: firstName, secondName, then middleName (a part written `na` is the
  list's "not available" placeholder and is left out). NAME_ORIGINAL_SCRIPT is a
  further `name`. Entity names written `NAME / ACRONYM` or `A ; B` also yield each part as alias.
- Aliases: QUALITY `Good` and `a.k.a.` → alias, `Low` → weakAlias, `f.k.a.` → previousName.
  One ALIAS_NAME may hold several names joined with `;` (also `ORIGINAL (a; b)`): each one is
  kept. An alias NOTE `original script: X` adds X; other alias notes go to `notes`.
- Dates of birth: exact dates and years (also approximate ones) become ISO prefixes; BETWEEN
  adds every year of the range when it spans at most five years, otherwise its two ends.
  Approximations and ranges are ordinary data: they are written into `notes`
  (`Date of birth: approximately 1961`), not reported as issues.
- Remarks without a property of their own (address, document and alias notes, nationalities
  that are not a country) are kept in `notes`.
- Links: another entry's REFERENCE_NUMBER cited in COMMENTS1 (`listed as Al-Qaida in Iraq
  (QDe.115)`) becomes an UnknownLink to that entry; nothing else is read as a relation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from followthemoney import EntityProxy
from lxml import etree

from sanctum.errors import ParseError
from sanctum.sources.base import (
    Issue,
    ParseContext,
    ParseResult,
    Record,
    derived_id,
    make_entity,
    make_link,
    make_sanction,
)
from sanctum.sources.readers import clean, line_of, load_xml, single_path, split_top_level
from sanctum.values import country_code, parse_date

AUTHORITY = "UN Security Council"
SOURCE_URL = "https://scsanctions.un.org/"
ID_PREFIX = "un-sc-"
ROOT_TAG = "CONSOLIDATED_LIST"
EXPECTED = "the UN Security Council consolidated list (<CONSOLIDATED_LIST> root)"

NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
NOT_AVAILABLE = "na"
"""A name part the list fills with lower-case `na` (`FAIZULLAH KHAN NOORZAI` / `na`, TAi.153)
is a placeholder, not a name: left out of the joined name. Upper-case `NA` is a surname."""
FAMILY_NAME_FIRST = frozenset({"DPRK"})
"""UN_LIST_TYPE values whose individuals are written family name first."""

BETWEEN_ALL_YEARS_MAX_SPAN = 5
"""A BETWEEN range of birth years up to this span is stored year by year, else by its ends."""

ALIAS_PROPS = {"good": "alias", "a.k.a.": "alias", "low": "weakAlias", "f.k.a.": "previousName"}
GENDERS = {"male": "male", "female": "female", "unknown": None}
PASSPORT_WORDS = ("passport", "passeport", "pasaporte")
LINK_ROLE = "cited in UN listing comments"
REFERENCE_RE = re.compile(r"\b([A-Z]{2}[ie]\.\d{3})\b")
ENTITY_NAME_SEPARATORS = r"\s+/\s+|\s*;\s*"

KNOWN_TAGS = frozenset(
    {
        *NAME_TAGS,
        "DATAID",
        "VERSIONNUM",
        "UN_LIST_TYPE",
        "REFERENCE_NUMBER",
        "LISTED_ON",
        "NAME_ORIGINAL_SCRIPT",
        "COMMENTS1",
        "TITLE",
        "DESIGNATION",
        "NATIONALITY",
        "LIST_TYPE",
        "LAST_DAY_UPDATED",
        "GENDER",
        "SUBMITTED_BY",
        "SUBMITTED_ON",
        "SORT_KEY",
        "SORT_KEY_LAST_MOD",
        "INDIVIDUAL_ALIAS",
        "INDIVIDUAL_ADDRESS",
        "INDIVIDUAL_DATE_OF_BIRTH",
        "INDIVIDUAL_PLACE_OF_BIRTH",
        "INDIVIDUAL_DOCUMENT",
        "ENTITY_ALIAS",
        "ENTITY_ADDRESS",
    }
)
"""Entry elements this parser reads (or knowingly skips: VERSIONNUM, LIST_TYPE, SORT_KEY*)."""


# ---------------------------------------------------------------------------------------------
# XML helpers


def texts(node: etree._Element, path: str) -> list[str]:
    """The cleaned, non-empty texts of all elements at `path` below `node`."""
    return [t for el in node.iterfind(path) if (t := clean(el.text))]


# ---------------------------------------------------------------------------------------------
# Value readers (pure)


def strip_timezone(text: str) -> str:
    """`1960-01-01-05:00` → `1960-01-01`: the 2020 files append a UTC offset to some dates."""
    return re.sub(r"^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})$", r"\1", text.strip())


def _is_latin(text: str) -> bool:
    """True when every letter of `text` is Latin (basic or extended)."""
    return all(ord(c) < 0x250 for c in text if c.isalpha())


def _semicolon_pieces(text: str) -> list[str]:
    """`A; B`, `HEAD (a; b)` and `a) A b) B` → the pieces, enumerators still attached."""
    pieces: list[str] = []
    if text.endswith(")"):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                head, inner = text[:i], text[i + 1 : -1]
                if ";" in inner and head.strip():
                    pieces.append(head)
                    text = inner
                break
    pieces.extend(re.split(r";|\s(?=[a-z]\)\s)", text))
    return pieces


def _tidy_alias(piece: str) -> str | None:
    """Drop enumerators (`b)`), `(original script)` markers, stray brackets and commas."""
    piece = re.sub(r"\(original script\)", "", piece)
    piece = re.sub(r"^[a-z]\)\s+", "", piece.strip())
    excess = piece.count(")") - piece.count("(")
    if excess > 0:
        piece = piece.replace(")", "", excess)
    return clean(piece.strip(" ,;"))


def _script_pair(name: str) -> list[str]:
    """`Jin Tiesan (金铁三)`, `X (original script: Y)` → both names; other names unchanged.
    The name in brackets may carry its own acronym: `أنصار الشريعة بليبيا (Ansar al Charia in
    Libya (ASL))` (QDe.146)."""
    m = re.fullmatch(r"(.+?)\s*\((original script:\s*)?([^()]+(?:\([^()]*\))?)\)", name)
    if m and (m[2] or _is_latin(m[1]) != _is_latin(m[3])):
        return [n for n in (clean(m[1]), clean(m[3])) if n]
    return [name]


def split_alias(text: str) -> list[str]:
    """The names inside one ALIAS_NAME: `A; B`, `ORIGINAL (a; b)`, `a) A b) B`, `X (原文)`."""
    text = " ".join(text.split())
    pieces = _semicolon_pieces(text) if ";" in text else [text]
    names: list[str] = []
    for piece in pieces:
        tidy = _tidy_alias(piece)
        for name in _script_pair(tidy) if tidy else []:
            if name not in names:
                names.append(name)
    return names


class BirthDate(NamedTuple):
    """One INDIVIDUAL_DATE_OF_BIRTH read: ISO dates, a remark for `notes`, and success."""

    dates: list[str]
    remark: str | None
    parsed: bool


def _month_range(note: str) -> list[str]:
    """`Between Aug. and Sep. 1977` → the months it names (['1977-08', '1977-09'])."""
    m = re.fullmatch(r"between\s+([a-z]+)\.?\s+and\s+([a-z]+)\.?\s+(\d{4})", note, re.I)
    if not m:
        return []
    dates = [parse_date(f"{m[1]} {m[3]}"), parse_date(f"{m[2]} {m[3]}")]
    return [d for d in dates if d] if all(dates) else []


def read_birth_date(
    kind: str | None,
    date_text: str | None,
    year: str | None,
    from_year: str | None,
    to_year: str | None,
    note: str | None,
) -> BirthDate:
    """Read the parts of one INDIVIDUAL_DATE_OF_BIRTH (TYPE_OF_DATE, DATE, YEAR, FROM/TO, NOTE)."""
    kind = (clean(kind) or "").upper()
    note = clean(note)
    date_text, year, from_year, to_year = (clean(v) for v in (date_text, year, from_year, to_year))
    approx = kind == "APPROXIMATELY"
    if note and note.lower() == "approximately":
        approx, note = True, None
    dates: list[str] = []
    described: str | None = None
    lo, hi = parse_date(from_year), parse_date(to_year)
    if lo and hi and len(lo) == len(hi) == 4:
        low, high = sorted((int(lo), int(hi)))
        span = range(low, high + 1)
        years = span if high - low <= BETWEEN_ALL_YEARS_MAX_SPAN else (low, high)
        dates = [str(y) for y in years]
        described = f"between {low} and {high}"
    elif date_text:
        iso = parse_date(strip_timezone(date_text))
        dates = [iso] if iso else []
    elif year:
        iso = parse_date(year)
        with_month = parse_date(f"{note} {year}") if note and iso else None
        if with_month:
            iso, note = with_month, None
        dates = [iso] if iso else []
    elif note:
        single = parse_date(note)
        if single:
            dates, note = [single], None
        else:
            dates = _month_range(note)
    parsed = bool(dates) or not any((date_text, year, from_year, to_year, note))
    if not (approx or note or described or not parsed):
        return BirthDate(dates, None, parsed)
    raw = date_text or year
    if raw is None and (from_year or to_year):
        raw = f"{from_year or '?'}-{to_year or '?'}"
    value = described or " or ".join(dates) or raw
    words = " ".join(w for w in ("approximately" if approx else None, value) if w)
    if note:
        words = f"{words} ({note})" if value else f"{words} {note}".strip()
    return BirthDate(dates, f"Date of birth: {words}" if words else None, parsed)


def years_or_date(text: str) -> list[str]:
    """A date as alias records write it: ISO date, year, or `1975 - 1977` (BETWEEN rules)."""
    m = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", text.strip())
    if m:
        return read_birth_date("BETWEEN", None, None, m[1], m[2], None).dates
    iso = parse_date(strip_timezone(text))
    return [iso] if iso else []


def join_place(parts: Sequence[str | None]) -> str | None:
    """Address or place parts joined with commas, empty parts left out."""
    return ", ".join(p for p in parts if p) or None


def iso_day(text: str | None) -> date | None:
    """The calendar date at the start of an ISO timestamp (`2024-11-30T00:00:00.875Z`)."""
    m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", text or "")
    if not m:
        return None
    try:
        return date.fromisoformat(m[1])
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Entries


@dataclass
class _Entry:
    """The entities and issues of one list entry while it is being read."""

    party: EntityProxy
    file: str
    line: int | None
    derived: list[EntityProxy] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def issue(self, kind: str, message: str) -> None:
        """Record something odd that was kept."""
        self.issues.append(Issue(self.file, self.line, kind, message, self.party.id))

    def note(self, text: str | None) -> None:
        """Keep a remark in the party's notes."""
        self.party.add("notes", text)


def _reference(node: etree._Element, file: str) -> str:
    """The entry's REFERENCE_NUMBER; an entry without one cannot be identified."""
    ref = clean(node.findtext("REFERENCE_NUMBER"))
    if not ref:
        raise ParseError(file, f"<{node.tag}> without REFERENCE_NUMBER", row=line_of(node))
    return ref


def _add_names(entry: _Entry, node: etree._Element, program: str | None) -> None:
    """Name, name parts (by the list's order conventions) and the original-script name."""
    parts = [p for tag in NAME_TAGS if (p := clean(node.findtext(tag))) and p != NOT_AVAILABLE]
    if not parts:
        raise ParseError(entry.file, f"entry {entry.party.id} has no name", row=entry.line)
    party = entry.party
    name = " ".join(parts)
    party.add("name", name)
    if party.schema.name == "Person":
        if program in FAMILY_NAME_FIRST:
            party.add("lastName", parts[0])
            party.add("firstName", " ".join(parts[1:]) or None)
        else:
            party.add("firstName", parts[0])
            party.add("secondName", parts[1] if len(parts) > 1 else None)
            party.add("middleName", parts[2:])
    else:
        pieces = split_top_level(name, ENTITY_NAME_SEPARATORS)
        if len(pieces) > 1:
            party.add("alias", pieces)
    party.add("name", clean(node.findtext("NAME_ORIGINAL_SCRIPT")))


def _add_aliases(entry: _Entry, node: etree._Element) -> None:
    """Aliases by QUALITY, with the birth facts some alias records carry."""
    for alias in node.iterfind(f"{node.tag}_ALIAS"):
        text = clean(alias.findtext("ALIAS_NAME"))
        quality = (clean(alias.findtext("QUALITY")) or "").lower()
        if entry.party.schema.name == "Person":
            _add_alias_birth(entry, alias)
        if text is None:
            continue
        prop = ALIAS_PROPS.get(quality)
        if prop is None:
            entry.issue("alias-quality", f"alias {text!r} has QUALITY {quality!r}; kept as alias")
            prop = "alias"
        names = split_alias(text)
        note = clean(alias.findtext("NOTE"))
        if note:
            m = re.fullmatch(r"original script:\s*(.+)", note, re.IGNORECASE)
            if m:
                names.append(m[1])
            else:
                entry.note(f"Alias {text}: {note}")
        entry.party.add(prop, names)


def _add_alias_birth(entry: _Entry, alias: etree._Element) -> None:
    """DATE_OF_BIRTH / CITY_OF_BIRTH / COUNTRY_OF_BIRTH given with an alias."""
    dob = clean(alias.findtext("DATE_OF_BIRTH"))
    if dob and dob.lower() != "null":
        dates = years_or_date(dob)
        entry.party.add("birthDate", dates)
        if not dates:
            entry.issue("birth-date", f"alias date of birth {dob!r} is not a date; kept in notes")
            entry.note(f"Date of birth: {dob}")
    city, country = (
        clean(alias.findtext("CITY_OF_BIRTH")),
        clean(alias.findtext("COUNTRY_OF_BIRTH")),
    )
    entry.party.add("birthPlace", join_place([city, country]))
    entry.party.add("birthCountry", country_code(country))


def _add_birth(entry: _Entry, node: etree._Element) -> None:
    """INDIVIDUAL_DATE_OF_BIRTH and INDIVIDUAL_PLACE_OF_BIRTH elements."""
    for dob in node.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        kind, exact, year, low, high, note = (
            dob.findtext(t)
            for t in ("TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR", "TO_YEAR", "NOTE")
        )
        read = read_birth_date(kind, exact, year, low, high, note)
        entry.party.add("birthDate", read.dates)
        entry.note(read.remark)
        if not read.parsed:
            entry.issue(
                "birth-date", f"date of birth not read as a date; kept in notes: {read.remark}"
            )
    for pob in node.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        country = clean(pob.findtext("COUNTRY"))
        place = join_place(
            [clean(pob.findtext(t)) for t in ("STREET", "CITY", "STATE_PROVINCE")] + [country]
        )
        note = clean(pob.findtext("NOTE"))
        if note:
            place = f"{place} ({note})" if place else note
        entry.party.add("birthPlace", place)
        entry.party.add("birthCountry", country_code(country))


def _add_nationality(entry: _Entry, node: etree._Element) -> None:
    """NATIONALITY values as country codes; the others kept in notes."""
    for value in texts(node, "NATIONALITY/VALUE"):
        code = country_code(value)
        if code:
            entry.party.add("nationality", code)
        else:
            entry.note(f"Nationality: {value}")
            entry.issue("nationality", f"nationality {value!r} is not a country; kept in notes")


def _add_documents(entry: _Entry, node: etree._Element) -> None:
    """INDIVIDUAL_DOCUMENT → Passport / Identification entities and passportNumber / idNumber."""
    party = entry.party
    assert party.id is not None
    for doc in node.iterfind("INDIVIDUAL_DOCUMENT"):
        kind = clean(doc.findtext("TYPE_OF_DOCUMENT"))
        detail = clean(doc.findtext("TYPE_OF_DOCUMENT2"))
        number = clean(doc.findtext("NUMBER"))
        note = clean(doc.findtext("NOTE"))
        is_passport = any(w in (kind or "").lower() for w in PASSPORT_WORDS)
        label = detail or kind or "Document"
        if number is None:
            if note:
                entry.note(f"{label}: {note}")
            continue
        country_text = clean(doc.findtext("ISSUING_COUNTRY")) or clean(
            doc.findtext("COUNTRY_OF_ISSUE")
        )
        country = country_code(country_text)
        city = clean(doc.findtext("CITY_OF_ISSUE"))
        summary = "; ".join(
            s
            for s in (
                f"issuing country: {country_text}" if country_text and not country else None,
                f"issued in {city}" if city else None,
                note,
            )
            if s
        )
        schema = "Passport" if is_passport else "Identification"
        doc_id = derived_id(party.id, "passport" if is_passport else "id", label, number, country)
        entity = make_entity(schema, doc_id)
        entity.add("holder", party.id)
        entity.add("number", number)
        entity.add("type", label)
        entity.add("country", country)
        entity.add("startDate", parse_date(clean(doc.findtext("DATE_OF_ISSUE"))))
        entity.add("summary", summary or None)
        party.add("passportNumber" if is_passport else "idNumber", number)
        entry.derived.append(entity)


def _add_addresses(entry: _Entry, node: etree._Element) -> None:
    """Addresses as full text plus their country; address notes kept in notes."""
    tags = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
    for addr in node.iterfind(f"{node.tag}_ADDRESS"):
        country = clean(addr.findtext("COUNTRY"))
        text = join_place([clean(addr.findtext(t)) for t in tags])
        entry.party.add("address", text)
        entry.party.add("country", country_code(country))
        note = clean(addr.findtext("NOTE"))
        if note:
            entry.note(f"Address {text}: {note}" if text else f"Address: {note}")


def _add_person_facts(entry: _Entry, node: etree._Element) -> None:
    """Birth, nationality, documents, title, designation and gender of an individual."""
    _add_birth(entry, node)
    _add_nationality(entry, node)
    _add_documents(entry, node)
    entry.party.add("title", texts(node, "TITLE/VALUE"))
    entry.party.add("position", texts(node, "DESIGNATION/VALUE"))
    for value in texts(node, "GENDER"):
        if value.lower() in GENDERS:
            entry.party.add("gender", GENDERS[value.lower()])
        else:
            entry.issue("gender", f"gender {value!r} not understood; kept in notes")
            entry.note(f"Gender: {value}")


def _add_sanction(entry: _Entry, node: etree._Element, ref: str, program: str | None) -> None:
    """The UN designation: regime, listing date, last updates, submitter, DATAID."""
    listed = clean(node.findtext("LISTED_ON"))
    listing_date = parse_date(strip_timezone(listed)) if listed else None
    if listed and not listing_date:
        entry.issue("listing-date", f"LISTED_ON {listed!r} is not a date")
    sanction = make_sanction(
        entry.party,
        AUTHORITY,
        program=[program] if program else [],
        listing_date=listing_date,
        source_url=SOURCE_URL,
        unsc_id=ref,
        authority_id=ref,
    )
    sanction.add("recordId", clean(node.findtext("DATAID")))
    updates = [d for v in texts(node, "LAST_DAY_UPDATED/VALUE") if (d := parse_date(v))]
    sanction.add("modifiedAt", max(updates) if updates else None)
    submitted_by = clean(node.findtext("SUBMITTED_BY"))
    submitted_on = clean(node.findtext("SUBMITTED_ON"))
    if submitted_by or submitted_on:
        sanction.add(
            "summary",
            " ".join(
                s
                for s in (
                    "Submitted",
                    f"by {submitted_by}" if submitted_by else None,
                    f"on {submitted_on}" if submitted_on else None,
                )
                if s
            ),
        )
    entry.derived.insert(0, sanction)


def _add_links(entry: _Entry, comments: str | None, known: set[str]) -> None:
    """UnknownLinks to the other listed entries whose reference COMMENTS1 cites."""
    if not comments:
        return
    assert entry.party.id is not None
    seen: set[str] = set()
    for ref in REFERENCE_RE.findall(comments):
        target = ID_PREFIX + ref
        if ref in known and target != entry.party.id and ref not in seen:
            seen.add(ref)
            entry.derived.append(make_link(entry.party.id, target, LINK_ROLE))


def _check_unknown(entry: _Entry, node: etree._Element) -> None:
    """Elements this parser does not know: kept in notes and reported."""
    for child in node:
        if isinstance(child.tag, str) and child.tag not in KNOWN_TAGS:
            value = clean(" ".join(str(t) for t in child.itertext()))
            if value:
                entry.note(f"{child.tag}: {value}")
                entry.issue("unknown-field", f"element <{child.tag}> not read; kept in notes")


def read_entry(node: etree._Element, ref: str, known: set[str], file: str) -> _Entry:
    """One INDIVIDUAL or ENTITY element → its party and derived entities."""
    schema = "Person" if node.tag == "INDIVIDUAL" else "Organization"
    entry = _Entry(make_entity(schema, ID_PREFIX + ref), file, line_of(node))
    program = clean(node.findtext("UN_LIST_TYPE"))
    _add_names(entry, node, program)
    _add_aliases(entry, node)
    if schema == "Person":
        _add_person_facts(entry, node)
    _add_addresses(entry, node)
    comments = clean(node.findtext("COMMENTS1"))
    entry.party.add("notes", comments)
    entry.party.add("program", program)
    entry.party.add("sourceUrl", SOURCE_URL)
    _add_sanction(entry, node, ref, program)
    _add_links(entry, comments, known)
    _check_unknown(entry, node)
    return entry


def parse(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Read one version of the UN consolidated list (a single `consolidated.xml`)."""
    path = single_path(paths)
    file = str(path)
    root = load_xml(path, ROOT_TAG, EXPECTED)
    nodes = [*root.iterfind("INDIVIDUALS/INDIVIDUAL"), *root.iterfind("ENTITIES/ENTITY")]
    if not nodes:
        raise ParseError(file, "no INDIVIDUALS/INDIVIDUAL or ENTITIES/ENTITY entries")
    refs = [_reference(node, file) for node in nodes]
    known: set[str] = set()
    for node, ref in zip(nodes, refs, strict=True):
        if ref in known:
            raise ParseError(file, f"REFERENCE_NUMBER {ref} appears twice", row=line_of(node))
        known.add(ref)
    issues: list[Issue] = []
    published = iso_day(root.get("dateGenerated"))
    if published is None:
        issues.append(Issue(file, None, "published", "no readable dateGenerated on the root"))
    records = []
    for node, ref in zip(nodes, refs, strict=True):
        entry = read_entry(node, ref, known, file)
        records.append(Record(entry.party, entry.derived))
        issues.extend(entry.issues)
    return ParseResult(records, published, issues)
