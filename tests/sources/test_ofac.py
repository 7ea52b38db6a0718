"""OFAC legacy CSV (SDN and non-SDN): the real versions in shared/data, read exactly.

Expected values were read from the files themselves with the csv module and grep
(entry counts: PROVENANCE.md). Each real version is parsed once per module.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from sanctum.crypto import check_address
from sanctum.errors import ParseError
from sanctum.sources.base import Issue, ParseContext, ParseResult, Record
from sanctum.sources.ofac import parse_cons, parse_sdn, program_codes

SDN_VERSIONS = ("2021-07-07", "2023-11-30", "2023-12-01", "2024-05-03")
CONTEXT = ParseContext("us_ofac_sdn")


def files(data_dir: Path, source: str, version: str) -> list[Path]:
    return sorted((data_dir / source / version).iterdir())


@pytest.fixture(scope="module")
def sdn(data_dir: Path) -> dict[str, ParseResult]:
    """Each SDN version parsed once, with every file its folder holds."""
    return {v: parse_sdn(files(data_dir, "us_ofac_sdn", v), CONTEXT) for v in SDN_VERSIONS}


@pytest.fixture(scope="module")
def cons(data_dir: Path) -> ParseResult:
    return parse_cons(files(data_dir, "us_ofac_cons", "2025-12-19"), ParseContext("us_ofac_cons"))


def record(result: ParseResult, entity_id: str) -> Record:
    matches = [r for r in result.records if r.party.id == entity_id]
    assert len(matches) == 1, entity_id
    return matches[0]


def derived(rec: Record, schema: str) -> list[EntityProxy]:
    return [e for e in rec.derived if e.schema.name == schema]


def issues(result: ParseResult, kind: str) -> list[Issue]:
    return [i for i in result.issues if i.kind == kind]


def wallets(result: ParseResult) -> list[EntityProxy]:
    return [e for e in result.entities() if e.schema.name == "CryptoWallet"]


def pairs(result: ParseResult) -> set[tuple[str, str]]:
    return {(str(w.first("currency")), str(w.first("publicKey"))) for w in wallets(result)}


# --- whole files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "total", "person", "organization", "vessel", "airplane"),
    [
        ("2021-07-07", 8976, 4620, 3673, 406, 277),
        ("2023-11-30", 13427, 6572, 5720, 757, 378),
        ("2023-12-01", 13436, 6580, 5721, 757, 378),
        ("2024-05-03", 14965, 6854, 6884, 851, 376),
    ],
)
def test_sdn_counts(
    sdn: dict[str, ParseResult],
    version: str,
    total: int,
    person: int,
    organization: int,
    vessel: int,
    airplane: int,
) -> None:
    result = sdn[version]
    schemata = Counter(r.party.schema.name for r in result.records)
    assert len(result.records) == total
    assert schemata == {
        "Person": person,
        "Organization": organization,
        "Vessel": vessel,
        "Airplane": airplane,
    }
    assert result.published is None


def test_cons_counts(cons: ParseResult) -> None:
    schemata = Counter(r.party.schema.name for r in cons.records)
    assert len(cons.records) == 442
    assert schemata == {"Person": 79, "Organization": 363}
    assert cons.published is None
    assert all(str(r.party.id).startswith("us-ofac-cons-") for r in cons.records)


@pytest.mark.parametrize("version", SDN_VERSIONS)
def test_one_ofac_sanction_per_entry(sdn: dict[str, ParseResult], version: str) -> None:
    result = sdn[version]
    ids = [r.party.id for r in result.records]
    assert len(set(ids)) == len(ids)
    for rec in result.records:
        (sanction,) = derived(rec, "Sanction")
        ent_num = str(rec.party.id).removeprefix("us-ofac-sdn-")
        assert sanction.get("authority") == ["US Treasury OFAC"]
        assert sanction.get("authorityId") == [ent_num]
        assert sanction.get("entity") == [rec.party.id]
        assert sanction.get("sourceUrl") == ["https://www.treasury.gov/ofac/downloads/sdn.csv"]
        assert sanction.get("reason") == []
        assert sanction.get("program")
        assert sorted(sanction.get("program")) == sorted(rec.party.get("program"))
        assert "sanction" in rec.party.get("topics")


def test_every_stored_wallet_passes_its_chain_check(sdn: dict[str, ParseResult]) -> None:
    """Every stored address passes its chain's check, except the two the list itself gets
    wrong, which are stored as listed and flagged."""
    flagged = INVALID_ADDRESSES | {
        # 2021-07-07 only: 39 hex digits, a typo OFAC later corrected (…b008)
        ("us-ofac-sdn-29702", "ETH", "0xa7e5d5a720f06526557c513402f2e6b5fa20b00"),
    }
    for result in sdn.values():
        for wallet in wallets(result):
            currency, address = str(wallet.first("currency")), str(wallet.first("publicKey"))
            check = check_address(currency, address)
            if (str(wallet.first("holder")), currency, address) in flagged:
                assert check.valid is False
            else:
                assert check.valid is not False, wallet.id


def test_links_point_into_the_same_file(sdn: dict[str, ParseResult]) -> None:
    result = sdn["2024-05-03"]
    ids = {r.party.id for r in result.records}
    links = [e for e in result.entities() if e.schema.name == "UnknownLink"]
    assert len(links) == 6411
    for link in links:
        assert link.first("object") in ids
        assert link.first("subject") in ids


# --- KIMSUKY and KANG Kyong Il (designated 30 Nov 2023) ---------------------------------------

KIMSUKY_WEBSITES = [
    "onerearth.xyz", "sovershopp.online", "mofa.lat", "janskinmn.lol", "supermeasn.lat",
    "bookstarrtion.online", "cdredos.site", "scemsal.site", "somelmark.store",
]  # fmt: skip
KIMSUKY_EMAILS = [
    "hongsiao@naver.com", "teriparl25@gmail.com", "seanchung.hanvoice@hotmail.com",
    "pkurui9999@gmail.com", "ssdkfdlsfd@gmail.com", "haris2022100@outlook.com",
    "bing2020@outlook.kr", "marksigal1001@gmail.com", "donghyunkim1010@gmail.com",
    "hong_xiao@naver.com", "sm.carls0000@gmail.com", "kennedypamla@gmail.com",
    "ds1kdie@aol.com", "ds1kde@daum.net", "yoon.dasl@yahoo.com", "syshim10@mofa.lat",
]  # fmt: skip


@pytest.mark.parametrize("version", ["2023-12-01", "2024-05-03"])
def test_kimsuky(sdn: dict[str, ParseResult], version: str) -> None:
    rec = record(sdn[version], "us-ofac-sdn-45430")
    party = rec.party
    assert party.schema.name == "Organization"
    assert party.get("name") == ["KIMSUKY"]
    assert party.get("program") == ["DPRK2"]
    assert party.get("website") == [f"http://{w}/" for w in KIMSUKY_WEBSITES]
    assert party.get("email") == KIMSUKY_EMAILS
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("program") == ["DPRK2"]
    # its remark is cut at 1,000 characters in these snapshots (no comments file)
    (cut,) = [i for i in issues(sdn[version], "truncated-remarks") if i.entity_id == party.id]
    assert cut.file == "sdn.csv"


def test_kimsuky_is_new_on_2023_12_01(sdn: dict[str, ParseResult]) -> None:
    before = {str(r.party.id) for r in sdn["2023-11-30"].records}
    after = {str(r.party.id) for r in sdn["2023-12-01"].records}
    assert before <= after
    assert sorted(after - before) == [
        f"us-ofac-sdn-{n}"
        for n in ("37656", "37657", "37658", "45430", "46129", "46130", "46131", "46448", "46449")
    ]


@pytest.mark.parametrize("version", ["2023-12-01", "2024-05-03"])
def test_kang_kyong_il(sdn: dict[str, ParseResult], version: str) -> None:
    rec = record(sdn[version], "us-ofac-sdn-37658")
    party = rec.party
    assert party.schema.name == "Person"
    assert party.get("name") == ["KANG, Kyong Il"]
    assert party.get("lastName") == ["KANG"]
    assert party.get("firstName") == ["Kyong Il"]
    assert party.get("birthDate") == ["1969-09-01"]
    assert party.get("nationality") == ["kp"]
    assert party.get("gender") == ["male"]
    assert party.get("passportNumber") == ["563210175"]
    assert party.get("program") == ["DPRK"]
    (passport,) = derived(rec, "Passport")
    assert passport.get("number") == ["563210175"]
    assert passport.get("country") == ["kp"]
    assert passport.get("holder") == [party.id]
    (link,) = derived(rec, "UnknownLink")
    green_pine = record(sdn[version], "us-ofac-sdn-12212")
    assert green_pine.party.get("name") == ["GREEN PINE ASSOCIATED CORPORATION"]
    assert link.get("subject") == [party.id]
    assert link.get("object") == ["us-ofac-sdn-12212"]
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("provisions") == [
        "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210",
        "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial "
        "Institutions: North Korea Sanctions Regulations section 510.214",
    ]


# --- wallets and truncated remarks --------------------------------------------------------------

XMR_HASH = "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"
INVALID_ADDRESSES = {
    ("us-ofac-sdn-29585", "XMR", XMR_HASH),  # a 64-hex transaction hash listed as Monero
    ("us-ofac-sdn-45404", "XBT", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"),  # a Tron address
}


def invalid(result: ParseResult) -> set[tuple[str, str, str]]:
    """(holder, currency, address) of the addresses that fail their chain check."""
    found = set()
    for issue in issues(result, "invalid-address"):
        currency, address = issue.message.split("'")[0].split()[0], issue.message.split("'")[1]
        found.add((str(issue.entity_id), currency, address))
    return found


def test_wallets_with_comments_2023_11_30(sdn: dict[str, ParseResult]) -> None:
    """576 distinct (currency, address) pairs on 578 holder-wallet links, all stored; the two
    that fail their chain's check are stored as listed and flagged."""
    result = sdn["2023-11-30"]
    assert issues(result, "truncated-remarks") == []
    assert issues(result, "truncated-address") == []
    assert invalid(result) == INVALID_ADDRESSES
    stored = pairs(result)
    assert len(stored) == 576
    assert {(c, a) for _, c, a in INVALID_ADDRESSES} <= stored
    assert len(wallets(result)) == 578
    ids = [w.id for w in wallets(result)]
    assert len(set(ids)) == len(ids)
    for wallet in wallets(result):
        holder, currency = wallet.first("holder"), str(wallet.first("currency"))
        assert wallet.id == f"{holder}-wallet-{currency.lower()}-{wallet.first('publicKey')}"
        assert wallet.get("topics") == ["sanction"]


