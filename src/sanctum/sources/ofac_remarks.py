"""The OFAC remarks language: `;`-separated clauses, each read into typed facts.

The `Remarks` column of the legacy OFAC CSV files packs most of an entry's data into one
string: `DOB 01 Sep 1969; nationality Korea, North; Passport 563210175 (Korea, North);
Linked To: GREEN PINE ASSOCIATED CORPORATION.` This module is a pure parser of that
language: text in, :class:`Fact` values out. It knows nothing about entities; the record
builder in :mod:`sanctum.sources.ofac` decides where each fact goes.

A fact's `kind` is, where one fits, the FollowTheMoney property it belongs to
(`birthDate`, `taxNumber`, `imoNumber`, ...). The other kinds are:

- `wallet`: a digital currency address (`label` = currency code, `value` = address);
- `link`: a `Linked To:` name, to be resolved to another entry of the same file;
- `operator`: the operator of an aircraft, by name;
- `sanctionInfo`: statements about the designation itself (secondary sanctions risk,
  directives, effective dates), kept on the Sanction;
- `note`: free text understood as a statement (a position, a relation, a rank);
- `unparsed`: a clause that looks like data this grammar does not know;
- `fragment` / `truncatedWallet`: the cut-off last clause of a remark truncated at
  1,000 characters (only when the caller says the remark is truncated).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sanctum.values import parse_date

MAX_RANGE_YEARS = 30
"""A date range (`DOB 1951 to 1953`) becomes every year in it, up to this many years."""


@dataclass(frozen=True)
class Fact:
    """One statement of a remark: what it is (`kind`), its value and qualifiers."""

    kind: str
    value: str
    clause: str
    label: str | None = None
    """The identifier type as written (`Tax ID No.`), the currency code of a wallet."""
    country: str | None = None
    """The country as written in the clause, e.g. `Korea, North`."""
    issued: str | None = None
    expires: str | None = None
    detail: str | None = None
    """Other qualifiers of an identifier, e.g. the registry town in `HRA 738077 (Stuttgart)`."""


IDENTIFIER_KINDS = frozenset(
    {
        "passportNumber",
        "idNumber",
        "taxNumber",
        "registrationNumber",
        "vatCode",
        "socialSecurityNumber",
        "uscCode",
        "dunsCode",
        "swiftBic",
        "imoNumber",
        "isin",
    }
)
"""Kinds that are identifiers of the party (and may get an Identification entity)."""


# --- splitting -------------------------------------------------------------------------

_OPEN_ALIAS = re.compile(r"\s*(?:alt\.\s+)?(?:[afn]\.k\.a\.|d\.b\.a\.)\s*'", re.IGNORECASE)
_CLOSED_ALIAS = re.compile(r"'\s*\.?\s*$")


def _open(piece: str) -> bool:
    """True if a piece leaves a parenthesis or a quoted alias open (its `;` was inside)."""
    if piece.count("(") > piece.count(")"):
        return True
    return bool(_OPEN_ALIAS.match(piece)) and not _CLOSED_ALIAS.search(piece)


def split_clauses(text: str) -> list[str]:
    """Split a remark at `;`, but not inside parentheses or a quoted alias.

    `(Following data ...; Passport No.: ...)` stays one clause; so would an alias
    `a.k.a. 'A; B'`. Pieces are joined again while the opened parenthesis or quote is not
    closed; if it never closes, the pieces stay split (a stray `(` must not swallow the
    rest of the remark).
    """
    pieces = text.split(";")
    clauses: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        j = i
        if _open(piece):
            joined = piece
            for k in range(i + 1, len(pieces)):
                joined = joined + ";" + pieces[k]
                if not _open(joined):
                    piece, j = joined, k
                    break
        clauses.append(piece)
        i = j + 1
    return clauses


# --- values ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Collapse whitespace and drop the sentence-final full stop."""
    text = " ".join(text.split())
    return text[:-1].rstrip() if text.endswith(".") else text


