"""Korean names: Hangul, MR, stripped MR, DPRK, RR and popular spellings meet in one key space.

Expected spellings come from /work/shared/docs/korean-names.md (the frequent-syllable
table and the South Korean government spellings) and from the DPRK variant benchmark;
expected keys follow the class table documented in sanctum.names.korean.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from sanctum.names.korean import (
    hangul_syllables,
    is_hangul,
    korean_tokens_key,
    latin_syllable_keys,
    romanize_name,
    romanize_syllable,
    same_syllables,
    split_korean_name,
    syllable_key,
)


def single_keys(spelling: str) -> set[str]:
    """Keys a Latin spelling may have when read as one syllable."""
    return {seq[0] for seq in latin_syllable_keys(spelling) if len(seq) == 1}


def name_keys(name: str) -> set[tuple[str, ...]]:
    """All key sequences of a whitespace-separated name ('' set if not Korean)."""
    return set(korean_tokens_key(name.split()) or [])


# --------------------------------------------------------------------------------------
# The frequent syllables of UN-listed DPRK names (korean-names.md), with their key.
# --------------------------------------------------------------------------------------

FREQUENT_SYLLABLES: list[tuple[str, str, list[str]]] = [
    # (Hangul syllables, key, stripped MR + RR + other listed spellings)
    ("김", "KIM", ["KIM", "Gim", "Kim"]),
    ("철", "COL", ["CHOL", "cheol", "Chul", "Ch'o'l", "Ch’o’l"]),
    ("리 이", "I", ["RI", "I", "Lee", "Rhee", "Yi", "Li"]),
    ("일", "IL", ["IL", "il"]),
    ("춘 준", "CUN", ["CHUN", "chun", "jun", "Choon"]),
    ("영 용", "YONG", ["YONG", "yeong", "yong", "Young"]),
    ("성 송", "SONG", ["SONG", "seong", "song", "Sung", "So'ng"]),
    ("박", "PAK", ["PAK", "Bak", "Park"]),
    ("문", "MUN", ["MUN", "mun", "Moon"]),
    ("최", "CWE", ["CHOE", "Choe", "Choi", "Ch'oe"]),
    ("수", "SU", ["SU", "su", "Soo"]),
    ("남", "NAM", ["NAM"]),
    ("장", "CANG", ["JANG", "Jang", "Chang"]),
    ("선 손", "SON", ["SON", "seon", "son", "Sun"]),
    ("경", "KYONG", ["KYONG", "gyeong", "Kyung", "Kyeong", "Kyo'ng"]),
    ("호", "HO", ["HO"]),
    ("식", "SIK", ["SIK"]),
    ("세", "SE", ["SE"]),
    ("조", "CO", ["JO", "Jo", "Cho"]),
    ("원", "WON", ["WON", "won", "Weon"]),
    ("동", "TONG", ["TONG", "dong"]),
    ("명", "MYONG", ["MYONG", "myeong", "Myung"]),
    ("고", "KO", ["KO", "Go", "Goh", "Koh"]),
    ("혁", "HYOK", ["HYOK", "hyeok", "Hyuk"]),
    ("정 종", "CONG", ["JONG", "jeong", "jong", "Jung", "Chung"]),
    ("강", "KANG", ["KANG", "Gang"]),
    ("석", "SOK", ["SOK", "seok", "Suk"]),
    ("한", "HAN", ["HAN"]),
    ("백", "PEK", ["PAEK", "Baek", "Paik"]),
    ("봉", "PONG", ["BONG", "Pong"]),
    ("곤 건", "KON", ["GON", "gon", "geon", "Kun"]),
    ("룡", "YONG", ["RYONG", "ryong", "yong", "Lyong"]),
    ("진", "CIN", ["JIN", "Chin"]),
    ("민", "MIN", ["MIN"]),
    ("연", "YON", ["YON", "yeon", "Youn"]),
    ("광", "KWANG", ["KWANG", "gwang"]),
    ("평", "PYONG", ["PHYONG", "pyeong", "P'yong", "Pyong"]),
    ("국", "KUK", ["GUK", "guk", "Kuk"]),
]


@pytest.mark.parametrize(("hangul", "key", "spellings"), FREQUENT_SYLLABLES)
def test_frequent_syllable_keys(hangul: str, key: str, spellings: list[str]) -> None:
    """Each listed Hangul syllable and each of its listed spellings share one key."""
    for syllable in hangul.split():
        assert syllable_key(syllable) == key
    for spelling in spellings:
        assert key in single_keys(spelling), spelling


@pytest.mark.parametrize(("hangul", "key", "spellings"), FREQUENT_SYLLABLES)
def test_frequent_syllables_generated(hangul: str, key: str, spellings: list[str]) -> None:
    """romanize_syllable yields the listed spellings (as surname where the list says so)."""
    generated: set[str] = set()
    for syllable in hangul.split():
        generated |= romanize_syllable(syllable, surname=True)
    for spelling in spellings:
        plain = spelling.lower().replace("’", "'")
        assert plain in generated or plain.replace("'", "") in generated, spelling


ROMANIZE_SYLLABLE: list[tuple[str, bool, frozenset[str]]] = [
    (
        "경",
        False,
        frozenset(
            {"kyong", "kyo'ng", "kyeong", "kyung", "kyoung"}
            | {"gyong", "gyo'ng", "gyeong", "gyung", "gyoung"}
        ),
    ),
    ("일", False, frozenset({"il"})),
    (
        "평",
        False,
        frozenset(
            f"{initial}{vowel}ng"
            for initial in ("p'", "ph", "p")
            for vowel in ("yo", "yo'", "yeo", "yu", "you")
        ),
    ),
    ("김", True, frozenset({"kim", "gim"})),
    ("리", False, frozenset({"ri", "li", "ni", "i", "ree", "lee", "nee"})),
]


@pytest.mark.parametrize(("syllable", "surname", "expected"), ROMANIZE_SYLLABLE)
def test_romanize_syllable_exact(syllable: str, surname: bool, expected: frozenset[str]) -> None:
    """MR (with apostrophes and stripped), DPRK, RR and popular forms, nothing else."""
    assert romanize_syllable(syllable, surname=surname) == expected


@pytest.mark.parametrize(
    ("syllable", "surname_forms"),
    [
        ("리", {"ri", "lee", "yi", "i", "rhee", "li"}),
        ("이", {"ri", "lee", "yi", "i", "rhee", "li"}),
        ("박", {"pak", "park", "bak"}),
        ("최", {"choe", "choi", "ch'oe"}),
        ("정", {"jung", "chung", "jong", "chong", "jeong"}),
        ("주", {"ju", "chu", "joo"}),
        ("구", {"ku", "koo", "gu"}),
        ("고", {"ko", "goh", "go"}),
        ("배", {"pae", "bae"}),
        ("백", {"paek", "baek", "paik"}),
    ],
)
def test_surname_spellings(syllable: str, surname_forms: set[str]) -> None:
    """Popular surname forms come only when asked, and read back to the surname's key."""
    assert surname_forms <= romanize_syllable(syllable, surname=True)
    for form in surname_forms:
        assert syllable_key(syllable) in single_keys(form), form
    assert "rhee" not in romanize_syllable("리")
    assert "park" not in romanize_syllable("박")


