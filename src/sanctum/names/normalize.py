"""Name normalisation: clean text, split tokens, fold scripts into comparable forms.

Every name, listed or queried, goes through :func:`tokenize`. Latin text is folded to
lower-case ASCII (diacritics and apostrophes dropped, hyphens split); Cyrillic, Arabic,
Chinese and other scripts are transliterated to ASCII; Hangul syllables are kept as they
are and meet Latin spellings in the Korean syllable space (:mod:`sanctum.names.korean`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from normality import ascii_text

from sanctum import config, settings
from sanctum.names import korean
from sanctum.runtime import let_others_run, paced

MAX_NAME_CHARS = settings.max_name()
"""Longer names are cut here for matching (`SANCTUM_MAX_NAME`, the API's limit too, read
once at start): no real name is longer; a 10,000-character field is garbage, and must
cost a bounded time."""

MAX_TOKENS = 24
"""At most this many tokens of one name take part in matching (same reason)."""

APOSTROPHES = "'’‘`´ʼʻ′"
_SPLIT = re.compile(r"[^0-9a-z]+")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")

LEGAL_FORMS = frozenset(
    [
        "llc",
        "ltd",
        "limited",
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "aps",
        "kft",
        "zrt",
        "doo",
        "ooo",
        "zao",
        "oao",
        "pao",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "fze",
        "fzco",
        "fzc",
        "llp",
        "lp",
        "pte",
        "pty",
        "bhd",
        "sdn",
        "jv",
        "joint",
        "stock",
        "group",
        "holding",
        "holdings",
        "enterprise",
        "enterprises",
        "trading",
        "trade",
        "firm",
        "establishment",
        "est",
        "general",
    ]
)
"""Organisation legal forms and generic business words: never evidence on their own."""

TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "dame",
        "sheikh",
        "shaikh",
        "sheik",
        "shaykh",
        "shikh",  # شيخ as read from Arabic script
        "haji",
        "hajji",
        "hadji",
        "mullah",
        "mulla",
        "mla",  # ملا as read from Arabic script
        "maulana",
        "mawlana",
        "mulana",  # مولانا as read from Arabic script
        "maulvi",
        "maulavi",
        "mawlawi",
        "mawlavi",
        "moulavi",
        "molvi",
        "mulwi",  # مولوی as read from Arabic script
        "qari",
        "imam",
        "sayyid",
        "sayed",
        "syed",
        "general",
        "gen",
        "colonel",
        "col",
        "major",
        "maj",
        "captain",
        "capt",
        "lieutenant",
        "lt",
        "professor",
        "commander",
        "chief",
    ]
)
"""Titles and honorifics dropped from person names before matching."""


_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
"""Control and format characters (Unicode Cc, Cf, Zl, Zp) that names never need."""


def clean(text: str) -> str:
    """NFKC, control and format characters removed, white space collapsed, length bounded."""
    text = unicodedata.normalize("NFKC", str(text)[: MAX_NAME_CHARS * 2])[:MAX_NAME_CHARS]
    return " ".join(_INVISIBLE.sub(" ", text).split())


HEH_VARIANTS = str.maketrans(
    {
        "\u06be": "\u0647",  # heh doachashmee (Urdu) → heh
        "\u06c1": "\u0647",  # heh goal (Urdu) → heh
        "\u06c0": "\u0647",  # heh with yeh above → heh
        "\u06d5": "\u0647",  # ae → heh
    }
)
"""Urdu and Persian forms of heh, mapped to heh before a word is read (`_arabic_word`), so
`ابراھیم` (Urdu heh) reads as `ابراهيم` does and a final `ہ` is a final heh."""
ARABIC_SCRIPT_VARIANTS = str.maketrans(
    {
        "\u0639": "",  # ain: romanized as an apostrophe or not at all
        "\u0621": "",  # hamza, likewise
        "\u0626": "i",  # yeh with hamza
        "\u0624": "u",  # waw with hamza
        "\u0636": "dh",  # dad
        # Urdu and Pashto letters the transliteration drops, as their romanizations write
        # them: `ځدران` Zadran, `بٹ` Butt, `ښکلی` Shkuli
        "\u0679": "t",  # tteh
        "\u0688": "d",  # ddal
        "\u0691": "r",  # rreh
        "\u06ba": "n",  # noon ghunna
        "\u067c": "t",  # Pashto tteh
        "\u0689": "d",  # Pashto ddal
        "\u0693": "r",  # Pashto rreh
        "\u06bc": "n",  # Pashto nnoon
        "\u0681": "z",  # dze
        "\u0685": "s",  # tse
        "\u069a": "sh",  # xin
        "\u0696": "zh",  # zhe
        "\u06a8": "g",  # Maghrebi qaf
        "\u06d2": "e",  # bari yeh
        "\u06d0": "e",  # Pashto e
        "\u06cd": "i",  # Pashto final yeh
    }
)
"""Arabic-script letters written as romanizations write them, after a word is read
(`_arabic_word` takes them for consonants, as it takes any letter it does not read):
ain and hamza dropped, so `سعد` stays one word; yeh and waw carrying a hamza as the
vowels romanizations write for them (`قائد` Qaid, `رؤوف` Rauf, not qayd, rawf); dad as
dh, not d: Arabic romanizations write either, Persian and Urdu ones z (`رضا` Reza), which
`abjad_readings` tries, and as d it would be dal; the Urdu and Pashto letters, which the
transliteration leaves out."""


_ARABIC_LETTERS = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]+")
"""A run of Arabic-script letters (no vowel marks or digits): one word for `_arabic_word`.
(`_ARABIC_WORD`, below, tests a whole field word for any Arabic-block character.)"""
_ARABIC_ARTICLE = "\u0627\u0644"  # al-
_AIN = "\u0639"
_ALIF_HAMZA_BELOW = "\u0625"
_HEH = "\u0647"
_ALIFS = "\u0627\u0622\u0623\u0625\u0671"
_LONG_VOWEL = {"\u0648": "u", "\u064a": "i", "\u06cc": "i", "\u0649": "i", "\u0629": "a"}
"""Waw and yeh standing for long u and i; ta marbuta for a final a. A final alif maqsura
is read as the yeh it is written like: Arabic says it a (`موسى` Musa), Dari and Urdu
spellings write it for i (`حقانى` Haqqani); `abjad_readings` tries a final i as a."""
_ARTICLE_AIN = _ARABIC_ARTICLE + _AIN
_NO_ARTICLE = frozenset(["الله", "الیاس", "الياس", "الهام", "الماس"])
"""Names opening with alif-lam that hold no article: Allah, Ilyas, Elham, Almas."""
_WAW_YEH = "\u0648\u064a\u06cc"
_BEFORE_CONSONANT = _ALIFS + _WAW_YEH + "\u0649"
"""Letters before which a waw or yeh is a consonant: an alif (`جواد` Jawad), or another
waw or yeh, which is then the vowel (`علوی` Alvi, `قيوم` Qayyum), or a final alif
maqsura (`يحيى` Yahya)."""


def _arabic_word(word: str) -> str:
    """An Arabic-script word made readable the way romanizations write it: the article
    split off (`الحجازي` → `ال حجازي`: lists write AL-HIJAZI or HIJAZI; not from
    `_NO_ARTICLE` names), waw and yeh after a consonant written as the vowels u and i
    (`يونس` → yuns, not ywns, as Yunis is), ta marbuta as a (`فاطمة` Fatima), a final alif
    maqsura as i (`_LONG_VOWEL`), a word-initial ain, or one opening the name after the
    article, as a (`علی` Ali, `العزيز` al-Aziz: elsewhere ain is dropped, as romanizations
    drop it), an initial alif with hamza below as i (`إبراهيم` Ibrahim), a final heh after
    a consonant as ah (`طه` Taha, `عبدالله` Abdallah). A word-initial waw or yeh, or one
    next to an alif or before another waw or yeh, stays a consonant (`داود`, `جواد`).
    `ARABIC_SCRIPT_VARIANTS` then writes the letters it leaves as they are."""
    out: list[str] = []
    letters = len(word)
    whole = word in _NO_ARTICLE
    after_vowel = True  # a word-initial waw or yeh is a consonant
    if word[0] == _AIN:  # romanizations open the word with a vowel: `علی` Ali, `عبد` Abd
        word = "a" + word[1:]
    elif word[0] == _ALIF_HAMZA_BELOW:  # the hamza below is a kasra: `إبراهيم` Ibrahim
        word = "i" + word[1:]
    elif word.startswith(_ARTICLE_AIN) and letters >= 4:  # the name opens after the article
        word = word[:2] + "a" + word[3:]  # `العزيز` al-Aziz, `العوادي` al-Awadi
    if len(word) >= 2 and word[-1] == _HEH and word[-2] not in _ALIFS + _WAW_YEH:
        word = word[:-1] + "ah"  # final heh after a consonant: `طه` Taha, `الله` Allah
    last = len(word) - 1
    for i, ch in enumerate(word):
        vowel = _LONG_VOWEL.get(ch)
        if (
            vowel
            and not after_vowel
            and word[i - 1] not in _ALIFS
            and (i == last or word[i + 1] not in _BEFORE_CONSONANT)
        ):
            out.append(vowel)
            after_vowel = True
        else:
            out.append(ch)
            after_vowel = False
    text = "".join(out)
    if text.startswith(_ARABIC_ARTICLE) and letters >= 4 and not whole:
        text = text[:2] + " " + text[2:]
    return text


def _fold(chunk: str) -> str:
    """ASCII, lower case, apostrophes dropped, for a run of non-Hangul text, word by word:
    a name never seen before is mostly words seen before (`_fold_word` keeps them), and
    transliteration is the dearest step of reading a name. (Words fold alike alone or in
    their name: the same tokens for every listed name and benchmark name.)"""
    return " ".join(map(_fold_word, chunk.split(" ")))


@lru_cache(maxsize=200_000)
def _fold_word(chunk: str) -> str:
    """`_fold` for one word (or any text). Letters the transliteration cannot render (`?`)
    are dropped rather than splitting the word."""
    for ch in APOSTROPHES:
        chunk = chunk.replace(ch, "")
    chunk = _ARABIC_LETTERS.sub(lambda m: _arabic_word(m.group()), chunk.translate(HEH_VARIANTS))
    folded = (ascii_text(chunk.translate(ARABIC_SCRIPT_VARIANTS)) or "").lower()
    for ch in APOSTROPHES + "?":
        folded = folded.replace(ch, "")
    return folded


def tokenize(name: str, schema: str | None = None) -> list[str]:
    """Tokens of a name: ASCII words, and Hangul words kept in Hangul.

    `Kang Kyŏng-il` → ['kang', 'kyong', 'il']; `Kyo'ng-il` → ['kyong', 'il'];
    `강경일` → ['강', '경', '일'] (one token per syllable; joins are handled by the matcher).
    Person titles are dropped; legal forms are kept (they are weighed down, not removed).
    """
    text = clean(name)
    if schema is not None and schema != "Person":
        text = organisation_text(text)
    tokens: list[str] = []
    pos = 0
    for m in _HANGUL_RUN.finditer(text):
        tokens.extend(_latin_tokens(text[pos : m.start()]))
        tokens.extend(_hangul_tokens(m.group()))
        pos = m.end()
    tokens.extend(_latin_tokens(text[pos:]))
    if schema is not None and schema != "Person":
        tokens = organisation_tokens(tokens)
    if schema == "Person" and len(tokens) > 1:
        kept = [t for t in tokens if t not in TITLES]
        tokens = kept or tokens
    if ("allah" in tokens or "din" in tokens) and is_arabic_script(text):
        tokens = _compounds(tokens)
    return tokens[:MAX_TOKENS]


_DOTTED = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,}(?:[^\W\d_](?![\w.]))?")
"""An initialism written with dots (`A.B.C.`, `L.L.C.`, `S.P.A.R.C.`)."""


def organisation_text(text: str) -> str:
    """An organisation name with its initialisms undotted (`A.B.C.` → ABC, as lists write
    both) and its legal forms in `rigour`'s comparison form, whatever the language or
    script (`L.L.C.`, `Limited Liability Company` → llc; `Aktiengesellschaft` → ag;
    `Societate cu Răspundere Limitată` → srl; `ООО` → ooo), so that a legal form is one
    token, weighed down (`is_legal_form`)."""
    from rigour.names import replace_org_types_compare

    text = _DOTTED.sub(lambda m: m.group().replace(".", ""), text)
    return replace_org_types_compare(text.casefold())


NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
"""English number words below twenty, each at its value (also the bench's numerals)."""
TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
"""English tens from twenty, in order."""
_NUMBER_WORDS = {w: n for n, w in enumerate(NUMBER_WORDS)}
_TENS_WORDS = {w: 10 * n for n, w in enumerate(TENS_WORDS, 2)}
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
_NUMBER_MARKS = frozenset(["no", "nr", "number", "num"])
_ORG_FILLERS = frozenset(["and", "und", "the"])
"""Words an organisation's name holds or leaves out at will: `&` for `and` (the `&` itself
is no token), a leading `The` (`The Samen Industries`)."""


def organisation_tokens(tokens: list[str]) -> list[str]:
    """An organisation name's tokens with numbers in digits (`Thirty-Nine`, `39th`, `No.
    39` → 39: `Office 39` is `Bureau Thirty-Nine`) and `_ORG_FILLERS` left out (when
    anything else is left)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t in _TENS_WORDS:
            unit = _NUMBER_WORDS.get(tokens[i + 1], 0) if i + 1 < len(tokens) else 0
            out.append(str(_TENS_WORDS[t] + (unit if 0 < unit < 10 else 0)))
            i += 2 if 0 < unit < 10 else 1
            continue
        if t in _NUMBER_WORDS and len(tokens) > 1:
            t = str(_NUMBER_WORDS[t])
        elif m := _ORDINAL.fullmatch(t):
            t = m[1]
        if not (t in _NUMBER_MARKS and i + 1 < len(tokens) and tokens[i + 1][:1].isdigit()):
            out.append(t)
        i += 1
    kept = [t for t in out if t not in _ORG_FILLERS]
    return kept or out


def _compounds(tokens: list[str]) -> list[str]:
    """Names the Arabic script writes in two words and Latin mostly in one, joined as
    the script joins them inside a word: `فیض الله` → fidhallah (Faizullah), `عبد الله`
    → abdallah (Abdullah; `عبدالله` reads so), `نور الدين` → nuraldin (Nuruddin,
    Noureddine). `abjad_readings` then reads them with and without the article's vowel.
    (A listed Latin `Faiz Allah` still meets them whole, as a joined pair.)"""
    out: list[str] = []
    for t in tokens:
        if t == "allah" and out and out[-1] != "al":
            out[-1] += t
        elif t == "din" and len(out) >= 2 and out[-1] == "al":
            out.pop()
            out[-1] += "aldin"
        else:
            out.append(t)
    return out


def _latin_tokens(text: str) -> list[str]:
    if not text.strip():
        return []
    tokens = [t for t in _SPLIT.split(_fold(text)) if t]
    return _abd_al(tokens) if any(t.startswith("abd") for t in tokens) else tokens


_ABD_ARTICLES = frozenset(["al", "el", "ul", "ol", "ur", "ar", "er", "us", "as", "es", "uz", "az"])
"""The article after `abd` as romanizations write it, assimilated or not (`Abd ur-Rehman`,
`Abd es-Salam`)."""
_SPELT_ARTICLES = frozenset(["el", "ul"])
"""The article as some romanizations spell it, anywhere in a name with `abd`: `EL ILLAH,
Abd` is `Abd El Illah` with the surname first."""
_ABD_JOINED = re.compile(r"abd(?:ou|u|e|a|o)(?:l|r|s|z|sh)")
"""`abdul`, `abdur`, `abdel`, `abdus`, `abdoul`: `abd` and the article written as one word."""
_ABD_NAME = re.compile(r"abd(?:ou|u|e|a|o)(?:l(?!l|a[yeh])(.{3,})|(r|s|z|sh)\2?(.{3,}))")
"""`abdulaziz`, `abdurrahman`, `abdurahman`, `abdessalam`: the article and the name after it
in one word. (Not `abdullah`, `abdoulaye`, `abdulahi`: names of their own.)"""


def _abd_al(tokens: list[str]) -> list[str]:
    """`Abd al-` names (servant of …) in one spelling, `abd al`, whatever the romanization
    or the Arabic script: `Abdul Rehman` = `Abdur Rehman` = `Abd Ur-Rehman` = `عبد الرحمن`
    (`abd al rehman`, `abd al rhmn`), `Abdurrahman` = `Abd al-Rahman` (`crosslist`). Two
    tokens, as the Arabic script writes them, so `AL-HAQ, 'Abd` still meets `Abd al-Haq`.
    Only names with a token starting `abd` come here (`_latin_tokens`)."""
    out: list[str] = []
    for t in tokens:
        if (out and out[-1] == "abd" and t in _ABD_ARTICLES) or t in _SPELT_ARTICLES:
            out.append("al")
        elif _ABD_JOINED.fullmatch(t):
            out += ["abd", "al"]
        elif m := _ABD_NAME.fullmatch(t):
            out += ["abd", "al", m[1] or m[2] + m[3]]
        else:
            out.append(t)
    return out


def _hangul_tokens(run: str) -> list[str]:
    """One token per Hangul syllable (surname detection lives in the Korean module)."""
    return list(run)


@lru_cache(maxsize=300_000)
def skeleton(token: str) -> str:
    """Consonant skeleton (`muhammad` → `mhmd`): Arabic and Persian names written with or
    without vowels, in any romanization, often share it. `y` and `w` stay where they carry
    Arabic ya/waw as consonants (`yusuf`, `awad`) and keep pinyin `zhiyong` apart from
    `zhang`; after a vowel and before a consonant (or at the end) they are the second half
    of a diphthong, which romanizations write either way: `husayn` = `hussein` = `husain`,
    `qurayn` = `quren`, `dawlah` = `daulah` (all `hsn`, `qrn`, `dlh`). A v is a w: Persian
    and Urdu read waw as v (`alvi` = `alawi`, `javad` = `jawad`)."""
    out: list[str] = []
    for i, ch in enumerate(token):
        if ch in _VOWELS or not ch.isalpha() or _glide(token, i):
            continue
        if ch == "v":
            ch = "w"
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


_VOWELS = "aeiou"


def _glide(token: str, i: int) -> bool:
    """True if `token[i]` is a y or w after a vowel and before a consonant (or at the end):
    the second half of a diphthong (`husayn`, `dawlah`), not a consonant (`yusuf`,
    `awad`); one doubled is a consonant, doubled (`sayyid` s-y-d, as `سید` reads).
    `skeleton` and `abjad_frame` read it alike."""
    return (
        token[i] in "yw"
        and i > 0
        and token[i - 1] in _VOWELS
        and (i == len(token) - 1 or token[i + 1] not in _VOWELS + token[i])
    )


@lru_cache(maxsize=300_000)
def skeleton_keys(token: str) -> tuple[str, ...]:
    """The token's skeleton, and for a final -ah or -eh (ta marbuta, which Latin writes
    with an h and the Arabic script reads without one: `khilafah`, الخلافة `khlafa`) the
    skeleton without that h. Not after an l: `fazlullah` is not `fazl`."""
    key = skeleton(token)
    if (bare := without_ta_marbuta(token)) is not None and (bare_key := skeleton(bare)) != key:
        return (key, bare_key)
    return (key,)


def meeting_skeletons(token: str) -> tuple[str, ...]:
    """The token's skeleton keys (`skeleton_keys`) long enough to meet by: MIN_SKELETON
    letters. The index files tokens under these, retrieval looks them up and `token_sim`
    compares them, so all three agree on what meets by skeleton (`may_meet`)."""
    return tuple(k for k in skeleton_keys(token) if len(k) >= config.MIN_SKELETON)


def runs_of(tokens: tuple[str, ...]) -> tuple[tuple[str, int, int, int], ...]:
    """A name's tokens joined, the one rule every layer uses: adjacent pairs (`kyong il` →
    `kyongil`), and the whole name from three tokens on (`ganggyeongil`), so split and
    joined spellings meet; each with the span of positions it covers (start, end) and that
    span as a bit mask."""
    spans = [(tokens[i] + tokens[i + 1], i, i + 2) for i in range(len(tokens) - 1)]
    if len(tokens) >= 3:
        spans.append(("".join(tokens), 0, len(tokens)))
    return tuple((t, s, e, (1 << e) - (1 << s)) for t, s, e in spans)


def without_ta_marbuta(token: str) -> str | None:
    """A Latin token ending in a vowel and h (ta marbuta) without that h, which the Arabic
    script reads without one (`khilafah` → khilafa, الخلافة `khlafa`); None for others.
    Not after an l: `fazlullah` is not `fazl`."""
    if len(token) > 3 and token[-1] == "h" and token[-2] in _VOWELS and token[-3] != "l":
        return token[:-1]
    return None


@lru_cache(maxsize=300_000)
def undoubled(token: str) -> str:
    """A token with each doubled letter written once (`awwad` → `awad`, `abbas` → `abas`):
    Arabic gemination (shadda) and long vowels are written doubled or single."""
    return _undoubled(token)


def _undoubled(token: str) -> str:
    """`undoubled`, computed (`fold_romanized` does not fill its cache). Most tokens have
    no letter doubled, and the pattern that finds one returns them as they are."""
    return _REPEATS.sub(r"\1", token) if _DOUBLED.search(token) else token


_DOUBLED = re.compile(r"(.)\1", re.DOTALL)
_REPEATS = re.compile(r"(.)\1+", re.DOTALL)
"""A letter written twice, and a run of one letter (`_undoubled` writes it once)."""


NOT_KOREAN_LETTERS = frozenset("fqvxz")
"""Letters no romanization of Korean uses: tokens with them have no Korean reading."""


_KNOWN_KEYS: dict[str, frozenset[str]] = {}
"""Keys computed ahead of time (an index's whole vocabulary), consulted before computing."""


def remember_korean_keys(table: dict[str, frozenset[str]], pace: bool = False) -> None:
    """Adopt keys computed ahead of time (by the index build) so lookups need no parsing.
    The first table is adopted as it is (no copy); a later one is merged into a new table
    (the keys are a pure function of the token, so merging never changes an answer);
    `pace`: a few items at a time, resting between them (`runtime.PACE_REST`)."""
    global _KNOWN_KEYS
    if not _KNOWN_KEYS:
        _KNOWN_KEYS = table
    elif table is not _KNOWN_KEYS:
        merged = dict(_KNOWN_KEYS)
        for key, keys in paced(table.items(), pace):
            merged[key] = keys
        _KNOWN_KEYS = merged


def forget_cached() -> None:
    """Empty the memo caches of token analysis: an index build fills them with the whole
    vocabulary, which screening no longer needs (the index keeps its Korean keys)."""
    for cached in (
        _fold_word,
        skeleton,
        skeleton_keys,
        undoubled,
        _korean_keys,
        abjad_frame,
        romanized_key,
    ):
        cached.cache_clear()
        let_others_run()  # each clear frees up to a few hundred thousand entries
    korean.forget_cached()


def korean_keys(token: str) -> frozenset[str]:
    """Keys of a token in the Korean syllable space ('kyong', 'gyeong', '경' share one)."""
    keys = _KNOWN_KEYS.get(token)
    return _korean_keys(token) if keys is None else keys


EMPTY: frozenset[str] = frozenset()
"""The one empty set that cached values share (most tokens have no Korean keys, most names
no joined runs with any): each empty set of its own would be one more object for every
garbage collection to walk, and a screening process's caches hold tens of thousands."""


@lru_cache(maxsize=300_000)
def _korean_keys(token: str) -> frozenset[str]:
    if korean.is_hangul(token):
        return frozenset({"-".join(korean.syllable_key(s) for s in korean.hangul_syllables(token))})
    if not token.isalpha() or len(token) > 16 or not NOT_KOREAN_LETTERS.isdisjoint(token):
        return EMPTY
    return frozenset("-".join(seq) for seq in korean.latin_syllable_keys(token)) or EMPTY


@lru_cache(maxsize=100_000)
def is_han(text: str) -> bool:
    """True if a name is written in Chinese characters. Its tokens are then a fixed
    transliteration (pinyin) of the characters, so a near-miss spelling means different
    characters, not a variant spelling of the same ones."""
    return _HAN.search(text) is not None


_ARABIC_CHARS = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
"""The Arabic script's Unicode blocks (Arabic, its supplement, presentation forms)."""
_LATIN_LETTERS = "A-Za-z\u00c0-\u024f"
"""Latin letters, with the accented ones of Latin-1 and Latin Extended-A/B."""
_ARABIC_SCRIPT = re.compile(f"[{_ARABIC_CHARS}]")
_LATIN_LETTER = re.compile(f"[{_LATIN_LETTERS}]")


@lru_cache(maxsize=100_000)
def is_arabic_script(text: str) -> bool:
    """True if a name is written in the Arabic script (Arabic, Persian, Urdu, Pashto) and
    not also in Latin letters. Its tokens are then read without the short vowels the
    script leaves unwritten (`سيف` → `sif`), so they are compared by `abjad_frame` too."""
    return _ARABIC_SCRIPT.search(text) is not None and _LATIN_LETTER.search(text) is None


def abjad_frame_uncached(token: str, glides: bool = True) -> tuple[str, tuple[str, ...]] | None:
    """A token's consonants and the vowel groups around them: groups[0] before the first
    consonant, groups[k] after consonant k (`sayf` → ('sf', ('', 'ay', ''))). A v is a w
    and a doubled consonant counts once. With `glides`, as in `skeleton`, a y or w after a
    vowel and before a consonant (or at the end) is part of the vowel group; a token read
    from the Arabic script writes its vowels as vowels, so its y and w are consonants
    (`داود` → `dawd`: d-w-d). None for a token that is not all ASCII letters."""
    if not (token.isascii() and token.isalpha()):
        return None
    consonants: list[str] = []
    groups = [""]
    for i, ch in enumerate(token):
        if ch in _VOWELS or (glides and _glide(token, i)):
            groups[-1] += ch
        else:
            c = "w" if ch == "v" else ch
            if not (consonants and groups[-1] == "" and consonants[-1] == c):
                consonants.append(c)
                groups.append("")
    return "".join(consonants), tuple(groups)


abjad_frame = lru_cache(maxsize=100_000)(abjad_frame_uncached)
"""`abjad_frame_uncached`, memoised for screening (an index build files every vocabulary
token once and calls the uncached one: keeping them all cost ~50 MB of its peak)."""


_PAREN = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*")
_NOTE_TAIL = re.compile(
    r"(?:,\s*(?:born|b\.|dob|date of birth|previously)\b|\s+born in \d{4}\b"
    r"|\s+(?:son|daughter) of\s).*$",
    re.I,
)
_QUOTES = '"“”«»„'


def name_variants(text: str, schema: str | None = None) -> list[str]:
    """Readings of one listed (or queried) name that carries more than a name: a bracketed
    acronym or note (`RECONNAISSANCE GENERAL BUREAU (RGB)` → the name and `RGB`;
    `Encep Nurjaman (birth name)` → `Encep Nurjaman`), a trailing note after a comma
    (`…, born in Kandahar on 01 Jan.1967`; a birth year needs none: `… born in 1963`) or
    quotes (`“Chief Kahwa”`). Lists write all of these inside name fields; each reading
    matches on its own. Lower-case bracketed words are notes, not names, and are dropped.

    Of an organisation (any schema but Person), a bracketed qualifier (`AL-HARAMAIN
    (BANGLADESH)`, `Huawei Device (Shenzhen)`: `_bracket_reading` is None) tells one
    branch from another: the name is not read without it, nor a bracket alone that is
    followed by more than a legal form (`(CSIC) 714th Research Institute`)."""
    out: list[str] = []
    stripped = text.strip().strip(_QUOTES).strip()
    if stripped != text.strip():
        out.append(stripped)
    tail = _NOTE_TAIL.sub("", stripped).strip()
    if tail and tail != stripped:
        out.append(tail)
    outer, inners = stripped, []
    while _PAREN.search(outer):  # innermost brackets first
        inners += _PAREN.findall(outer)
        outer = " ".join(_PAREN.sub(" ", outer).split())
    if schema != "Person" and inners and _qualified(stripped, outer, inners):
        return [v for v in dict.fromkeys(out) if v and v != text]
    if outer != stripped:
        out.append(outer)
    out += [i.strip() for i in inners if len(i.strip()) > 1 and not i.islower()]
    out += script_parts(outer) + slash_parts(outer)
    out += japanese_readings(text, kanji=False)
    return [v for v in dict.fromkeys(out) if v and v != text]


def japanese_readings(text: str, kanji: bool) -> list[str]:
    """A name in kana read in Hepburn (`names.japanese`); with `kanji`, a name in kanji
    alone too, which may be Chinese as well (a query's: the lists write Chinese names in
    these characters far more often than Japanese ones, and keep their pinyin reading)."""
    if not _CJK.search(text):
        return []
    from sanctum.names.japanese import has_kana, hepburn_readings

    return list(hepburn_readings(text)) if kanji or has_kana(text) else []


_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def _qualified(text: str, outer: str, inners: list[str]) -> bool:
    """True if an organisation name's brackets hold a qualifier, or an acronym in the
    middle of the name (`name_variants`): a bracket that is neither a note (lower case),
    nor another script's writing, nor an acronym of the rest or the rest's expansion."""
    for inner in (i.strip() for i in inners):
        if not inner or inner.islower() or is_arabic_script(inner) != is_arabic_script(outer):
            continue
        if not (_abbreviates(inner, outer) or _abbreviates(outer, inner)):
            return True
        after = text[text.rfind(")") + 1 :]
        if any(t not in LEGAL_FORMS for t in _SPLIT.split(_fold(after).lower()) if t):
            return True  # `(CSIC) 714th Research Institute`: CSIC is not the whole name
    return False


def _abbreviates(short: str, full: str) -> bool:
    """True if `short` is one word of capitals and digits whose letters appear in `full` in
    order, the first one opening a word of it (`RGB` of `Reconnaissance General Bureau`,
    `KOMID` of `Korea Mining Development …`; not `BANGLADESH` of `AL-HARAMAIN`)."""
    if " " in short or not short.isupper() or len(short) > 12:
        return False
    letters = [c for c in short.lower() if c.isalnum()]
    words = [w for w in _SPLIT.split(_fold(full).lower()) if w]
    text = " ".join(words)
    if not letters or not any(w.startswith(letters[0]) for w in words):
        return False
    pos = text.find(" " + letters[0]) + 1 if not text.startswith(letters[0]) else 0
    for c in letters:
        pos = text.find(c, pos)
        if pos < 0:
            return False
        pos += 1
    return True


_ARABIC_WORD = re.compile(f"^[{_ARABIC_CHARS}]+$")
_LATIN_WORD = re.compile(f"^[{_LATIN_LETTERS}'’.\\-]+$")


def script_parts(text: str) -> list[str]:
    """A name written twice in one field, in Latin and in Arabic script
    (`Agha Jan Alizai اغا جان عالیزی`) → each script's words as a reading."""
    words = text.split()
    arabic = [w for w in words if _ARABIC_WORD.match(w)]
    latin = [w for w in words if _LATIN_WORD.match(w)]
    if not arabic or not latin or len(arabic) + len(latin) != len(words):
        return []
    return [" ".join(latin), " ".join(arabic)]


def slash_parts(text: str) -> list[str]:
    """Alternatives joined by a slash (`Al Qa’ida/Islamic Army`) → each as a reading, when
    every part holds a word of three letters or more (`A/S` is a legal form, not two names)."""
    if "/" not in text:
        return []
    parts = [" ".join(p.split()) for p in text.split("/")]
    if len(parts) < 2 or not all(any(len(w) >= 3 for w in p.split()) for p in parts):
        return []
    return parts


@lru_cache(maxsize=100_000)
def is_legal_form(token: str) -> bool:
    """True for organisation legal forms and generic business words: LEGAL_FORMS, and the
    comparison forms of `rigour`'s organisation types (`organisation_text`)."""
    if token in LEGAL_FORMS:
        return True
    if not token.isascii() or not token.isalpha() or len(token) > 8:
        return False
    from rigour.names import extract_org_types

    return any(found == token for found, _form in extract_org_types(token))


_PATRONYMIC = re.compile(
    r"^[a-z]{3,}(?:ovich|evich|ovych|evych|avich|ovitch|evitch|ovna|evna|ivna|avna|ichna)$"
)
"""East Slavic patronymics as romanized: Russian `-ovich`/`-evich`, `-ovna`/`-evna`,
`-ichna`; Ukrainian `-ovych`/`-evych`, `-ivna`; Belarusian `-avich`, `-avna`; French
`-ovitch`."""


PATRONYMIC_MIN_LEN = 7
"""The shortest token `_PATRONYMIC` accepts: three letters and `-ovna`'s four."""


def is_patronymic(token: str) -> bool:
    """True for a token of an East Slavic patronymic's form (`vasilyevich`, `borisovna`,
    `mykolayivna`): a name one listing writes and another leaves out (`match.features`
    weighs it down when the other name has none to oppose it). A surname of that form
    (`Abramovich`) is read as one too; met, it counts in full. (No cache: the length and
    the last two letters, `-ch` or `-na` in every ending, turn nearly every token away in
    fewer instructions than a cache lookup, and a cache of every token a batch meets
    held megabytes.)"""
    n = len(token)
    if n < PATRONYMIC_MIN_LEN:
        return False
    last, before = token[n - 1], token[n - 2]
    if not ((last == "h" and before == "c") or (last == "a" and before == "n")):
        return False
    return _PATRONYMIC.match(token) is not None


_ROMANIZATIONS: tuple[tuple[str, str], ...] = (  # of any length: looped over natively
    ("tch", "ch"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("ph", "f"),
    ("ck", "k"),
    ("x", "ks"),
    ("q", "k"),
    ("kh", "h"),
    ("dh", "z"),
    ("w", "v"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("iy", "i"),
    ("y", "i"),
    ("ch", "\0"),
    ("c", "k"),
    ("\0", "ch"),
    ("e", "i"),
    ("o", "u"),
)
"""What romanizations of one name write differently, in the order `romanized_key` folds
them: French `tch`/`dj`, Russian `zh`/`dzh` and English `j`; `ph`/`f`; `x`/`ks`; hard
`c`, `ck`, `q`/`k`; `kh`/`h`; Arabic `dh`/`z`; `w`/`v`; `ou`, `oo`/`u`; `ee`, `y`, a
final `iy`/`i`; the vowels Arabic and Persian do not write, `e`/`i` and `o`/`u`."""


@lru_cache(maxsize=300_000)
def romanized_key(token: str) -> str:
    """A Latin token with what romanizations write differently written one way
    (`_ROMANIZATIONS`), doubled letters once: `yury`, `yuri`, `yuriy` → `iuri`; `aleksey`,
    `alexei` → `aliksi`; `mustapha`, `mustafa` → `mustafa`; `omar`, `umar` → `umar`;
    `kadhim`, `kazim` → `kazim`. Two tokens sharing it are one name romanized two ways
    (`token_sim`: SIM_ROMANIZED; `same_romanized`). "" for a token shorter than
    ROMANIZED_MIN_LEN or not of Latin letters alone: a short word folded so meets too
    many others."""
    return fold_romanized(token)


def fold_romanized(token: str) -> str:
    """`romanized_key`, computed (the index build calls it once per vocabulary token)."""
    if len(token) < config.ROMANIZED_MIN_LEN or not token.isascii() or not token.isalpha():
        return ""
    for written, folded in _ROMANIZATIONS:
        if written in token:
            token = token.replace(written, folded)
    return _undoubled(token)


Filed = str | tuple[str, ...]
"""The vocabulary tokens of one romanized key as an index files them: the token itself
when it is the only one (nine keys in ten: no tuple of one), else a tuple."""


def filed_tokens(filed: Filed) -> tuple[str, ...]:
    """The tokens of a romanized table's value (`Filed`) as a tuple."""
    return (filed,) if isinstance(filed, str) else filed


_ROMANIZED: dict[str, Filed] = {}
"""The romanized tables (key → vocabulary tokens) of the indexes made active
(`remember_romanized`): every vocabulary token with a key (a token of `_KNOWN_KEYS`) is
filed here under it, which `same_romanized` reads instead of computing its key."""


def remember_romanized(table: dict[str, Filed], pace: bool = False) -> None:
    """Adopt an index's romanized table (`key → tokens`) so that `same_romanized` looks
    its vocabulary up. The first table is adopted as it is (no copy); a later one is
    merged into a new table, the tokens of a key in both united (a key is a pure function
    of the token, so merging never changes an answer). Called before the index's Korean
    keys are remembered: a token known as vocabulary is filed already. `pace`: as
    `remember_korean_keys`."""
    global _ROMANIZED
    if not _ROMANIZED:
        _ROMANIZED = table
    elif table is not _ROMANIZED:
        merged = dict(_ROMANIZED)
        for key, filed in paced(table.items(), pace):
            known = merged.get(key)
            merged[key] = filed if known is None else _united(known, filed)
        _ROMANIZED = merged


def _united(known: Filed, filed: Filed) -> Filed:
    """The tokens of two tables under one key, each once."""
    have = filed_tokens(known)
    more = tuple(t for t in filed_tokens(filed) if t not in have)
    return have + more if more else known


def same_romanized(a: str, b: str) -> bool:
    """`romanized_key(a) == romanized_key(b) != ""`, without computing the key of a
    vocabulary token `b` (one of `_KNOWN_KEYS`): it is filed under its key in
    `_ROMANIZED`, so the two keys are one exactly when `b` is filed under `a`'s. A
    screening meets each vocabulary token in many pairs, and computing its key there was
    a fifth of matcher 1.7's extra instructions per query."""
    key = romanized_key(a)
    if not key:
        return False
    if b in _KNOWN_KEYS:
        filed = _ROMANIZED.get(key)
        return filed is not None and (b == filed if isinstance(filed, str) else b in filed)
    return key == romanized_key(b)
