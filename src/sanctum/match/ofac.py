"""Emulation of the fuzzy score of OFAC's Sanctions List Search (SLS), 0-100.

OFAC describes its SLS fuzzy logic as Jaro-Winkler similarity on the whole name and
on the name parts, plus Soundex, giving a 0-100 score that must reach a minimum
(slider default 80). This module reproduces that score so Sanctum can say "OFAC's own
tool would have scored this pair N" next to its own score.

The formula (all constants below, each chosen by rows of the development fixture
``benchmarks/ofac_parity_dev.csv``, cited as *query* / *name* = OFAC score):

1. Normalise both strings: strip accents, uppercase, delete apostrophes
   (O'BRIEN -> OBRIEN), every other non-alphanumeric character becomes a space
   (BASHIR-UD-DIN -> BASHIR UD DIN, J.P. -> J P). The name is kept in the order the
   list prints it: 'HASWANI, George' is compared as HASWANI GEORGE.
2. Whole-name view ``W``: Jaro-Winkler of the two normalised strings.
3. Token view ``T``: every query token of at least ``MIN_TOKEN_LEN`` characters
   (all tokens if none is that long) meets its best name token. The pair's JW is
   multiplied by ``FIRST_LETTER_GATE`` when the first letters differ, raised by
   ``SOUNDEX_BONUS`` of the remaining gap when both Soundex codes agree, and set to
   0 when below ``TOKEN_FLOOR``. ``T`` is the mean over the scored query tokens.
   Name tokens that no query token met cost nothing.
4. Score = round(100 * max(W, T)), halves up.

Why the better of the two views and not a weighted blend: OFAC gives 100 to
'HUSSEIN' / 'ABBAS, Abdul Hussein' (W 0.30, T 1.00) and 86 to 'GEORGE BUSH' /
'GEORGIOU, Georgios' (W 0.85, T 0.45); no fixed weighting of W and T reaches both
(on the fixture the best fixed blend, weights tried in steps of 0.01, agrees on 61 %
of rows; the maximum on 98 %).

A pair the SLS does not return at its default threshold appears in the fixture as -1;
any score below ``SLS_DEFAULT_THRESHOLD`` agrees with it.

Jaro-Winkler here applies Winkler's prefix boost at every Jaro level (no 0.7
boost threshold), see ``BOOST_THRESHOLD``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Jaro

# --------------------------------------------------------------------------------------
# Constants. "dev" = /work/shared/benchmarks/ofac_parity_dev.csv (query / name = score).
# --------------------------------------------------------------------------------------

#: Winkler prefix scale p and longest rewarded common prefix: Winkler's standard values;
#: dev 'VLADIMIR PUTIN' / 'VLADIMIR BILIY' = 90 (whole-name JW 0.886 with p=0.1, l=4).
PREFIX_WEIGHT = 0.1
PREFIX_MAX = 4

#: Jaro level from which the prefix boost applies. OFAC boosts at every level:
#: dev 'VLADIMIR PUTIN' / 'VLADIMIROV, Nikolai Nikolayevich' = 84 and 'GEORGE BUSH' /
#: 'GEORGIEVA, Elena Aleksandrovna' = 83 (whole-name Jaro 0.68 and 0.67, boosted 0.81
#: and 0.80; the textbook 0.7 threshold would leave 68 and 67).
BOOST_THRESHOLD = 0.0

#: Multiplier of a token pair whose first letters differ (the first-letter gate):
#: dev 'OSAMA BIN LADEN' / 'USAMA BIN LADEN NETWORK' = 84 (OSAMA~USAMA, JW 0.87, must
#: not lift T to 0.96). With TOKEN_FLOOR any gate below 0.8 scores the fixture alike;
#: 0 is the plain reading: a differing initial means a different token.
FIRST_LETTER_GATE = 0.0

#: Token-pair JW below which the query token counts as unmatched:
#: dev 'GEORGE BUSH' / 'OBEID, Boutros Georges' = 57 (BUSH~BOUTROS, JW 0.64, must not
#: count) while 'XI JINPING' / 'LIU, Jingping' = 91 (JINPING~JINGPING, 0.90, must).
TOKEN_FLOOR = 0.70

#: Share of the remaining gap to 1 closed when two tokens share a Soundex code:
#: dev "O'BRIEN" / 'OBORON HOLDING LLC' = 84 (OBRIEN~OBORON, JW 0.822, both O165) and
#: 'POUTINE' / 'PUTIN, Vladimir' = 92 (JW 0.914, both P350).
SOUNDEX_BONUS = 0.10

#: Query tokens shorter than this (initials, particles) are not scored on their own:
#: dev 'KIM JONG UN' / 'KIM, Jong Man' = 100 and 'J.P. MORGAN' /
#: 'MORGAN HUERTA, Jose Arnoldo' = 100 (UN, J and P are ignored).
MIN_TOKEN_LEN = 3

#: OFAC's default minimum score (the SLS slider), not fitted: pairs scoring below it
#: are not returned by the SLS.
SLS_DEFAULT_THRESHOLD = 80

#: Safety bound, not fitted: normalised inputs are cut to this many characters
#: (about six times the longest SDN name, 165 characters in sdn.csv of 2024-05-03),
#: so pathological inputs cost milliseconds.
MAX_CHARS = 1000

_APOSTROPHES = frozenset("'`´‘’ʹʻʼ")
_SOUNDEX_CODES = {
    **dict.fromkeys("BFPV", "1"),
    **dict.fromkeys("CGJKQSXZ", "2"),
    **dict.fromkeys("DT", "3"),
    "L": "4",
    **dict.fromkeys("MN", "5"),
    "R": "6",
}


@dataclass(frozen=True)
class OfacParams:
    """The fitted constants as one value, so the fit can be re-run and checked."""

    boost_threshold: float = BOOST_THRESHOLD
    first_letter_gate: float = FIRST_LETTER_GATE
    token_floor: float = TOKEN_FLOOR
    soundex_bonus: float = SOUNDEX_BONUS
    min_token_len: int = MIN_TOKEN_LEN


DEFAULT_PARAMS = OfacParams()


@dataclass(frozen=True)
class TokenMatch:
    """How one query token met its best name token."""

    query_token: str
    name_token: str | None  # None when the name has no tokens
    jaro_winkler: float  # raw JW of the pair
    first_letter_match: bool
    soundex_match: bool
    score: float  # after gate, Soundex bonus and floor: what enters the mean


@dataclass(frozen=True)
class OfacExplanation:
    """Every quantity behind one ``ofac_score`` result, for display to users."""

    query: str  # normalised query
    name: str  # normalised name, in list order
    whole_name_jw: float  # W
    token_matches: tuple[TokenMatch, ...]  # scored query tokens only
    ignored_query_tokens: tuple[str, ...]  # shorter than MIN_TOKEN_LEN
    unmatched_name_tokens: tuple[str, ...]  # met by no scored query token (cost nothing)
    token_score: float  # T
    score: int
    formula: str


def normalise(text: str) -> str:
    """Uppercase, accent-free, apostrophes deleted, other punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    chars: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) or char in _APOSTROPHES:
            continue
        chars.append(char.upper() if char.isalnum() else " ")
    return " ".join("".join(chars).split())[:MAX_CHARS].strip()