@pytest.mark.parametrize("start", range(0, 11172, 997))
def test_every_generated_spelling_reads_back(start: int) -> None:
    """Across the whole syllable block (sampled), generated spellings read to the key."""
    for code in range(0xAC00 + start, 0xAC00 + min(start + 997, 11172), 3):
        syllable = chr(code)
        for spelling in romanize_syllable(syllable, surname=True):
            assert syllable_key(syllable) in single_keys(spelling), (syllable, spelling)


# --------------------------------------------------------------------------------------
# Keys of single syllables: the class table
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("syllable", "key"),
    [
        ("강", "KANG"),  # ㄱ → K
        ("캉", "KANG"),  # ㅋ aspiration neutralised
        ("깡", "KANG"),  # ㄲ tenseness neutralised
        ("탁", "TAK"),
        ("팍", "PAK"),
        ("짱", "CANG"),
        ("쌍", "SANG"),
        ("라", "NA"),  # ㄹ and ㄴ share N
        ("나", "NA"),
        ("류", "YU"),  # ㄹ drops before y
        ("녀", "YO"),  # ㄴ drops before y
        ("의", "I"),  # ㅢ with ㅣ
        ("희", "HI"),
        ("왜", "WE"),  # ㅙ ㅚ ㅞ merged
        ("외", "WE"),
        ("웨", "WE"),
        ("애", "E"),  # ㅐ ㅔ merged
        ("예", "YE"),
        ("으", "U"),  # ㅡ with ㅜ
        ("어", "O"),  # ㅓ with ㅗ
        ("닭", "TAK"),  # double final by its pronounced coda
        ("옷", "OT"),
        ("앞", "AP"),
    ],
)
def test_syllable_key_classes(syllable: str, key: str) -> None:
    assert syllable_key(syllable) == key


