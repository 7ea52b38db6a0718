"""Wallet address keys and checks: published vectors, the real OFAC SDN addresses, bad input."""

from __future__ import annotations

import csv
import hashlib
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from sanctum.crypto import (
    CURRENCY_CHAINS,
    AddressCheck,
    InvalidAddress,
    bech32_decode,
    cashaddr_verify,
    chains_for,
    check_address,
    detect,
    eip55_ok,
    keccak256,
    lookup_keys,
    normalise_address,
    require_valid,
    segwit_decode,
)
from sanctum.errors import SanctumError

# --------------------------------------------------------------------------------------------
# The real SDN list: every "Digital Currency Address - <code> <address>" in the remarks, with
# the overflow from sdn_comments.csv appended to its truncated remark (no separator).

_WALLET = re.compile(r"Digital Currency Address - (\w+) ([^;\s]+)")


def _remarks(folder: Path) -> dict[str, str]:
    """ent_num → full remarks of one SDN legacy CSV version (comments joined when present)."""
    remarks: dict[str, str] = {}
    with (folder / "sdn.csv").open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 12:
                remarks[row[0]] = row[11]
    comments = folder / "sdn_comments.csv"
    if comments.exists():
        with comments.open(encoding="latin-1", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) >= 2 and row[0] in remarks:
                    remarks[row[0]] += row[1]
    return remarks


def _wallets(remarks: dict[str, str]) -> list[tuple[str, str, str]]:
    """(ent_num, currency code, address as written) for every wallet mention."""
    return [
        (ent, m.group(1), m.group(2))
        for ent, text in remarks.items()
        for m in _WALLET.finditer(text)
    ]


@pytest.fixture(scope="module")
def remarks_2023(data_dir: Path) -> dict[str, str]:
    return _remarks(data_dir / "us_ofac_sdn" / "2023-11-30")


@pytest.fixture(scope="module")
def sdn_wallets(remarks_2023: dict[str, str]) -> list[tuple[str, str, str]]:
    return _wallets(remarks_2023)


# Mistakes in the list itself (2023-11-30), each confirmed by reading the entry.
LIST_ERRORS = {
    # KARASAVIDI, Dmitrii: 64 hex digits under XMR — a hash or key, not a Monero address.
    ("29585", "XMR", "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"): (
        "monero",
        "transaction hash or key",
    ),
    # WANG, Mingming: a Tron address filed under XBT.
    ("45404", "XBT", "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"): (
        "bitcoin",
        "valid tron address, not a bitcoin address",
    ),
}


def test_sdn_wallet_counts(sdn_wallets: list[tuple[str, str, str]], data_dir: Path) -> None:
    """579 mentions: 576 whole phrases in the raw files + 3 split across sdn/sdn_comments."""
    folder = data_dir / "us_ofac_sdn" / "2023-11-30"
    raw = sum(
        (folder / name).read_text(encoding="latin-1").count("Digital Currency Address - ")
        for name in ("sdn.csv", "sdn_comments.csv")
    )
    assert raw == 576
    assert len(sdn_wallets) == 579
    assert Counter(code for _, code, _ in sdn_wallets) == {
        "XBT": 378, "ETH": 147, "USDT": 17, "LTC": 9, "BCH": 7, "TRX": 3, "XMR": 3, "DASH": 3,
        "ZEC": 3, "USDC": 2, "ARB": 1, "BSC": 1, "BSV": 1, "BTG": 1, "ETC": 1, "XRP": 1, "XVG": 1,
    }  # fmt: skip
    # 37070 lists XBT 3F6bbvS1krsc1qR8FsbTDfYQyvkMm3QvmR twice.
    assert [k for k, n in Counter(sdn_wallets).items() if n > 1] == [
        ("37070", "XBT", "3F6bbvS1krsc1qR8FsbTDfYQyvkMm3QvmR")
    ]
    # Every currency code on the list has a rule here.
    assert all(chains_for(code) for _, code, _ in sdn_wallets)