def test_comments_complete_the_remarks(sdn: dict[str, ParseResult]) -> None:
    """SEMENOV, Roman: passport and aliases stand after the 1,000-character cut."""
    full = record(sdn["2023-11-30"], "us-ofac-sdn-44718").party
    assert full.get("passportNumber") == ["731969851"]
    assert {"ROMA", "POMA"} <= set(full.get("weakAlias"))
    cut = record(sdn["2024-05-03"], "us-ofac-sdn-44718").party
    assert cut.get("passportNumber") == []


TRUNCATED_2024 = (
    "17018", "27307", "28263", "28264", "29703", "30518", "31212", "33151", "33854",
    "36216", "37070", "39585", "39593", "39796", "42496", "44718", "45430", "47682",
)  # fmt: skip
FRAGMENTS = {
    "30518": "1Gq",
    "33151": "1B64QRxf",
    "33854": "3",
    "36216": "1B11Ezqg3AXj",
    "37070": "3F6bbvS1krsc1qR8FsbTDfYQyvkMm",
    "39585": "1N6XqS",
}


def test_truncated_remarks_2024_05_03(sdn: dict[str, ParseResult]) -> None:
    result = sdn["2024-05-03"]
    cut = issues(result, "truncated-remarks")
    assert sorted(str(i.entity_id) for i in cut) == [f"us-ofac-sdn-{n}" for n in TRUNCATED_2024]
    fragments = issues(result, "truncated-address")
    assert {str(i.entity_id): i.message.split("'")[1] for i in fragments} == {
        f"us-ofac-sdn-{n}": a for n, a in FRAGMENTS.items()
    }
    assert len(fragments) == 6
    assert (  # SUEX OTC
        record(result, "us-ofac-sdn-33151").party.get("name") == ["SUEX OTC, S.R.O."]
    )
    stored = pairs(result)
    assert not {a for _, a in stored} & set(FRAGMENTS.values())
    assert invalid(result) == INVALID_ADDRESSES
    assert len(stored) == 287
    assert len(wallets(result)) == 288  # one pair is held by two entries