# --------------------------------------------------------------------------------------
# Whole names
# --------------------------------------------------------------------------------------

NAMES: list[tuple[str, tuple[str, ...], list[str]]] = [
    # The eight OFAC designations of 30 Nov 2023 (design.md), their Hangul as the
    # benchmark guesses it, and the spellings of korean-names.md / the benchmark.
    (
        "강경일",
        ("KANG", "KYONG", "IL"),
        [
            "KANG Kyong Il",
            "Gang Gyeong-il",
            "Kang Kyŏng-il",
            "Kang Kyongil",
            "Kang Kyong-il",
            "Kang Kyo'ng-il",
            "Kang Kyo’ng-il",
            "ganggyeongil",
            "KANG, Kyong Il",
        ],
    ),
    (
        "최운혁",
        ("CWE", "UN", "HYOK"),
        ["CHOE Un Hyok", "Choe Un-hyeok", "Choi Woon-hyuk", "Ch'oe Un-hyo'k"],
    ),
    (
        "장명철",
        ("CANG", "MYONG", "COL"),
        ["JANG Myong Chol", "Jang Myeong-cheol", "Chang Myo'ng-ch'o'l", "Jang Myung-chul"],
    ),
    (
        "강평국",
        ("KANG", "PYONG", "KUK"),
        ["KANG Phyong Guk", "Gang Pyeong-guk", "kang p’yŏng kuk", "kang p'yong kuk"],
    ),
    (
        "리성일",
        ("I", "SONG", "IL"),
        ["RI Sung Il", "Ri Song Il", "Lee Seong-il", "Yi Seong-il", "ni sŏng il", "riseongil"],
    ),
    ("임성순", ("IM", "SONG", "SUN"), ["IM Song Sun", "Lim Seong-sun", "imseongsun"]),
    ("서명", ("SO", "MYONG"), ["So Myong", "sŏ myŏng", "seomyeong", "Suh Myung"]),
    (
        "최성철",
        ("CWE", "SONG", "COL"),
        ["Choe Song Chol", "Choe Song-chol", "ch’oe sŏng ch’ŏl", "choeseongcheol"],
    ),
    # UN listings and the South Korean government's spellings (korean-names.md).
    ("고철만", ("KO", "COL", "MAN"), ["KO CHOL MAN", "Goh Chul-man"]),
    ("리춘환", ("I", "CUN", "HWAN"), ["RI CHUN HWAN", "Rhee Choon-hwan", "Ri Ch'un-hwan"]),
    ("최석민", ("CWE", "SOK", "MIN"), ["CH'OE SO'K MIN", "Choi Seok-min", "CHOE SOK MIN"]),
    ("주혁", ("CU", "HYOK"), ["CHU HYO'K", "Joo Hyuk", "Ju Hyok", "CHU HYO’K"]),
    ("김경일", ("KIM", "KYONG", "IL"), ["KIM KYONG IL", "Kim Kyo'ng-il", "Kim Kyeong-il"]),
    ("리춘성", ("I", "CUN", "SONG"), ["RI CHUN SONG", "Ri Ch'un-so'ng", "Rhee Choon-sung"]),
    ("조철성", ("CO", "COL", "SONG"), ["JO CHOL SONG", "Cho Ch’o’l-so’ng"]),
    ("박도춘", ("PAK", "TO", "CUN"), ["PAK TO CHUN", "Pak Do Chun", "Pak To’-Ch’un"]),
]


