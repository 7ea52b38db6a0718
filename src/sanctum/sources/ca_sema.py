"""Canada Consolidated Autonomous Sanctions List (SEMA and JVCFOA regulations, XML) → FtM.

Layout: `<data-set>` of `<record>` elements, one per listed party, each with `Country` (the
regime, bilingual: `Burma / Birmanie`, or the JVCFOR regulations), `Schedule` (`1`, `2`,
`1, Part 2`, `N/A`, sometimes absent), `Item` (the entry number in that schedule), and either
`Entity` (→ Organization) or `LastName` / `GivenName` (→ Person), plus optional `DateOfBirth`,
`Aliases` and `Title`. The file states no publication date and no vessels.

Entry key: regime + schedule + item, the list's own coordinates of an entry (the item number
in the regulation's schedule). The regime is the English half of `Country`, shortened to the
abbreviation in brackets where there is one (`JVCFOR`); a schedule of `N/A` or none is left
out (the Venezuela items 1–97 run on across both). Ids: `ca-sema-<slug>`, e.g.
`ca-sema-Burma-1-17`, `ca-sema-Russia-1-Part-2-5`, `ca-sema-Zimbabwe-181`, `ca-sema-JVCFOR-3`.

Aliases are comma-joined. Bilingual names `English/Français` (slash outside brackets) also give
each half as alias. For persons, an alias may be a variant of one name part only (`Andrei` for
given name `Andrey Igorevich`, `PASHENKO` for surname `PASHCHENKO`): such a fragment is put in
place of that part to make a full alias (`Andrei Igorevich AKIMOV`); a one-word alias that is
no name-part variant (a nickname such as `Motorola`) is a weakAlias.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from followthemoney import EntityProxy
from lxml import etree
from rapidfuzz import fuzz

from sanctum.errors import ParseError
from sanctum.sources.base import (
    Issue,
    ParseContext,
    ParseResult,
    Record,
    make_entity,
    make_sanction,
    slug,
)
from sanctum.sources.readers import clean, line_of, load_xml, single_path, split_top_level
from sanctum.values import parse_date

AUTHORITY = "Global Affairs Canada"
SOURCE_URL = (
    "https://www.international.gc.ca/world-monde/international_relations-relations_internationales/"
    "sanctions/consolidated-consolide.aspx?lang=eng"
)
ID_PREFIX = "ca-sema-"
ROOT_TAG = "data-set"
RECORD_TAG = "record"
EXPECTED = "the Canada consolidated autonomous sanctions list (<data-set> of <record>)"
KNOWN_TAGS = frozenset(
    {
        "Country",
        "Schedule",
        "Item",
        "Entity",
        "LastName",
        "GivenName",
        "DateOfBirth",
        "Aliases",
        "Title",
    }
)
IssueSink = Callable[[str, str], None]
"""Reports one kept oddity of the current record: (kind, message)."""
NO_SCHEDULE = frozenset({"", "n/a"})
NAME_PART_SIMILARITY = 60
"""rapidfuzz ratio above which a one-part alias counts as a spelling of that name part:
Andrei/Andrey 83, Lydia/Lidia 80, SALIAIEV/SALYAEV 80, while nicknames stay far below
(Arina/Vera 44, Motorola/Arseny 29)."""


def regime_of(country: str) -> str:
    """The English regime name of a `Country` cell (`Syria / Syrie` → `Syria`)."""
    return clean(country.split(" / ")[0]) or country


def regime_key(regime: str) -> str:
    """A short key for a regime: its bracketed abbreviation if it has one (`JVCFOR`)."""
    m = re.search(r"\(([A-Z]{2,})\)\s*$", regime)
    return m[1] if m else regime


def schedule_of(text: str | None) -> str | None:
    """The schedule as written, or None for `N/A` / missing."""
    value = clean(text)
    return None if (value or "").lower() in NO_SCHEDULE else value


def entry_id(regime: str, schedule: str | None, item: str) -> str:
    """The stable id `ca-sema-<regime>[-<schedule>]-<item>` (see the module docstring)."""
    parts = [regime_key(regime), schedule, item]
    return ID_PREFIX + slug(" ".join(p for p in parts if p))


def program_of(regime: str, schedule: str | None) -> str:
    """The programme label: the regime and, where given, its schedule."""
    return f"{regime}, Schedule {schedule}" if schedule else regime


def split_names(text: str) -> list[str]:
    """Comma-joined names; a bilingual `English/Français` alias gives its two halves."""
    names: list[str] = []
    for part in split_top_level(text, r"\s*,\s*"):
        if part.startswith("(") and part.endswith(")"):
            part = part[1:-1].strip()
        for name in bilingual(part) or [part]:
            if name and name not in names:
                names.append(name)
    return names


def bilingual(name: str) -> list[str]:
    """The halves of `English/Français` (slash outside brackets); [] for other names."""
    halves = split_top_level(name, r"\s*/\s*")
    return halves if len(halves) > 1 else []


def _similar(a: str, b: str) -> bool:
    """True when two name parts are spellings of one another."""
    return fuzz.ratio(a.lower(), b.lower()) >= NAME_PART_SIMILARITY


def person_alias(fragment: str, given: str | None, last: str | None) -> tuple[str, str]:
    """(property, name) for one alias of a person, completing name-part variants.

    A fragment as long as the given names and like them replaces the given names; a single
    word like the surname replaces the surname; a single word like the first given name
    replaces that name. A fragment that already holds the surname, or any other multi-word
    fragment, is a full alias as written; any other single word is a weakAlias.
    """
    words = fragment.split()
    given_words = (given or "").split()
    if last and last.lower() in fragment.lower():
        return "alias", fragment
    if given_words and len(words) == len(given_words) and _similar(fragment, " ".join(given_words)):
        return "alias", " ".join(p for p in (fragment, last) if p)
    if len(words) == 1 and last and _similar(fragment, last):
        return "alias", " ".join(p for p in (given, fragment) if p)
    if len(words) == 1 and given_words and _similar(fragment, given_words[0]):
        return "alias", " ".join(p for p in (fragment, *given_words[1:], last) if p)
    if len(words) == 1:
        return "weakAlias", fragment
    return "alias", fragment


def birth_dates(text: str) -> list[str]:
    """ISO dates of a DateOfBirth cell (`1964-03`, `1944`, `1972-08-10 or 1972-08-11`)."""
    dates = [parse_date(part) for part in re.split(r"\s+or\s+|\s*;\s*", text)]
    return [d for d in dates if d] if all(dates) else []


def _field(record: etree._Element, tag: str) -> str | None:
    """The cleaned text of a child element."""
    return clean(record.findtext(tag))


def _required(record: etree._Element, tag: str, file: str, number: int) -> str:
    """A field without which the record cannot be identified; ParseError if missing."""
    value = _field(record, tag)
    if value is None:
        raise ParseError(file, f"record {number} has no <{tag}>", row=line_of(record))
    return value


def _make_party(record: etree._Element, party_id: str, file: str, number: int) -> EntityProxy:
    """Organization for `Entity`, Person for `LastName`/`GivenName`; names and aliases."""
    entity_name = _field(record, "Entity")
    last, given = _field(record, "LastName"), _field(record, "GivenName")
    aliases = split_names(_field(record, "Aliases") or "")
    if entity_name:
        party = make_entity("Organization", party_id)
        party.add("name", entity_name)
        party.add("alias", bilingual(entity_name))
        party.add("alias", aliases)
        return party
    if not (last or given):
        raise ParseError(
            file, f"record {number} has no Entity, LastName or GivenName", row=line_of(record)
        )
    party = make_entity("Person", party_id)
    party.add("name", " ".join(p for p in (given, last) if p))
    party.add("firstName", given)
    party.add("lastName", last)
    for fragment in aliases:
        prop, name = person_alias(fragment, given, last)
        party.add(prop, name)
    party.add("title", _field(record, "Title"))
    return party


def _add_birth_dates(party: EntityProxy, record: etree._Element, issue: IssueSink) -> None:
    """DateOfBirth as ISO dates; a value that is no date is kept in notes and reported."""
    dob = _field(record, "DateOfBirth")
    if not dob:
        return
    dates = birth_dates(dob)
    if party.schema.name == "Person" and dates:
        party.add("birthDate", dates)
    else:
        party.add("notes", f"Date of birth: {dob}")
        issue("birth-date", f"date of birth {dob!r} not read as a date; kept in notes")


def _keep_unread(party: EntityProxy, record: etree._Element, issue: IssueSink) -> None:
    """Fields with no place on this party (person names on an Entity record, unknown
    elements, an organisation's title): kept as alias or notes, and reported."""
    if party.schema.name == "Organization":
        person = " ".join(p for p in (_field(record, "GivenName"), _field(record, "LastName")) if p)
        if person:
            party.add("alias", person)
            issue("record-kind", f"record has Entity and person names; {person!r} kept as alias")
        title = _field(record, "Title")
        if title:
            party.add("notes", f"Title: {title}")
            issue("unknown-field", "Title on an Entity record; kept in notes")
    for child in record:
        value = clean(child.text)
        if isinstance(child.tag, str) and child.tag not in KNOWN_TAGS and value:
            party.add("notes", f"{child.tag}: {value}")
            issue("unknown-field", f"element <{child.tag}> not read; kept in notes")


def read_record(
    record: etree._Element, number: int, file: str, issues: list[Issue]
) -> tuple[str, Record]:
    """One `<record>` → (its key, its Record); oddities kept are appended to `issues`."""
    country = _required(record, "Country", file, number)
    item = _required(record, "Item", file, number)
    regime = regime_of(country)
    schedule = schedule_of(record.findtext("Schedule"))
    party_id = entry_id(regime, schedule, item)
    party = _make_party(record, party_id, file, number)
    line = line_of(record)

    def issue(kind: str, message: str) -> None:
        issues.append(Issue(file, line, kind, message, party_id))

    _add_birth_dates(party, record, issue)
    _keep_unread(party, record, issue)
    program = program_of(regime, schedule)
    party.add("program", program)
    party.add("sourceUrl", SOURCE_URL)
    where = [regime, f"Schedule {schedule}" if schedule else None, f"Item {item}"]
    sanction = make_sanction(
        party,
        AUTHORITY,
        program=[program],
        source_url=SOURCE_URL,
        authority_id=", ".join(p for p in where if p),
    )
    return party_id, Record(party, [sanction])


def parse(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Read one version of the Canadian consolidated autonomous list (`sema-lmes.xml`)."""
    path = single_path(paths)
    file = str(path)
    root = load_xml(path, ROOT_TAG, EXPECTED)
    records: list[Record] = []
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag != RECORD_TAG:
            raise ParseError(
                file, f"unexpected element <{child.tag}> in <{ROOT_TAG}>", row=line_of(child)
            )
        key, record = read_record(child, len(records) + 1, file, issues)
        if key in seen:
            raise ParseError(
                file,
                f"entry {key} appears twice (lines {seen[key]} and {line_of(child)})",
                row=line_of(child),
            )
        seen[key] = line_of(child) or 0
        records.append(record)
    if not records:
        raise ParseError(file, f"no <{RECORD_TAG}> entries: not {EXPECTED}")
    return ParseResult(records, None, issues)
