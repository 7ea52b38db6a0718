"""FollowTheMoney JSON lines: full exports and `ADD`/`MOD`/`DEL` deltas (OpenSanctions).

A full export has one entity per line, `{"id", "schema", "properties": {prop: [values]}}`
(other keys such as `datasets` or `referents` are kept as the entity's context). A delta
file has one operation per line, `{"op": "ADD" | "MOD" | "DEL", "entity": {...}}`,
applied in order on top of the previous version (:attr:`ParseContext.previous`): ADD
and MOD put the entity (replacing one of the same id), DEL removes the id. A version
whose files are all deltas starts from the previous version; otherwise from nothing.

Ids are kept as given. Values are cleaned by FtM; values it cannot read, and
properties the schema does not have, are reported as Issues. Entities are grouped into
records: listed parties (Person, Organization, Company, LegalEntity, Vessel, Airplane
and their sub-schemata) are records; every other entity (Sanction, Identification,
Address, Ownership …) is derived from the first party it references (`entity`,
`holder`, `owner` …) or, failing that, the first party that references it
(`addressEntity`). An entity tied to no party is reported and not stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy, model, registry
from followthemoney.exc import InvalidData

from sanctum.errors import ParseError
from sanctum.schemata import PARTY_SCHEMATA
from sanctum.sources.base import (
    Issue,
    ParseContext,
    ParseResult,
    Record,
    read_bytes,
)
from sanctum.sources.readers import decode_utf8
from sanctum.values import parse_date

OPS = ("ADD", "MOD", "DEL")
PREVIOUS = "(previous version)"
"""Where an entity came from when a delta left it unchanged (for Issues)."""
EXPECTED = 'FtM JSON lines: {"id", "schema", "properties"} or {"op", "entity"} per line'


@dataclass(frozen=True)
class Line:
    """One line of a file: an entity to put, or an id to delete."""

    number: int
    op: str
    entity: EntityProxy | None
    entity_id: str
    seen: str | None = None
    """The export's `last_seen` stamp of the line, where the file carries one."""


def parse(paths: Sequence[Path], context: ParseContext) -> ParseResult:
    """Parse the files of one version (a full export, or deltas on the previous one)."""
    if not paths:
        raise ParseError("none", "no FtM file given")
    issues: list[Issue] = []
    files = [(Path(p), list(read_lines(Path(p), issues))) for p in paths]
    deltas_only = all(any(ln.op in OPS for ln in lines) for _, lines in files)
    state: dict[str, EntityProxy] = {}
    origins: dict[str, tuple[str, int | None]] = {}
    if deltas_only:
        state = {e.id: e for e in context.previous if e.id is not None}
        origins = {eid: (PREVIOUS, None) for eid in state}
    for path, lines in files:
        apply(state, origins, lines, str(path), issues)
    records = group(state, origins, issues)
    return ParseResult(records=records, published=export_date(files), issues=issues)


def export_date(files: Sequence[tuple[Path, list[Line]]]) -> date | None:
    """Date of a full export: the newest `last_seen` stamp its entities carry (deltas: None,
    their version id names the date)."""
    stamps = [ln.seen for _, lines in files for ln in lines if ln.seen and ln.op == "PUT"]
    iso = parse_date(max(stamps)[:10]) if stamps else None
    return date.fromisoformat(iso) if iso and len(iso) == 10 else None


def read_lines(path: Path, issues: list[Issue]) -> Iterator[Line]:
    """The lines of one file; a file is all plain entities or all delta operations."""
    utf16 = "file is UTF-16 or binary, expected UTF-8 JSON lines"
    text = decode_utf8(read_bytes(path), path, utf16=utf16)
    kind: str | None = None
    for number, raw in enumerate(text.split("\n"), start=1):  # not splitlines(): U+2028
        if not raw.strip():
            continue
        line = _line(path, number, raw, issues)
        line_kind = "delta" if line.op in OPS else "plain"
        if kind is not None and line_kind != kind:
            raise ParseError(
                str(path), f"{line_kind} line in a file of {kind} lines; {EXPECTED}", row=number
            )
        kind = line_kind
        yield line


