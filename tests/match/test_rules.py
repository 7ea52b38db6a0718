"""Rules of the name score beyond token similarity: initials, one word met by spelling."""

from __future__ import annotations

import pytest

from sanctum import config
from sanctum.match.features import align, initial_matches, name_score, one_fuzzy_word
from sanctum.pairwise import CompareResult, compare


def uniform(_token: str) -> float:
    return 1.0


@pytest.mark.parametrize(
    ("query", "listed", "met"),
    [
        (("j", "smith"), ("john", "smith"), [("j", "john")]),
        (("grigory", "y", "azarenok"), ("grigory", "yuryevich", "azarenok"), [("y", "yuryevich")]),
        (("j", "m", "smith"), ("john", "michael", "smith"), [("j", "john"), ("m", "michael")]),
        (("k", "smith"), ("john", "smith"), []),  # another initial meets nothing
        (("j", "smith"), ("j", "smith"), []),  # met exactly already, not as an initial
        (("j", "smith"), ("강", "smith"), []),  # Latin names only
    ],
)
def test_initial_matches(
    query: tuple[str, ...], listed: tuple[str, ...], met: list[tuple[str, str]]
) -> None:
    found = initial_matches(query, listed, align(query, listed))
    assert [(m.query, m.listed) for m in found] == met
    assert all(m.sim == config.SIM_INITIAL and m.how == "initial" for m in found)


@pytest.mark.parametrize(
    ("query", "listed", "score"),
    [
        # uniform weights: the initial covers the query, half its listed name
        (("j", "smith"), ("john", "smith"), 0.8660),
        # a patronymic left out weighs little, and one met by an initial as little
        (("grigory", "y", "azarenok"), ("grigory", "yuryevich", "azarenok"), 0.9668),
        (("grigory", "azarenok"), ("grigory", "yuryevich", "azarenok"), 0.9325),
        (("grigory", "y", "azarenok"), ("grigory", "yakovlev", "azarenok"), 0.9129),
        (("grigory", "azarenok"), ("grigory", "yakovlev", "azarenok"), 0.8165),
        (("k", "smith"), ("john", "smith"), 0.3536),
        (("j", "m", "smith"), ("john", "michael", "smith"), 0.8165),
    ],
)
def test_initials_bounded_bonus(
    query: tuple[str, ...], listed: tuple[str, ...], score: float
) -> None:
    assert round(name_score(query, listed, uniform).score, 4) == score
    assert name_score(query, listed, uniform).score < 1.0


@pytest.mark.parametrize(
    ("query", "listed", "fuzzy"),
    [
        (("kamal",), ("kamel",), True),  # one edit
        (("amar", "trading"), ("amana",), False),  # amar ~ amana do not meet at all
        (("malin", "ltd"), ("makin",), True),  # a legal form adds nothing
        (("kamel",), ("kamel",), False),  # exact
        (("kamal", "nasser"), ("kamel", "nasser"), False),  # two words
    ],
)
def test_one_fuzzy_word(query: tuple[str, ...], listed: tuple[str, ...], fuzzy: bool) -> None:
    assert one_fuzzy_word(query, align(query, listed)) is fuzzy


@pytest.mark.parametrize(
    ("query", "listed", "schema", "alerts"),
    [
        ("Kamal", "KAMEL", "Thing", False),
        ("Malin Ltd", "MAKIN", "LegalEntity", False),
        ("Kamel", "KAMEL", "Thing", True),
        ("Grigory Y. Azarenok", "Grigory Yuryevich AZARENOK", "Person", True),
        ("K. Azarenok", "Grigory Yuryevich AZARENOK", "Person", False),
        ("POLARSTAR LOGISTICS L.L.C.", "POLARSTAR LOGISTICS LLC", "Organization", True),
        ("Joint Stock Company Sibnefteprovod", "JSC SIBNEFTEPROVOD", "Organization", True),
        ("The Rushaan Trading Company", "RUSHAAN TRADING COMPANY", "Organization", True),
        ("Bureau Thirty-Nine", "Bureau 39", "Organization", True),
        ("AL-HARAMAIN (SOMALIA)", "AL-HARAMAIN (BANGLADESH)", "Organization", False),
    ],
)
def test_rules_on_the_pairwise_api(query: str, listed: str, schema: str, alerts: bool) -> None:
    result = compared(query, listed, schema)
    assert result.match is alerts, result.explanation


def compared(query: str, listed: str, schema: str) -> CompareResult:
    """Two names of one schema compared by the pairwise API (uniform token weights)."""
    return compare(
        {"schema": schema, "properties": {"name": [query]}},
        {"schema": schema, "properties": {"name": [listed]}},
    )


@pytest.mark.parametrize(
    ("query", "listed", "schema", "alerts"),
    [
        ("Лента", "RENTA A.S.", "Organization", False),  # a Korean key, not Korean
        ("Кари Ltd", "KAI", "Organization", False),
        ("ganggyeongil", "KANG Kyong Il", "Person", True),  # a Korean name written joined
        ("나루", "NALU", "Organization", True),  # Hangul read in Latin letters
    ],
)
def test_korean_keys_count_for_korean_words(
    query: str, listed: str, schema: str, alerts: bool
) -> None:
    result = compared(query, listed, schema)
    assert result.match is alerts, result.explanation


@pytest.mark.parametrize(
    ("query", "listed", "score"),
    [
        # uniform weights; a patronymic one name leaves out weighs PATRONYMIC_WEIGHT (0.3)
        ("LYASHENKO, Igor Vasilyevich", "LYASHENKO, Igor", 0.8696),
        ("Igor LYASHENKO", "LYASHENKO, Igor Vasilyevich", 0.9325),
        ("Elena Borisovna MIZULINA", "Elena MIZULINA", 0.8696),
        ("Igor Vasilyevich LYASHENKO", "Igor Vasilyevich LYASHENKO", 1.0),
        # two fathers' names: both count in full, as before
        ("Igor Petrovich LYASHENKO", "Igor Vasilyevich LYASHENKO", 0.5443),
        ("Petr Vasilyevich", "Igor Vasilyevich", 0.3536),
        # an initial and a surname against a name with a patronymic
        ("A. Listoev", "Aleksei Nikolaevich LISTOEV", 0.8076),
    ],
)
def test_omitted_patronymics(query: str, listed: str, score: float) -> None:
    result = compared(query, listed, "Person")
    assert result.score == score, result.explanation
