"""Identifiers that are not names: e-mail addresses, websites and phone numbers, each
normalised to one key per type, so a listed contact and a customer's meet whatever the
writing (case, scheme, `www.`, path, punycode, phone punctuation and country prefix).

Keys carry their type (`email:`, `web:`, `tel:`): an e-mail's domain is not a website,
and none of them can collide with a passport or registration number (upper-case letters
and digits only, `norm_identifier`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from sanctum.store.links import norm_imo, norm_passport

CONTACT_PROPS = {"email": "e-mail", "website": "website", "phone": "phone", "publicKey": "wallet"}
"""FtM properties read as typed identifiers → how an explanation names them (`publicKey`:
a wallet address, as a CryptoWallet writes it)."""

MIN_PHONE_DIGITS = 7
"""Fewer digits are an extension or a fragment, not a number worth matching on its own."""

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_WWW = re.compile(r"^www\d*\.")


def _folded(value: str) -> str:
    """Compatibility-folded (full-width letters, ligatures), trimmed, lower case."""
    return unicodedata.normalize("NFKC", value).strip().strip("<>").casefold()


def ascii_domain(host: str) -> str | None:
    """A host name as its ASCII (punycode) form, without a trailing dot; None if it has
    no dot or cannot be encoded (`bücher.de` → `xn--bcher-kva.de`)."""
    host = host.strip().rstrip(".")
    if "." not in host or " " in host:
        return None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host if host.isascii() else None


def norm_email(value: str) -> str | None:
    """`Hongsiao@Naver.com.` → `email:hongsiao@naver.com` (a `mailto:` prefix, case,
    a trailing dot and a Unicode domain folded); None if it is no address."""
    text = _folded(value).removeprefix("mailto:").rstrip(".")
    local, at, host = text.rpartition("@")
    if not at or not local or " " in local:
        return None
    domain = ascii_domain(host)
    return f"email:{local}@{domain}" if domain else None


def norm_website(value: str) -> str | None:
    """`https://www.OnerEarth.xyz/path?q` → `web:onerearth.xyz`: the host alone, without
    scheme, user, port, `www.` and trailing dot, as punycode; None if there is no host."""
    text = _SCHEME.sub("", _folded(value))
    host = re.split(r"[/?#]", text, maxsplit=1)[0].rpartition("@")[2].split(":")[0]
    domain = ascii_domain(_WWW.sub("", host))
    return f"web:{domain}" if domain else None


def norm_phone(value: str) -> str | None:
    """A phone number in E.164 (`+86 133-1425-7947`, `008613314257947` and OFAC's
    `8613314257947` → `tel:+8613314257947`), read by `phonenumbers` as an international
    number; a number it cannot read keeps its digits (`tel:` + digits), from
    MIN_PHONE_DIGITS on."""
    import phonenumbers  # its metadata loads on first use: only when a phone is screened

    text = unicodedata.normalize("NFKC", value).strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    candidate = "+" + digits[2:] if digits.startswith("00") else "+" + digits
    if text.startswith("+"):
        candidate = "+" + digits
    try:
        number = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return f"tel:{digits}"
    if not phonenumbers.is_possible_number(number):
        return f"tel:{digits}"
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def norm_wallet(value: str) -> str | None:
    """A wallet address by its lookup key (`crypto.normalise_address`: EVM hex, bech32
    and CashAddr in lower case, base58 exactly): `wallet:` + key. Matched exactly,
    whatever its chain; whether it passes a chain's checksum is `screen-address`'s
    question, not a reason to drop it."""
    from sanctum.crypto import normalise_address

    key = normalise_address(value)
    return f"wallet:{key}" if len(key) >= MIN_WALLET_CHARS and " " not in key else None


MIN_WALLET_CHARS = 20
"""Shorter text is no address on any chain the lists use (Ripple's shortest is 25)."""

CONTACT_NORMALISERS = {
    "email": norm_email,
    "website": norm_website,
    "phone": norm_phone,
    "publicKey": norm_wallet,
}


def norm_identifier(value: str) -> str | None:
    """Document identifiers compared on letters and digits, upper case (IMO on its 7
    digits)."""
    return norm_imo(value) if value.upper().startswith("IMO") else norm_passport(value)


def identifier_key(prop: str, value: str) -> str | None:
    """The lookup key of one identifier value of an FtM property: a contact by its type's
    normaliser, anything else as a document number (`norm_identifier`)."""
    normaliser = CONTACT_NORMALISERS.get(prop)
    return normaliser(value) if normaliser else norm_identifier(value)


def identifier_label(prop: str, value: str) -> str:
    """How an explanation names an identifier: `e-mail hongsiao@naver.com`, `identifier
    PA1234567` for a document number."""
    return f"{CONTACT_PROPS.get(prop, 'identifier')} {value.strip()}"


def identifier_keys(props: dict[str, list[str]]) -> Iterator[tuple[str, str]]:
    """(key, label) of every identifier value of these properties that has a key."""
    for prop, values in props.items():
        for value in values:
            key = identifier_key(prop, value)
            if key:
                yield key, identifier_label(prop, value)
