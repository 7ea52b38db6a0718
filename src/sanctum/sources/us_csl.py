"""US Consolidated Screening List (trade.gov `consolidated.csv`, plain or gzipped).

The CSL merges a dozen US lists; the `source` column names the list of each row. The
stable key is `_id` (there is no `id` column): OFAC lists use the OFAC entity number
(`21944`), the Commerce and State lists a 40-character hash. A party on several OFAC
lists (SDN and SSI and CAP) has one row per list under the same `_id`: those rows are
one party `us-csl-<_id>` carrying one Sanction per row (authority = the row's source).

Multi-valued cells are `; `-joined. The `ids` cell is a small language of its own:
`[COUNTRY, ][DATE, ]VALUE, TYPE` items (`CA, BC166787, Passport`, `Male, Gender`,
`1Fz29…, Digital Currency Address - XBT`), mapped by :data:`ID_TYPES`.
The file carries no publication date (its newest `start_date` is a listing date).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from followthemoney import EntityProxy, registry

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
    read_bytes,
    wallet_id,
)
from sanctum.sources.containers import gunzip
from sanctum.sources.readers import csv_header, csv_rows, decode_utf8
from sanctum.values import country_code, implausible, parse_date

ID_PREFIX = "us-csl-"

COLUMNS = (
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
)
"""Columns of `consolidated.csv` (2022 layout), in file order."""

SCHEMATA = {
    "Individual": "Person",
    "Entity": "Organization",
    "Vessel": "Vessel",
    "Aircraft": "Airplane",
    "": "LegalEntity",
}
"""CSL `type` → FtM schema. Non-OFAC lists leave `type` empty: LegalEntity."""

NO_VALUE = frozenset({"none identified"})
"""Cell values that state an absence (vessel flag `None Identified`)."""

_PASSPORTS = (
    "Passport",
    "Diplomatic Passport",
    "Stateless Person Passport",
    "British National Overseas Passport",
    "Travel Document Number",
)
_PERSONAL_IDS = (
    "National ID No.",
    "Cedula No.",
    "C.U.R.P.",
    "D.N.I.",
    "Personal ID Card",
    "Identification Number",
    "National Foreign ID Number",
    "Kenyan ID No.",
    "Tazkira National ID Card",
    "Turkish Identification Number",
    "Citizen's Card Number",
    "Numero de Identidad",
    "C.U.I.",
    "C.U.I.P.",
    "Refugee ID Card",
    "Stateless Person ID Card",
    "Bosnian Personal ID No.",
    "CNP (Personal Numerical Code)",
    "Moroccan Personal ID No.",
    "UAE Identification",
    "Residency Number",
    "Romanian Permanent Resident",
    "Electoral Registry No.",
    "Credencial electoral",
    "I.F.E.",
    "Cartilla de Servicio Militar Nacional",
    "Driver's License No.",
    "Birth Certificate Number",
    "Immigration No.",
    "VisaNumberID",
    "SRE Permit No.",
    "N.I.E.",
    "LE Number",
    "Public Security and Immigration No.",
    "Pilot License Number",
    "Seafarer's Identification Document",
    "SSN",
)
_TAX_IDS = (
    "Tax ID No.",
    "R.F.C.",
    "RFC",
    "NIT #",
    "RUC #",
    "RIF #",
    "C.U.I.T.",
    "US FEIN",
    "C.I.F.",
    "Fiscal Code",
    "Italian Fiscal Code",
    "Romanian Tax Registration",
    "Paraguayan tax identification number",
    "Numero Unico de Identificacao Tributaria (NUIT)",
    "RSIN",
    "RTN",
)
_REGISTRATIONS = (
    "Registration Number",
    "Registration ID",
    "Company Number",
    "UK Company Number",
    "Commercial Registry Number",
    "Business Registration Number",
    "Business Registration Document #",
    "Business Number",
    "Certificate of Incorporation Number",
    "Chamber of Commerce Number",
    "Dubai Chamber of Commerce Membership No.",
    "Istanbul Chamber of Comm. No.",
    "Folio Mercantil No.",
    "Matricula Mercantil No",
    "C.R. No.",
    "Romanian C.R.",
    "Trade License No.",
    "Tourism License No.",
    "License",
    "Public Registration Number",
    "Central Registration System Number",
    "Enterprise Number",
    "Branch Unit Number",
    "File Number",
    "Government Gazette Number",
    "Registered Charity No.",
    "Afghan Money Service Provider License Number",
    "MSB Registration Number",
)
_PROVISIONS = (
    "Additional Sanctions Information -",
    "Secondary sanctions risk:",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions:",
    "Executive Order 13662 Directive Determination -",
    "Executive Order 13846 information:",
    "Executive Order 14024 Directive Information -",
    "Executive Order 14024 Directive Information",
    "CAATSA Section 235 Information:",
    "IFCA Determination -",
    "PEESA Information:",
    "Listing Date (CMIC)",
    "Effective Date (CMIC)",
    "Purchase/Sales For Divestment Date (CMIC)",
    "Listing Date (EO 14024 Directive 1a):",
    "Effective Date (EO 14024 Directive 1a):",
    "Listing Date (EO 14024 Directive 2):",
    "Effective Date (EO 14024 Directive 2):",
    "Listing Date (EO 14024 Directive 3):",
    "Effective Date (EO 14024 Directive 3):",
)
_NOTES = (
    "Aircraft Operator",
    "Aircraft Construction Number (also called L/N or S/N or F/N)",
    "Aircraft Mode S Transponder Code",
    "Previous Aircraft Tail Number",
    "Issuer Name",
    "Chinese Commercial Code",
    "UN/LOCODE",
    "MICEX Code",
    "Serial No.",
)

ID_TYPES: dict[str, tuple[str, str]] = {
    **{t: ("passport", "passportNumber") for t in _PASSPORTS},
    **{t: ("identification", "idNumber") for t in _PERSONAL_IDS},
    **{t: ("identification", "taxNumber") for t in _TAX_IDS},
    **{t: ("identification", "registrationNumber") for t in _REGISTRATIONS},
    **{t: ("provision", "") for t in _PROVISIONS},
    **{t: ("note", "") for t in _NOTES},
    "V.A.T. Number": ("identification", "vatCode"),
    "Unified Social Credit Code (USCC)": ("identification", "uscCode"),
    "United Social Credit Code Certificate (USCCC)": ("identification", "uscCode"),
    "Legal Entity Number": ("property", "leiCode"),
    "D-U-N-S Number": ("property", "dunsCode"),
    "SWIFT/BIC": ("property", "swiftBic"),
    "BIK (RU)": ("property", "bikCode"),
    "ISIN": ("property", "isinCode"),
    "Equity Ticker": ("property", "ticker"),
    "Website": ("property", "website"),
    "Email Address": ("property", "email"),
    "Phone Number": ("property", "phone"),
    "Gender": ("property", "gender"),
    "Target Type": ("property", "classification"),
    "Organization Type:": ("property", "sector"),
    "Vessel Registration Identification": ("property", "imoNumber"),
    "MMSI": ("property", "mmsi"),
    "Other Vessel Call Sign": ("property", "callSign"),
    "Other Vessel Type": ("property", "type"),
    "Aircraft Model": ("property", "model"),
    "Aircraft Manufacturer's Serial Number (MSN)": ("property", "serialNumber"),
    "Aircraft Serial Identification": ("property", "serialNumber"),
    "Aircraft Tail Number": ("property", "registrationNumber"),
    "Organization Established Date": ("date", "incorporationDate"),
    "Aircraft Manufacture Date": ("date", "buildDate"),
    "Other Vessel Flag": ("country", "flag"),
    "Former Vessel Flag": ("country", "pastFlags"),
    "Nationality of Registration": ("country", "country"),
    "Registration Country": ("country", "country"),
}
"""`ids` item type → (handler, party property).

