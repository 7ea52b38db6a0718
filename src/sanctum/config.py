"""Every number that tunes matching, in one place, with the benchmark that chose it.

Benchmarks (`make bench`): `dprk` = recall on shared/benchmarks/dprk_name_variants.csv;
`crosslist` = UK/AU/CA names with a UN reference found in UN/OFAC entries;
`population` = alert rate on 10,000 seeded Faker names in 10 locales; `script` =
Arabic-script names of UN/UK/AU parties scored against the same party's Latin names;
`categories` = bench/categories.py: the per-category labelled set (organisation legal
forms, initialisms, qualifiers, person initials and titles, short names, aliases,
Japanese) and the fresh population of 10,000 persons and companies in 20 locales.
"""

from __future__ import annotations

THRESHOLD = 0.80
"""Default match threshold. Chosen on `dprk` (recall) against `population` (alert rate)."""
MATCH_CUTOFF = 0.50
"""Default `cutoff` of `/match`: results scoring below it are not returned at all. yente's
SCORE_CUTOFF; it keeps near misses (0.5 to the threshold) in view for review, and lets
screening skip every party whose upper bound cannot reach it (HTTP load benchmark)."""

# -- token similarity ------------------------------------------------------------------
SIM_EXACT = 1.0
SIM_KOREAN = 0.95
"""Same Korean syllable key (Kyong = Gyeong = 경). Below exact so exact spellings rank first."""
SIM_SKELETON = 0.85
"""Same consonant skeleton, at least MIN_SKELETON consonants (Muhammad = Mohamed)."""
MIN_SKELETON = 3
SIM_ABJAD = 0.92
"""A token read from the Arabic script against a Latin one with the same consonants and
vowels that fit (`abjad_meets`: `سيف` Saif, `عمر` Omar): as far as the script writes a
name, the same name; a little below a Korean key. At 0.85, as a skeleton, a name met word
by word this way scored 0.78, under the threshold: `script` (Arabic-script names against
their party's Latin names) 44.5% → 56.4% at 0.92, 57.2% at 0.95; `population` alerts,
`crosslist` and `dprk` unchanged."""
MIN_ABJAD_CONSONANTS = 2
"""Fewer consonants meet too much by `abjad_meets`: `علي` reached 186 vocabulary tokens
(eli, ole, aly ...) and 5,466 names for 15 words of one consonant in the latency
benchmark's Arabic and Persian names; with two, `crosslist` misses 59 → 57, `population`
alerts and `dprk` recall unchanged."""
MAX_ABJAD_READINGS = 32
"""Readings of one Arabic-script token tried by `abjad_meets` (`abjad_readings`): enough
for four letters read two or three ways."""
SIM_EDIT1 = 0.90
"""One edit apart, both at least EDIT1_MIN_LEN long (`dprk` typo rows, `population`)."""
EDIT1_MIN_LEN = 5
SIM_ROMANIZED = 0.90
"""Two tokens of one `romanized_key` (`Yury` = `Yuri`, `Aleksey` = `Alexei`, `Omar` =
`Umar`): one name romanized two ways, as sure as one edit; for a one-word name it is
spelling (`one_fuzzy_word`). `categories`: aliases recall 0.550 → 0.577 (precision 0.968
→ 0.969), short_names unchanged; `dprk`, `crosslist`, `population` unchanged, the fresh
population 0.50% → 0.51% (one namesake more)."""
ROMANIZED_MIN_LEN = 4
"""Shorter tokens have no `romanized_key`: three letters folded meet too many others."""
SIM_EDIT2 = 0.80
"""Two edits apart, both at least EDIT2_MIN_LEN long."""
EDIT2_MIN_LEN = 8
DOUBLED_MIN_LEN = 4
"""Tokens shorter than EDIT1_MIN_LEN still meet (at SIM_EDIT1) when they differ only in
doubled letters and have at least this many letters written singly (`awad` = `awwad`,
`abas` = `abbas`; `ana` ≠ `anna` stays apart): `crosslist` misses 89 → 87, `population`
alerts and `dprk` recall unchanged."""
SIM_INITIAL = 0.5
"""An initial of the query (`J.`) meeting a listed name it abbreviates (`John`): the query
side counts it whole, the listed name half, so `Grigory Y. Azarenok` scores above
`Grigory Azarenok` against `Grigory Yuryevich AZARENOK`, and initials alone never make a
full-name score (`person_initials` of bench/categories.py)."""
ONE_FUZZY_WORD_FACTOR = 0.85
"""A query of one word (legal forms aside) met only by spelling (one or two edits,
doubled letters, skeleton, a Korean key of a word not in Hangul: `one_fuzzy_word`) is
multiplied by this: at most 0.95 · 0.925 · 0.85 < THRESHOLD, so `Kamal` does not alert on
`KAMEL` nor `Кари Ltd` on `KAI` (`short_names` of bench/categories.py; fresh population
of bench/categories.py: other alerts 0.49% → 0.1x%)."""
SHORT_WORD_LEN = 8
"""A word shorter than this is short for `ONE_FUZZY_WORD_FACTOR`: one edit makes another
word of five or six letters (`Kamal`, `KAMEL`), rarely of eight (`SIBNEFTEPROVOD`)."""
MIN_TOKEN_SIM = 0.80
"""Token pairs below this are not aligned at all."""