def test_every_sdn_address_passes_its_rule(sdn_wallets: list[tuple[str, str, str]]) -> None:
    """All 577 listed addresses except the two list mistakes pass their currency's rule."""
    failed = {}
    for ent, code, address in sdn_wallets:
        result = check_address(code, address)
        assert result.valid is not None, (code, address)
        if not result.valid:
            failed[(ent, code, address)] = result
    assert set(failed) == set(LIST_ERRORS)
    for key, (chain, words) in LIST_ERRORS.items():
        assert failed[key].chain == chain
        reason = failed[key].reason
        assert reason is not None and words in reason
    assert sum(1 for w in sdn_wallets if w not in LIST_ERRORS) == 577


def test_listed_tron_address_under_xbt_is_tron() -> None:
    """The XBT mistake of entry 45404 is a good Tron address: detect() says so."""
    assert [c.chain for c in detect("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")] == ["tron"]


def test_sdn_keys_do_not_depend_on_currency(sdn_wallets: list[tuple[str, str, str]]) -> None:
    """The key stored with a currency equals the key of an address-only screen."""
    for _, code, address in sdn_wallets:
        key = normalise_address(address)
        assert check_address(code, address).normalised == key
        assert normalise_address(address, code) == key
        if check_address(code, address).valid:
            assert key in {c.normalised for c in detect(address)}


@pytest.mark.parametrize(
    ("code", "address", "chain", "key"),
    [
        # Sentence-final period of the remark, kept by a naive split: not part of the address.
        (
            "BCH",
            "qz9f2vz3033sg5vc5mf7m7xshmj0jugy4ummf05jk8.",
            "bitcoin-cash",
            "bitcoincash:qz9f2vz3033sg5vc5mf7m7xshmj0jugy4ummf05jk8",
        ),
        (
            "XRP",
            "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66.",
            "ripple",
            "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66",
        ),
        # USDT on three chains (Omni-layer Tether uses Bitcoin addresses).
        (
            "USDT",
            "0x38735f03b30FbC022DdD06ABED01F0Ca823C6a94",
            "ethereum",
            "0x38735f03b30fbc022ddd06abed01f0ca823c6a94",
        ),
        (
            "USDT",
            "TEAqwfMhXLaomXhZ8KeMhx3njGmQEDnsUR",
            "tron",
            "TEAqwfMhXLaomXhZ8KeMhx3njGmQEDnsUR",
        ),
        (
            "USDT",
            "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz",
            "bitcoin",
            "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz",
        ),
        (
            "USDC",
            "0x983a81ca6FB1e441266D2FbcB7D8E530AC2E05A2",
            "ethereum",
            "0x983a81ca6fb1e441266d2fbcb7d8e530ac2e05a2",
        ),
        (
            "BCH",
            "18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB",
            "bitcoin-cash",
            "18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB",
        ),
        (
            "BSV",
            "12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9",
            "bitcoin-sv",
            "12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9",
        ),
        (
            "BTG",
            "GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS",
            "bitcoin-gold",
            "GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS",
        ),
        (
            "DASH",
            "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2",
            "dash",
            "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2",
        ),
        (
            "XVG",
            "DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z",
            "verge",
            "DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z",
        ),
        (
            "ZEC",
            "t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL",
            "zcash",
            "t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL",
        ),
        (
            "LTC",
            "LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsd",
            "litecoin",
            "LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsd",
        ),
        ("TRX", "TMStbg5fgb4uTV7fK1gEYF9hKAzP3siPsG", "tron", "TMStbg5fgb4uTV7fK1gEYF9hKAzP3siPsG"),
        (
            "ETC",
            "0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344b",
            "ethereum-classic",
            "0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344b",
        ),
        (
            "ARB",
            "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c",
            "arbitrum",
            "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c",
        ),
        (
            "BSC",
            "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c",
            "bsc",
            "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c",
        ),
        (
            "XMR",
            "884Bz8UH63aYsjVdkfWfScRYWZGGNbjFL7pztqvWNSrtYT4reFSwyvkCj9KEGUtheHhhMUj87ciTBFyzoesrM"
            "J4L1FvSoxL",
            "monero",
            "884Bz8UH63aYsjVdkfWfScRYWZGGNbjFL7pztqvWNSrtYT4reFSwyvkCj9KEGUthe"
            "HhhMUj87ciTBFyzoesrMJ4L1FvSoxL",
        ),
        (
            "XBT",
            "bc1qv7k70u2zynvem59u88ctdlaw7hc735d8xep9rq",
            "bitcoin",
            "bc1qv7k70u2zynvem59u88ctdlaw7hc735d8xep9rq",
        ),
        # Lower-case currency codes and chain names are accepted.
        (
            "xbt",
            "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz",
            "bitcoin",
            "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz",
        ),
        (
            "litecoin",
            " LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsd\n",
            "litecoin",
            "LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsd",
        ),
    ],
)
def test_listed_address_per_currency(code: str, address: str, chain: str, key: str) -> None:
    """One real listed address per currency: chain, key, valid."""
    assert check_address(code, address) == AddressCheck(key, True, chain, None)
    assert require_valid(address, code).chain == chain


