"""Shared vocabulary of all parsers: records, parse results, entity and id helpers.

A parser turns the files of one list version into :class:`ParseResult`. Every listed
party (one per list entry) is a :class:`Record`: the party entity plus the entities
derived from that entry (sanctions, wallets, identifications, links).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import EntityProxy, model, registry


@dataclass
class Record:
    """One list entry: the listed party and what its entry states about it."""

    party: EntityProxy
    derived: list[EntityProxy] = field(default_factory=list)

    def entities(self) -> Iterable[EntityProxy]:
        """The party first, then derived entities."""
        yield self.party
        yield from self.derived


@dataclass(frozen=True)
class Issue:
    """Something a parser noticed and kept, but a user should know (e.g. truncated remarks)."""

    file: str
    row: int | str | None
    kind: str
    message: str
    entity_id: str | None = None


@dataclass
class ParseResult:
    """Everything one list version yields."""

    records: list[Record]
    published: date | None = None
    issues: list[Issue] = field(default_factory=list)

    def entities(self) -> Iterable[EntityProxy]:
        """All entities of all records."""
        for rec in self.records:
            yield from rec.entities()


CANONICAL_TYPES = frozenset({"date", "country"})
"""Property types whose values parsers write already canonical (ISO dates, country codes)."""


@functools.cache
def canonical_props(schema: str) -> frozenset[str]:
    """Properties of a schema whose values parsers write in canonical form (ISO dates,
    country codes), so FtM need not clean them again."""
    props = model.schemata[schema].properties.items()
    return frozenset(name for name, prop in props if prop.type.name in CANONICAL_TYPES)


def unique(values: Iterable[str]) -> list[str]:
    """Non-empty values without repeats, first occurrence order."""
    return list(dict.fromkeys(v for v in values if v))


def gather(
    props: dict[str, list[str]],
    party: EntityProxy,
    prop: str,
    values: Iterable[str | None],
    note: Callable[[str, str], None],
) -> None:
    """Collect values for `party`'s property; values its schema cannot hold go to notes,
    with an `unplaced` issue, so nothing a list states is dropped."""
    kept = [v for v in values if v]
    if not kept:
        return
    if prop not in party.schema.properties:
        text = f"{prop}: {'; '.join(kept)}"
        note("unplaced", f"{party.schema.name} has no {text}")
        prop, kept = "notes", [text]
    props.setdefault(prop, []).extend(kept)


def make_entity(schema: str, entity_id: str) -> EntityProxy:
    """A new FtM entity with the given id (ids are stable, see design.md)."""
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    return proxy


def slug(text: str) -> str:
    """A short, id-safe form of a value (used in derived ids)."""
    return re.sub(r"[^0-9A-Za-z.]+", "-", text).strip("-")


def derived_id(parent_id: str, kind: str, *parts: object) -> str:
    """A stable id for an entity derived from a party's entry, e.g. its sanction."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]
    return f"{parent_id}-{kind}-{digest}"


def wallet_id(holder_id: str, currency: str, address: str) -> str:
    """The stable wallet id `<holder id>-wallet-<currency>-<address>` (design.md)."""
    return f"{holder_id}-wallet-{currency.lower()}-{address}"


@functools.lru_cache(maxsize=1 << 16)
def clean_value(type_name: str, fmt: str | None, value: str) -> str | None:
    """FtM's cleaning of one text value of a property type, exactly as `EntityProxy.add`
    does it, cached: lists repeat their dates, countries and reasons thousands of times.
    Not for entity references, whose check depends on the entity they are added to."""
    cleaned = registry.get(type_name).clean(value, format=fmt)
    return None if cleaned is None else str(cleaned)


def add_cleaned(entity: EntityProxy, prop_name: str, value: str | None) -> None:
    """`entity.add(prop_name, value)` through the cached cleaner (same result, less work)."""
    if not value:
        return
    prop = entity.schema.properties[prop_name]
    if type(value) is not str or prop.type.name == "entity":
        entity.add(prop, value)
        return
    cleaned = clean_value(prop.type.name, prop.format, value)
    if cleaned is not None:
        entity.unsafe_add(prop, cleaned, cleaned=True)


def add_clean(entity: EntityProxy, prop_name: str, values: Iterable[str | None]) -> None:
    """Add values that are already clean (ids, codes, registry URLs): FtM's per-value
    validation is skipped, as `entity.add(..., cleaned=True)` does; empty values are not
    added."""
    prop = entity.schema.properties[prop_name]
    for value in values:
        if value:
            entity.unsafe_add(prop, value, cleaned=True)


def make_sanction(
    party: EntityProxy,
    authority: str,
    *,
    program: Iterable[str] = (),
    listing_date: str | None = None,
    reason: str | None = None,
    source_url: str | None = None,
    unsc_id: str | None = None,
    authority_id: str | None = None,
    country: str | None = None,
    extra: Iterable[object] = (),
) -> EntityProxy:
    """A Sanction entity for one designation of `party`."""
    programs = sorted({p for p in program if p})
    assert party.id is not None
    sanction = make_entity(
        "Sanction", derived_id(party.id, "sanction", authority, *programs, *extra)
    )
    # Values here are already clean (ids, codes, ISO dates, registry URLs): adding them
    # as cleaned skips FtM's per-value validation, which dominates load time otherwise.
    add_clean(sanction, "entity", [party.id])
    add_clean(sanction, "authority", [authority])
    add_clean(sanction, "program", programs)
    add_cleaned(sanction, "listingDate", listing_date)
    add_cleaned(sanction, "startDate", listing_date)
    add_cleaned(sanction, "reason", reason)
    add_clean(sanction, "sourceUrl", [source_url])
    add_clean(sanction, "unscId", [unsc_id])
    add_clean(sanction, "authorityId", [authority_id])
    add_cleaned(sanction, "country", country)
    add_clean(party, "topics", ["sanction"])
    return sanction


def make_link(
    subject_id: str, object_id: str, role: str, *, schema: str = "UnknownLink"
) -> EntityProxy:
    """A relation stated by a list entry (OFAC `Linked To:`, UN associations, owners)."""
    link = make_entity(schema, derived_id(subject_id, "link", object_id, role))
    if schema == "Ownership":
        link.add("owner", subject_id)
        link.add("asset", object_id)
    else:
        link.add("subject", subject_id)
        link.add("object", object_id)
    link.add("role", role)
    return link


def read_bytes(path: Path) -> bytes:
    """Read a file, turning OS errors into a ParseError that names it."""
    from sanctum.errors import ParseError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(str(path), f"cannot read file: {exc.strerror}") from exc
    if not data.strip():
        raise ParseError(str(path), "file is empty")
    return data


@dataclass
class ParseContext:
    """What a parser may know besides its files: the source id and the previous version.

    Only delta formats (FtM `ADD`/`MOD`/`DEL`) need the previous version's entities.
    """

    source_id: str
    previous: list[EntityProxy] = field(default_factory=list)