@pytest.mark.parametrize(("hangul", "keys", "spellings"), NAMES)
def test_hangul_name_keys(hangul: str, keys: tuple[str, ...], spellings: list[str]) -> None:
    """A Hangul name has exactly one key sequence."""
    assert korean_tokens_key([hangul]) == [keys]
    assert tuple(syllable_key(s) for s in hangul_syllables(hangul)) == keys


@pytest.mark.parametrize(("hangul", "keys", "spellings"), NAMES)
def test_romanized_names_meet_hangul(
    hangul: str, keys: tuple[str, ...], spellings: list[str]
) -> None:
    """Every attested or derived spelling can be read as the Hangul name's keys."""
    for spelling in spellings:
        tokens = [t for t in re.split(r"[\s,]+", spelling) if t]
        readings = korean_tokens_key(tokens)
        assert readings is not None, spelling
        assert keys in readings, spelling


@pytest.mark.parametrize(
    ("name", "best"),
    [
        ("KANG Kyong Il", ("KANG", "KYONG", "IL")),
        ("Kang Kyongil", ("KANG", "KYONG", "IL")),
        ("Gang Gyeong-il", ("KANG", "KYONG", "IL")),
        ("JANG Myong Chol", ("CANG", "MYONG", "COL")),
        ("CHOE Un Hyok", ("CWE", "UN", "HYOK")),
        ("KANG Phyong Guk", ("KANG", "PYONG", "KUK")),
    ],
)
def test_best_reading_first(name: str, best: tuple[str, ...]) -> None:
    """The plain reading comes first ('ng' before a vowel is a coda: Kyongil = KYONG IL)."""
    readings = korean_tokens_key(name.split())
    assert readings is not None
    assert readings[0] == best


@pytest.mark.parametrize(
    "given",
    [["Kyong", "Il"], ["Kyong-il"], ["Kyongil"], ["Kyo'ng-il"], ["Kyo’ng-il"], ["Gyeong-il"]],
)
def test_given_name_joined_split_hyphenated(given: list[str]) -> None:
    assert ("KANG", "KYONG", "IL") in (korean_tokens_key(["Kang", *given]) or [])


@pytest.mark.parametrize("spelling", ["Amnokkang", "Amnokgang", "AMROGGANG", "Amrokgang"])
def test_sound_changes_across_syllables(spelling: str) -> None:
    """압록강 in MR, RR and the list's own spelling."""
    assert korean_tokens_key(["압록강"]) == [("AP", "NOK", "KANG")]
    assert ("AP", "NOK", "KANG") in latin_syllable_keys(spelling)


@pytest.mark.parametrize(
    ("hangul", "spellings"),
    [
        ("련봉", ["RYONBONG", "YONBONG"]),
        ("룡악산", ["LYONGAKSAN", "Ryongaksan"]),
        ("청송", ["CHONGSONG", "CH'O'NGSONG"]),
        ("금해룡", ["KU'MHAERYONG"]),
        ("진달래", ["JINDALLAE"]),
        ("평양", ["Pyongyang", "P'yŏngyang", "Pyeongyang"]),
        ("신라", ["Silla"]),
        ("백령", ["Paengnyong"]),
    ],
)
def test_organisation_words(hangul: str, spellings: list[str]) -> None:
    """Initial ㄹ as R/L/none, MR apostrophes, nasal assimilation in list names."""
    keys = korean_tokens_key([hangul])
    assert keys is not None
    for spelling in spellings:
        assert keys[0] in latin_syllable_keys(spelling), spelling