def test_sdn_bech32_address_is_on_the_list(sdn_wallets: list[tuple[str, str, str]]) -> None:
    """The bech32 case above is listed (by 31212, SOUTHFRONT)."""
    assert ("31212", "XBT", "bc1qv7k70u2zynvem59u88ctdlaw7hc735d8xep9rq") in sdn_wallets


def test_2021_typo_corrected_by_2023(data_dir: Path) -> None:
    """LIFSHITS (29702) had a 39-digit ETH address in 2021; by 2023 it has its 40th digit."""
    old = _wallets(_remarks(data_dir / "us_ofac_sdn" / "2021-07-07"))
    new = _wallets(_remarks(data_dir / "us_ofac_sdn" / "2023-11-30"))
    typo = "0xa7e5d5a720f06526557c513402f2e6b5fa20b00"
    assert ("29702", "ETH", typo) in old
    assert ("29702", "ETH", typo + "8") in new
    result = check_address("ETH", typo)
    assert result.valid is False and result.reason is not None
    assert "39 hex digits" in result.reason and "truncated" in result.reason
    assert check_address("ETH", typo + "8").valid is True


# Remarks cut at 1000 characters in the 2024-05-03 file (no sdn_comments.csv beside it): the
# last address of each is a fragment; the whole address is in the joined 2023-11-30 remarks.
CUT_2024 = [
    ("30518", "1Gq"),
    ("33151", "1B64QRxf"),
    ("33854", "3"),
    ("36216", "1B11Ezqg3AXj"),
    ("37070", "3F6bbvS1krsc1qR8FsbTDfYQyvkMm"),
    ("39585", "1N6XqS"),
]


@pytest.fixture(scope="module")
def remarks_2024(data_dir: Path) -> dict[str, str]:
    return _remarks(data_dir / "us_ofac_sdn" / "2024-05-03")


@pytest.mark.parametrize(("ent", "fragment"), CUT_2024)
def test_truncated_remark_fragments_fail(
    ent: str, fragment: str, remarks_2024: dict[str, str], remarks_2023: dict[str, str]
) -> None:
    """A cut-off address is reported as truncated, never accepted."""
    text = remarks_2024[ent]
    assert len(text) == 1000 and text.endswith(f"XBT {fragment}")
    whole = [a for e, c, a in _wallets(remarks_2023) if e == ent and a.startswith(fragment)]
    assert whole and all(check_address("XBT", a).valid for a in whole)
    result = check_address("XBT", fragment)
    assert result.valid is False and result.reason is not None and "truncated" in result.reason
    with pytest.raises(InvalidAddress, match="truncated"):
        require_valid(fragment)
    with pytest.raises(InvalidAddress, match=re.escape(repr(fragment))):
        require_valid(fragment, "XBT")