def _line(path: Path, number: int, raw: str, issues: list[Issue]) -> Line:
    """Read one JSON line: a plain entity (op PUT) or a delta operation."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ParseError(str(path), f"invalid JSON ({exc.msg}); {EXPECTED}", row=number) from exc
    if not isinstance(obj, dict):
        raise ParseError(str(path), f"line is not a JSON object; {EXPECTED}", row=number)
    if "op" not in obj:
        entity = entity_from(path, number, obj, issues)
        assert entity.id is not None
        seen = obj.get("last_seen")
        return Line(number, "PUT", entity, entity.id, seen if isinstance(seen, str) else None)
    op, data = obj.get("op"), obj.get("entity")
    if op not in OPS:
        raise ParseError(str(path), f"unknown op, expected one of {OPS}", row=number)
    if not isinstance(data, dict):
        raise ParseError(str(path), f"{op} line has no entity object", row=number)
    if op == "DEL":
        entity_id = data.get("id")
        if not isinstance(entity_id, str) or not entity_id:
            raise ParseError(str(path), "DEL line has no entity id", row=number)
        return Line(number, op, None, entity_id)
    entity = entity_from(path, number, data, issues)
    assert entity.id is not None
    return Line(number, op, entity, entity.id)


def entity_from(path: Path, number: int, data: dict[str, Any], issues: list[Issue]) -> EntityProxy:
    """An FtM entity from its JSON form, cleaned; dropped values become Issues."""
    schema = model.get(data.get("schema") or "")
    if schema is None:
        raise ParseError(str(path), "unknown FtM schema", row=number)
    if not isinstance(data.get("id"), str) or not data["id"].strip():
        raise ParseError(str(path), "entity has no id", row=number)
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        raise ParseError(str(path), "entity properties are not a JSON object", row=number)
    try:
        entity = model.get_proxy(data, cleaned=False)
    except (InvalidData, TypeError, ValueError) as exc:
        raise ParseError(str(path), f"invalid entity ({type(exc).__name__})", row=number) from exc
    for name, values in properties.items():
        for message in _dropped(entity, name, values):
            issues.append(Issue(str(path), number, "dropped-value", message, entity.id))
    return entity


def _dropped(entity: EntityProxy, name: str, values: object) -> Iterator[str]:
    """What FtM did not keep of one property: an unknown property, or unreadable values."""
    prop = entity.schema.get(name)
    if prop is None:
        yield f"{entity.schema.name} has no property {name!r}; its values are not stored"
        return
    for value in values if isinstance(values, list) else [values]:
        if value is None or str(value).strip() == "":
            continue
        if prop.type.clean(str(value), format=prop.format, proxy=entity) is None:
            yield f"{name} value {value!r} is not a valid {prop.type.name}; not stored"


def apply(
    state: dict[str, EntityProxy],
    origins: dict[str, tuple[str, int | None]],
    lines: Iterable[Line],
    file: str,
    issues: list[Issue],
) -> None:
    """Apply the lines of one file to the entities of the version, in order."""
    for line in lines:
        known = line.entity_id in state
        if line.op == "DEL":
            if not known:
                message = "DEL of an id not in the previous version"
                issues.append(Issue(file, line.number, "delete-unknown", message, line.entity_id))
            state.pop(line.entity_id, None)
            origins.pop(line.entity_id, None)
            continue
        if line.op == "MOD" and not known:
            message = "MOD of an id not in the previous version; added"
            issues.append(Issue(file, line.number, "modify-unknown", message, line.entity_id))
        assert line.entity is not None
        state[line.entity_id] = line.entity
        origins[line.entity_id] = (file, line.number)


def is_party(entity: EntityProxy) -> bool:
    """True for listed parties: persons, organisations, legal entities, vessels, aircraft."""
    return entity.schema.name in PARTY_SCHEMATA or bool(entity.schema.is_a("LegalEntity"))


def references(entity: EntityProxy) -> list[str]:
    """Ids the entity points to, in property order (`entity`, `holder`, `addressEntity` …)."""
    return [value for prop, value in entity.itervalues() if prop.type == registry.entity]


def group(
    state: dict[str, EntityProxy],
    origins: dict[str, tuple[str, int | None]],
    issues: list[Issue],
) -> list[Record]:
    """Records of the parties, each with the entities derived from it (module docs)."""
    records = {eid: Record(e) for eid, e in state.items() if is_party(e)}
    referrers: dict[str, list[str]] = {}
    for eid, entity in state.items():
        for target in references(entity):
            referrers.setdefault(target, []).append(eid)
            if target not in state:
                message = f"refers to {target}, which is not in this version"
                issues.append(Issue(*origins[eid], "dangling-reference", message, eid))
    for eid, entity in state.items():
        if eid in records:
            continue
        owner = next((t for t in references(entity) if t in records), None)
        if owner is None:
            owner = next((r for r in referrers.get(eid, []) if r in records), None)
        if owner is None:
            message = f"{entity.schema.name} tied to no listed party; not stored"
            issues.append(Issue(*origins[eid], "orphan-entity", message, eid))
            continue
        records[owner].derived.append(entity)
    return list(records.values())