# -- name score ------------------------------------------------------------------------
QUERY_COVERAGE_EXP = 1.0
"""Exponent on the weighted share of the query's tokens that were matched."""
CANDIDATE_COVERAGE_EXP = 0.5
"""Exponent on the weighted share of the listed name's tokens that were matched: below 1
so a missing middle name costs little, above 0 so a lone common token (KIM, CORP) cannot
reach the threshold against a multi-token name (`population`, generic-token tests)."""
LONG_MATCH_TOKENS = 4
LONG_MATCH_COVERAGE_EXP = 0.4
"""CANDIDATE_COVERAGE_EXP once LONG_MATCH_TOKENS names (of three letters or more) of the
listed name were met: four names in common are strong evidence, and the rest of a long
Arabic name (`IBRAHIM AWWAD IBRAHIM ALI AL-BADRI AL-SAMARRAI` against `Ibrahim Awad Ibrahim
al-Samarrai`) matters less (`crosslist` misses 62 → 60; `population` alerts and `dprk`
recall unchanged)."""
HAN_COVERAGE_EXP = 1.0
"""CANDIDATE_COVERAGE_EXP for a name written in Chinese characters: Chinese names have no
middle names, so `Guo Ying` is not `WANG Guo Ying` (`population` zh_CN)."""
LEGAL_FORM_WEIGHT = 0.15
"""Weight of legal forms and generic business words relative to their rarity weight."""
PATRONYMIC_WEIGHT = 0.3
"""Weight of an East Slavic patronymic (`is_patronymic`) that one name leaves out (or meets
by an initial) while the other has none unmet, relative to its rarity weight: one listing
writes it and another does not (`SLYUSAR Yuri Borisovich`, `SLYUSAR Yuri`); two unmet
patronymics are two fathers and weigh in full (`omitted_patronymics`). `categories`:
aliases recall 0.540 → 0.550, person_initials 0.633 → 0.792 (`A. Listoev` against
`Aleksei Nikolaevich LISTOEV`), no negative more alerting; `dprk`, `crosslist`,
`population` and the fresh population unchanged."""
UNKNOWN_TOKEN_IDF = 6.0
"""Rarity weight of a query token that no listed name contains."""
WEAK_ALIAS_FACTOR = 0.92
"""Weak (low-quality) aliases count less: their name score is multiplied by this."""
CYBER_ALIAS_FACTOR = 0.92
"""Vendor names of designated cyber groups (data/cyber_aliases.csv) count like weak aliases."""
KOREAN_GIVEN_ORDER_FACTOR = 0.85
"""A Hangul query whose given-name syllables met the listed ones in reverse order (은정 vs
Jong Un) is another name: its name score is multiplied by this, taking an otherwise exact
three-syllable match (0.93) below THRESHOLD (`population` ko_KR; `dprk` unchanged)."""

# -- other features --------------------------------------------------------------------
DOB_EXACT_BONUS = 0.05
DOB_YEAR_BONUS = 0.02
DOB_CONFLICT_PENALTY = 0.20
"""Listed and queried dates of birth more than DOB_YEAR_TOLERANCE years apart."""
DOB_YEAR_TOLERANCE = 1
COUNTRY_MATCH_BONUS = 0.02
COUNTRY_CONFLICT_PENALTY = 0.05
GENDER_CONFLICT_PENALTY = 0.10
IDENTIFIER_MATCH_SCORE = 0.99
"""An exact passport / national id / IMO match is strong evidence on its own."""

# -- results ---------------------------------------------------------------------------
MAX_LIMIT = 500
"""Most results one screening returns, and the largest page `/match`, `/search` and the
reconciliation service give (yente's page cap)."""

# -- retrieval -------------------------------------------------------------------------
MAX_CANDIDATES = 15
"""Names fully scored per query, best by normalised upper bound first (speed benchmark;
`dprk` and `crosslist` recall unchanged from 40)."""
RETRIEVAL_POOL = 300
"""Names by raw upper bound from which the MAX_CANDIDATES are ranked."""
FREQUENT_POSTINGS = 3000
"""Tokens in more names than this do not open candidates alone (a lone KIM)."""