# --------------------------------------------------------------------------------------------
# Published test vectors


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        (
            b"The quick brown fox jumps over the lazy dog",
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15",
        ),
    ],
)
def test_keccak256_vectors(data: bytes, digest: str) -> None:
    assert keccak256(data).hex() == digest


def test_keccak_permutation_matches_sha3() -> None:
    """With SHA-3's padding byte the same sponge must equal hashlib.sha3_256, across blocks."""
    from sanctum.crypto import _sponge

    for size in (0, 1, 55, 135, 136, 137, 271, 272, 500):
        data = bytes(range(256)) * 2
        assert _sponge(data[:size], 0x06) == hashlib.sha3_256(data[:size]).digest()


@pytest.mark.parametrize(
    "address",
    [
        # EIP-55 specification examples.
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ],
)
def test_eip55_vectors(address: str) -> None:
    assert eip55_ok(address)
    assert check_address("ETH", address) == AddressCheck(address.lower(), True, "ethereum", None)


@pytest.mark.parametrize(
    "address",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # last letter's case flipped
        "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  # first letter's case flipped
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d358",  # last digit changed
    ],
)
def test_eip55_mismatch_fails(address: str) -> None:
    result = check_address("ETH", address)
    assert result.valid is False and result.reason is not None and "EIP-55" in result.reason
    assert result.normalised == address.lower()


def test_lowercase_evm_has_no_checksum() -> None:
    """A changed digit in an all-lower-case EVM address cannot be detected: no checksum."""
    assert check_address("ETH", "0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344c").valid is True


BECH32_VALID = [
    # BIP 173
    ("A12UEL5L", 1),
    ("a12uel5l", 1),
    (
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        1,
    ),
    ("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", 1),
    ("11" + "q" * 82 + "c8247j", 1),
    ("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", 1),
    ("?1ezyfcl", 1),
    # BIP 350
    ("A1LQFN3A", 0x2BC830A3),
    ("a1lqfn3a", 0x2BC830A3),
    (
        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
        0x2BC830A3,
    ),
    ("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx", 0x2BC830A3),
    ("11" + "l" * 82 + "ludsr8", 0x2BC830A3),
    ("split1checkupstagehandshakeupstreamerranterredcaperredlc445v", 0x2BC830A3),
    ("?1v759aa", 0x2BC830A3),
]


@pytest.mark.parametrize(("text", "const"), BECH32_VALID)
def test_bech32_vectors(text: str, const: int) -> None:
    assert bech32_decode(text)[2] == const
    assert normalise_address(text) == text.lower()


