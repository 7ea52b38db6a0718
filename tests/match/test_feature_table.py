"""The feature table is the one declaration of every feature: its bound holds for every
value its comparison can give, and the query parser, the index, the score, its bound and
the explanation all read the table (changing an entry changes all of them)."""

from __future__ import annotations

from itertools import product

import pytest

from sanctum import config
from sanctum.feature_table import (
    ADDED,
    BIRTH_DATE,
    COUNTRY,
    FEATURES,
    FLOORS,
    GENDER,
    IDENTIFIER,
    NAMES,
    Feature,
    listed_properties,
    listed_readers,
)
from sanctum.index import NAME_PROPS, from_records
from sanctum.match.query import parse_query
from sanctum.match.score import features_bonus_max, score_bound, score_sanctum

VALUES: dict[str, list[tuple[str, str]]] = {
    "birth_date": [
        ("birthDate", d)
        for d in ("1970-01-01", "1970-02-03", "1970", "1971", "1972-06", "1990-01-01")
    ],
    "country": [("country", c) for c in ("kp", "Iran", "ru", "zz")],
    "gender": [("gender", g) for g in ("male", "female", "other")],
    "identifier": [
        ("imoNumber", "IMO 8660313"),
        ("imoNumber", "IMO8660313"),
        ("passportNumber", "AB 123456"),
        ("idNumber", "ab123456"),
        ("email", "Hongsiao@Naver.com"),
        ("website", "https://www.onerearth.xyz/"),
        ("phone", "+86 133-1425-7947"),
        ("innCode", "7706107510"),
    ],
}
"""Values of each feature, read as the query and the index read them, whose every pair of
subsets (up to two values a side) the bound test compares."""


def _subsets(values: list[str]) -> list[list[str]]:
    """Every subset of at most two values, the empty one included."""
    out: list[list[str]] = [[]]
    out += [[v] for v in values]
    out += [[a, b] for i, a in enumerate(values) for b in values[i + 1 :]]
    return out


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.name)
def test_no_comparison_exceeds_its_bound(feature: Feature) -> None:
    values = VALUES[feature.name]
    listed_read = [r for p, v in values if (r := feature.read_listed(p, v)) is not None]
    query_read = [r for p, v in values if (r := feature.read_query(p, v)) is not None]
    best = max(
        feature.compare(q, frozenset(c))[0]
        for q, c in product(_subsets(query_read), _subsets(listed_read))
    )
    assert best <= feature.bonus
    assert best == feature.bonus  # and the bound is the score some pair reaches


def test_every_feature_is_documented_and_placed() -> None:
    assert [f.slot for f in FEATURES] == list(range(len(FEATURES)))
    assert sorted(f.slot for f in (*ADDED, *FLOORS)) == [f.slot for f in FEATURES]
    assert all(f.doc for f in FEATURES)
    assert len(listed_readers()) == len(listed_properties())  # no property read twice


def test_query_and_index_read_the_same_properties() -> None:
    """The innCode/jurisdiction drift: a property a query is read for is read on the
    listed side too, else a query giving it could never meet."""
    for f in FEATURES:
        assert set(f.query) <= set(f.listed), f.name


def test_bound_reads_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    query = parse_query({"schema": "Person", "properties": {"name": ["x"], "birthDate": ["1970"]}})
    assert features_bonus_max(query) == config.DOB_EXACT_BONUS
    monkeypatch.setattr(BIRTH_DATE, "bonus", 0.5)
    assert features_bonus_max(query) == 0.5


def test_query_parser_reads_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"schema": "Person", "properties": {"name": ["x"], "birthCountry": ["Iran"]}}
    assert parse_query(data).facts[COUNTRY.slot] == []
    monkeypatch.setattr(COUNTRY, "query", (*COUNTRY.query, "birthCountry"))
    assert parse_query(data).facts[COUNTRY.slot] == ["ir"]
    monkeypatch.setattr(NAMES, "query", ("alias",))
    assert parse_query({"properties": {"name": ["x"], "alias": ["Kim"]}}).names == ["Kim"]


def test_index_reads_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    record = {"id": "p", "schema": "Person", "properties": {"name": ["X"], "birthCountry": ["ir"]}}
    assert from_records([record]).entries[0].facts[COUNTRY.slot] == frozenset()
    monkeypatch.setattr(COUNTRY, "listed", (*COUNTRY.listed, "birthCountry"))
    assert "birthCountry" in listed_properties()
    assert from_records([record]).entries[0].facts[COUNTRY.slot] == {"ir"}
    assert NAME_PROPS is NAMES.listed


def test_score_and_explanation_read_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    index = from_records(
        [{"id": "p", "schema": "Person", "properties": {"name": ["Kim"], "gender": ["male"]}}]
    )
    entry = index.entries[0]
    query = parse_query({"schema": "Person", "properties": {"name": ["Kim"], "gender": ["f"]}})
    scored = score_sanctum(query, entry, index)
    assert scored.explanation["features"]["gender"] == -config.GENDER_CONFLICT_PENALTY
    assert scored.explanation["notes"] == ["different gender"]
    monkeypatch.setattr(GENDER, "name", "sex")
    scored = score_sanctum(query, entry, index)
    assert "sex" in scored.explanation["features"]
    assert score_bound(query, entry, 0.5) == 0.5 - config.GENDER_CONFLICT_PENALTY


def test_identifier_floor() -> None:
    vessel = {"name": ["A"], "imoNumber": ["IMO8660313"]}
    index = from_records([{"id": "v", "schema": "Vessel", "properties": vessel}])
    query = parse_query({"schema": "Vessel", "properties": {"imoNumber": ["imo 866 0313"]}})
    scored = score_sanctum(query, index.entries[0], index)
    assert scored.score == config.IDENTIFIER_MATCH_SCORE
    assert scored.explanation["notes"] == [
        "identifier imo 866 0313 listed: an exact identifier meeting is strong evidence"
    ]
    assert scored.explanation["identifier"] == "identifier imo 866 0313"
    assert IDENTIFIER in FLOORS
