"""Queries: FtM-shaped dicts (`{"schema", "properties"}`) read into what the matcher needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctum.errors import SanctumError
from sanctum.names.identifiers import CONTACT_PROPS, identifier_key, identifier_label
from sanctum.names.normalize import MAX_NAME_CHARS, clean, name_variants
from sanctum.sources.dates import parse_date

MATCHABLE = ("Thing", "LegalEntity", "Person", "Organization", "Company", "Vessel", "Airplane")


class QueryError(SanctumError):
    """A query that cannot be screened; names the field at fault."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field = field_name
        self.reason = reason
        super().__init__(f"{field_name}: {reason}")


@dataclass
class Query:
    """What a screening compares: names, and the facts that confirm or refute a name hit."""

    schema: str = "Thing"
    names: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    gender: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    """(lookup key, how the explanation names it) of each identifier given: document
    numbers, e-mail addresses, websites, phone numbers (`names.identifiers`)."""


IDENTIFIER_PROPS = (
    "passportNumber",
    "idNumber",
    "imoNumber",
    "registrationNumber",
    "taxNumber",
    "innCode",
    "mmsi",
    *CONTACT_PROPS,
)
"""Query properties read as identifiers: an exact meeting is strong evidence on its own."""


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


def _identifiers(props: dict[str, Any], key: str) -> list[tuple[str, str]]:
    """(lookup key, label) of each value of an identifier property; a contact (e-mail,
    website, phone) that cannot be read is an error naming the field, a document number
    too short to compare is left out."""
    out = []
    for value in _values(props, key):
        norm = identifier_key(key, value)
        if norm:
            out.append((norm, identifier_label(key, value)))
        elif key in CONTACT_PROPS:
            raise QueryError(f"properties.{key}", f"cannot read {CONTACT_PROPS[key]} {value!r}")
    return out


def check_schema(schema: str) -> str:
    """The schema name if it is one the matcher screens, else a QueryError."""
    if schema in MATCHABLE:
        return schema
    from followthemoney import model  # only to tell an unknown schema from another one

    if model.get(schema) is None:
        raise QueryError("schema", f"unknown schema {schema!r}; use one of {', '.join(MATCHABLE)}")
    if schema not in MATCHABLE:
        raise QueryError(
            "schema", f"{schema!r} cannot be screened; use one of {', '.join(MATCHABLE)}"
        )
    return schema


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
    names = _values(props, "name") + _values(props, "alias") + _values(props, "weakAlias")
    parts = [
        " ".join(_values(props, p))
        for p in ("firstName", "secondName", "middleName", "fatherName", "lastName")
    ]
    if not names and any(parts):
        names = [" ".join(p for p in parts if p)]
    for n in names:
        if len(n) > MAX_NAME_CHARS * 20:
            raise QueryError(
                "properties.name", f"name longer than {MAX_NAME_CHARS * 20} characters"
            )
    names = [c for c in [clean(n) for n in names] if c]
    names += [v for n in names for v in name_variants(n) if v not in names]
    dates = []
    for d in _values(props, "birthDate"):
        iso = parse_date(d)
        if iso is None:
            raise QueryError("properties.birthDate", f"cannot read date {d!r} (use YYYY-MM-DD)")
        dates.append(iso)
    countries = []
    for key in ("nationality", "citizenship", "country", "jurisdiction"):
        for c in _values(props, key):
            # imported here: FollowTheMoney's territory tables load with the first country
            from sanctum.sources.base import country_code

            if code := country_code(c):
                countries.append(code)
    identifiers = [i for key in IDENTIFIER_PROPS for i in _identifiers(props, key)]
    gender = [g.lower() for g in _values(props, "gender")]
    if not names and not identifiers:
        raise QueryError("properties.name", "a query needs at least one name or identifier")
    return Query(schema, names, dates, countries, gender, identifiers)