@pytest.mark.parametrize(
    ("address", "script"),
    [
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "0014751e76e8199196d454941c45d1b3a323f1433bd6",
        ),
        (
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
            "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
        ),
        (
            "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
            "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
        ),
        ("BC1SW50QGDZ25J", "6002751e"),
        ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
        (
            "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
            "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
        ),
        (
            "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
            "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        ),
    ],
)
def test_segwit_valid_vectors(address: str, script: str) -> None:
    """BIP 350 valid segwit addresses decode to the published scriptPubKey."""
    version, program = segwit_decode(address[:2].lower(), address)
    assert (bytes([version + 0x50 if version else 0, len(program)]) + program).hex() == script
    if address[:2].lower() == "bc":
        result = check_address("XBT", address)
        assert result == AddressCheck(address.lower(), True, "bitcoin", None)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "prefix 'tc'"),
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bech32 checksum"),
        ("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "bech32 checksum"),
        ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "bech32 checksum"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "bech32m checksum"),
        ("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", "bech32m checksum"),
        ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "contains 'o'"),
        ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "witness version 17"),
        ("bc1pw5dgrnzv", "program of 1 bytes"),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
            "program of 41 bytes",
        ),
        ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "program of 16 bytes"),
        ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixes upper and lower"),
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "padding"),
        ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "padding"),
        ("bc1gmk9yu", "no witness version"),
    ],
)
def test_segwit_invalid_vectors(address: str, why: str) -> None:
    """BIP 350 invalid segwit addresses fail for the documented reason."""
    hrp = "tb" if address[:2].lower() in ("tb", "tc") else "bc"
    with pytest.raises(ValueError, match=re.escape(why)):
        segwit_decode(hrp, address)
    if hrp == "bc":
        result = check_address("XBT", address)
        assert result.valid is False and result.reason is not None and why in result.reason


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        # CashAddr specification: checksum test vectors.
        ("prefix:x64nx6hz", "prefix"),
        ("PREFIX:X64NX6HZ", "prefix"),
        ("p:gpf8m4h7", "p"),
        ("bitcoincash:qpzry9x8gf2tvdw0s3jn54khce6mua7lcw20ayyn", "bitcoincash"),
        ("bchtest:testnetaddress4d6njnut", "bchtest"),
        ("bchreg:555555555555555555555555555555555555555555555udxmlmrz", "bchreg"),
    ],
)
def test_cashaddr_checksum_vectors(text: str, prefix: str) -> None:
    assert cashaddr_verify(text)[0] == prefix


CASHADDR_PAIRS = [
    # CashAddr specification: legacy base58 address ↔ CashAddr of the same hash.
    (
        "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu",
        "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
    ),
    (
        "1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR",
        "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy",
    ),
    ("16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb", "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r"),
    (
        "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC",
        "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq",
    ),
    (
        "3LDsS579y7sruadqu11beEJoTjdFiFCdX4",
        "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e",
    ),
    (
        "31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw",
        "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37",
    ),
]


@pytest.mark.parametrize(("legacy", "cashaddr"), CASHADDR_PAIRS)
def test_cashaddr_legacy_pairs(legacy: str, cashaddr: str) -> None:
    """Both encodings pass, and each one's lookup keys include the other."""
    assert check_address("BCH", legacy).valid is True
    assert check_address("BCH", cashaddr).valid is True
    bare = cashaddr.split(":")[1]
    assert check_address("BCH", bare).normalised == cashaddr
    assert check_address("BCH", cashaddr.upper()).normalised == cashaddr
    assert lookup_keys(legacy) == [legacy, cashaddr]
    assert lookup_keys(cashaddr) == [cashaddr, legacy]
    assert lookup_keys(bare.upper()) == [cashaddr, legacy]


