"""US Commerce BIS Denied Persons List (`dpl.txt`, tab-separated, quoted, with a header).

One row per denied name *and address*: a person or firm denied at two addresses, or
under two spellings, has two rows. The file has no key column, so the entry key is
derived from what identifies a row — the name and the address:
`us-bis-dpl-<name slug>-<first 8 hex of sha1(name|street|city|state|country|postal)>`
(cells upper-cased, whitespace collapsed; the slug keeps only a-z and 0-9, e.g.
`us-bis-dpl-jose-ernesto-garcia-715dba01`). It survives renewals of a denial order, which
change the dates and Federal Register citations but not the name or address. Rows that
repeat name and address are one entry: an exact repeat is reported as `duplicate-row`,
a repeat with other order details adds a second Sanction (`repeated-entry`).

The file does not say whether a name is a person or a firm: names with a legal-form
word (INC, LLC, LTD, S.A., GMBH …, see :data:`LEGAL_FORMS`) are Companies, all others
LegalEntities. It has no publication date.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.sources.base import (
    Issue,
    ParseContext,
    ParseResult,
    Record,
    make_entity,
    make_sanction,
    read_bytes,
)
from sanctum.sources.readers import csv_header, csv_rows, decode_utf8
from sanctum.values import country_code, implausible, parse_date

ID_PREFIX = "us-bis-dpl-"
AUTHORITY = "US Commerce BIS"
PROGRAM = "Denied Persons List"

COLUMNS = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)
"""Columns of `dpl.txt`, in file order."""

ADDRESS_COLUMNS = ("Street_Address", "City", "State", "Postal_Code", "Country")

LEGAL_FORMS = frozenset(
    {
        "INC", "INCORPORATED", "LLC", "LLP", "LP", "LTD", "LIMITED", "CORP", "CORPORATION",
        "CO", "COMPANY", "PLC", "GMBH", "AG", "KG", "SA", "SAS", "SL", "SRL", "SPA", "BV",
        "NV", "AB", "OY", "PTE", "PVT", "PTY", "OOO", "ZAO", "OAO", "JSC",
        "OJSC", "PJSC", "CJSC", "FZE", "FZC", "FZCO", "SARL", "SDN", "BHD",
    }
)  # fmt: skip
"""Legal-form words that mark a name as a company (dots removed: `S.A.` → `SA`)."""


def parse(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Parse one DPL version: a single `dpl.txt`."""
    if len(paths) != 1:
        names = ", ".join(str(p) for p in paths) or "none"
        raise ParseError(names, f"expected one dpl.txt file, got {len(paths)}")
    path = Path(paths[0])
    text = decode_utf8(
        read_bytes(path), path, utf16="file is UTF-16 or binary, expected UTF-8 text"
    )
    file = str(path)
    records: dict[str, Record] = {}
    rows: dict[str, tuple[str, ...]] = {}
    issues: list[Issue] = []
    for line, row in _rows(text, path):
        pid = entry_id(row)
        values = tuple(clean(row[c]) for c in COLUMNS)
        record = records.get(pid)
        if record is None:
            record = records[pid] = Record(_party(pid, row))
        elif rows[pid] == values:
            issues.append(Issue(file, line, "duplicate-row", "repeats an earlier row", pid))
            continue
        else:
            issues.append(
                Issue(file, line, "repeated-entry", "name and address of an earlier row", pid)
            )
        rows[pid] = values
        record.derived.append(_sanction(file, line, record.party, row, issues))
    return ParseResult(records=list(records.values()), issues=issues)


def _rows(text: str, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as dicts with the line number where each starts; checks header and shape."""
    header = [h.strip() for h in csv_header(text, delimiter="\t")]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ParseError(
            str(path),
            f"not a Denied Persons List file: missing columns {', '.join(missing)}; "
            f"expected tab-separated columns {', '.join(COLUMNS)}",
            row=1,
        )
    yield from csv_rows(text, path, header, delimiter="\t", malformed="malformed file")


def clean(text: str | None) -> str:
    """A cell with runs of whitespace collapsed."""
    return " ".join((text or "").split())


def entry_id(row: dict[str, str]) -> str:
    """The derived entry id: name slug plus a hash of name and address (module docs)."""
    name = clean(row["Name"]).upper()
    parts = [name, *(clean(row[c]).upper() for c in ("Street_Address", "City", "State"))]
    parts += [clean(row["Country"]).upper(), clean(row["Postal_Code"]).upper()]
    digest = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:8]
    name_slug = re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")
    return f"{ID_PREFIX}{name_slug}-{digest}"


def is_company(name: str) -> bool:
    """True when a word of the name is a legal form (`ACME TRADING CO., LTD.`)."""
    words = re.findall(r"[A-Z0-9]+", name.upper().replace(".", ""))
    return any(w in LEGAL_FORMS for w in words)


def full_address(row: dict[str, str]) -> str | None:
    """Street, city, state, postal code and country as one line."""
    return ", ".join(v for v in (clean(row[c]) for c in ADDRESS_COLUMNS) if v) or None


def _party(pid: str, row: dict[str, str]) -> EntityProxy:
    """The denied person or firm: name, address, country."""
    name = clean(row["Name"])
    party = make_entity("Company" if is_company(name) else "LegalEntity", pid)
    party.add("name", name)
    party.add("address", full_address(row))
    party.add("country", country_code(clean(row["Country"])))
    party.add("program", PROGRAM)
    return party


def _date(
    file: str, line: int, party: EntityProxy, row: dict[str, str], column: str, issues: list[Issue]
) -> str | None:
    """A date cell (`06/19/2003` or `2007-01-31`); bad or impossible dates become Issues."""
    text = clean(row[column])
    if not text:
        return None
    iso = parse_date(text, day_first=False)
    if iso is not None and implausible(iso):
        issues.append(
            Issue(file, line, "implausible-date", f"{column} {text!r} is not stored", party.id)
        )
        return None
    if iso is None:
        issues.append(
            Issue(file, line, "unparsed-date", f"{column} {text!r} is not a date", party.id)
        )
    return iso


def _sanction(
    file: str, line: int, party: EntityProxy, row: dict[str, str], issues: list[Issue]
) -> EntityProxy:
    """The denial order of a row: dates, order terms, last action and FR citation."""
    start = _date(file, line, party, row, "Effective_Date", issues)
    sanction = make_sanction(party, AUTHORITY, program=[PROGRAM], listing_date=start, extra=[start])
    sanction.add("endDate", _date(file, line, party, row, "Expiration_Date", issues))
    sanction.add("modifiedAt", _date(file, line, party, row, "Last_Update", issues))
    order = clean(row["Standard_Order"]).upper()
    sanction.add("provisions", f"Standard order: {order}" if order else None)
    sanction.add("summary", clean(row["Action"]) or None)
    sanction.add("description", clean(row["FR_Citation"]) or None)
    return sanction
