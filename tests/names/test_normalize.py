"""Name readings, script detection and Arabic-script folding: tables of exact values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sanctum.names import normalize
from sanctum.names.normalize import (
    fold_romanized,
    is_han,
    is_patronymic,
    name_variants,
    romanized_key,
    skeleton,
    skeleton_keys,
    tokenize,
    undoubled,
)

VARIANTS = [
    # (name as a list writes it, the readings derived from it) — names from the UN and UK lists
    ("RECONNAISSANCE GENERAL BUREAU (RGB)", ["RECONNAISSANCE GENERAL BUREAU", "RGB"]),
    ("ADF (ALLIED DEMOCRATIC FORCES)", ["ADF", "ALLIED DEMOCRATIC FORCES"]),
    ("Encep Nurjaman (birth name)", ["Encep Nurjaman"]),
    (
        "Khirullah Said Wali Khairkhwa, born in Kandahar on 01 Jan.1967",
        ["Khirullah Said Wali Khairkhwa"],
    ),
    ("Akhter Mohmad son of Noor Mohmad", ["Akhter Mohmad"]),
    ("Mohammad Ishaq Akhund born in 1963", ["Mohammad Ishaq Akhund"]),  # UN TAi.101
    ("“Chief Kahwa”", ["Chief Kahwa"]),
    (
        "أنصار الشريعة بليبيا (Ansar al Charia in Libya (ASL))",
        ["أنصار الشريعة بليبيا", "ASL", "Ansar al Charia in Libya"],
    ),
    ("KANG, Kyong Il", []),
    ("Al Qa’ida/Islamic Army", ["Al Qa’ida", "Islamic Army"]),
    ("MAERSK A/S", []),
    ("Agha Jan Alizai اغا جان عالیزی", ["Agha Jan Alizai", "اغا جان عالیزی"]),
    ("X (a)", ["X"]),
]


@pytest.mark.parametrize(("name", "readings"), VARIANTS)
def test_name_variants(name: str, readings: list[str]) -> None:
    assert name_variants(name) == readings


@pytest.mark.parametrize(
    ("name", "han"),
    [
        ("王伟", True),
        ("張偉", True),
        ("강경일", False),
        ("KANG, Kyong Il", False),
        ("Путин", False),
    ],
)
def test_is_han(name: str, han: bool) -> None:
    assert is_han(name) is han


TOKENS = [
    # Urdu heh (U+06BE) and Arabic heh spell the same name
    ("أسامة الكوني ابراھیم", ["asama", "al", "kuni", "abrahim"]),
    ("أسامة الكوني ابراهيم", ["asama", "al", "kuni", "abrahim"]),
    # ain no longer splits a word in two
    ("سعد بن سعد", ["sd", "bn", "sd"]),
    ("محمد مسعود اظہر علوی", ["mhmd", "msud", "azhr", "alwi"]),
    # the article split off, long vowels written (UN QDi.298's alias: Shaykh Yunis al-Mauritani)
    # and the title dropped, as SHEIKH is
    ("شيخ يونس الموريتاني", ["yuns", "al", "muritani"]),
    ("Kang Kyŏng-il", ["kang", "kyong", "il"]),
    ("O'Brien", ["obrien"]),
    ("강경일", ["강", "경", "일"]),
    ("王伟", ["wang", "wei"]),
    ("Professor Musharaf", ["musharaf"]),
    ("Maulavi Adam Khan", ["adam", "khan"]),  # UN TAi.167
    ("Qari Zakir", ["zakir"]),
    # `Abd al-` names in one spelling, two tokens (UN QDi.309: Abdul Rehman, Abd Ur-Rehman)
    ("Abdul Rehman SINDHI", ["abd", "al", "rehman", "sindhi"]),
    ("Abd Ur-Rehman", ["abd", "al", "rehman"]),
    ("عبد الرحمن السيندي", ["abd", "al", "rhmn", "al", "sindi"]),
    ("عبدالرحمن", ["abd", "al", "rhmn"]),
    ("Abdurrahman", ["abd", "al", "rahman"]),
    ("Abdurahman", ["abd", "al", "rahman"]),
    ("Abdessalam", ["abd", "al", "salam"]),
    ("Abdulaziz", ["abd", "al", "aziz"]),
    ("EL ILLAH, Abd", ["al", "illah", "abd"]),  # surname first: the article still reads al
    # names of their own, and `abd` before a name without the article
    ("Abdullah", ["abdullah"]),
    ("Abdoulaye Wade", ["abdoulaye", "wade"]),
    ("Abdullahi", ["abdullahi"]),
    ("Abdou Diouf", ["abdou", "diouf"]),
    ("Abd Rabbo", ["abd", "rabbo"]),
    ("El Chapo", ["el", "chapo"]),  # no `abd`: el stays el
]


@pytest.mark.parametrize(("name", "tokens"), TOKENS)
def test_tokenize(name: str, tokens: list[str]) -> None:
    assert tokenize(name, "Person") == tokens


SPELLING_KEYS = [
    # (function, token, key). skeleton: vowels dropped, doubled letters once; y and w kept
    # as consonants, dropped as the second half of a diphthong (after a vowel, not before)
    (skeleton, "muhammad", "mhmd"),
    (skeleton, "mohamed", "mhmd"),
    (skeleton, "husayn", "hsn"),
    (skeleton, "hussein", "hsn"),
    (skeleton, "qurayn", "qrn"),
    (skeleton, "quren", "qrn"),
    (skeleton, "dawlah", "dlh"),
    (skeleton, "tawfiq", "tfq"),
    (skeleton, "yusuf", "ysf"),
    (skeleton, "awad", "wd"),
    (skeleton, "sayyid", "syd"),
    (skeleton, "sayed", "syd"),
    (skeleton, "zhiyong", "zhyng"),
    (skeleton, "hwang", "hwng"),
    (skeleton, "bey", "b"),
    (skeleton, "javad", "jwd"),  # v is w: Persian reads waw as v
    (skeleton, "jawad", "jwd"),
    # undoubled: each doubled letter once (Arabic gemination and long vowels)
    (undoubled, "awwad", "awad"),
    (undoubled, "abbas", "abas"),
    (undoubled, "muhammad", "muhamad"),
    (undoubled, "duaa", "dua"),
    (undoubled, "kim", "kim"),
]


SKELETON_KEYS = [
    ("khilafah", ("khlfh", "khlf")),  # a final -ah may be written or not
    ("fatemeh", ("ftmh", "ftm")),
    ("khlafa", ("khlf",)),
    ("abdallah", ("bdlh",)),  # not after an l: -allah keeps its h
    ("muhammad", ("mhmd",)),
    ("sayyid", ("syd",)),  # a doubled y is a consonant
]


@pytest.mark.parametrize(("token", "keys"), SKELETON_KEYS)
def test_skeleton_keys(token: str, keys: tuple[str, ...]) -> None:
    assert skeleton_keys(token) == keys


@pytest.mark.parametrize(("function", "token", "expected"), SPELLING_KEYS)
def test_spelling_keys(function: Callable[[str], str], token: str, expected: str) -> None:
    assert function(token) == expected


ARABIC_WORDS = [
    ("يونس", "yuns"),  # word-initial yeh: a consonant; waw after a consonant: u
    ("نوري", "nuri"),  # final yeh after a consonant: i
    ("حسين", "hsin"),
    ("جواد", "jwad"),  # waw before an alif: a consonant
    ("داود", "dawd"),  # waw after an alif: a consonant
    ("قيوم", "qyum"),  # yeh before waw: a consonant, the waw the vowel
    ("موسى", "musi"),  # final alif maqsura: as yeh (read as a by `abjad_readings`)
    ("حقانى", "hqani"),  # ... which Dari and Urdu spellings mean
    ("يحيى", "yhyi"),  # a yeh before it: a consonant
    ("فاطمة", "fatma"),  # ta marbuta: a
    ("الحجازي", "al hjazi"),  # the article split off
    ("الله", "allah"),  # too short to hold an article; final heh after a consonant: ah
    ("عبدالله", "abdallah"),  # an article inside a word stays
    ("طه", "tah"),
    ("طھ", "tah"),  # Urdu heh
    ("شاه", "shah"),  # heh after an alif: h
    ("وجيه", "wjih"),  # heh after yeh: h
    ("إبراهيم", "ibrahim"),  # initial alif with hamza below: i
    ("ابراهيم", "abrahim"),  # a bare alif: a
    ("علی", "ali"),  # word-initial ain: a
    ("سعد", "sd"),  # ain inside a word: dropped
    ("العزيز", "al aziz"),  # ain opening the name after the article: a
    ("العوادي", "al awadi"),  # ... and a waw after it, before an alif: a consonant
    ("قائد", "qaid"),  # yeh with hamza: i
    ("الحق", "al hq"),  # the article split off a word of four letters
    ("الیاس", "alyas"),  # ... not off a name that holds none
    ("ځدران", "zdran"),  # Pashto dze
    ("بٹ", "bt"),  # Urdu tteh
    ("رضا", "rdha"),  # dad: dh (read as z or d by `abjad_readings`)
    ("فیض الله", "fidhallah"),  # allah joined to the word before it
    ("عبد الله", "abdallah"),  # ... as عبدالله reads
    ("نور الدين", "nuraldin"),  # al-din likewise
    ("رؤوف", "ruuf"),  # waw with hamza: u
]


@pytest.mark.parametrize(("arabic", "tokens"), ARABIC_WORDS)
def test_arabic_words_read_as_romanized(arabic: str, tokens: str) -> None:
    assert tokenize(arabic, "Person") == tokens.split()


@pytest.mark.parametrize(
    ("token", "patronymic"),
    [
        ("vasilyevich", True),  # Russian
        ("borisovna", True),
        ("mykolayivna", True),  # Ukrainian
        ("valeriiovych", True),
        ("aliaksandravich", True),  # Belarusian
        ("ilyinichna", True),
        ("abramovich", True),  # a surname of the form: read as one, counts in full when met
        ("ivanov", False),
        ("vich", False),  # too short to be one
        ("milosevic", False),
        ("вaсильевич", False),  # Latin letters only: tokens are romanized first
    ],
)
def test_is_patronymic(token: str, patronymic: bool) -> None:
    assert is_patronymic(token) is patronymic


@pytest.mark.parametrize(
    ("token", "key"),
    [
        ("yury", "iuri"),
        ("yuri", "iuri"),
        ("yuriy", "iuri"),
        ("aleksey", "aliksi"),
        ("alexei", "aliksi"),
        ("mustapha", "mustafa"),
        ("omar", "umar"),
        ("oumar", "umar"),
        ("kadhim", "kazim"),
        ("tchayka", "chaika"),  # French tch, Russian ch
        ("djang", "jang"),
        ("dzhang", "jang"),
        ("zhang", "jang"),
        ("erick", "irik"),
        ("chechen", "chichin"),  # ch kept apart from a hard c
        ("ali", ""),  # shorter than ROMANIZED_MIN_LEN
        ("kim2", ""),  # letters only
        ("강경일", ""),
    ],
)
def test_romanized_key(token: str, key: str) -> None:
    assert romanized_key(token) == key
    assert fold_romanized(token) == key


def test_same_romanized_looks_vocabulary_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # a vocabulary token (one with remembered Korean keys) is filed under its key: looked up
    monkeypatch.setattr(normalize, "_ROMANIZED", {})
    monkeypatch.setattr(normalize, "_KNOWN_KEYS", {})
    normalize.remember_romanized({"iuri": ("yuri", "yury"), "aliksi": "aleksey"})
    normalize.remember_romanized({"iuri": "yuriy", "umar": "omar"})  # a later table merges
    normalize.remember_korean_keys(
        dict.fromkeys(["yuri", "yury", "yuriy", "aleksey", "omar"], normalize.EMPTY)
    )
    assert normalize._ROMANIZED["iuri"] == ("yuri", "yury", "yuriy")
    assert normalize.same_romanized("yuriy", "yury")
    assert normalize.same_romanized("alexei", "aleksey")  # a query's own spelling: computed
    assert normalize.same_romanized("umar", "omar")
    assert not normalize.same_romanized("yury", "aleksey")
    assert normalize.same_romanized("aleksei", "alexey")  # neither filed: both computed
    assert not normalize.same_romanized("ali", "aly")  # too short: no key
