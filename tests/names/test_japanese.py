"""Japanese names read in Hepburn: kanji and kana against their romanised forms."""

from __future__ import annotations

import pytest

from sanctum.names.japanese import hepburn_readings, may_be_japanese
from sanctum.pairwise import compare


@pytest.mark.parametrize(
    ("name", "readings"),
    [
        ("山口組", ("yamaguchi kumi", "yamaguchi gumi")),  # rendaku: 組 gumi after a name
        ("住吉会", ("sumiyoshi kai", "sumiyoshi gai")),
        ("西口茂男", ("nishiguchi shigeo",)),
        ("安倍晋三", ("abe shinzo",)),  # long vowels written once: shinzou → shinzo
        ("東京電力", ("tokyodenryoku",)),
        ("やまぐちぐみ", ("yamaguchigumi",)),
        ("スミヨシカイ", ("sumiyoshikai",)),
        ("王伟", ()),  # a reading of fewer than four letters says nothing
        ("강경일", ()),  # Hangul is not Japanese
        ("Kim", ()),
    ],
)
def test_hepburn_readings(name: str, readings: tuple[str, ...]) -> None:
    assert hepburn_readings(name) == readings


@pytest.mark.parametrize(
    ("name", "japanese"),
    [("山口組", True), ("やまぐち", True), ("王伟", True), ("강경일", False), ("Abe", False)],
)
def test_may_be_japanese(name: str, japanese: bool) -> None:
    assert may_be_japanese(name) is japanese


@pytest.mark.parametrize(
    ("query", "listed", "schema", "alerts", "reading"),
    [
        (
            "山口組",
            "YAMAGUCHI-GUMI",
            "Organization",
            True,
            "Japanese (Hepburn) reading of '山口組'",
        ),
        ("住吉会", "SUMIYOSHI-KAI", "Organization", True, "Japanese (Hepburn) reading of '住吉会'"),
        (
            "西口茂男",
            "NISHIGUCHI, Shigeo",
            "Person",
            True,
            "Japanese (Hepburn) reading of '西口茂男'",
        ),
        ("安倍晋三", "Abe Shinzo", "Person", True, "Japanese (Hepburn) reading of '安倍晋三'"),
        ("安倍晋三", "Shinzo Abe", "Person", True, "Japanese (Hepburn) reading of '安倍晋三'"),
        ("やまぐちぐみ", "YAMAGUCHI-GUMI", "Organization", True, None),  # kana: read as is
        (
            "王伟",
            "Wang Wei",
            "Person",
            True,
            "Chinese (pinyin) reading; the Japanese (Hepburn) one was tried too",
        ),
        ("安倍晋三", "Abe Tomoko", "Person", False, None),
        ("山口組", "YAMAMOTO GUMI", "Organization", False, None),
    ],
)
def test_japanese_names_meet_their_romanisation(
    query: str, listed: str, schema: str, alerts: bool, reading: str | None
) -> None:
    result = compare(
        {"schema": schema, "properties": {"name": [query]}},
        {"schema": schema, "properties": {"name": [listed]}},
    )
    assert result.match is alerts, result.explanation
    if alerts:
        assert result.explanation["name"].get("query_reading") == reading
