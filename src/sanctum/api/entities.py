"""`/entities/{id}` in yente's `EntityResponse` shape: the entity's own properties with the
entities around it nested in (its sanctions, identifications, addresses, wallets,
ownerships, family and other links, under the property that points back at it), its
datasets, referents and first/last seen, plus Sanctum's own view (source, status,
designations, cross-list links).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sanctum import catalog, freshness
from sanctum.api import datasets, yente
from sanctum.api.deps import ApiState
from sanctum.store.db import EntityContext, EntityRecord, Store

if TYPE_CHECKING:
    from followthemoney import EntityProxy


def load_ftm() -> None:
    """Import FtM and read its model now, at start-up: the first answer that needed it
    imported them on the event loop, stalling every client for 0.7-3 s."""
    from followthemoney import model

    model.get("Person")


def ftm_caption(schema: str, properties: dict[str, list[str]], fallback: str) -> str:
    """The caption FtM computes from an entity's own properties."""
    from followthemoney import model

    data = {"id": "caption", "schema": schema, "properties": properties}
    try:
        return str(model.get_proxy(data, cleaned=True).caption) or fallback
    except Exception:
        return fallback


def own_values(props: dict[str, list[Any]]) -> dict[str, list[str]]:
    """The properties whose values are the entity's own (not nested entities)."""
    return {k: v for k, v in props.items() if all(isinstance(x, str) for x in v)}


def yente_fields(
    entity_id: str,
    schema: str,
    source: str,
    props: dict[str, list[Any]],
    caption: str,
    record: EntityRecord | None,
    context: EntityContext | None,
    change: str | None,
) -> dict[str, Any]:
    """The fields of yente's `EntityResponse` for a listed party: the caption FtM computes
    (`caption` when it computes none), its datasets, referents, target flag, first and
    last seen (version dates) and last change."""
    return {
        "id": entity_id,
        "caption": ftm_caption(
            schema, {k: v for k, v in props.items() if k != "sanctions"}, caption
        ),
        "schema": schema,
        "properties": props,
        "datasets": datasets.entity_datasets(source, context),
        "referents": list(context.referents) if context else [],
        "target": context.target if context and context.target is not None else True,
        "first_seen": yente.moment(record.first_seen if record else None),
        "last_seen": yente.moment(record.last_seen if record else None),
        "last_change": yente.moment(change),
    }


def adjacent(entity: EntityProxy, skip: str) -> dict[str, Any]:
    """An adjacent entity as yente nests it: its properties, without the value pointing
    back at the entity it hangs from (the client adds it back)."""
    from followthemoney.types import registry

    props: dict[str, list[Any]] = {}
    for prop in entity.iterprops():
        values = [v for v in entity.get(prop) if not (prop.type == registry.entity and v == skip)]
        if values:
            props[prop.name] = sorted(values)
    return {
        "id": entity.id,
        "caption": str(entity.caption),
        "schema": entity.schema.name,
        "properties": props,
        "datasets": [],
        "referents": [],
        "target": False,
        "first_seen": None,
        "last_seen": None,
        "last_change": None,
    }


def nested_properties(
    entity_id: str, own: dict[str, list[str]], around: list[EntityProxy]
) -> dict[str, list[Any]]:
    """The entity's properties with every adjacent entity nested under the reverse of the
    property by which it points at the entity (a Sanction under `sanctions`)."""
    props: dict[str, list[Any]] = {k: list(v) for k, v in own.items()}
    seen: set[str] = set()
    for other in around:
        if other.id in seen or other.id == entity_id:
            continue
        seen.add(str(other.id))
        for prop in other.iterprops():
            if prop.reverse is None or entity_id not in other.get(prop):
                continue
            props.setdefault(prop.reverse.name, []).append(adjacent(other, entity_id))
    return props


def entity_response(store: Store, entity_id: str, nested: bool) -> dict[str, Any]:
    """The entity (raises SanctumError when there is none) in yente's shape with
    Sanctum's view beside it."""
    view = catalog.entity_view(store, entity_id)
    own: dict[str, list[str]] = view["properties"]
    context = store.entity_contexts([entity_id]).get(entity_id)
    around = store.derived_of(entity_id) + store.referencing(entity_id) if nested else []
    change = catalog.last_changes(store, [entity_id]).get(entity_id)
    own_record = EntityRecord(
        entity_id, view["source"], view["schema"], own, view["first_seen"], view["last_seen"]
    )
    tree = nested_properties(entity_id, own, around)
    fields = yente_fields(
        entity_id, view["schema"], view["source"], own, entity_id, own_record, context, change
    )
    return {
        **fields,
        "properties": tree,
        **{k: v for k, v in view.items() if k not in YENTE_FIELDS},
    }


YENTE_FIELDS = ("id", "schema", "properties", "first_seen", "last_seen")
"""Members of Sanctum's entity view that the yente fields above replace."""


def catalog_view(state: ApiState) -> dict[str, Any]:
    """`/catalog`: yente's datasets, current and outdated lists, and Sanctum's sources."""
    summary = catalog.sources_summary(state.store)
    fresh = {s["source"]: s for s in freshness.states(state.store)}
    for item in summary:
        item["freshness"] = fresh.get(item["source"])
    versions = dict(state.screener().index.versions) if summary else {}
    found = datasets.catalog_datasets(summary, versions)
    current = [d["name"] for d in found if d["index_current"]]
    outdated = [d["name"] for d in found if not d["index_current"]]
    return {
        "datasets": found,
        "current": current,
        "outdated": outdated,
        "index_stale": bool(outdated),
        "sources": summary,
    }
