"""The OFAC remarks language, clause by clause.

Every clause in the tables below is copied from a real remark of the shared OFAC files
(2021-07-07 and 2024-05-03 SDN, 2025-12-19 non-SDN); `test_table_clauses_are_real` checks
that each one occurs there verbatim.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from sanctum.sources.ofac_remarks import (
    Fact,
    parse_clause,
    parse_date_expr,
    parse_identifier,
    parse_remarks,
    split_clauses,
)

REAL_FILES = (
    "us_ofac_sdn/2021-07-07/sdn.csv",
    "us_ofac_sdn/2024-05-03/sdn.csv",
    "us_ofac_cons/2025-12-19/cons_prim.csv",
)


def remarks_of(path: Path) -> dict[str, str]:
    """ent_num → raw remark of an OFAC primary file (read with the csv module alone)."""
    text = path.read_bytes().decode("latin-1").rstrip("\r\n").rstrip("\x1a")
    return {row[0]: row[11] for row in csv.reader(io.StringIO(text))}


@pytest.fixture(scope="module")
def real_remarks(data_dir: Path) -> str:
    """All remarks of the three files, joined (to look clauses up in)."""
    return "\n".join(r for f in REAL_FILES for r in remarks_of(data_dir / f).values())


# clause → [(kind, value)] of the facts it states
FACTS: list[tuple[str, list[tuple[str, str]]]] = [
    # dates of birth: exact, month, year, circa, ranges (every year of the range)
    ("DOB 01 Sep 1969", [("birthDate", "1969-09-01")]),
    ("DOB 30 Nov 1955.", [("birthDate", "1955-11-30")]),
    ("alt. DOB Feb 1949", [("birthDate", "1949-02")]),
    ("DOB 1946", [("birthDate", "1946")]),
    ("DOB circa 1951", [("birthDate", "1951")]),
    ("DOB circa 07 Jul 1966", [("birthDate", "1966")]),
    ("DOB 1951 to 1953", [("birthDate", "1951"), ("birthDate", "1952"), ("birthDate", "1953")]),
    ("DOB 01 Jan 1961 to 31 Dec 1962", [("birthDate", "1961"), ("birthDate", "1962")]),
    ("DOB 26 Sep 1946 to 07 Dec 1946.", [("birthDate", "1946")]),
    (
        "DOB circa 1979-1982",
        [("birthDate", y) for y in ("1979", "1980", "1981", "1982")],
    ),
    # person
    ("POB Moscow, Russia", [("birthPlace", "Moscow, Russia")]),
    ("nationality Korea, North", [("nationality", "Korea, North")]),
    ("nationality possibly Palestinian", [("nationality", "Palestinian")]),
    ("citizen Mexico.", [("citizenship", "Mexico")]),
    ("Gender Male", [("gender", "male")]),
    ("Gender Female.", [("gender", "female")]),
    ("ethnicity Kurdish", [("ethnicity", "Kurdish")]),
    (
        "Position: Director, General Intelligence Directorate.",
        [("position", "Director, General Intelligence Directorate")],
    ),
    # identifiers
    ("Passport 563210175 (Korea, North)", [("passportNumber", "563210175")]),
    ("National ID No. 660000 73767 (Belgium)", [("idNumber", "660000 73767")]),
    ("D.N.I. 78.865.882 (Spain)", [("idNumber", "78.865.882")]),
    ("Tax ID No. 773407989940 (Russia)", [("taxNumber", "773407989940")]),
    ("R.F.C. DIB-771110-HQ1 (Mexico).", [("taxNumber", "DIB-771110-HQ1")]),
    ("SSN 523-33-8386 (United States)", [("socialSecurityNumber", "523-33-8386")]),
    (
        "Registration Number HRA 738077 (Stuttgart) (Germany)",
        [("registrationNumber", "HRA 738077")],
    ),
    (
        "Unified Social Credit Code (USCC) 91222401MA0Y31E659 (China).",
        [("uscCode", "91222401MA0Y31E659")],
    ),
    ("SWIFT/BIC CRDURU4C", [("swiftBic", "CRDURU4C")]),
    # vessels and ship owners
    ("Vessel Registration Identification IMO 9187629", [("imoNumber", "9187629")]),
    ("Identification Number IMO 5342883.", [("imoNumber", "5342883")]),
    ("International Maritime Organization No. (5777731)", [("imoNumber", "5777731")]),
    ("Company Number IMO 543400.", [("registrationNumber", "543400")]),
    (
        "Vessel Registration Identification RS 150443 (Russia)",
        [("registrationNumber", "RS 150443")],
    ),
    ("MMSI 572469210", [("mmsi", "572469210")]),
    ("Vessel Year of Build 1999", [("buildDate", "1999")]),
    ("Former Vessel Flag Malta", [("pastFlags", "Malta")]),
    ("Other Vessel Call Sign 5IM713", [("callSign", "5IM713")]),
    ("Nationality of Registration Korea, North", [("jurisdiction", "Korea, North")]),
    # aircraft
    ("Aircraft Model Gulfstream 200", [("model", "Gulfstream 200")]),
    ("Aircraft Manufacturer's Serial Number (MSN) 1023409321", [("serialNumber", "1023409321")]),
    ("Aircraft Tail Number YV3360.", [("registrationNumber", "YV3360")]),
    ("Aircraft Manufacture Date Sep 1984", [("buildDate", "1984-09")]),
    ("Aircraft Operator Iran Air", [("operator", "Iran Air")]),
    # organisations, contacts
    ("Organization Established Date Oct 1920", [("incorporationDate", "1920-10")]),
    ("Target Type Financial Institution", [("classification", "Financial Institution")]),
    ("Website http://waatasemu.org.ly", [("website", "http://waatasemu.org.ly")]),
    ("alt. Website mofa.lat", [("website", "mofa.lat")]),
    ("www.almanar.com.lb.", [("website", "www.almanar.com.lb")]),
    ("Email Address syshim10@mofa.lat", [("email", "syshim10@mofa.lat")]),
    ("info@manartv.com", [("email", "info@manartv.com")]),
    ("Phone Number 982188526300", [("phone", "982188526300")]),
    ("Fax: 0097282858208", [("phone", "0097282858208")]),
    # names and links
    ("a.k.a. 'BNC'.", [("weakAlias", "BNC")]),
    ("f.k.a. 'ANA I'.", [("weakAlias", "ANA I")]),
    ("d.b.a. 'ANARQUIA PAINTBALL'", [("weakAlias", "ANARQUIA PAINTBALL")]),
    ("a.k.a. 'KUWAITI, Abu Shaima''", [("weakAlias", "KUWAITI, Abu Shaima'")]),
    (
        "Linked To: GREEN PINE ASSOCIATED CORPORATION.",
        [("link", "GREEN PINE ASSOCIATED CORPORATION.")],
    ),
    # wallets
    (
        "Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h",
        [("wallet", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")],
    ),
    (
        "alt. Digital Currency Address - ETH 0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B",
        [("wallet", "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B")],
    ),
    # statements about the designation, notes, and what is not understood
    (
        "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210",
        [
            (
                "sanctionInfo",
                "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and "
                "510.210",
            )
        ],
    ),
    (
        "Additional Sanctions Information - Subject to Secondary Sanctions",
        [("sanctionInfo", "Additional Sanctions Information - Subject to Secondary Sanctions")],
    ),
    (
        "Scientific Studies and Research Center Employee.",
        [("note", "Scientific Studies and Research Center Employee")],
    ),
    (
        "Vice-Chairperson, 13th National People's Congress Standing Committee.",
        [("note", "Vice-Chairperson, 13th National People's Congress Standing Committee")],
    ),
    ("Equity Ticker CHA US", [("note", "Equity Ticker CHA US")]),
    ("President since 1979", [("unparsed", "President since 1979")]),
]


@pytest.mark.parametrize(("clause", "expected"), FACTS, ids=[c for c, _ in FACTS])
def test_clause_facts(clause: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.kind, f.value) for f in parse_clause(clause)] == expected


def test_table_clauses_are_real(real_remarks: str) -> None:
    missing = [c for c, _ in FACTS if c not in real_remarks]
    assert missing == []


# clause → (label, country, issued, expires, detail) of its one identifier fact
QUALIFIERS: list[tuple[str, tuple[str | None, ...]]] = [
    ("Passport 563210175 (Korea, North)", ("Passport", "Korea, North", None, None, None)),
    (
        "Passport G025057 issued 23 Jun 1999 expires 05 Feb 2004",
        ("Passport", None, "1999-06-23", "2004-02-05", None),
    ),
    (
        "alt. Passport D9008347 (Iran) issued 18 Jul 2010 expires 18 Jul 2015.",
        ("Passport", "Iran", "2010-07-18", "2015-07-18", None),
    ),
    (
        "Folio Mercantil No. 343997 (Mexico) issued 14 Dec 2005.",
        ("Folio Mercantil No.", "Mexico", "2005-12-14", None, None),
    ),
    (
        "Registration Number HRA 738077 (Stuttgart) (Germany)",
        ("Registration Number", "Germany", None, None, "Stuttgart"),
    ),
    (
        "Passport C 1415363 - 16/2/1421H issued 21 May 2000",
        ("Passport", None, "2000-05-21", None, None),
    ),
]


@pytest.mark.parametrize(("clause", "expected"), QUALIFIERS, ids=[c for c, _ in QUALIFIERS])
def test_identifier_qualifiers(clause: str, expected: tuple[str | None, ...]) -> None:
    (fact,) = parse_clause(clause)
    assert (fact.label, fact.country, fact.issued, fact.expires, fact.detail) == expected


def test_passport_number_keeps_its_inner_text() -> None:
    (fact,) = parse_clause("Passport C 1415363 - 16/2/1421H issued 21 May 2000")
    assert fact.value == "C 1415363 - 16/2/1421H"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("563210175 (Korea, North)", ("563210175", "Korea, North", None, None, None)),
        ("(5777731)", ("5777731", None, None, None, None)),
        ("1372584 (Kenya).", ("1372584", "Kenya", None, None, None)),
    ],
)
def test_parse_identifier(text: str, expected: tuple[str | None, ...]) -> None:
    assert parse_identifier(text) == expected


def test_wallet_currency_is_the_label() -> None:
    (fact,) = parse_clause("Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")
    assert fact.label == "XBT"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01 Sep 1969", ["1969-09-01"]),
        ("Sep 1969", ["1969-09"]),
        ("1969", ["1969"]),
        ("circa 1970", ["1970"]),
        ("1965 to 1967", ["1965", "1966", "1967"]),
        ("Mar 1962 to Feb 1963", ["1962", "1963"]),
        ("1967 to 1965", []),
        ("31 Feb 1969", []),
        ("sometime", []),
    ],
)
def test_parse_date_expr(text: str, expected: list[str]) -> None:
    assert parse_date_expr(text) == expected


# --- splitting into clauses -------------------------------------------------------------------


def test_split_keeps_parenthesised_semicolons(data_dir: Path) -> None:
    remark = remarks_of(data_dir / "us_ofac_sdn/2024-05-03/sdn.csv")["11313"]
    clauses = [c.strip() for c in split_clauses(remark)]
    inner = [c for c in clauses if c.startswith("(Following data")]
    assert len(inner) == 1
    assert inner[0].endswith("Expire Date 20 August 2008)")
    assert "Alt. POB: Keren Eritrea" in inner[0]
    assert clauses[-1] == "a.k.a. 'ABU MANSOUR'."
    assert len(clauses) == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB 1969; nationality Iran", ["DOB 1969", " nationality Iran"]),
        ("a.k.a. 'A; B'; Gender Male", ["a.k.a. 'A; B'", " Gender Male"]),
        ("Title (x; y) z; DOB 1969", ["Title (x; y) z", " DOB 1969"]),
        # a parenthesis or quote that never closes does not swallow the rest
        ("POB Gaza (West Bank; DOB 1969", ["POB Gaza (West Bank", " DOB 1969"]),
        ("a.k.a. 'ABU; DOB 1969", ["a.k.a. 'ABU", " DOB 1969"]),
        ("a.k.a. 'ABU 'UMAR'; DOB 1969", ["a.k.a. 'ABU 'UMAR'", " DOB 1969"]),
    ],
)
def test_split_clauses(text: str, expected: list[str]) -> None:
    assert split_clauses(text) == expected


# --- whole remarks -----------------------------------------------------------------------------


def test_kang_kyong_il_remark(data_dir: Path) -> None:
    remark = remarks_of(data_dir / "us_ofac_sdn/2023-12-01/sdn.csv")["37658"]
    facts = parse_remarks(remark)
    kinds = {(f.kind, f.value) for f in facts}
    assert ("birthDate", "1969-09-01") in kinds
    assert ("nationality", "Korea, North") in kinds
    assert ("gender", "male") in kinds
    assert ("passportNumber", "563210175") in kinds
    assert ("link", "GREEN PINE ASSOCIATED CORPORATION.") in kinds
    assert [f.kind for f in facts].count("sanctionInfo") == 2
    assert not [f for f in facts if f.kind in ("unparsed", "fragment")]


def test_truncated_remark_ends_in_a_fragment(data_dir: Path) -> None:
    remark = remarks_of(data_dir / "us_ofac_sdn/2023-12-01/sdn.csv")["45430"]
    assert len(remark) == 1000
    facts = parse_remarks(remark, truncated=True)
    assert facts[-1] == Fact(
        "fragment",
        "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.2",
        "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.2",
    )
    assert [f.kind for f in facts].count("website") == 9
    assert [f.kind for f in facts].count("email") == 16
    # read as complete, the cut clause would pass for a sanctions statement
    assert parse_remarks(remark)[-1].kind == "sanctionInfo"


def test_truncated_remark_ends_in_a_partial_wallet(data_dir: Path) -> None:
    remark = remarks_of(data_dir / "us_ofac_sdn/2024-05-03/sdn.csv")["33151"]
    assert len(remark) == 1000
    last = parse_remarks(remark, truncated=True)[-1]
    assert (last.kind, last.label, last.value) == ("truncatedWallet", "XBT", "1B64QRxf")


def test_truncated_remark_ending_at_a_separator_has_no_fragment(data_dir: Path) -> None:
    remark = remarks_of(data_dir / "us_ofac_sdn/2024-05-03/sdn.csv")["42496"]
    assert len(remark) == 1000 and remark.endswith(";")
    facts = parse_remarks(remark, truncated=True)
    assert facts[-1].kind == "wallet"
    assert facts[-1].value == "18yWCu6agTxYqAerMxiz9sgHrK3ViezzGa"


def test_empty_and_dot_clauses_state_nothing() -> None:
    assert parse_remarks("") == []
    assert parse_clause(" . ") == ()