def parse_date_expr(text: str) -> list[str]:
    """ISO dates for a remark date: exact, month, year, `circa X`, `X to Y`, `circa Y1-Y2`.

    A range yields every year it spans (they are alternatives, like `alt. DOB`); `circa`
    keeps only the year, since the day and month are not asserted. Empty if unreadable.
    """
    s = _clean(text)
    circa = False
    m = re.fullmatch(r"(?:circa|approximately|approx\.)\s+(.+)", s, re.IGNORECASE)
    if m:
        circa, s = True, m[1]
    m = re.fullmatch(r"(.+?)\s+to\s+(.+)", s) or re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", s)
    if m:
        first, last = parse_date(m[1]), parse_date(m[2])
        if first is None or last is None:
            return []
        lo, hi = int(first[:4]), int(last[:4])
        if lo > hi:
            return []
        if hi - lo > MAX_RANGE_YEARS:
            return [first[:4], last[:4]]
        return [str(y) for y in range(lo, hi + 1)]
    iso = parse_date(s)
    if iso is None:
        return []
    return [iso[:4]] if circa else [iso]


_EXPIRES = re.compile(r"[,;]?\s+expire[sd]?:?\s+(\S.*)$", re.IGNORECASE)
_ISSUED = re.compile(r"[,;]?\s+issued:?\s+(\S.*)$", re.IGNORECASE)


def parse_identifier(text: str) -> tuple[str, str | None, str | None, str | None, str | None]:
    """Split `G025057 (Tunisia) issued 23 Jun 1999 expires 05 Feb 2004`.

    Returns (number, country, issued, expires, detail). The country is the last
    parenthesised group; earlier groups (a registry town) become the detail. An issue or
    expiry date that is not a date stays part of the number.
    """
    s = _clean(text)
    issued = expires = None
    m = _EXPIRES.search(s)
    if m and parse_date(m[1]):
        expires, s = parse_date(m[1]), s[: m.start()]
    m = _ISSUED.search(s)
    if m and parse_date(m[1]):
        issued, s = parse_date(m[1]), s[: m.start()]
    groups: list[str] = []
    s = s.rstrip(" ,")
    while s.endswith(")") and "(" in s:
        cut = s.rfind("(")
        groups.insert(0, s[cut + 1 : -1].strip())
        s = s[:cut].rstrip(" ,")
    if not s:
        # `(5777731)`: the number itself is in parentheses.
        s, groups = (groups[0], groups[1:]) if groups else ("", groups)
    country = groups[-1] if groups else None
    detail = ", ".join(groups[:-1]) or None
    return s.strip(), country, issued, expires, detail


# --- the clause grammar ----------------------------------------------------------------

Handler = Callable[[re.Match[str], str], list[Fact] | None]
"""Reads a matched clause; None when the clause is not of this form after all."""

