"""Crypto wallet addresses: the lookup key for each address and whether it passes its chain's rule.

Sanctions lists give wallet addresses with a currency code (OFAC: `XBT`, `ETH`, `USDT` …).
Screening needs two things from an address: a canonical key, so that the listed address is found
whatever case or prefix the customer's record uses, and a validity check, so that a mistyped
address is reported as such instead of silently matching nothing.

Rules checked, per encoding:

- base58check (Bitcoin family, Tron, Ripple): version byte(s) per chain and the 4-byte
  double-SHA-256 checksum. Case-sensitive: the key is the address exactly.
- bech32 / bech32m segwit (BIP 173 / BIP 350): `bc1…`, `ltc1…`, `btg1…`. Key: lower case.
- CashAddr (Bitcoin Cash): `bitcoincash:q…`, with or without the prefix. Key: lower case with
  the `bitcoincash:` prefix. Legacy base58 Bitcoin Cash addresses are checked as base58check.
- EVM hex (Ethereum and its sister chains): `0x` + 40 hex digits; a mixed-case address must
  match its EIP-55 checksum (Keccak-256). Key: lower case.
- Monero: Monero's block base58 with a Keccak-256 checksum; network byte 18 (standard),
  19 (integrated) or 42 (subaddress).
- Zcash: transparent `t1…`/`t3…` base58check; Sapling `zs1…` bech32; unified `u1…` bech32m
  (checksum only).

The key never depends on the currency (see `normalise_address`), so a wallet stored under one
currency code is found by a screen that knows only the address.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import base58

from sanctum.errors import SanctumError

__all__ = [
    "CURRENCY_CHAINS",
    "AddressCheck",
    "InvalidAddress",
    "chains_for",
    "check_address",
    "detect",
    "keccak256",
    "lookup_keys",
    "normalise_address",
    "require_valid",
]

MAX_LENGTH = 256
"""Longer than any address format checked here (Zcash unified addresses reach ~220)."""


@dataclass(frozen=True)
class AddressCheck:
    """The outcome of checking one address against one chain."""

    normalised: str
    """Canonical form used for storage and lookup (see `normalise_address`)."""
    valid: bool | None
    """True: passes the chain's checksum/format rule; False: fails it; None: no rule checked."""
    chain: str
    """'bitcoin', 'ethereum', 'tron', … or 'unknown' when the currency is not one we know."""
    reason: str | None
    """Why it failed, for a compliance analyst; None when it did not fail."""


class InvalidAddress(SanctumError):
    """An address that no chain (or not the stated currency's chain) accepts."""

    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        super().__init__(f"invalid wallet address {_show(address)}: {reason}")


def _show(address: str) -> str:
    """The address quoted for a message: escaped, and cut short when very long."""
    if len(address) > 80:
        return f"{address[:60]!r}… ({len(address)} characters)"
    return repr(address)


