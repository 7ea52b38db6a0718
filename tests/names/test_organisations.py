"""Organisation names: legal forms (rigour's org-type data), initialisms, articles, `&`,
numerals, and bracketed qualifiers as distinguishing tokens."""

from __future__ import annotations

import pytest

from sanctum.names.normalize import is_legal_form, name_variants, tokenize


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("ACME L.L.C.", ["acme", "llc"]),
        ("Acme Limited Liability Company", ["acme", "llc"]),
        ("Siemens Aktiengesellschaft", ["siemens", "ag"]),
        ("Siemens AG", ["siemens", "ag"]),
        ("Foo S.R.L.", ["foo", "srl"]),
        ("Foo Societate cu Răspundere Limitată", ["foo", "srl"]),
        ("ООО Ромашка", ["ooo", "romaska"]),
        ("Obshchestvo s Ogranichennoy Otvetstvennostyu NEFT-AKTIV", ["ooo", "neft", "aktiv"]),
        ("The Samen Industries", ["samen", "industries"]),
        ("Office No. 39", ["office", "39"]),
        ("Bureau Thirty-Nine", ["bureau", "39"]),
        ("Office 39", ["office", "39"]),
        ("A.B.C. Trading", ["abc", "trading"]),
        ("ABC Trading", ["abc", "trading"]),
        ("People's Bank & Trust", ["peoples", "bank", "trust"]),
        ("Peoples Bank and Trust", ["peoples", "bank", "trust"]),
        ("CSIC 714th Research Institute", ["csic", "714", "research", "institute"]),
        ("The", ["the"]),  # nothing else left: kept
        ("One", ["one"]),
    ],
)
def test_organisation_tokens(name: str, tokens: list[str]) -> None:
    assert tokenize(name, "Organization") == tokens


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("J. Smith", ["j", "smith"]),  # initials of a person stay letters
        ("The Smith", ["the", "smith"]),
        ("Thirty-Nine Smith", ["thirty", "nine", "smith"]),
    ],
)
def test_person_names_are_not_read_as_organisations(name: str, tokens: list[str]) -> None:
    assert tokenize(name, "Person") == tokens


@pytest.mark.parametrize(
    ("token", "legal"),
    [
        ("llc", True),
        ("ag", True),
        ("srl", True),
        ("ooo", True),
        ("sti", True),  # Şirketi
        ("spzoo", True),  # sp. z o.o.
        ("coltd", True),
        ("trading", True),  # LEGAL_FORMS: generic business words
        ("bank", False),
        ("kim", False),
        ("haramain", False),
    ],
)
def test_is_legal_form(token: str, legal: bool) -> None:
    assert is_legal_form(token) is legal


@pytest.mark.parametrize(
    ("name", "organisation", "person"),
    [
        # a qualifier distinguishes branches: no reading without it, nor of it alone
        ("AL-HARAMAIN (BANGLADESH)", [], ["AL-HARAMAIN", "BANGLADESH"]),
        ("Huawei Research & Development (UK) Ltd", [], ["Huawei Research & Development Ltd", "UK"]),
        ("SBERBANK (SWITZERLAND) AG", [], ["SBERBANK AG", "SWITZERLAND"]),
        # an acronym of the whole name, at its end or before a legal form, is a reading
        (
            "RECONNAISSANCE GENERAL BUREAU (RGB)",
            ["RECONNAISSANCE GENERAL BUREAU", "RGB"],
            ["RECONNAISSANCE GENERAL BUREAU", "RGB"],
        ),
        (
            "NAFTIRAN INTERTRADE CO. (NICO) LIMITED",
            ["NAFTIRAN INTERTRADE CO. LIMITED", "NICO"],
            ["NAFTIRAN INTERTRADE CO. LIMITED", "NICO"],
        ),
        (
            "ADF (ALLIED DEMOCRATIC FORCES)",
            ["ADF", "ALLIED DEMOCRATIC FORCES"],
            ["ADF", "ALLIED DEMOCRATIC FORCES"],
        ),
        # an acronym of a part of the name, followed by more of it, is not
        (
            "China Shipbuilding Industry Group Co., Ltd. (CSIC) 714th Research Institute",
            [],
            ["China Shipbuilding Industry Group Co., Ltd. 714th Research Institute", "CSIC"],
        ),
        ("Encep Nurjaman (birth name)", ["Encep Nurjaman"], ["Encep Nurjaman"]),  # a note
    ],
)
def test_qualifiers_distinguish_organisations(
    name: str, organisation: list[str], person: list[str]
) -> None:
    assert name_variants(name, "Organization") == organisation
    assert name_variants(name, "Person") == person
