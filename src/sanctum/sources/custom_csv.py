"""A firm's own lists: a documented UTF-8 CSV (see docs/custom-lists.md).

Made for designations that come as announcements rather than files (South Korea's
and Japan's lists, with names in Hangul or Kanji), typed in by the firm. Because a
person types it, it is read strictly: unknown columns, unknown schemata, unreadable
dates or countries, duplicate ids and values the schema cannot hold are errors that
name the row and column — a firm's own list must be exact. Each row is one party with
the id `<source id>-<id>` and, when `authority` is given, one Sanction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from followthemoney import EntityProxy

from sanctum.errors import ParseError
from sanctum.schemata import PARTIES
from sanctum.sources.base import (
    ParseContext,
    ParseResult,
    Record,
    derived_id,
    make_entity,
    make_sanction,
    read_bytes,
    wallet_id,
)
from sanctum.sources.readers import csv_header, csv_rows, decode_utf8
from sanctum.values import country_code, implausible, parse_date

COLUMNS = (
    "id",
    "schema",
    "name",
    "aliases",
    "weak_aliases",
    "birth_date",
    "nationality",
    "country",
    "passport_number",
    "id_number",
    "imo_number",
    "crypto_addresses",
    "authority",
    "program",
    "listing_date",
    "reason",
    "source_url",
    "notes",
)
"""All columns, in documented order; only `id`, `schema` and `name` are required."""

REQUIRED = ("id", "schema", "name")

SCHEMATA = PARTIES

SANCTION_COLUMNS = ("program", "listing_date", "reason")
"""Columns that describe a designation and so need `authority`."""

PROPERTIES = {
    "aliases": "alias",
    "weak_aliases": "weakAlias",
    "birth_date": "birthDate",
    "nationality": "nationality",
    "country": "country",
    "passport_number": "passportNumber",
    "id_number": "idNumber",
    "imo_number": "imoNumber",
    "source_url": "sourceUrl",
    "notes": "notes",
}
"""Column → party property; a value in a column the row's schema lacks is an error."""

_Fail = Callable[[str, str], ParseError]
"""Makes the ParseError for a column of the current row."""