# Identifier labels as OFAC writes them → the kind (FtM property) of the number.
ID_LABELS: dict[str, str] = {
    # passports
    "Passport": "passportNumber",
    "Passport No.": "passportNumber",
    "Passport Booklet": "passportNumber",
    "Diplomatic Passport": "passportNumber",
    "British National Overseas Passport": "passportNumber",
    "Stateless Person Passport": "passportNumber",
    # personal identity documents
    "National ID No.": "idNumber",
    "Cedula No.": "idNumber",
    "D.N.I.": "idNumber",
    "N.I.E.": "idNumber",
    "Personal ID Card": "idNumber",
    "Identification Number": "idNumber",
    "C.U.R.P.": "idNumber",
    "C.U.R.P. #": "idNumber",
    "C.U.I.": "idNumber",
    "C.U.I.P.": "idNumber",
    "I.F.E.": "idNumber",
    "Credencial electoral": "idNumber",
    "Electoral Registry No.": "idNumber",
    "National Foreign ID Number": "idNumber",
    "Cartilla de Servicio Militar Nacional": "idNumber",
    "Residency Number": "idNumber",
    "Turkish Identification Number": "idNumber",
    "Numero de Identidad": "idNumber",
    "Citizen's Card Number": "idNumber",
    "Kenyan ID No.": "idNumber",
    "VisaNumberID": "idNumber",
    "Travel Document Number": "idNumber",
    "Birth Certificate Number": "idNumber",
    "Driver's License No.": "idNumber",
    "Tazkira National ID Card": "idNumber",
    "SRE Permit No.": "idNumber",
    "Immigration No.": "idNumber",
    "Refugee ID Card": "idNumber",
    "Pilot License Number": "idNumber",
    "UAE Identification": "idNumber",
    "Bosnian Personal ID No.": "idNumber",
    "Moroccan Personal ID No.": "idNumber",
    "Stateless Person ID Card": "idNumber",
    "CNP (Personal Numerical Code)": "idNumber",
    "Romanian Permanent Resident CAN": "idNumber",
    "Seafarer's Identification Document": "idNumber",
    "Public Security and Immigration No.": "idNumber",
    "Serial No.": "idNumber",
    "Residency Permit": "idNumber",
    "Military Registration Number": "idNumber",
    "Tarjeta Profesional": "idNumber",
    "Work Permit": "idNumber",
    "Social Security Number": "socialSecurityNumber",
    "SSN": "socialSecurityNumber",
    # tax numbers
    "Tax ID No.": "taxNumber",
    "NIT #": "taxNumber",
    "RUC #": "taxNumber",
    "R.F.C.": "taxNumber",
    "R.F.C. #": "taxNumber",
    "RFC": "taxNumber",
    "RIF #": "taxNumber",
    "C.U.I.T.": "taxNumber",
    "RTN": "taxNumber",
    "US FEIN": "taxNumber",
    "Italian Fiscal Code": "taxNumber",
    "Fiscal Code": "taxNumber",
    "Romanian Tax Registration": "taxNumber",
    "C.I.F.": "taxNumber",
    "N.I.F.": "taxNumber",
    "RSIN": "taxNumber",
    "Numero Unico de Identificacao Tributaria (NUIT)": "taxNumber",
    "Paraguayan tax identification number": "taxNumber",
    "V.A.T. Number": "vatCode",
    # company registers, licences
    "Registration Number": "registrationNumber",
    "Registration ID": "registrationNumber",
    "Business Registration Number": "registrationNumber",
    "Business Registration Document #": "registrationNumber",
    "Company Number": "registrationNumber",
    "UK Company Number": "registrationNumber",
    "Company ID": "registrationNumber",
    "Commercial Registry Number": "registrationNumber",
    "Chamber of Commerce Number": "registrationNumber",
    "Certificate of Incorporation Number": "registrationNumber",
    "Government Gazette Number": "registrationNumber",
    "Public Registration Number": "registrationNumber",
    "Central Registration System Number": "registrationNumber",
    "Istanbul Chamber of Comm. No.": "registrationNumber",
    "Dubai Chamber of Commerce Membership No.": "registrationNumber",
    "Economic Register Number (CBLS)": "registrationNumber",
    "Trade License No.": "registrationNumber",
    "Tourism License No.": "registrationNumber",
    "Folio Mercantil No.": "registrationNumber",
    "Matricula Mercantil No": "registrationNumber",
    "C.R. No.": "registrationNumber",
    "Romanian C.R.": "registrationNumber",
    "Registered Charity No.": "registrationNumber",
    "Enterprise Number": "registrationNumber",
    "Branch Unit Number": "registrationNumber",
    "Business Number": "registrationNumber",
    "Legal Entity Number": "registrationNumber",
    "LE Number": "registrationNumber",
    "File Number": "registrationNumber",
    "License": "registrationNumber",
    "Permit Number": "registrationNumber",
    "MSB Registration Number": "registrationNumber",
    "Afghan Money Service Provider License Number": "registrationNumber",
    "Organization Code": "registrationNumber",
    "Registration Certificate Number (Dubai)": "registrationNumber",
    "Russian State Individual Business Registration Number Pattern (OGRNIP)": (
        "registrationNumber"
    ),
    "C.I.N.": "registrationNumber",
    "BIK (RU)": "registrationNumber",
    "Unified Social Credit Code (USCC)": "uscCode",
    "United Social Credit Code Certificate (USCCC)": "uscCode",
    "D-U-N-S Number": "dunsCode",
    "SWIFT/BIC": "swiftBic",
    "ISIN": "isin",
    "Identification Number ISIN": "isin",
    # IMO numbers of ship owners and managers
    "Identification Number IMO": "imoNumber",
    "Company Number IMO": "imoNumber",
    "Vessel Registration Identification IMO": "imoNumber",
    "Vessel Registration Identification": "imoNumber",
    "International Maritime Organization No.": "imoNumber",
    "IMO": "imoNumber",
}