def test_truncated_remarks_2023_12_01(sdn: dict[str, ParseResult]) -> None:
    result = sdn["2023-12-01"]
    cut = {str(i.entity_id) for i in issues(result, "truncated-remarks")}
    assert cut == {f"us-ofac-sdn-{n}" for n in TRUNCATED_2024 if n != "47682"}
    assert len(issues(result, "truncated-address")) == 6


# --- the companion files (2021-07-07 is the complete set) ---------------------------------------


def test_aliases_and_addresses(sdn: dict[str, ParseResult]) -> None:
    bank = record(sdn["2021-07-07"], "us-ofac-sdn-306").party
    assert bank.get("name") == ["BANCO NACIONAL DE CUBA"]
    assert bank.get("alias") == ["NATIONAL BANK OF CUBA"]
    assert bank.get("weakAlias") == ["BNC"]
    assert bank.get("address") == [
        "Zweierstrasse 35, Zurich CH-8022, Switzerland",
        "Avenida de Concha Espina 8, Madrid E-28036, Spain",
        "Dai-Ichi Bldg. 6th Floor, 10-2 Nihombashi, 2-chome, Chuo-ku, Tokyo 103, Japan",
        "Federico Boyd Avenue & 51 Street, Panama City, Panama",
    ]
    assert bank.get("country") == ["ch", "es", "jp", "pa"]