ROW_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def parse(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Parse the CSV file(s) of one version of a firm's list."""
    if not paths:
        raise ParseError("none", "no CSV file given")
    prefix = source_prefix(context.source_id)
    records: list[Record] = []
    seen: dict[str, tuple[str, int]] = {}
    for path in (Path(p) for p in paths):
        for line, row in _rows(path):
            record = _record(str(path), line, row, prefix)
            assert record.party.id is not None
            if record.party.id in seen:
                file, first = seen[record.party.id]
                raise ParseError(
                    str(path), f"id {row['id']!r} already used on row {first} of {file}", row=line
                )
            seen[record.party.id] = (str(path), line)
            records.append(record)
    return ParseResult(records=records)


def source_prefix(source_id: str) -> str:
    """The id prefix: the source id lower-cased, runs of other characters as `-`."""
    prefix = re.sub(r"[^0-9a-z]+", "-", source_id.lower()).strip("-")
    if not prefix:
        raise ValueError(f"source id {source_id!r} has no letters or digits")
    return prefix


def split(text: str | None) -> list[str]:
    """A `;`-separated cell as its trimmed, non-empty values."""
    return [v.strip() for v in (text or "").split(";") if v.strip()]


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as dicts with the line where each starts; checks the header and row shape."""
    text = decode_utf8(
        read_bytes(path),
        path,
        utf16="file is UTF-16 (spreadsheet 'Unicode text'?); save it as CSV UTF-8",
        hint=" (Latin-1 or a legacy Korean/Japanese encoding?); save it as CSV UTF-8",
    )
    header = [h.strip() for h in csv_header(text)]
    _check_header(path, header)
    count = 0
    for line, row in csv_rows(
        text,
        path,
        header,
        skip_blank=True,
        width_hint="truncated file, or a value with a comma that needs quotes",
    ):
        count += 1
        yield line, row
    if count == 0:
        raise ParseError(str(path), "no entries below the header")


def _check_header(path: Path, header: list[str]) -> None:
    """Unknown (misspelt) or repeated columns, or missing required ones, are errors."""
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        positions = [str(header.index(h) + 1) for h in unknown]
        raise ParseError(
            str(path),
            f"unknown columns at position(s) {', '.join(positions)}; "
            "allowed columns: "
            f"{', '.join(COLUMNS)}",
            row=1,
        )
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise ParseError(str(path), f"repeated columns {', '.join(repeated)}", row=1)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ParseError(str(path), f"missing required columns {', '.join(missing)}", row=1)


def _record(file: str, line: int, row: dict[str, str], prefix: str) -> Record:
    """One row as a party with its Sanction, documents and wallets."""

    def fail(column: str, reason: str) -> ParseError:
        return ParseError(file, f"column {column}: {reason}", row=line)

    values = {c: (row.get(c) or "").strip() for c in COLUMNS}
    for column in REQUIRED:
        if not values[column]:
            raise fail(column, "a value is required")
    if not ROW_ID.fullmatch(values["id"]):
        raise fail("id", "may hold only letters, digits, '.', '_' and '-'")
    if values["schema"] not in SCHEMATA:
        raise fail("schema", f"{values['schema']!r} is not one of {', '.join(SCHEMATA)}")
    party = make_entity(values["schema"], f"{prefix}-{values['id']}")
    party.add("name", values["name"])
    for column, prop in PROPERTIES.items():
        for value in split(values[column]) if column != "notes" else [values[column]]:
            if value:
                _add(party, column, prop, value, fail)
    derived = [*_documents(party, values), *_wallets(party, values["crypto_addresses"], fail)]
    sanction = _sanction(party, values, fail)
    return Record(party, [sanction, *derived] if sanction is not None else derived)


def _add(party: EntityProxy, column: str, prop: str, value: str, fail: _Fail) -> None:
    """Add a cell value to the party; values its schema or FtM would not keep are errors."""
    schema_prop = party.schema.get(prop)
    if schema_prop is None:
        raise fail(column, f"a {party.schema.name} cannot have {column}")
    if column in ("nationality", "country"):
        code = country_code(value)
        if code is None:
            raise fail(column, f"{value!r} is not a country name or code")
        value = code
    elif column == "birth_date":
        value = _date(column, value, fail)
    if schema_prop.type.clean(value, format=schema_prop.format, proxy=party) is None:
        raise fail(column, f"{value!r} is not a valid {schema_prop.type.name}")
    party.add(prop, value)


def _date(column: str, value: str, fail: _Fail) -> str:
    """An ISO date (or year, or year-month) from anything `parse_date` reads."""
    iso = parse_date(value)
    if iso is None or implausible(iso):
        raise fail(column, f"{value!r} is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)")
    return iso


def _documents(party: EntityProxy, values: dict[str, str]) -> list[EntityProxy]:
    """A Passport per passport number and an Identification per id number."""
    assert party.id is not None
    docs = []
    for column, schema in (("passport_number", "Passport"), ("id_number", "Identification")):
        for number in split(values[column]):
            doc = make_entity(schema, derived_id(party.id, "id", column, number))
            doc.add("holder", party.id)
            doc.add("number", number)
            docs.append(doc)
    return docs


def _wallets(party: EntityProxy, text: str, fail: _Fail) -> list[EntityProxy]:
    """`CUR:address` values as CryptoWallets held by the party."""
    assert party.id is not None
    wallets = []
    for value in split(text):
        currency, sep, address = (p.strip() for p in value.partition(":"))
        if not sep or not re.fullmatch(r"[A-Za-z0-9]{2,10}", currency) or not address:
            raise fail("crypto_addresses", f"{value!r} is not CURRENCY:address (e.g. XBT:1A1z…)")
        wallet = make_entity("CryptoWallet", wallet_id(party.id, currency, address))
        wallet.add("currency", currency.upper())
        wallet.add("publicKey", address)
        if party.schema.is_a("LegalEntity"):
            wallet.add("holder", party.id)
        wallets.append(wallet)
    return wallets


def _sanction(party: EntityProxy, values: dict[str, str], fail: _Fail) -> EntityProxy | None:
    """The designation of the row, when it names an authority."""
    if not values["authority"]:
        given = [c for c in SANCTION_COLUMNS if values[c]]
        if given:
            raise fail("authority", f"needed when {', '.join(given)} is given")
        return None
    listing = (
        _date("listing_date", values["listing_date"], fail) if values["listing_date"] else None
    )
    programs = split(values["program"])
    party.add("program", programs)
    return make_sanction(
        party,
        values["authority"],
        program=programs,
        listing_date=listing,
        reason=values["reason"] or None,
        source_url=values["source_url"] or None,
    )