Handlers: `passport` / `identification` also make a Passport / Identification entity;
`property` adds the value to the party; `date` and `country` clean it first; `provision`
goes to the row's Sanction (`provisions`); `note` to the party's notes. Types not in
this table are kept as notes and reported as Issues. `Digital Currency Address - XBT`
and the like become CryptoWallets.
"""

WALLET_TYPE = "Digital Currency Address - "

LINKED_TO = "(Linked To: "


def parse(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Parse one CSL version: a single `consolidated.csv` or `consolidated.csv.gz`."""
    path = _single(paths)
    utf16 = "file is UTF-16 or binary, expected UTF-8 CSV text"
    text = decode_utf8(_uncompress(read_bytes(path), path), path, utf16=utf16)
    builder = _Builder(str(path))
    for line, row in _rows(text, path, builder.issues):
        builder.add_row(line, row)
    builder.resolve_links()
    return ParseResult(records=builder.records(), issues=builder.issues)


def _single(paths: Sequence[Path]) -> Path:
    """The one file of a CSL version."""
    if len(paths) != 1:
        names = ", ".join(str(p) for p in paths) or "none"
        raise ParseError(names, f"expected one consolidated.csv(.gz) file, got {len(paths)}")
    return Path(paths[0])


def _uncompress(data: bytes, path: Path) -> bytes:
    """Gunzip when the bytes are gzip (magic 1f 8b), else return them as they are."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    plain = gunzip(path, data)
    if not plain.strip():
        raise ParseError(str(path), "file is empty (gzip holds no data)")
    return plain


def _rows(text: str, path: Path, issues: list[Issue]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as dicts with the line number where each starts; checks header and shape."""
    header = csv_header(text)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ParseError(
            str(path),
            "not a Consolidated Screening List CSV: missing columns "
            f"{', '.join(missing)}; expected {', '.join(COLUMNS)}",
            row=1,
        )
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        issues.append(
            Issue(str(path), 1, "unknown-column", f"columns not read: {', '.join(extra)}")
        )
    yield from csv_rows(text, path, header)