def test_fka_is_a_previous_name(sdn: dict[str, ParseResult]) -> None:
    plane = record(sdn["2021-07-07"], "us-ofac-sdn-27197").party
    assert plane.schema.name == "Airplane"
    assert plane.get("previousName") == ["M-VITO"]
    assert plane.get("buildDate") == ["2000-12-01"]


def test_vessel_columns_and_owner(sdn: dict[str, ParseResult]) -> None:
    rec = record(sdn["2021-07-07"], "us-ofac-sdn-15902")
    vessel = rec.party
    assert vessel.get("name") == ["STARLA"]
    assert vessel.get("callSign") == ["5IM316"]
    assert vessel.get("type") == ["Crude Oil Tanker"]
    assert vessel.get("flag") == ["pa"]
    assert vessel.get("pastFlags") == ["tz"]
    assert vessel.get("imoNumber") == ["IMO9569621"]
    # Vess_owner `NITC` is an alias (alt.csv) of NATIONAL IRANIAN TANKER COMPANY
    (owner,) = derived(rec, "Ownership")
    assert owner.get("owner") == ["us-ofac-sdn-15117"]
    assert owner.get("asset") == [vessel.id]
    (linked,) = derived(rec, "UnknownLink")
    assert linked.get("object") == ["us-ofac-sdn-15117"]


def test_program_codes() -> None:
    assert program_codes("DPRK3] [CYBER2") == ["DPRK3", "CYBER2"]
    assert program_codes("[DPRK2] [CYBER2]") == ["DPRK2", "CYBER2"]
    assert program_codes("SDGT") == ["SDGT"]


def test_unresolved_link_is_reported(sdn: dict[str, ParseResult]) -> None:
    result = sdn["2024-05-03"]
    unresolved = issues(result, "unresolved-link")
    assert len(unresolved) == 8
    assert "'PRESIDENCY OF DEFENSE INDUSTRIES.'" in unresolved[3].message
    assert "Linked To: PRESIDENCY OF DEFENSE INDUSTRIES." in record(
        result, str(unresolved[3].entity_id)
    ).party.get("notes")


def test_unparsed_remarks_are_few_and_kept(sdn: dict[str, ParseResult]) -> None:
    result = sdn["2024-05-03"]
    unparsed = issues(result, "unparsed-remark")
    assert len(unparsed) == 18
    saddam = record(result, "us-ofac-sdn-7843").party
    assert "President since 1979" in saddam.get("notes")


# --- the non-SDN list --------------------------------------------------------------------------