def soundex(token: str) -> str:
    """American Soundex of the A-Z letters of ``token`` ('' when it has none)."""
    letters = [c for c in token.upper() if "A" <= c <= "Z"]
    if not letters:
        return ""
    code = letters[0]
    previous = _SOUNDEX_CODES.get(letters[0], "")
    for char in letters[1:]:
        digit = _SOUNDEX_CODES.get(char, "")
        if digit and digit != previous:
            code += digit
            if len(code) == 4:
                break
        if char not in "HW":  # H and W do not separate equal codes; vowels do
            previous = digit
    return code.ljust(4, "0")


def jaro_winkler(a: str, b: str, boost_threshold: float = BOOST_THRESHOLD) -> float:
    """Jaro-Winkler; Winkler's prefix boost applies once Jaro reaches ``boost_threshold``."""
    jaro = float(Jaro.similarity(a, b))
    if jaro < boost_threshold:
        return jaro
    prefix = 0
    for x, y in zip(a[:PREFIX_MAX], b[:PREFIX_MAX], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * PREFIX_WEIGHT * (1.0 - jaro)


def _pair_score(jw: float, first_letter: bool, same_sound: bool, params: OfacParams) -> float:
    """A token pair's contribution: first-letter gate, Soundex bonus, then floor."""
    score = jw if first_letter else jw * params.first_letter_gate
    if same_sound:
        score += params.soundex_bonus * (1.0 - score)
    return score if score >= params.token_floor else 0.0


def _best_match(token: str, name_tokens: dict[str, str], params: OfacParams) -> TokenMatch:
    """The name token (mapped to its Soundex code) giving ``token`` its best pair score."""
    best = TokenMatch(token, None, 0.0, False, False, 0.0)
    code = soundex(token)
    for candidate, candidate_code in name_tokens.items():
        jw = jaro_winkler(token, candidate, params.boost_threshold)
        first = token[0] == candidate[0]
        same_sound = bool(code) and code == candidate_code
        score = _pair_score(jw, first, same_sound, params)
        if best.name_token is None or (score, jw) > (best.score, best.jaro_winkler):
            best = TokenMatch(token, candidate, jw, first, same_sound, score)
    return best


def _round(value: float) -> int:
    """0..1 to an integer 0..100, halves rounded up as OFAC's integer scores suggest."""
    return max(0, min(100, int(100.0 * value + 0.5)))


def ofac_explain(query: str, name: str, params: OfacParams = DEFAULT_PARAMS) -> OfacExplanation:
    """Score ``name`` against ``query`` as OFAC's SLS would, with every step shown."""
    q, n = normalise(query), normalise(name)
    q_tokens, n_tokens = q.split(), n.split()
    scored = [t for t in q_tokens if len(t) >= params.min_token_len] or q_tokens
    ignored = tuple(t for t in q_tokens if t not in scored)
    name_codes = {t: soundex(t) for t in n_tokens}
    matches = tuple(_best_match(t, name_codes, params) for t in scored)
    whole = jaro_winkler(q, n, params.boost_threshold) if q and n else 0.0
    token_score = sum(m.score for m in matches) / len(matches) if matches and n else 0.0
    met = {m.name_token for m in matches if m.score > 0.0}
    unmatched = tuple(t for t in name_codes if t not in met)
    score = _round(max(whole, token_score))
    view = "whole name" if whole >= token_score else "name parts"
    formula = f"score = round(100 * max(W={whole:.3f}, T={token_score:.3f})) = {score} ({view})"
    return OfacExplanation(q, n, whole, matches, ignored, unmatched, token_score, score, formula)


def ofac_score(query: str, name: str, params: OfacParams = DEFAULT_PARAMS) -> int:
    """OFAC SLS-style fuzzy score 0..100 of ``name`` for the search ``query``."""
    return ofac_explain(query, name, params).score