def test_latin_syllable_keys_readings() -> None:
    assert latin_syllable_keys("kyongil") == [("KYONG", "IL"), ("KYON", "KIL")]
    assert latin_syllable_keys("gyeong")[0] == ("KYONG",)
    assert latin_syllable_keys("kyo'ng")[0] == ("KYONG",)
    assert latin_syllable_keys("ch'ol") == [("COL",)]
    assert latin_syllable_keys("phyong") == [("PYONG",)]
    assert latin_syllable_keys("myeongcheol")[0] == ("MYONG", "COL")
    assert latin_syllable_keys("Sung") == [("SUNG",), ("SONG",)]


def test_latin_syllable_keys_returns_fresh_lists() -> None:
    """Results are memoised internally, but a caller cannot corrupt the cache."""
    first = latin_syllable_keys("Kyongil")
    first.clear()
    assert latin_syllable_keys("Kyongil") == [("KYONG", "IL"), ("KYON", "KIL")]


# --------------------------------------------------------------------------------------
# Not Korean
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["John Smith", "Maria Garcia", "Vladimir Putin", "Jin 金铁三"])
def test_non_korean_names_are_none(name: str) -> None:
    assert korean_tokens_key(name.split()) is None


@pytest.mark.parametrize("name", ["Maria Putin", "Hassan Ali", "Tamara Bakshi"])
def test_readable_foreign_names_do_not_meet_korean_names(name: str) -> None:
    """Some foreign names are Korean-readable, but their keys are no Korean name's."""
    foreign = name_keys(name)
    assert foreign
    for hangul, keys, _ in NAMES:
        assert keys not in foreign, hangul


@pytest.mark.parametrize("token", ["", "smith", "Garcia", "1969", "Пак", "강경일", "---", "'"])
def test_latin_syllable_keys_unreadable(token: str) -> None:
    assert latin_syllable_keys(token) == []


def test_korean_tokens_key_empty() -> None:
    assert korean_tokens_key([]) is None
    assert korean_tokens_key([""]) is None


# --------------------------------------------------------------------------------------
# Hangul helpers
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("강경일", ("강", "경일")),
        ("김정", ("김", "정")),
        ("남궁민수", ("남궁", "민수")),
        ("황보관", ("황보", "관")),
        ("선우용녀", ("선우", "용녀")),
        ("제갈성렬", ("제갈", "성렬")),
        ("독고영재", ("독고", "영재")),
        ("사공일", ("사공", "일")),
        ("남궁", ("남", "궁")),  # too short for a two-syllable surname and a given name
        ("남 궁민", ("남", "궁민")),  # a space decides
        ("김", ("김", "")),
        ("Kim", ("", "")),
        ("", ("", "")),
        ("123", ("", "")),
    ],
)
def test_split_korean_name(name: str, expected: tuple[str, str]) -> None:
    assert split_korean_name(name) == expected


def test_hangul_helpers() -> None:
    assert hangul_syllables("강경일") == ["강", "경", "일"]
    assert hangul_syllables(unicodedata.normalize("NFD", "강경일")) == ["강", "경", "일"]
    assert hangul_syllables("KANG 강 Kyong") == ["강"]
    assert is_hangul("강경일")
    assert is_hangul("강 경일")
    assert not is_hangul("강경일 Kim")
    assert not is_hangul("Kim")
    assert not is_hangul("")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("강경일", "강경일", True),
        ("리송진", "이송진", True),  # 리 = 이: North and South spell one surname
        ("류", "유", True),
        ("녀", "여", True),
        ("로동", "노동", True),  # ㄹ = ㄴ before any vowel
        ("라", "아", False),  # ㄹ is dropped only before i or y
        ("리", "니", True),
        ("성", "송", False),  # one key, SONG: other vowels
        ("준", "춘", False),  # one key, CUN: ㅈ is not aspirated ㅊ
        ("은", "운", False),
        ("이성진", "이성", False),
        ("강 경일", "강경일", True),
    ],
)
def test_same_syllables(a: str, b: str, same: bool) -> None:
    assert same_syllables(a, b) is same
    assert same_syllables(b, a) is same