_ID_LABEL_RE = re.compile(
    r"(?P<label>"
    + "|".join(re.escape(k) for k in sorted(ID_LABELS, key=len, reverse=True))
    + r")(?:\s*:)?\s+(?P<rest>\S.*)$"
)


def _identifier(m: re.Match[str], clause: str) -> list[Fact] | None:
    """`Tax ID No. 7707083893 (Russia)` → a `taxNumber` fact with its country."""
    label = m["label"]
    number, country, issued, expires, detail = parse_identifier(m["rest"])
    kind = ID_LABELS[label]
    if kind == "imoNumber":
        imo = re.sub(r"^IMO:?\s*", "", number)
        if re.fullmatch(r"\d{7}", imo):
            return [Fact("imoNumber", imo, clause, label=label, country=country)]
        # Not an IMO number after all (`RS 150443 (Russia)`, a six-digit typo).
        kind = "registrationNumber"
    if kind == "isin" and number.upper().startswith("ISIN"):
        number = re.sub(r"^ISIN:?\s*", "", number, flags=re.IGNORECASE)
    if not number or (not re.search(r"\d", number) and kind != "swiftBic"):
        return None
    return [
        Fact(
            kind,
            number,
            clause,
            label=label,
            country=country,
            issued=issued,
            expires=expires,
            detail=detail,
        )
    ]


def _dates(kind: str) -> Handler:
    """A date fact (`DOB`, `Organization Established Date`, `Vessel Year of Build`)."""

    def handle(m: re.Match[str], clause: str) -> list[Fact] | None:
        dates = parse_date_expr(m["v"])
        if not dates:
            return None
        return [Fact(kind, d, clause) for d in dates]

    return handle


def _text(kind: str, *, keep_stop: bool = False) -> Handler:
    """A fact whose value is the rest of the clause as written."""

    def handle(m: re.Match[str], clause: str) -> list[Fact] | None:
        value = " ".join(m["v"].split()) if keep_stop else _clean(m["v"])
        return [Fact(kind, value, clause)] if value else None

    return handle


def _whole(kind: str) -> Handler:
    """A fact that is the whole clause (a sanctions statement, a note)."""

    def handle(m: re.Match[str], clause: str) -> list[Fact]:
        return [Fact(kind, _clean(clause), clause)]

    return handle


def _alias(m: re.Match[str], clause: str) -> list[Fact] | None:
    """`a.k.a. 'NAME'`, `f.k.a. 'NAME'`: a weak alias (OFAC's low-quality names)."""
    name = " ".join(m["v"].split())
    return [Fact("weakAlias", name, clause, label=m["mark"].lower())] if name else None


def _wallet(m: re.Match[str], clause: str) -> list[Fact]:
    """`Digital Currency Address - XBT 1A1z...`: a wallet of that currency."""
    return [Fact("wallet", m["addr"], clause, label=m["cur"].upper())]


def _gender(m: re.Match[str], clause: str) -> list[Fact]:
    """`Gender Male` → `male`."""
    return [Fact("gender", m["v"].lower(), clause)]


