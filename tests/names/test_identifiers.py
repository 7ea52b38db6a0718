"""Identifiers that are not names: one key per type, whatever the writing."""

from __future__ import annotations

import pytest

from sanctum.names.identifiers import (
    identifier_key,
    identifier_label,
    norm_email,
    norm_phone,
    norm_wallet,
    norm_website,
)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("hongsiao@naver.com", "email:hongsiao@naver.com"),
        ("  HongSiao@NAVER.com. ", "email:hongsiao@naver.com"),
        ("mailto:info@tidewaterco.ir", "email:info@tidewaterco.ir"),
        ("<post@uht.transneft.ru>", "email:post@uht.transneft.ru"),
        ("ｉｎｆｏ@hydromash.ru", "email:info@hydromash.ru"),  # full-width letters
        ("kontakt@bücher.de", "email:kontakt@xn--bcher-kva.de"),
        ("kontakt@xn--bcher-kva.de", "email:kontakt@xn--bcher-kva.de"),
        ("not an address", None),
        ("@naver.com", None),
        ("someone@localhost", None),
    ],
)
def test_email_keys(value: str, key: str | None) -> None:
    assert norm_email(value) == key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("https://www.onerearth.xyz/", "web:onerearth.xyz"),
        ("onerearth.xyz", "web:onerearth.xyz"),
        ("http://OnerEarth.xyz.", "web:onerearth.xyz"),
        ("www.onerearth.xyz/about?x=1#top", "web:onerearth.xyz"),
        ("https://user@www2.onerearth.xyz:8443/path", "web:onerearth.xyz"),
        ("http://nsvet.com.ua/en/contacts", "web:nsvet.com.ua"),
        ("https://bücher.de", "web:xn--bcher-kva.de"),
        ("mail.onerearth.xyz", "web:mail.onerearth.xyz"),  # a subdomain is another host
        ("https://", None),
        ("localhost", None),
    ],
)
def test_website_keys(value: str, key: str | None) -> None:
    assert norm_website(value) == key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("+982177509537", "tel:+982177509537"),
        ("+98 21 7750 9537", "tel:+982177509537"),
        ("00982177509537", "tel:+982177509537"),
        ("982177509537", "tel:+982177509537"),  # OFAC writes no +
        ("(971)(42223456)", "tel:+97142223456"),
        ("020 7946 0000", "tel:02079460000"),  # national: its digits
        ("12345", None),
    ],
)
def test_phone_keys(value: str, key: str | None) -> None:
    assert norm_phone(value) == key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (
            "0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
            "wallet:0x098b716b8aaf21512996dc57eb0615e2383e2f96",
        ),
        ("1BQAPyku1ZibWGAgd8QePpW1vAKHowqLez", "wallet:1BQAPyku1ZibWGAgd8QePpW1vAKHowqLez"),
        ("ArbitraryChainAddress0000XYZ", "wallet:ArbitraryChainAddress0000XYZ"),  # kept as is
        ("short", None),
    ],
)
def test_wallet_keys(value: str, key: str | None) -> None:
    assert norm_wallet(value) == key


@pytest.mark.parametrize(
    ("prop", "value", "key", "label"),
    [
        ("passportNumber", "PA 123-4567", "PA1234567", "identifier PA 123-4567"),
        ("imoNumber", "IMO 9187629", "9187629", "identifier IMO 9187629"),
        ("email", "hongsiao@naver.com", "email:hongsiao@naver.com", "e-mail hongsiao@naver.com"),
        ("website", "www.onerearth.xyz", "web:onerearth.xyz", "website www.onerearth.xyz"),
        ("phone", "+98 21 7750 9537", "tel:+982177509537", "phone +98 21 7750 9537"),
    ],
)
def test_identifier_key_and_label(prop: str, value: str, key: str, label: str) -> None:
    assert identifier_key(prop, value) == key
    assert identifier_label(prop, value) == label