@pytest.mark.parametrize("text", ["", "K", "Kim", "ㄱ", "강경", "1", "金"])
def test_hangul_functions_on_other_input(text: str) -> None:
    """Non-Hangul (or more than one syllable where one is expected) → empty, no exception."""
    assert romanize_syllable(text) == frozenset()
    assert syllable_key(text) == ""
    if not is_hangul(text):
        assert hangul_syllables(text) == []
        assert romanize_name(text) == []


def test_romanize_name() -> None:
    """Stripped MR first, RR second; the surname gets the popular surname forms."""
    spellings = romanize_name("강경일")
    assert [s[0] for s in spellings] == ["kang", "kyong", "il"]
    assert (spellings[0][1], spellings[1][1]) == ("gang", "gyeong")
    assert spellings[2] == ["il"]
    ri = romanize_name("리성일")
    assert {"ri", "lee", "yi", "rhee"} <= set(ri[0])
    assert "lee" not in ri[1] and "sung" in ri[1]
    namgung = romanize_name("남궁민")
    assert len(namgung) == 3 and namgung[0][0] == "nam" and namgung[1][0] == "kung"


# --------------------------------------------------------------------------------------
# Development benchmark: attested DPRK variants (a sanity floor, not a target)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def variant_rows(data_dir: Path) -> list[dict[str, str]]:
    path = data_dir.parent / "benchmarks" / "dprk_name_variants.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", name) if t]


def test_dev_set_person_variants(variant_rows: list[dict[str, str]]) -> None:
    """Person variants mostly share a key sequence with the canonical name."""
    latin = [r for r in variant_rows if r["entity_type"] == "person" and r["script"] == "Latn"]
    hangul = [r for r in variant_rows if r["entity_type"] == "person" and r["script"] == "Hang"]
    assert (len(latin), len(hangul)) == (169, 6)

    def meets(row: dict[str, str]) -> bool:
        variant = korean_tokens_key(_tokens(row["variant"]))
        canonical = korean_tokens_key(_tokens(row["canonical_name"]))
        return bool(variant and canonical and set(variant) & set(canonical))

    assert sum(map(meets, latin)) / len(latin) >= 0.75
    assert all(map(meets, hangul))


def _variant_parts(data_dir: Path) -> set[str]:
    """Letters-only parts of every name in the DPRK variant benchmark, and of the lists'
    romanized DPRK names it quotes: real Korean spellings, and the foreign words among them."""
    path = data_dir.parent / "benchmarks" / "dprk_name_variants.csv"
    with path.open(encoding="utf-8") as fh:
        names = [row[key] for row in csv.DictReader(fh) for key in ("canonical_name", "variant")]
    return {p for n in names for p in re.split(r"[^a-z]+", n.lower()) if p}


def test_trigram_precheck_rejects_only_what_cannot_be_cut(data_dir: Path) -> None:
    """The trigram pre-check is a necessary condition: no part it rejects has a cut into
    syllables, and it does reject (before parsing) words of other languages."""
    from sanctum.names.korean import _may_segment, _segmentations

    parts = _variant_parts(data_dir) | {"schmidt", "garcia", "petrov", "ahmed", "johnson"}
    rejected = {p for p in parts if not _may_segment(p)}
    assert {"schmidt", "petrov"} <= rejected
    assert [p for p in rejected if _segmentations(p)] == []
    assert all(_may_segment(p) for p in ("kyongil", "ganggyeongil", "amroggang", "pyongyang"))