@pytest.mark.parametrize(
    ("code", "address"),
    [
        ("XRP", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"),  # XRP Ledger genesis account
        ("XRP", "rrrrrrrrrrrrrrrrrrrrrhoLvTp"),  # ACCOUNT_ZERO
        ("XRP", "rrrrrrrrrrrrrrrrrrrrBZbvji"),  # ACCOUNT_ONE
        ("TRX", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"),  # Tron zero address
        ("XBT", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),  # Bitcoin genesis block reward
        # Monero project donation addresses (old and current).
        (
            "XMR",
            "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wf"
            "n3RVGQBEP3A",
        ),
        (
            "XMR",
            "888tNkZrPN6JsEgekjMnABU4TBzc2Dt29EPAvkRxbANsAnjyPbb3iQ1YBRk1UXcdRsiKc9dhwMVgN5S9cQUi"
            "yoogDavup3H",
        ),
    ],
)
def test_well_known_addresses(code: str, address: str) -> None:
    assert check_address(code, address).valid is True


# --------------------------------------------------------------------------------------------
# Corrupted addresses


SAMPLES = [
    ("XBT", "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz"),
    ("XBT", "3E6ZCKRrsdPc35chA9Eftp1h3DLW18NFNV"),
    ("XBT", "bc1qv7k70u2zynvem59u88ctdlaw7hc735d8xep9rq"),
    ("LTC", "LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsd"),
    ("TRX", "TMStbg5fgb4uTV7fK1gEYF9hKAzP3siPsG"),
    ("BCH", "qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq"),
    ("DASH", "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2"),
    ("ZEC", "t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL"),
    ("BTG", "GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS"),
    ("XVG", "DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z"),
    ("XRP", "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66"),
    ("USDC", "0x983a81ca6FB1e441266D2FbcB7D8E530AC2E05A2"),
    (
        "XMR",
        "49HqitRzdnhYjgTEAhgGpCfsjdTeMbUTU6cyR4JV1R7k2Eej9rGT8JpFiYDa4tZM6RZiFrHmMzgSrhHEqpDYKBe5"
        "B2ufNsL",
    ),
]

_ALPHABETS = {
    "XRP": "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz",
    "BCH": "qpzry9x8gf2tvdw0s3jn54khce6mua7l",
    "USDC": "0123456789abcdef",
}
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _alphabet(code: str, address: str) -> str:
    if address.startswith("bc1"):
        return _ALPHABETS["BCH"]
    return _ALPHABETS.get(code, _B58)


@pytest.mark.parametrize(("code", "address"), SAMPLES)
def test_every_single_character_change_fails(code: str, address: str) -> None:
    """Changing any one character (after the fixed prefix) is caught, with a reason."""
    assert check_address(code, address).valid is True
    alphabet = _alphabet(code, address)
    start = 4 if address.startswith(("bc1", "0x")) else 1
    for pos in range(start, len(address)):
        old = address[pos]
        new = alphabet[(alphabet.find(old.lower() if code == "USDC" else old) + 7) % len(alphabet)]
        if code == "USDC" and old.isupper():
            new = new.upper()
        changed = address[:pos] + new + address[pos + 1 :]
        result = check_address(code, changed)
        assert result.valid is False, changed
        assert result.reason, changed
        with pytest.raises(InvalidAddress):
            require_valid(changed, code)
        assert all(c.chain not in CURRENCY_CHAINS[code] for c in detect(changed))


@pytest.mark.parametrize(("code", "address"), SAMPLES)
def test_truncated_and_extended_fail(code: str, address: str) -> None:
    for bad in (address[:-1], address[:8], address + address[-1], address[1:]):
        result = check_address(code, bad)
        assert result.valid is False and result.reason, bad
        with pytest.raises(InvalidAddress):
            require_valid(bad, code)


@pytest.mark.parametrize(
    ("code", "address", "words"),
    [
        ("XBT", "1B64QRxf", "8 characters decode to 6 bytes where a bitcoin address has 25"),
        ("XBT", "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgy", "checksum does not match"),
        ("XBT", "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhg0", "'0' at position 34"),
        ("XBT", "LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsd", "valid litecoin address, not a bitcoin"),
        ("XBT", "t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL", "valid zcash address, not a bitcoin"),
        ("ZEC", "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz", "valid bitcoin address, not a zcash"),
        ("XRP", "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz", "not used by ripple addresses"),
        ("ETH", "TMStbg5fgb4uTV7fK1gEYF9hKAzP3siPsG", "an ethereum address starts with '0x'"),
        ("ARB", "TMStbg5fgb4uTV7fK1gEYF9hKAzP3siPsG", "an arbitrum address starts with '0x'"),
        ("BSC", "TMStbg5fgb4uTV7fK1gEYF9hKAzP3siPsG", "a bsc address starts with '0x'"),
        ("ETH", "0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344", "39 hex digits"),
        ("ETH", "0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344bz", "'z'"),
        (
            "BCH",
            "bitcoincash:qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhp",
            "checksum does not match",
        ),
        ("BCH", "bchtest:testnetaddress4d6njnut", "prefix 'bchtest'"),
        ("XMR", "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320", "hash or key"),
        ("USDT", "0xfac583c0cf07ea434052c49115a4682172ab6b4", "40 are needed"),
        ("USDT", "TEAqwfMhXLaomXhZ8KeMhx3njGmQEDnsUr", "checksum does not match"),
        ("ZEC", "zs1abc", "Sapling"),
    ],
)
def test_failure_reasons(code: str, address: str, words: str) -> None:
    result = check_address(code, address)
    assert result.valid is False
    assert result.reason is not None and words in result.reason


def test_an_address_no_chain_accepts_names_the_closest_with_its_article() -> None:
    with pytest.raises(InvalidAddress) as caught:
        require_valid("0x098B716B8Aaf21512996dC57EB0615e2383E2f9")
    assert str(caught.value) == (
        "invalid wallet address '0x098B716B8Aaf21512996dC57EB0615e2383E2f9': no chain accepts "
        "it; read as an ethereum address, has 39 hex digits after '0x' where 40 are needed: "
        "it looks truncated"
    )


# --------------------------------------------------------------------------------------------
# Keys and detection


@pytest.mark.parametrize(
    ("address", "key"),
    [
        (
            "0x983a81ca6FB1e441266D2FbcB7D8E530AC2E05A2",
            "0x983a81ca6fb1e441266d2fbcb7d8e530ac2e05a2",
        ),
        (
            "0X983A81CA6FB1E441266D2FBCB7D8E530AC2E05A2",
            "0x983a81ca6fb1e441266d2fbcb7d8e530ac2e05a2",
        ),
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        (
            "qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq",
            "bitcoincash:qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq",
        ),
        (
            "BITCOINCASH:QPF2CPHC5DKUCLKQUR7LHJ2YUQQ9PK3HMUKLE77VHQ",
            "bitcoincash:qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq",
        ),
        ("  1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz.\r\n", "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz"),
        ("rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66", "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66"),
        ("not an address", "not an address"),
        ("", ""),
    ],
)
def test_normalise(address: str, key: str) -> None:
    assert normalise_address(address) == key
    assert normalise_address(address, "XBT") == key


@pytest.mark.parametrize(
    ("address", "chains"),
    [
        (
            "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c",
            ["ethereum", "ethereum-classic", "arbitrum", "bsc"],
        ),
        ("1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz", ["bitcoin", "bitcoin-cash", "bitcoin-sv"]),
        (
            "3E6ZCKRrsdPc35chA9Eftp1h3DLW18NFNV",
            ["bitcoin", "bitcoin-cash", "bitcoin-sv", "litecoin"],
        ),
        ("bc1qv7k70u2zynvem59u88ctdlaw7hc735d8xep9rq", ["bitcoin"]),
        ("qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq", ["bitcoin-cash"]),
        ("LNwgtMxcKUQ51dw7bQL1yPQjBVZh6QEqsd", ["litecoin"]),
        ("TMStbg5fgb4uTV7fK1gEYF9hKAzP3siPsG", ["tron"]),
        ("XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2", ["dash"]),
        ("t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL", ["zcash"]),
        ("GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS", ["bitcoin-gold"]),
        ("DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z", ["verge"]),
        ("rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66", ["ripple"]),
        (
            "884Bz8UH63aYsjVdkfWfScRYWZGGNbjFL7pztqvWNSrtYT4reFSwyvkCj9KEGUtheHhhMUj87ciTBFyzoesrMJ4L1F"
            "vSoxL",
            ["monero"],
        ),
        ("1B64QRxf", []),
        ("hello", []),
    ],
)
def test_detect(address: str, chains: list[str]) -> None:
    found = detect(address)
    assert sorted(c.chain for c in found) == sorted(chains)
    assert all(c.valid is True and c.reason is None for c in found)
    if chains:
        assert require_valid(address).chain == found[0].chain
    else:
        with pytest.raises(InvalidAddress):
            require_valid(address)


def test_unknown_currency() -> None:
    """No rule for the currency: valid None, chain 'unknown', key as for any address."""
    assert check_address("DOGE2", "0x983a81ca6FB1e441266D2FbcB7D8E530AC2E05A2") == AddressCheck(
        "0x983a81ca6fb1e441266d2fbcb7d8e530ac2e05a2", None, "unknown", None
    )
    assert require_valid("whatever-token", "FOO").valid is None
    assert chains_for("FOO") == ()
    with pytest.raises(InvalidAddress, match="empty"):
        require_valid("", "FOO")


def test_bch_lookup_keys_from_list(sdn_wallets: list[tuple[str, str, str]]) -> None:
    """The listed legacy BCH address is also findable in its CashAddr form."""
    assert ("30518", "BCH", "18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB") in sdn_wallets
    keys = lookup_keys("18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB")
    assert keys[0] == "18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB"
    assert check_address("BCH", keys[1]).valid is True
    assert lookup_keys(keys[1]) == [keys[1], keys[0]]
    assert lookup_keys("0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c") == [
        "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"
    ]


# --------------------------------------------------------------------------------------------
# Bad input: InvalidAddress from require_valid, never another exception


BAD = [
    "",
    "   ",
    ".",
    "x" * 10_000,
    "1" * 10_000,
    "1KUUJPkyDhamZXgpsyXqNGc3x1QPX\x00tdhgz",
    "1KUUJPkyDhamZXgpsyXqNGc3x1QPX\ttdhgz",
    "\x1b[31m1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz",
    "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz\u200b",
    "1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz\ufeff",
    "ＬＮｗｇｔＭｘｃＫＵＱ５１ｄｗ７ｂＱＬ１ｙＰＱｊＢＶＺｈ６ＱＥｑｓｄ",
    "bitcoincash:",
    ":",
    "1",
    "0x",
    "0x" + "g" * 40,
    "garbage!!",
    "DROP TABLE wallets;",
    "\ud800",
]


@pytest.mark.parametrize("address", BAD)
def test_bad_input(address: str) -> None:
    with pytest.raises(InvalidAddress) as caught:
        require_valid(address)
    assert isinstance(caught.value, SanctumError)
    assert caught.value.address == address and caught.value.reason
    assert len(str(caught.value)) < 400
    for code in [*CURRENCY_CHAINS, "FOO"]:
        assert check_address(code, address).valid is not True
    assert detect(address) == []
    assert isinstance(normalise_address(address), str)
    assert isinstance(lookup_keys(address), list)


@pytest.mark.parametrize("code", sorted(CURRENCY_CHAINS))
def test_bad_input_with_currency(code: str) -> None:
    for address in BAD:
        with pytest.raises(InvalidAddress):
            require_valid(address, code)


def test_huge_address_message_is_short() -> None:
    with pytest.raises(InvalidAddress, match=r"\(10000 characters\).*too long") as caught:
        require_valid("x" * 10_000)
    assert len(str(caught.value)) < 300


def test_control_character_reason() -> None:
    with pytest.raises(InvalidAddress, match=r"control character \(U\+0000\) at position 30"):
        require_valid("1KUUJPkyDhamZXgpsyXqNGc3x1QPX\x00tdhgz")


def test_random_text_never_raises_anything_else() -> None:
    """Seeded random strings: require_valid returns or raises InvalidAddress, nothing else."""
    rng = random.Random(20231130)
    pools = [
        _B58,
        _ALPHABETS["BCH"] + ":",
        "0x123456789abcdefABCDEF",
        "".join(map(chr, range(0, 300))),
    ]
    for _ in range(600):
        pool = rng.choice(pools)
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 120)))
        for code in (None, "XBT", "XMR", "BCH", "USDT", "ZEC"):
            try:
                result = require_valid(text, code)
            except InvalidAddress:
                continue
            assert result.valid in (True, None)
        normalise_address(text)
        lookup_keys(text)