def _phone(m: re.Match[str], clause: str) -> list[Fact] | None:
    """`Phone Number 8613314257947`, `Fax: (971)(42223456)`: a phone number as written."""
    value = re.sub(r"^No\.\s*", "", _clean(m["v"]))
    if not re.search(r"\d{4}", value):
        return None
    return [Fact("phone", value, clause, label=m["label"].strip(" :"))]


def _country(kind: str) -> Handler:
    """`nationality Korea, North` → the country as written (`possibly` dropped)."""

    def handle(m: re.Match[str], clause: str) -> list[Fact] | None:
        value = re.sub(r"^possibly\s+", "", _clean(m["v"]), flags=re.IGNORECASE)
        return [Fact(kind, value, clause)] if value else None

    return handle


_SANCTION_INFO = (
    r"Secondary sanctions risk|Additional Sanctions Information|"
    r"Transactions Prohibited For Persons Owned or Controlled|"
    r"Executive Order \d+ Direct|Listing Date \(|Effective Date \(|"
    r"Purchase/Sales For Divestment Date|CAATSA Section|IFCA Determination|"
    r"For more information|Executive Order \d+ (?:Determination|Information)|"
    r"Effective Date:|Listing Date:|Designation Date|"
    r"United States financial institutions are prohibited"
)

_NOTE_LABELS = (
    r"Equity Ticker|Issuer Name|MICEX Code|Chinese Commercial Code|UN/LOCODE|"
    r"Previous Aircraft Tail Number|Aircraft Construction Number|"
    r"Aircraft Mode S Transponder Code|Tribe|Subtribe|"
    r"arrested|Interpol"
)

_RULES: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"(?P<mark>[afn]\.k\.a\.|d\.b\.a\.)\s*'(?P<v>.*)'\.?$", re.I), _alias),
    (
        re.compile(
            r"Digital Currency Address - (?P<cur>[A-Za-z0-9]+)\s+(?P<addr>[A-Za-z0-9]+)\.?$"
        ),
        _wallet,
    ),
    (re.compile(r"Linked To:\s*(?P<v>\S.*)$"), _text("link", keep_stop=True)),
    (re.compile(r"DOB:?\s+(?P<v>.+)$"), _dates("birthDate")),
    (re.compile(r"POB:?\s+(?P<v>.+)$"), _text("birthPlace")),
    (re.compile(r"Nationality of Registration\s+(?P<v>.+)$"), _country("jurisdiction")),
    (re.compile(r"nationality:?\s+(?P<v>.+)$", re.I), _country("nationality")),
    (re.compile(r"citizen(?:ship)?:?\s+(?P<v>.+)$", re.I), _country("citizenship")),
    (re.compile(r"Gender:?\s+(?P<v>Male|Female)\.?$", re.I), _gender),
    (re.compile(r"ethnicity:?\s+(?P<v>.+)$", re.I), _text("ethnicity")),
    (re.compile(r"(?:Website|Web site|URL):?\s+(?P<v>\S+)\.?$", re.I), _text("website")),
    (re.compile(r"(?:Email Address|Email|E-mail):?\s+(?P<v>\S+@\S+)$", re.I), _text("email")),
    (
        re.compile(r"(?P<label>Phone Number|Telephone|Phone|Tel\.|Fax)\s*:?\s+(?P<v>.+)$", re.I),
        _phone,
    ),
    (re.compile(r"Organization Established Date:?\s+(?P<v>.+)$"), _dates("incorporationDate")),
    (re.compile(r"Organization Type:?\s+(?P<v>.+)$"), _text("sector")),
    (re.compile(r"Target Type:?\s+(?P<v>.+)$"), _text("classification")),
    (re.compile(r"MMSI:?\s+(?P<v>\d{9})\.?$"), _text("mmsi")),
    (re.compile(r"Vessel Year of Build:?\s+(?P<v>.+)$"), _dates("buildDate")),
    (re.compile(r"Former Vessel Flag:?\s+(?P<v>.+)$"), _country("pastFlags")),
    (re.compile(r"Other Vessel Flag:?\s+(?P<v>.+)$"), _country("flag")),
    (re.compile(r"Other Vessel Call Sign:?\s+(?P<v>.+)$"), _text("callSign")),
    (re.compile(r"Other Vessel Type:?\s+(?P<v>.+)$"), _text("type")),
    (re.compile(r"Aircraft Manufacture Date:?\s+(?P<v>.+)$"), _dates("buildDate")),
    (
        re.compile(
            r"(?:Aircraft Manufacturer's Serial Number \(MSN\)|Aircraft Serial Identification)"
            r":?\s+(?P<v>.+)$"
        ),
        _text("serialNumber"),
    ),
    (re.compile(r"Aircraft Model:?\s+(?P<v>.+)$"), _text("model")),
    (re.compile(r"Aircraft Tail Number:?\s+(?P<v>.+)$"), _text("registrationNumber")),
    (re.compile(r"Aircraft Operator:?\s+(?P<v>.+)$"), _text("operator", keep_stop=True)),
    (
        re.compile(
            r"(?:Position(?! also)|Title|Alternate Title|Rank|Occupation)\s*[:,]?\s+(?P<v>.+)$"
        ),
        _text("position"),
    ),
    (re.compile(r"(?:" + _SANCTION_INFO + r")", re.I), _whole("sanctionInfo")),
    (re.compile(r"(?:" + _NOTE_LABELS + r")\b", re.I), _whole("note")),
    (_ID_LABEL_RE, _identifier),
    (re.compile(r"(?P<v>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)(?: \(email\))?\.?$"), _text("email")),
    (re.compile(r"(?P<v>(?:https?://|www\.)\S+?)(?: \(website\))?\.?$", re.I), _text("website")),
]