class _Reject(Exception):
    """A chain's rule failed; `depth` says how far the address got (higher = closer to valid).

    0: wrong shape (characters, prefix); 1: wrong length or version; 2: checksum mismatch;
    3: a valid address of a different chain.
    """

    def __init__(self, reason: str, depth: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.depth = depth


# --------------------------------------------------------------------------------------------
# Keccak-256 (the pre-standard SHA-3 used by Ethereum and Monero; hashlib.sha3_256 differs in
# its padding byte).

_KECCAK_RC = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
# Rotation offsets r[x][y] of the rho step, lanes indexed x + 5*y.
_KECCAK_ROT = (
    (0, 36, 3, 41, 18),
    (1, 44, 10, 45, 2),
    (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)
_MASK64 = (1 << 64) - 1


def _rotl(lane: int, shift: int) -> int:
    """Rotate a 64-bit lane left."""
    return ((lane << shift) | (lane >> (64 - shift))) & _MASK64 if shift else lane


def _keccak_f(state: list[int]) -> None:
    """The Keccak-f[1600] permutation, in place, on 25 little-endian 64-bit lanes."""
    for rc in _KECCAK_RC:
        c = [
            state[x] ^ state[x + 5] ^ state[x + 10] ^ state[x + 15] ^ state[x + 20]
            for x in range(5)
        ]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                b[y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(state[x + 5 * y] ^ d[x], _KECCAK_ROT[x][y])
        for y in range(0, 25, 5):
            row = b[y : y + 5]
            for x in range(5):
                state[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        state[0] ^= rc


def _sponge(data: bytes, pad: int, rate: int = 136, size: int = 32) -> bytes:
    """Keccak sponge: absorb `data` with the given domain padding byte, squeeze `size` bytes."""
    padded = bytearray(data)
    padded.append(pad)
    padded.extend(b"\0" * (-len(padded) % rate))
    padded[-1] |= 0x80
    state = [0] * 25
    for start in range(0, len(padded), rate):
        for i in range(rate // 8):
            offset = start + 8 * i
            state[i] ^= int.from_bytes(padded[offset : offset + 8], "little")
        _keccak_f(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state)[:size]


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as used by Ethereum (EIP-55) and Monero (address checksum)."""
    return _sponge(data, 0x01)


# --------------------------------------------------------------------------------------------
# base58check

_B58 = base58.BITCOIN_ALPHABET.decode()
_XRP = base58.RIPPLE_ALPHABET.decode()
_B58_SET = frozenset(_B58)
_XRP_SET = frozenset(_XRP)


def _a(noun: str) -> str:
    """The noun with its indefinite article: `a bitcoin`, `an ethereum`."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _require_chars(address: str, allowed: frozenset[str], label: str) -> None:
    """Reject the first character outside a base58 alphabet, saying where it is."""
    for pos, ch in enumerate(address):
        if ch not in allowed:
            excluded = " (base58 leaves out 0, O, I and l)" if ch in "0OIl" else ""
            raise _Reject(
                f"contains {ch!r} at position {pos + 1}, which is not used in {label} "
                f"addresses{excluded}",
                0,
            )


def _b58_raw(address: str, alphabet: str, label: str) -> bytes:
    """Decode base58 (no checksum check) after making sure every character is in the alphabet."""
    _require_chars(address, _B58_SET if alphabet == _B58 else _XRP_SET, label)
    return base58.b58decode(address, alphabet=alphabet.encode())


def _dsha_ok(raw: bytes) -> bool:
    """True when the last 4 bytes are the double-SHA-256 checksum of the rest."""
    body, check = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4] == check


_CHECKSUM_REASON = (
    "checksum does not match: a character has been mistyped, changed, added or dropped"
)


def _length_reason(address: str, got: int, want: Iterable[int], label: str) -> str:
    """Say that the decoded length is wrong, in terms an analyst can act on."""
    wanted = " or ".join(str(n) for n in sorted(set(want)))
    hint = "truncated" if got < min(want) else "too long"
    return (
        f"{len(address)} characters decode to {got} bytes where {_a(label)} address has "
        f"{wanted}: it looks {hint}"
    )


def _base58check(
    address: str, label: str, versions: Sequence[bytes], payload: int = 20, alphabet: str = _B58
) -> None:
    """Check a base58check address: length, version prefix, then double-SHA-256 checksum."""
    raw = _b58_raw(address, alphabet, label)
    checksum_ok = len(raw) > 4 and _dsha_ok(raw)
    version = next(
        (v for v in versions if raw.startswith(v) and len(raw) == len(v) + payload + 4), None
    )
    if version is None:
        owner = next((o for p, o in _VERSION_OWNERS.items() if raw.startswith(p)), None)
        if checksum_ok and owner and owner != label:
            raise _Reject(f"this is a valid {owner} address, not {_a(label)} address", 3)
        lengths = {len(v) + payload + 4 for v in versions}
        if len(raw) not in lengths:
            raise _Reject(_length_reason(address, len(raw), lengths, label), 1)
        raise _Reject(
            f"its version prefix (0x{raw[: len(versions[0])].hex()}) is not used by {label} "
            f"addresses",
            1,
        )
    if not checksum_ok:
        raise _Reject(_CHECKSUM_REASON, 2)


# --------------------------------------------------------------------------------------------
# bech32 / bech32m (BIP 173, BIP 350)

_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_SET = frozenset(_BECH32_CHARSET)
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32 = 1
BECH32M = 0x2BC830A3


def _bech32_polymod(values: Iterable[int]) -> int:
    """The BCH-code checksum polynomial of BIP 173."""
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_BECH32_GEN):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    """The human-readable part as checksum input."""
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_decode(text: str, max_length: int = 90) -> tuple[str, list[int], int]:
    """Split and verify a bech32/bech32m string: (hrp, 5-bit data without checksum, constant).

    Raises ValueError naming what is wrong.
    """
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise ValueError("contains a character outside printable ASCII")
    if text.lower() != text and text.upper() != text:
        raise ValueError("mixes upper and lower case, which bech32 forbids")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise ValueError("has no human-readable part or is too short for its checksum")
    if len(text) > max_length:
        raise ValueError(f"is {len(text)} characters long; bech32 allows {max_length}")
    hrp, rest = text[:pos], text[pos + 1 :]
    bad = next((c for c in rest if c not in _BECH32_SET), None)
    if bad is not None:
        raise ValueError(f"contains {bad!r}, which bech32 does not use (no 1, b, i or o)")
    data = [_BECH32_CHARSET.find(c) for c in rest]
    const = _bech32_polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32, BECH32M):
        raise ValueError(_CHECKSUM_REASON)
    return hrp, data[:-6], const


def _convertbits(data: Iterable[int], frombits: int, tobits: int, pad: bool) -> list[int] | None:
    """Regroup bits (5-bit ↔ 8-bit); None when the padding is not the standard zero padding."""
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


def segwit_decode(hrp: str, address: str) -> tuple[int, bytes]:
    """Decode a segwit address for network `hrp`: (witness version, program).

    Raises ValueError naming what is wrong (BIP 173 / BIP 350 rules).
    """
    got_hrp, data, const = bech32_decode(address)
    if got_hrp != hrp:
        raise ValueError(f"prefix {got_hrp!r} is not {hrp!r}")
    if not data:
        raise ValueError("has no witness version")
    version = data[0]
    if version > 16:
        raise ValueError(f"witness version {version} does not exist (0-16)")
    program = _convertbits(data[1:], 5, 8, False)
    if program is None:
        raise ValueError("has malformed padding bits: it is truncated or altered")
    if not 2 <= len(program) <= 40:
        raise ValueError(f"witness program of {len(program)} bytes (2-40 allowed)")
    if version == 0 and len(program) not in (20, 32):
        raise ValueError(f"version-0 witness program of {len(program)} bytes (20 or 32 allowed)")
    if (version == 0) != (const == BECH32):
        kind = "bech32m" if const == BECH32M else "bech32"
        raise ValueError(f"witness version {version} must not use the {kind} checksum")
    return version, bytes(program)


def _segwit(address: str, hrp: str, label: str) -> None:
    """Check a segwit address, turning ValueError into a rejection with a depth."""
    try:
        segwit_decode(hrp, address)
    except ValueError as exc:
        reason = str(exc)
        depth = 2 if reason == _CHECKSUM_REASON else 1
        raise _Reject(f"not a valid {label} segwit address: {reason}", depth) from None


# --------------------------------------------------------------------------------------------
# CashAddr (Bitcoin Cash)

_CASHADDR_PREFIX = "bitcoincash"
_CASHADDR_GEN = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)


def _cashaddr_polymod(values: Iterable[int]) -> int:
    """The 40-bit BCH-code checksum of the CashAddr specification."""
    chk = 1
    for value in values:
        top = chk >> 35
        chk = ((chk & 0x07FFFFFFFF) << 5) ^ value
        for i, gen in enumerate(_CASHADDR_GEN):
            if (top >> i) & 1:
                chk ^= gen
    return chk ^ 1


def cashaddr_verify(address: str, default_prefix: str = _CASHADDR_PREFIX) -> tuple[str, list[int]]:
    """Split a CashAddr string and verify its checksum: (prefix, 5-bit payload w/o checksum).

    A string without `prefix:` is checked under `default_prefix`. Raises ValueError naming
    what is wrong.
    """
    if address.lower() != address and address.upper() != address:
        raise ValueError("mixes upper and lower case, which CashAddr forbids")
    text = address.lower()
    prefix, sep, body = text.rpartition(":")
    if not sep:
        prefix = default_prefix
    if not prefix or any(not 33 <= ord(c) <= 126 for c in prefix):
        raise ValueError("has an empty or unprintable prefix")
    bad = next((c for c in body if c not in _BECH32_SET), None)
    if bad is not None:
        raise ValueError(f"contains {bad!r}, which CashAddr does not use (no 1, b, i or o)")
    if len(body) < 8:
        raise ValueError("is too short to carry a checksum")
    data = [_BECH32_CHARSET.find(c) for c in body]
    if _cashaddr_polymod([ord(c) & 31 for c in prefix] + [0] + data) != 0:
        raise ValueError(_CHECKSUM_REASON)
    return prefix, data[:-8]


def cashaddr_decode(address: str, default_prefix: str = _CASHADDR_PREFIX) -> tuple[str, bytes]:
    """Verify a CashAddr string: (prefix, payload bytes = version byte + hash).

    Raises ValueError naming what is wrong.
    """
    prefix, data = cashaddr_verify(address, default_prefix)
    payload = _convertbits(data, 5, 8, False)
    if not payload:
        raise ValueError("has no payload or malformed padding bits: it is truncated or altered")
    return prefix, bytes(payload)


_CASHADDR_SIZES = (20, 24, 28, 32, 40, 48, 56, 64)


def _cashaddr(address: str) -> None:
    """Check a Bitcoin Cash CashAddr (mainnet prefix, P2PKH or P2SH, hash size per version)."""
    try:
        prefix, data = cashaddr_verify(address)
    except ValueError as exc:
        reason = str(exc)
        raise _Reject(
            f"not a valid CashAddr: {reason}", 2 if reason == _CHECKSUM_REASON else 0
        ) from None
    if prefix != _CASHADDR_PREFIX:
        raise _Reject(f"CashAddr prefix {prefix!r} is not the main network's 'bitcoincash'", 1)
    payload = _convertbits(data, 5, 8, False)
    if not payload:
        raise _Reject("not a valid CashAddr: no payload, or malformed padding bits", 1)
    version = payload[0]
    if version & 0x80 or (version >> 3) not in (0, 1):
        raise _Reject(f"CashAddr version byte 0x{version:02x} is not P2PKH or P2SH", 1)
    if len(payload) - 1 != _CASHADDR_SIZES[version & 7]:
        raise _Reject(
            f"CashAddr hash of {len(payload) - 1} bytes where its version byte says "
            f"{_CASHADDR_SIZES[version & 7]}",
            1,
        )


def _is_cashaddr_shape(address: str) -> bool:
    """True for text routed to the CashAddr rule rather than legacy base58."""
    return ":" in address or (len(address) >= 42 and address[:1] in "qpQP")


# --------------------------------------------------------------------------------------------
# EVM hex (EIP-55)

_HEX = frozenset("0123456789abcdefABCDEF")


def eip55_ok(address: str) -> bool:
    """True when a 0x-prefixed 40-hex address's letter case matches its EIP-55 checksum."""
    body = address[2:]
    digest = keccak256(body.lower().encode()).hex()
    return all(
        (ch.isupper() if int(digest[i], 16) >= 8 else ch.islower()) if ch.isalpha() else True
        for i, ch in enumerate(body)
    )


def _evm(address: str, label: str) -> None:
    """Check an EVM address: `0x` + 40 hex digits; EIP-55 when letters are of mixed case."""
    if address[:2] not in ("0x", "0X"):
        raise _Reject(f"{_a(label)} address starts with '0x'", 0)
    body = address[2:]
    bad = next((c for c in body if c not in _HEX), None)
    if bad is not None:
        raise _Reject(f"contains {bad!r}, which is not a hexadecimal digit", 0)
    if len(body) != 40:
        hint = "truncated" if len(body) < 40 else "too long"
        raise _Reject(
            f"has {len(body)} hex digits after '0x' where 40 are needed: it looks {hint}", 1
        )
    if body not in (body.lower(), body.upper()) and not eip55_ok(address):
        raise _Reject(
            "its mix of upper and lower case does not match the EIP-55 checksum: a character "
            "has been mistyped or changed",
            2,
        )


# --------------------------------------------------------------------------------------------
# Monero

_XMR_BLOCK_CHARS = (0, 2, 3, 5, 6, 7, 9, 10, 11)  # encoded length of a block of n bytes
_XMR_NETWORKS = {18: "standard", 19: "integrated", 42: "subaddress"}
_XMR_LENGTHS = {18: 69, 19: 77, 42: 69}


def _xmr_decode(address: str) -> bytes:
    """Decode Monero's base58: 8-byte blocks as 11 characters, a shorter final block."""
    _require_chars(address, _B58_SET, "Monero")
    index = {c: i for i, c in enumerate(_B58)}
    out = bytearray()
    for start in range(0, len(address), 11):
        block = address[start : start + 11]
        if len(block) not in _XMR_BLOCK_CHARS:
            raise _Reject(f"{len(address)} characters is not a possible Monero length", 1)
        size = _XMR_BLOCK_CHARS.index(len(block))
        value = 0
        for ch in block:
            value = value * 58 + index[ch]
        if value >> (8 * size):
            raise _Reject("a Monero base58 block overflows: the address has been altered", 2)
        out += value.to_bytes(size, "big")
    return bytes(out)


def _monero(address: str) -> None:
    """Check a Monero address: network byte, length, Keccak-256 checksum."""
    if len(address) == 64 and all(c in _HEX for c in address):
        raise _Reject(
            "64 hexadecimal characters are a transaction hash or key, not a Monero address "
            "(95 or 106 base58 characters starting with 4 or 8)",
            0,
        )
    if address[:1] not in ("4", "8"):
        raise _Reject("a Monero address starts with 4 or 8", 0)
    if len(address) not in (95, 106):
        raise _Reject(f"{len(address)} characters where a Monero address has 95 or 106", 1)
    raw = _xmr_decode(address)
    if not raw:
        raise _Reject("is empty", 0)
    network = raw[0]
    if network not in _XMR_NETWORKS:
        raise _Reject(f"network byte {network} is not a Monero main-network address", 1)
    if len(raw) != _XMR_LENGTHS[network]:
        raise _Reject(
            _length_reason(
                address, len(raw), [_XMR_LENGTHS[network]], "Monero " + _XMR_NETWORKS[network]
            ),
            1,
        )
    if keccak256(raw[:-4])[:4] != raw[-4:]:
        raise _Reject(_CHECKSUM_REASON, 2)


# --------------------------------------------------------------------------------------------
# Zcash


def _zcash(address: str) -> None:
    """Check a Zcash address: transparent t1/t3, Sapling zs1, or unified u1 (checksum only)."""
    lower = address.lower()
    if lower.startswith("zs1"):
        try:
            hrp, data, const = bech32_decode(address)
        except ValueError as exc:
            raise _Reject(f"not a valid Sapling address: {exc}", 2) from None
        payload = _convertbits(data, 5, 8, False)
        if hrp != "zs" or const != BECH32 or payload is None or len(payload) != 43:
            raise _Reject("not a valid Sapling address: wrong length or encoding", 1)
        return
    if lower.startswith("u1"):
        try:
            hrp, _, const = bech32_decode(address, max_length=MAX_LENGTH)
        except ValueError as exc:
            raise _Reject(f"not a valid unified address: {exc}", 2) from None
        if hrp != "u" or const != BECH32M:
            raise _Reject("not a valid unified address: wrong checksum kind", 1)
        return
    _base58check(address, "zcash", (b"\x1c\xb8", b"\x1c\xbd"))


# --------------------------------------------------------------------------------------------
# Chains

_BASE58_VERSIONS: dict[str, tuple[bytes, ...]] = {
    "bitcoin": (b"\x00", b"\x05"),
    "litecoin": (b"\x30", b"\x32", b"\x05"),
    "bitcoin-cash": (b"\x00", b"\x05"),
    "bitcoin-sv": (b"\x00", b"\x05"),
    "bitcoin-gold": (b"\x26", b"\x17"),
    "dash": (b"\x4c", b"\x10"),
    "verge": (b"\x1e", b"\x21"),
    "tron": (b"\x41",),
}
_SEGWIT_HRP = {"bitcoin": "bc", "litecoin": "ltc", "bitcoin-gold": "btg"}
# Which chain a base58check version prefix belongs to (for "valid, but another chain's"
# messages; 0x05 is shared by several and left out).
_VERSION_OWNERS: dict[bytes, str] = {
    b"\x00": "bitcoin",
    b"\x30": "litecoin",
    b"\x32": "litecoin",
    b"\x26": "bitcoin-gold",
    b"\x17": "bitcoin-gold",
    b"\x4c": "dash",
    b"\x10": "dash",
    b"\x1e": "verge",
    b"\x21": "verge",
    b"\x41": "tron",
    b"\x1c\xb8": "zcash",
    b"\x1c\xbd": "zcash",
}


def _base58_chain(chain: str) -> Callable[[str], None]:
    """The rule of a base58check chain (with its segwit form where it has one)."""
    versions = _BASE58_VERSIONS[chain]
    hrp = _SEGWIT_HRP.get(chain)

    def check(address: str) -> None:
        if hrp and address.lower().startswith(hrp + "1"):
            _segwit(address, hrp, chain)
        elif chain == "bitcoin-cash" and _is_cashaddr_shape(address):
            _cashaddr(address)
        else:
            _base58check(address, chain, versions)

    return check


def _ripple(address: str) -> None:
    """Check a classic XRP Ledger address: base58check, Ripple alphabet, version 0x00.

    X-addresses (`X…`, account and destination tag in one) are not accepted.
    """
    _base58check(address, "ripple", (b"\x00",), alphabet=_XRP)


def _evm_chain(chain: str) -> Callable[[str], None]:
    """The rule of an EVM chain (all share the 0x + 40 hex form)."""
    return lambda address: _evm(address, chain)


_CHAINS: dict[str, Callable[[str], None]] = {
    **{chain: _base58_chain(chain) for chain in ("bitcoin", "bitcoin-cash", "bitcoin-sv")},
    **{chain: _evm_chain(chain) for chain in ("ethereum", "ethereum-classic", "arbitrum", "bsc")},
    "tron": _base58_chain("tron"),
    "litecoin": _base58_chain("litecoin"),
    "monero": _monero,
    "dash": _base58_chain("dash"),
    "zcash": _zcash,
    "ripple": _ripple,
    "bitcoin-gold": _base58_chain("bitcoin-gold"),
    "verge": _base58_chain("verge"),
}
"""Every chain with a rule, in the order `detect` reports them."""

CURRENCY_CHAINS: dict[str, tuple[str, ...]] = {
    "XBT": ("bitcoin",),
    "BTC": ("bitcoin",),
    "ETH": ("ethereum",),
    # Tether and USD Coin circulate on several chains; OFAC lists both EVM, Tron and (for
    # Tether, the Omni layer) Bitcoin addresses under the one code.
    "USDT": ("ethereum", "tron", "bitcoin"),
    "USDC": ("ethereum", "tron"),
    "LTC": ("litecoin",),
    "TRX": ("tron",),
    "XMR": ("monero",),
    "DASH": ("dash",),
    "ZEC": ("zcash",),
    "BCH": ("bitcoin-cash",),
    "BTG": ("bitcoin-gold",),
    "ETC": ("ethereum-classic",),
    "XVG": ("verge",),
    "ARB": ("arbitrum",),
    "BSC": ("bsc",),
    "BNB": ("bsc",),
    "BSV": ("bitcoin-sv",),
    "XRP": ("ripple",),
}
"""Currency code (OFAC's and common alternatives) → chains whose address form it accepts."""


def chains_for(currency: str) -> tuple[str, ...]:
    """The chains a currency code (or a chain name such as 'bitcoin') refers to; () if unknown."""
    code = currency.strip()
    if code.lower() in _CHAINS:
        return (code.lower(),)
    return CURRENCY_CHAINS.get(code.upper(), ())


# --------------------------------------------------------------------------------------------
# Public API


def _clean(address: str) -> str:
    """Strip surrounding white space and a sentence-final period (no address ends in '.')."""
    return address.strip().rstrip(".").strip()


def _sanity(address: str) -> None:
    """Reject text that cannot be an address on any chain: empty, huge, spaces, control chars."""
    if not address:
        raise _Reject("the address is empty", 0)
    if len(address) > MAX_LENGTH:
        raise _Reject(
            f"{len(address)} characters is far too long for a wallet address (at most "
            f"{MAX_LENGTH})",
            0,
        )
    for pos, ch in enumerate(address):
        if ch.isspace():
            raise _Reject(f"contains a space or line break at position {pos + 1}", 0)
        if not ch.isprintable():
            raise _Reject(
                f"contains an invisible control character (U+{ord(ch):04X}) at position {pos + 1}",
                0,
            )
        if ord(ch) > 126:
            raise _Reject(f"contains the non-ASCII character {ch!r} at position {pos + 1}", 0)


_EVM_RE = re.compile(r"0[xX][0-9a-fA-F]{40}")


def normalise_address(address: str, currency: str | None = None) -> str:
    """The lookup key of an address; raises nothing.

    Case-insensitive encodings (EVM hex, bech32, CashAddr) become lower case, CashAddr gains
    its `bitcoincash:` prefix; everything else (base58 is case-sensitive) is kept exactly,
    without surrounding space or a trailing period. The key depends on the address only, never
    on `currency` (accepted for symmetry), so the same text always gives the same key.
    """
    del currency
    text = _clean(address) if isinstance(address, str) else ""
    if len(text) > MAX_LENGTH:
        return text
    if _EVM_RE.fullmatch(text):
        return text.lower()
    try:
        bech32_decode(text, max_length=MAX_LENGTH)
    except ValueError:
        pass
    else:
        return text.lower()
    if _is_cashaddr_shape(text):
        try:
            prefix, _ = cashaddr_decode(text)
        except ValueError:
            pass
        else:
            return f"{prefix}:{text.lower().rpartition(':')[2]}"
    return text


def cashaddr_encode(payload: bytes, prefix: str = _CASHADDR_PREFIX) -> str:
    """Encode a CashAddr payload (version byte + hash) as `prefix:…` with its checksum."""
    data = _convertbits(payload, 8, 5, True) or []
    mod = _cashaddr_polymod([ord(c) & 31 for c in prefix] + [0] + data + [0] * 8)
    checksum = [(mod >> 5 * (7 - i)) & 31 for i in range(8)]
    return f"{prefix}:" + "".join(_BECH32_CHARSET[d] for d in data + checksum)


_LEGACY_TO_CASHADDR = {0x00: 0x00, 0x05: 0x08}  # P2PKH, P2SH version bytes
_CASHADDR_TO_LEGACY = {v: k for k, v in _LEGACY_TO_CASHADDR.items()}


def lookup_keys(address: str) -> list[str]:
    """Every key under which this wallet may be stored: its own key first, then equivalents.

    A Bitcoin Cash address has two encodings of the same hash (legacy base58 `1…`/`3…` and
    CashAddr `bitcoincash:q…`/`p…`), and lists use both; each one's equivalent is added so a
    screen finds the listing whichever form either side wrote. Raises nothing.
    """
    key = normalise_address(address)
    keys = [key]
    try:
        if key.startswith(_CASHADDR_PREFIX + ":"):
            _, payload = cashaddr_decode(key)
            if payload[0] in _CASHADDR_TO_LEGACY and len(payload) == 21:
                legacy = bytes([_CASHADDR_TO_LEGACY[payload[0]]]) + payload[1:]
                keys.append(base58.b58encode_check(legacy).decode())
        elif 25 <= len(key) <= 35 and key[:1] in "13" and all(c in _B58_SET for c in key):
            raw = base58.b58decode(key)
            if len(raw) == 25 and _dsha_ok(raw):
                keys.append(cashaddr_encode(bytes([_LEGACY_TO_CASHADDR[raw[0]]]) + raw[1:21]))
    except (ValueError, KeyError):
        pass
    return keys


def _run(
    chains: Iterable[str], address: str
) -> tuple[list[AddressCheck], tuple[str, _Reject] | None]:
    """Apply the rules of `chains`: (passing checks, the failing chain that came closest)."""
    passed: list[AddressCheck] = []
    closest: tuple[str, _Reject] | None = None
    for chain in chains:
        try:
            _CHAINS[chain](address)
        except _Reject as exc:
            if closest is None or exc.depth > closest[1].depth:
                closest = (chain, exc)
        else:
            passed.append(AddressCheck(normalise_address(address), True, chain, None))
    return passed, closest


def check_address(currency: str, address: str) -> AddressCheck:
    """Check `address` against the rule of `currency`'s chain (OFAC code, e.g. 'XBT', 'USDT').

    A currency spanning several chains (USDT, USDC) passes when any of them accepts the
    address. An unknown currency gives chain 'unknown' and valid None (unless the text cannot be
    an address at all: empty, too long, spaces or control characters → valid False).
    """
    text = _clean(address)
    key = normalise_address(text)
    chains = chains_for(currency)
    try:
        _sanity(text)
    except _Reject as exc:
        return AddressCheck(key, False, chains[0] if chains else "unknown", exc.reason)
    if not chains:
        return AddressCheck(key, None, "unknown", None)
    passed, closest = _run(chains, text)
    if passed or closest is None:
        return passed[0]
    return AddressCheck(key, False, closest[0], closest[1].reason)


def detect(address: str) -> list[AddressCheck]:
    """Every chain whose rule the address passes (e.g. an EVM address: all four EVM chains)."""
    text = _clean(address)
    try:
        _sanity(text)
    except _Reject:
        return []
    return _run(_CHAINS, text)[0]


def require_valid(address: str, currency: str | None = None) -> AddressCheck:
    """The check of a usable address; raises InvalidAddress when it fails.

    With a currency: fails when that currency's rule fails (an unknown currency passes with
    valid None unless the text cannot be an address at all). Without: fails when no chain
    accepts it, giving the reason of the chain it came closest to.
    """
    if currency is not None:
        result = check_address(currency, address)
        if result.valid is False:
            raise InvalidAddress(address, result.reason or "fails its chain's rule")
        return result
    text = _clean(address)
    try:
        _sanity(text)
    except _Reject as exc:
        raise InvalidAddress(address, exc.reason) from None
    passed, closest = _run(_CHAINS, text)
    if passed or closest is None:
        return passed[0]
    chain, rejection = closest
    raise InvalidAddress(
        address, f"no chain accepts it; read as {_a(chain)} address, {rejection.reason}"
    )