def test_cons_entry_with_comments(cons: ParseResult) -> None:
    """17250: remark cut after `1027700070518 `; the comment begins `(Russia)`."""
    rec = record(cons, "us-ofac-cons-17250")
    party = rec.party
    assert party.get("name") == ["PUBLIC JOINT STOCK COMPANY GAZPROM"]
    assert party.get("program") == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert party.get("alias") == ["GAZPROM PAO", "PJSC GAZPROM", "GAZPROM"]
    assert party.get("registrationNumber") == ["00040778", "1027700070518"]
    registration = [
        i for i in derived(rec, "Identification") if i.get("number") == ["1027700070518"]
    ]
    assert [i.get("country") for i in registration] == [["ru"]]
    (sanction,) = derived(rec, "Sanction")
    assert sanction.get("authority") == ["US Treasury OFAC"]
    assert sanction.get("description") == ["OFAC Consolidated Sanctions List (non-SDN lists)"]
    assert sanction.get("sourceUrl") == [
        "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv"
    ]
    assert issues(cons, "truncated-remarks") == []


# --- any subset of files ------------------------------------------------------------------------


def test_primary_file_alone(data_dir: Path) -> None:
    result = parse_sdn([data_dir / "us_ofac_sdn/2021-07-07/sdn.csv"], CONTEXT)
    assert len(result.records) == 8976
    assert len(issues(result, "truncated-remarks")) == 5


def test_primary_file_is_required(data_dir: Path) -> None:
    with pytest.raises(ParseError, match=r"sdn\.csv is required"):
        parse_sdn([data_dir / "us_ofac_sdn/2021-07-07/alt.csv"], CONTEXT)


# --- bad input ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def head(data_dir: Path) -> bytes:
    """The first 200 rows of the 2024-05-03 sdn.csv with its end-of-file byte."""
    lines = (data_dir / "us_ofac_sdn/2024-05-03/sdn.csv").read_bytes().split(b"\r\n")
    return b"\r\n".join(lines[:200]) + b"\r\n\x1a"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_small_file_parses(tmp_path: Path, head: bytes) -> None:
    result = parse_sdn([write(tmp_path, "sdn.csv", head)], CONTEXT)
    assert len(result.records) == 200
    assert issues(result, "missing-eof-marker") == []


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "sdn.csv", b"")
    with pytest.raises(ParseError, match="empty") as err:
        parse_sdn([path], CONTEXT)
    assert err.value.path == str(path)


def test_file_of_only_the_eof_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "sdn.csv", b"\x1a")
    with pytest.raises(ParseError, match="no rows"):
        parse_sdn([path], CONTEXT)


def test_cut_inside_a_quoted_field(tmp_path: Path, head: bytes) -> None:
    lines = head.split(b"\r\n")
    row_100 = lines[99]
    cut = b"\r\n".join(lines[:99]) + b"\r\n" + row_100[: row_100.index(b'"', 20) + 5]
    path = write(tmp_path, "sdn.csv", cut)
    with pytest.raises(ParseError, match="truncated") as err:
        parse_sdn([path], CONTEXT)
    assert err.value.path == str(path)
    assert err.value.row == 100


def test_cut_row_has_the_wrong_column_count(tmp_path: Path, head: bytes) -> None:
    lines = head.split(b"\r\n")
    cut = b"\r\n".join(lines[:149]) + b"\r\n" + b",".join(lines[149].split(b",")[:5])
    path = write(tmp_path, "sdn.csv", cut)
    with pytest.raises(ParseError, match="expected 12 columns") as err:
        parse_sdn([path], CONTEXT)
    assert err.value.row == 150
    assert str(err.value).startswith(f"{path}, row 150: ")


def test_cut_at_a_row_boundary_is_flagged(tmp_path: Path, head: bytes) -> None:
    path = write(tmp_path, "sdn.csv", head[: head.index(b"\r\n\x1a")])
    result = parse_sdn([path], CONTEXT)
    assert len(result.records) == 200
    (flag,) = issues(result, "missing-eof-marker")
    assert flag.file == "sdn.csv"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_re_encoded_file(tmp_path: Path, head: bytes, encoding: str) -> None:
    path = write(tmp_path, "sdn.csv", head.decode("latin-1").encode(encoding))
    with pytest.raises(ParseError, match="wrong encoding") as err:
        parse_sdn([path], CONTEXT)
    assert err.value.row == 1


def test_alias_file_given_as_primary(tmp_path: Path, data_dir: Path) -> None:
    alt = (data_dir / "us_ofac_sdn/2021-07-07/alt.csv").read_bytes()
    path = write(tmp_path, "sdn.csv", alt)
    with pytest.raises(ParseError, match=r"expected 12 columns .* found 5") as err:
        parse_sdn([path], CONTEXT)
    assert err.value.row == 1


