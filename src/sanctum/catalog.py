"""Read models over the store shared by the CLI and the API: sources, entities, diffs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sanctum.errors import SanctumError
from sanctum.sources import registry
from sanctum.store.db import OPEN, Store

if TYPE_CHECKING:
    from followthemoney import EntityProxy


def sources_summary(store: Store) -> list[dict[str, Any]]:
    """Per source: the version in force, its files and hashes, entity counts, and its
    freshness (`sanctum.freshness`: publication date, last confirmation, their ages and
    limits, `state`; `age_days` counts days since the confirmation, as everywhere)."""
    from sanctum.freshness import source_state

    out: list[dict[str, Any]] = []
    for source in store.source_ids():
        latest = store.latest(source)
        if latest is None:
            continue
        spec = registry.get(source)
        fresh = source_state(store, source)
        out.append(
            {
                "source": source,
                "title": spec.title,
                "authority": spec.authority,
                "version": latest.version_date,
                "label": latest.label,
                "published": fresh["published"],
                "loaded_at": latest.loaded_at,
                "versions": len(store.versions(source)),
                "confirmed_at": fresh["confirmed_at"],
                "age_days": int(fresh["confirmed_age_days"]),
                "confirmed_age_days": fresh["confirmed_age_days"],
                "max_age_days": fresh["max_age_days"],
                "published_age_days": fresh["published_age_days"],
                "warn_age_days": fresh["warn_age_days"],
                "state": fresh["state"],
                **latest.counts,
                "files": [
                    {"name": f["name"], "sha256": f["sha256"], "size": f["size"]}
                    for f in store.version_files(latest.seq)
                ],
                "last_attempt": store.last_attempt(source),
            }
        )
    return out


def _props(entity: EntityProxy) -> dict[str, list[str]]:
    return {k: sorted(v) for k, v in sorted(entity.properties.items())}


def entity_view(store: Store, entity_id: str) -> dict[str, Any]:
    """An entity as it stands: properties, designations, links, first and last seen."""
    history = store.entity_history(entity_id)
    if not history:
        raise SanctumError(f"no entity with id {entity_id!r}")
    current = [h for h in history if h["current"]]
    rows = current or [h for h in history if h["last_seq"] == max(x["last_seq"] for x in history)]
    source = rows[0]["source"]
    props: dict[str, list[str]] = {}
    for h in rows:
        props.setdefault(h["prop"], []).append(h["value"])
    derived = store.derived_of(entity_id, current_only=bool(current))
    sanctions = [_props(e) | {"id": [str(e.id)]} for e in derived if e.schema.name == "Sanction"]
    wallets = [_props(e) | {"id": [str(e.id)]} for e in derived if e.schema.name == "CryptoWallet"]
    edges = {e.id: e for e in derived + store.referencing(entity_id) if e.schema.edge}
    relations = _relations(store, entity_id, list(edges.values()))
    identifications = [
        _props(e) for e in derived if e.schema.name in ("Passport", "Identification")
    ]
    links = store.links_of(entity_id)
    designated_by: list[dict[str, Any]] = [
        {
            "entity_id": entity_id,
            "authority": s.get("authority", [""])[0],
            "program": s.get("program", []),
            "date": next(iter(s.get("listingDate") or s.get("startDate") or []), None),
        }
        for s in sanctions
    ]
    for link in links:
        for other in store.derived_of(link["id"]):
            if other.schema.name == "Sanction":
                designated_by.append(
                    {
                        "entity_id": link["id"],
                        "authority": other.first("authority") or "",
                        "program": sorted(other.get("program")),
                        "date": other.first("listingDate") or other.first("startDate"),
                    }
                )
    return {
        "id": entity_id,
        "schema": rows[0]["schema"],
        "source": source,
        "status": "current" if current else "removed",
        "first_seen": min(h["first_seen"] for h in history),
        "last_seen": max(h["last_seen"] for h in history),
        "properties": {k: sorted(set(v)) for k, v in sorted(props.items())},
        "country_names": country_names(rows[0]["schema"], props),
        "sanctions": sanctions,
        "designated_by": designated_by,
        "identifications": identifications,
        "wallets": wallets,
        "relations": relations,
        "cross_list_links": links,
        "history": [
            {k: v for k, v in item.items() if k != "seq"} for item in store.party_changes(entity_id)
        ],
    }


def country_names(schema: str, props: dict[str, list[str]]) -> dict[str, str]:
    """The name a person reads for each country code among an entity's country-typed
    properties (`kp` → North Korea)."""
    from followthemoney import model
    from followthemoney.types import registry as types

    found = model.get(schema)
    out: dict[str, str] = {}
    for prop, values in props.items():
        spec = found.get(prop) if found is not None else None
        if spec is not None and spec.type == types.country:
            for code in values:
                name = types.country.caption(code)
                if name and name != code:
                    out[code] = name
    return dict(sorted(out.items()))


def _relations(store: Store, entity_id: str, edges: list[EntityProxy]) -> list[dict[str, Any]]:
    """Each relation's properties, plus its counterparts: the entities at its ends other
    than this one, each with its id, caption, schema and the end it stands at (`object`)."""

    def ends(edge: EntityProxy) -> list[tuple[str, str]]:
        props = (edge.schema.edge_source, edge.schema.edge_target)
        return [(p, v) for p in props if p for v in edge.get(p, quiet=True) if v != entity_id]

    names = store.current_captions(v for e in edges for _, v in ends(e))
    out = []
    for e in edges:
        counterparts = [
            {"id": v, "caption": names.get(v, ("", ""))[0], "schema": names.get(v, ("", ""))[1]}
            | {"side": p}
            for p, v in ends(e)
        ]
        out.append({"id": e.id, "schema": e.schema.name, **_props(e), "counterparts": counterparts})
    return out


def diff_view(store: Store, source: str, day_from: str, day_to: str) -> dict[str, Any]:
    """What changed in a source between the versions in force on two days."""
    a = store.version_at(source, day_from)
    b = store.version_at(source, day_to)
    if not store.versions(source):
        raise SanctumError(
            f"no versions of {source!r} loaded; loaded sources: "
            f"{', '.join(store.source_ids()) or 'none'}"
        )
    if a is None:
        raise SanctumError(f"{source}: no version in force on {day_from}")
    if b is None:
        raise SanctumError(f"{source}: no version in force on {day_to}")
    result = store.diff(source, a.seq, b.seq)
    captions = store.captions_at(source, a.seq, result["removed"])
    captions |= store.captions_at(
        source, b.seq, [*result["added"], *(c["id"] for c in result["changed"])]
    )
    for change in result["changed"]:
        change["caption"] = captions.get(change["id"], "")
    return {
        "source": source,
        "from": a.as_dict(),
        "to": b.as_dict(),
        **result,
        "captions": dict(sorted(captions.items())),
    }


def last_changes(store: Store, party_ids: Iterable[str]) -> dict[str, str]:
    """Per listed party: the date of the version in which it last changed.

    A change is a statement about the party or anything derived from it (designations,
    identifications, wallets, links) that a version added, or one that a version dropped;
    the date is that version's date (its publication date where the list states one). A
    party unchanged since the oldest version held gets that version's date (first seen).
    """
    ids = sorted(set(party_ids))
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = store.db.execute(
            "WITH changes AS ("
            f" SELECT s.party_id, CASE WHEN s.last_seq={OPEN} THEN s.first_seq ELSE"
            "  (SELECT MIN(n.seq) FROM versions n WHERE n.source=s.source AND n.seq>s.last_seq)"
            f" END AS seq FROM statements s WHERE s.party_id IN ({marks}))"
            " SELECT c.party_id, MAX(v.version_date) FROM changes c"
            " JOIN versions v ON v.seq=c.seq GROUP BY c.party_id",
            chunk,
        )
        out.update({str(pid): str(day) for pid, day in rows})
    return out