_ALT = re.compile(r"^(?:alt\.|Alt\.|alternate)\s+", re.IGNORECASE)
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b")


def parse_clause(clause: str) -> tuple[Fact, ...]:
    """The facts of one clause; free text is a `note`, unknown data is `unparsed`.

    A clause without digits that no rule knows is a statement in words (a position, a
    relation, `all offices worldwide`) and kept as a note. One with digits is data this
    grammar cannot read, reported as `unparsed`.
    """
    return _parse_clause(" ".join(clause.split()))


@lru_cache(maxsize=1 << 16)
def _parse_clause(text: str) -> tuple[Fact, ...]:
    """:func:`parse_clause` of whitespace-normalised text, cached: clauses repeat a lot."""
    if not text or text == ".":
        return ()
    body = _ALT.sub("", text)
    for pattern, handler in _RULES:
        m = pattern.match(body)
        if m:
            facts = handler(m, text)
            if facts is not None:
                return tuple(facts)
    if not re.search(r"\d", _ORDINAL.sub("", body)):
        return (Fact("note", _clean(text), text),)
    return (Fact("unparsed", text, text),)


_WALLET_TAIL = re.compile(
    r"Digital Currency Address - (?P<cur>[A-Za-z0-9]+)\s+(?P<addr>[A-Za-z0-9]+)$"
)


def parse_remarks(text: str, *, truncated: bool = False) -> list[Fact]:
    """All facts of a remark, in order.

    With `truncated=True` (the remark was cut at 1,000 characters and its rest is not
    available) the last clause is cut off mid-way: it is returned as a `fragment`, or as
    a `truncatedWallet` when it ends in a (partial) wallet address.
    """
    clauses = split_clauses(text)
    tail: list[Fact] = []
    if truncated and clauses:
        last = " ".join(clauses.pop().split())
        m = _WALLET_TAIL.search(last)
        if m:
            tail = [Fact("truncatedWallet", m["addr"], last, label=m["cur"].upper())]
        elif last:
            tail = [Fact("fragment", last, last)]
    facts: list[Fact] = []
    for clause in clauses:
        facts.extend(parse_clause(clause))
    return facts + tail