def test_primary_file_given_as_aliases(tmp_path: Path, head: bytes) -> None:
    sdn = write(tmp_path, "sdn.csv", head)
    alt = write(tmp_path, "alt.csv", head)
    with pytest.raises(ParseError, match=r"expected 5 columns .* found 12") as err:
        parse_sdn([sdn, alt], CONTEXT)
    assert err.value.path == str(alt)
    assert err.value.row == 1


def test_un_xml_given_as_primary(tmp_path: Path, data_dir: Path) -> None:
    xml = (data_dir / "un_sc/2024-11-30/consolidated.xml").read_bytes()
    path = write(tmp_path, "sdn.csv", xml)
    with pytest.raises(ParseError, match="XML") as err:
        parse_sdn([path], CONTEXT)
    assert err.value.path == str(path)


def test_header_row_is_refused(tmp_path: Path, head: bytes) -> None:
    header = b"ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,"
    header += b"Vess_flag,Vess_owner,Remarks\r\n"
    path = write(tmp_path, "sdn.csv", header + head)
    with pytest.raises(ParseError, match="not a number") as err:
        parse_sdn([path], CONTEXT)
    assert err.value.row == 1


def test_duplicate_entry_number(tmp_path: Path, head: bytes) -> None:
    lines = head.split(b"\r\n")
    path = write(tmp_path, "sdn.csv", b"\r\n".join([*lines[:10], lines[3], *lines[10:]]))
    with pytest.raises(ParseError, match="appears twice") as err:
        parse_sdn([path], CONTEXT)
    assert err.value.row == 11


def test_unknown_entry_type(tmp_path: Path, head: bytes) -> None:
    bad = head.replace(b'"individual"', b'"ship"', 1)
    path = write(tmp_path, "sdn.csv", bad)
    with pytest.raises(ParseError, match="unknown SDN_Type"):
        parse_sdn([path], CONTEXT)


def test_other_files_are_ignored_with_an_issue(tmp_path: Path, head: bytes) -> None:
    result = parse_sdn([write(tmp_path, "sdn.csv", head), write(tmp_path, "x.txt", b"x")], CONTEXT)
    (ignored,) = issues(result, "ignored-file")
    assert ignored.file == "x.txt"


def test_comments_row_for_an_unknown_entry(tmp_path: Path, head: bytes) -> None:
    sdn_file = write(tmp_path, "sdn.csv", head)
    comments = write(tmp_path, "sdn_comments.csv", b'99999999,"abc."\r\n\x1a')
    result = parse_sdn([sdn_file, comments], CONTEXT)
    (orphan,) = issues(result, "orphan-row")
    assert (orphan.file, orphan.row) == ("sdn_comments.csv", 1)


def raw_rows(path: Path) -> list[list[str]]:
    """A file's rows read with the csv module alone (to check the layout the parser assumes)."""
    text = path.read_bytes().decode("latin-1").rstrip("\r\n").rstrip("\x1a")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("folder", "primary", "comments", "cut"),
    [
        ("us_ofac_sdn/2021-07-07", "sdn.csv", "sdn_comments.csv", 5),
        ("us_ofac_sdn/2023-11-30", "sdn.csv", "sdn_comments.csv", 16),
        ("us_ofac_sdn/2023-12-01", "sdn.csv", None, 17),
        ("us_ofac_sdn/2024-05-03", "sdn.csv", None, 18),
        ("us_ofac_cons/2025-12-19", "cons_prim.csv", "cons_comments.csv", 10),
    ],
)
def test_real_layout_and_cut(
    data_dir: Path, folder: str, primary: str, comments: str | None, cut: int
) -> None:
    """Twelve columns; remarks never exceed 1,000 characters; the comments file completes
    exactly the remarks of that length."""
    rows = raw_rows(data_dir / folder / primary)
    assert {len(r) for r in rows} == {12}
    assert max(len(r[11]) for r in rows) == 1000
    at_cut = {r[0] for r in rows if len(r[11]) == 1000}
    assert len(at_cut) == cut
    if comments:
        assert {r[0] for r in raw_rows(data_dir / folder / comments)} == at_cut