def clean(text: str | None) -> str:
    """A cell with runs of whitespace (including line breaks) collapsed."""
    return " ".join((text or "").split())


def split(text: str | None) -> list[str]:
    """A `;`-joined cell as its cleaned, non-empty values."""
    return [v for v in (clean(p) for p in (text or "").split(";")) if v]


def birth_dates(text: str) -> tuple[list[str], list[str]]:
    """ISO dates of one `dates_of_birth` value, and what could not be read.

    `circa 1960` → `1960`; `1969 to 1971` → each year of the range (up to 10 years).
    """
    value = clean(text)
    m = re.fullmatch(r"circa (\d{4})", value, re.I)
    if m:
        return [m[1]], []
    m = re.fullmatch(r"(\d{4}) to (\d{4})", value, re.I)
    if m and 0 < int(m[2]) - int(m[1]) <= 10:
        return [str(y) for y in range(int(m[1]), int(m[2]) + 1)], []
    iso = parse_date(value)
    return ([iso], []) if iso else ([], [value])


def id_item(item: str) -> tuple[str | None, str | None, str, str]:
    """One `ids` item as (country, date, value, type): `LB, 2020-08-28, RL 3367620, Passport`."""
    parts = [p.strip() for p in item.split(", ")]
    kind, rest = parts[-1], parts[:-1]
    country = date = None
    if len(rest) >= 2 and re.fullmatch(r"[A-Z]{2}", rest[0]):
        country = rest.pop(0).lower()
    if len(rest) >= 2 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", rest[0]):
        date = rest.pop(0)
    return country, date, ", ".join(rest), kind


def linked_names(remarks: str) -> list[str]:
    """Names in `(Linked To: A; Linked To: B)` remarks; names may contain parentheses."""
    names: list[str] = []
    start = remarks.find(LINKED_TO)
    while start >= 0:
        pos, depth = start + len(LINKED_TO), 1
        end = pos
        while end < len(remarks) and depth:
            depth += {"(": 1, ")": -1}.get(remarks[end], 0)
            end += 1
        inner = remarks[pos : end - 1] if depth == 0 else remarks[pos:]
        names.extend(clean(n) for n in inner.split("; Linked To: ") if clean(n))
        start = remarks.find(LINKED_TO, end)
    return names


