"""Queries: FtM-shaped dicts (`{"schema", "properties"}`) read into what the matcher needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctum.errors import SanctumError
from sanctum.feature_table import ADDED, FEATURES, NAMES, Feature
from sanctum.names.normalize import MAX_NAME_CHARS, clean, japanese_readings, name_variants
from sanctum.schemata import MATCHABLE


class QueryError(SanctumError):
    """A query that cannot be screened; names the field at fault."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        super().__init__(f"{field_name}: {reason}")


def _no_facts() -> tuple[list[str], ...]:
    """One empty list of values per feature of the table."""
    return tuple([] for _ in FEATURES)


@dataclass
class Query:
    """What a screening compares: names, and the facts that confirm or refute a name hit."""

    schema: str = "Thing"
    names: list[str] = field(default_factory=list)
    facts: tuple[list[str], ...] = field(default_factory=_no_facts)
    """Per feature of `feature_table.FEATURES` (by its `slot`), the values read."""
    added: tuple[Feature, ...] = ()
    """The features added to the name score for which the query gives values: a query of
    names only (the common case) skips them all."""


def _values(props: dict[str, Any], key: str) -> list[str]:
    value = props.get(key)
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        value = [value]
    if not isinstance(value, list):
        raise QueryError(f"properties.{key}", "must be a list of strings")
    out = []
    for v in value:
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise QueryError(f"properties.{key}", "must be a list of strings")
        if str(v).strip():
            out.append(str(v))
    return out


def check_schema(schema: str) -> str:
    """The schema name if it is one the matcher screens, else a QueryError."""
    if schema in MATCHABLE:
        return schema
    from followthemoney import model  # only to tell an unknown schema from another one

    if model.get(schema) is None:
        raise QueryError("schema", f"unknown schema {schema!r}; use one of {', '.join(MATCHABLE)}")
    raise QueryError("schema", f"{schema!r} cannot be screened; use one of {', '.join(MATCHABLE)}")


def parse_query(data: dict[str, Any] | Query) -> Query:
    """Read an FtM-shaped query, with clear errors naming the field at fault."""
    if isinstance(data, Query):
        return data
    if not isinstance(data, dict):
        raise QueryError("query", "must be an object with 'schema' and 'properties'")
    schema = check_schema(str(data.get("schema") or "Thing"))
    props = data.get("properties", {})
    if not isinstance(props, dict):
        raise QueryError("properties", "must be an object of property → list of values")
    names = [n for key in NAMES.query for n in _values(props, key)]
    parts = [" ".join(_values(props, p)) for p in NAMES.parts]
    if not names and any(parts):
        names = [" ".join(p for p in parts if p)]
    for n in names:
        if len(n) > MAX_NAME_CHARS * 20:
            raise QueryError(
                "properties.name", f"name longer than {MAX_NAME_CHARS * 20} characters"
            )
    names = [c for c in [clean(n) for n in names] if c]
    names += [v for n in names for v in name_variants(n, schema) if v not in names]
    names += [r for n in names for r in japanese_readings(n, kanji=True) if r not in names]
    facts = tuple(_facts(props, f) for f in FEATURES)
    if not names and not any(facts[f.slot] for f in FEATURES if f.floor):
        raise QueryError("properties.name", "a query needs at least one name or identifier")
    return Query(schema, names, facts, tuple(f for f in ADDED if facts[f.slot]))


def _facts(props: dict[str, Any], feature: Feature) -> list[str]:
    """The values of a feature's query properties, read as it reads them (`read_query`,
    which drops what it cannot compare and refuses what cannot be meant: an error naming
    the property)."""
    out = []
    for key in feature.query:
        for value in _values(props, key):
            try:
                read = feature.read_query(key, value)
            except ValueError as exc:
                raise QueryError(f"properties.{key}", str(exc)) from exc
            if read is not None:
                out.append(read)
    return out