@lru_cache(maxsize=4096)
def country_of(text: str) -> str | None:
    """ISO code of a country cell (cached: the same few values repeat on every row)."""
    return country_code(text)


@lru_cache(maxsize=256)
def url_of(text: str) -> str | None:
    """A cleaned URL cell (cached: the CSL repeats a dozen list URLs)."""
    return registry.url.clean(clean(text)) if clean(text) else None


def name_key(name: str) -> str:
    """Key under which `Linked To:` names find their entry: case and spacing ignored."""
    return clean(name).casefold()


@dataclass
class _Entry:
    """A party being built from its rows, with the lists it is on and its links."""

    record: Record
    derived: dict[str, EntityProxy] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    links: list[tuple[int, str]] = field(default_factory=list)


class _Builder:
    """Turns rows into records; rows sharing `_id` add to the same party."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.entries: dict[str, _Entry] = {}
        self.issues: list[Issue] = []
        self.seen: set[tuple[str, str]] = set()

    def records(self) -> list[Record]:
        """The records in file order, derived entities in first-seen order."""
        for entry in self.entries.values():
            entry.record.derived = list(entry.derived.values())
        return [entry.record for entry in self.entries.values()]

    def issue(self, line: int, kind: str, message: str, entity_id: str | None) -> None:
        """Record something odd but kept."""
        self.issues.append(Issue(self.file, line, kind, message, entity_id))

    def add_row(self, line: int, row: dict[str, str]) -> None:
        """Add one CSL row: the party (new or existing) and the row's Sanction."""
        key = clean(row["_id"])
        if not key:
            raise ParseError(self.file, "row has no _id", row=line)
        source = clean(row["source"])
        if (key, source) in self.seen:
            message = f"_id {key} appears twice on {source}; one Sanction kept"
            self.issue(line, "duplicate-entry", message, ID_PREFIX + key)
        self.seen.add((key, source))
        entry = self._entry(line, key, row)
        party = entry.record.party
        sanction = self._sanction(line, party, row)
        self._put(entry, sanction)
        self._fill(line, entry, row)
        self._ids(line, entry, sanction, row["ids"])
        entry.sources.add(source)
        entry.links.extend((line, name) for name in linked_names(row["remarks"]))

    def _entry(self, line: int, key: str, row: dict[str, str]) -> _Entry:
        """The party for `_id`, created from the first of its rows."""
        pid = ID_PREFIX + key
        kind = clean(row["type"])
        schema = SCHEMATA.get(kind)
        if schema is None:
            self.issue(line, "unknown-type", f"type {kind!r} read as LegalEntity", pid)
            schema = "LegalEntity"
        entry = self.entries.get(pid)
        if entry is None:
            entry = _Entry(Record(make_entity(schema, pid)))
            self.entries[pid] = entry
        elif entry.record.party.schema.name != schema:
            self.issue(line, "conflicting-type", f"type {kind!r} differs from an earlier row", pid)
        return entry

    def _put(self, entry: _Entry, proxy: EntityProxy) -> None:
        """Add a derived entity, merging with one of the same id."""
        assert proxy.id is not None
        if proxy.id in entry.derived:
            entry.derived[proxy.id].merge(proxy)
        else:
            entry.derived[proxy.id] = proxy

    def _sanction(self, line: int, party: EntityProxy, row: dict[str, str]) -> EntityProxy:
        """The Sanction a row states: its list, programs, dates, notice and terms."""
        programs = split(row["programs"])
        start = self._date(line, party, row, "start_date")
        sanction = make_sanction(
            party,
            clean(row["source"]),
            program=programs,
            listing_date=start,
            authority_id=clean(row["entity_number"]) or None,
        )
        sanction.add("sourceUrl", url_of(row["source_list_url"]), cleaned=True)
        sanction.add("endDate", self._date(line, party, row, "end_date"))
        sanction.add("programUrl", url_of(row["source_information_url"]), cleaned=True)
        sanction.add("description", clean(row["federal_register_notice"]) or None)
        for label, column in (
            ("Standard order", "standard_order"),
            ("License requirement", "license_requirement"),
            ("License policy", "license_policy"),
        ):
            if clean(row[column]):
                sanction.add("provisions", f"{label}: {clean(row[column])}")
        party.add("program", programs)
        return sanction

    def _date(self, line: int, party: EntityProxy, row: dict[str, str], column: str) -> str | None:
        """An ISO date cell, or None with an Issue when unreadable or implausible."""
        text = clean(row[column])
        iso = parse_date(text)
        if text and (iso is None or implausible(iso)):
            looks_iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)
            kind = "implausible-date" if looks_iso else "unparsed-date"
            self.issue(line, kind, f"{column} {text!r} not stored as a date", party.id)
            return None
        return iso

    def _fill(self, line: int, entry: _Entry, row: dict[str, str]) -> None:
        """Names, places, dates, countries and vessel details onto the party."""
        party = entry.record.party
        name = clean(row["name"])
        if not name:
            self.issue(line, "missing-name", "entry has no name", party.id)
        party.add("name", name or None)
        if party.schema.is_a("Person") and name.count(", ") == 1:
            last, first = name.split(", ")
            party.add("lastName", last)
            party.add("firstName", first)
        party.add("alias", split(row["alt_names"]))
        title = clean(row["title"]) or None
        self._add(line, party, "position", title, "Title")
        for address in split(row["addresses"]):
            tail = address.rsplit(", ", 1)[-1]
            code = country_of(tail) if re.fullmatch(r"[A-Z]{2}", tail) else None
            party.add("country", code, cleaned=True)
            if address != tail or code is None:  # a lone country code is just the country
                party.add("address", address)
        self._countries(line, party, "citizenship", row["citizenships"])
        self._countries(line, party, "nationality", row["nationalities"])
        for value in split(row["dates_of_birth"]):
            dates, unread = birth_dates(value)
            self._add(line, party, "birthDate", dates or None, "Date of birth")
            for text in unread:
                self.issue(line, "unparsed-date", f"date of birth {text!r} kept as note", party.id)
                party.add("notes", f"Date of birth: {text}")
        self._add(
            line, party, "birthPlace", split(row["places_of_birth"]) or None, "Place of birth"
        )
        self._add(line, party, "callSign", clean(row["call_sign"]) or None, "Call sign")
        self._add(line, party, "type", clean(row["vessel_type"]) or None, "Vessel type")
        self._add(line, party, "tonnage", clean(row["gross_tonnage"]) or None, "Gross tonnage")
        grt = clean(row["gross_registered_tonnage"]) or None
        self._add(line, party, "grossRegisteredTonnage", grt, "Gross registered tonnage")
        self._countries(line, party, "flag", row["vessel_flag"])
        owner = clean(row["vessel_owner"])
        party.add("notes", f"Vessel owner: {owner}" if owner else None)
        party.add("notes", clean(row["remarks"]) or None)
        party.add("sourceUrl", url_of(row["source_list_url"]), cleaned=True)

    def _add(
        self, line: int, party: EntityProxy, prop: str, value: str | list[str] | None, label: str
    ) -> None:
        """Add to `prop`; kept as a `label: value` note when the schema lacks `prop`, and
        reported too when FtM would reject the value (an IMO number failing its check digit)."""
        if value is None:
            return
        schema_prop = party.schema.get(prop)
        for v in [value] if isinstance(value, str) else value:
            if schema_prop is None:
                party.add("notes", f"{label}: {v}")
            elif schema_prop.type.clean(v, format=schema_prop.format, proxy=party) is None:
                party.add("notes", f"{label}: {v}")
                message = f"{label} {v!r} is not a valid {prop}; kept as note"
                self.issue(line, "invalid-value", message, party.id)
            else:
                party.add(prop, v)

    def _countries(self, line: int, party: EntityProxy, prop: str, text: str) -> None:
        """Country cells (codes or names) → ISO codes; unreadable ones kept as notes."""
        for value in split(text):
            if value.casefold() in NO_VALUE:
                continue
            code = country_of(value)
            if code is None or party.schema.get(prop) is None:
                if code is None:
                    self.issue(line, "unknown-country", f"{prop} {value!r} kept as note", party.id)
                party.add("notes", f"{prop}: {value}")
                continue
            party.add(prop, code, cleaned=True)

    def _ids(self, line: int, entry: _Entry, sanction: EntityProxy, text: str) -> None:
        """Read the `ids` cell item by item (see :data:`ID_TYPES`)."""
        party = entry.record.party
        for item in (clean(i) for i in text.split("; ")):
            if not item:
                continue
            country, date, value, kind = id_item(item)
            if kind.startswith(WALLET_TYPE):
                self._wallet(entry, kind[len(WALLET_TYPE) :], value)
                continue
            handler, prop = ID_TYPES.get(kind, ("unknown", ""))
            if handler in ("passport", "identification"):
                self._document(line, entry, handler, prop, kind, country, date, value)
            elif handler == "property":
                if prop == "imoNumber":
                    value = value.removeprefix("IMO ").strip()
                if prop == "phone" and value.isdigit() and not value.startswith("0"):
                    value = "+" + value  # OFAC writes international numbers without the +
                self._add(line, party, prop, value, kind)
            elif handler == "date":
                self._add(line, party, prop, parse_date(value) or value, kind)
            elif handler == "country":
                self._countries(line, party, prop, value)
            elif handler == "provision":
                sanction.add("provisions", item)
            else:
                party.add("notes", f"{kind}: {value}")
                if handler == "unknown":
                    self.issue(line, "unknown-id-type", f"ids item {item!r} kept as note", party.id)

    def _document(
        self,
        line: int,
        entry: _Entry,
        handler: str,
        prop: str,
        kind: str,
        country: str | None,
        date: str | None,
        number: str,
    ) -> None:
        """A passport or other identifier: on the party, and as a document it holds."""
        party = entry.record.party
        assert party.id is not None
        self._add(line, party, prop, number, kind)
        if not party.schema.is_a("LegalEntity"):
            return
        schema = "Passport" if handler == "passport" else "Identification"
        doc = make_entity(schema, derived_id(party.id, "id", kind, country, number))
        doc.add("holder", party.id)
        doc.add("number", number)
        doc.add("type", kind)
        doc.add("country", country)
        doc.add("date", date)
        self._put(entry, doc)

    def _wallet(self, entry: _Entry, currency: str, address: str) -> None:
        """A `Digital Currency Address - XBT` item as the party's CryptoWallet."""
        party = entry.record.party
        assert party.id is not None
        wallet = make_entity("CryptoWallet", wallet_id(party.id, currency, address))
        wallet.add("currency", currency)
        wallet.add("publicKey", address)
        if party.schema.is_a("LegalEntity"):
            wallet.add("holder", party.id)
        self._put(entry, wallet)

    def resolve_links(self) -> None:
        """`Linked To:` names → UnknownLinks to the entry of that name on this list.

        A name shared by several entries is narrowed to those on a list the linking
        entry is on; names that stay ambiguous or are not found become Issues.
        """
        index: dict[str, list[str]] = {}
        for pid, entry in self.entries.items():
            for name in entry.record.party.get("name"):
                index.setdefault(name_key(name), []).append(pid)
        for pid, entry in self.entries.items():
            for line, name in entry.links:
                targets = [t for t in index.get(name_key(name), []) if t != pid]
                if len(targets) > 1:
                    targets = [t for t in targets if self.entries[t].sources & entry.sources]
                if len(targets) != 1:
                    why = "no entry" if not targets else f"{len(targets)} entries"
                    self.issue(line, "unresolved-link", f"Linked To {name!r}: {why}", pid)
                    continue
                self._put(entry, make_link(pid, targets[0], "Linked To"))
