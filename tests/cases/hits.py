"""Hits built from real screenings, the way a monitoring run hands them to `apply_run`:
each customer screened against the loaded lists, one Hit per matching entry, the party's
hash and summary read from the store's current statements."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sanctum.monitor.alerts import Hit
from sanctum.screen import Screener
from sanctum.store.db import OPEN, Store

NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
ID_PROPS = ("passportNumber", "idNumber", "registrationNumber", "imoNumber", "number")


def digest(value: Any) -> str:
    """Content hash of a JSON-able value."""
    raw = json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


def party_data(store: Store, entity_id: str) -> tuple[str, dict[str, Any]]:
    """(hash of every current statement about the entry and what derives from it, its
    summary: names, birth dates, identifiers, lists, programs)."""
    rows = store.db.execute(
        "SELECT source, entity_id, prop, value FROM statements WHERE party_id = ? AND "
        "last_seq = ? ORDER BY entity_id, prop, value",
        (entity_id, OPEN),
    ).fetchall()
    values: dict[str, set[str]] = {}
    for _source, _eid, prop, value in rows:
        values.setdefault(prop, set()).add(value)

    def pick(*props: str) -> list[str]:
        return sorted({v for p in props for v in values.get(p, ())})

    summary = {
        "names": pick(*NAME_PROPS),
        "birth_dates": pick("birthDate"),
        "identifiers": pick(*ID_PROPS),
        "lists": sorted({r[0] for r in rows}),
        "programs": pick("program"),
    }
    return digest([list(r) for r in rows]), summary


def customer_summary(customer: dict[str, Any]) -> dict[str, Any]:
    """A customer record in the shape of a party summary (comparable fields alike)."""
    return {
        "names": [customer["name"]],
        "birth_dates": [customer["birth_date"]] if customer.get("birth_date") else [],
        "identifiers": [],
    }


def hits_for(store: Store, customers: list[dict[str, Any]]) -> list[Hit]:
    """Screen every customer against the lists in force; one Hit per matching entry."""
    screener = Screener(store)
    hits = []
    for customer in customers:
        props = {"name": [customer["name"]]}
        if customer.get("birth_date"):
            props["birthDate"] = [customer["birth_date"]]
        query = {"schema": customer.get("schema", "LegalEntity"), "properties": props}
        for match in screener.screen(query, limit=10).results:
            if not match.match:
                continue
            party_hash, summary = party_data(store, match.id)
            hits.append(
                Hit(
                    customer_id=customer["id"],
                    party_id=match.id,
                    entity_ids=(match.id,),
                    best_entity_id=match.id,
                    caption=match.caption,
                    score=match.score,
                    explanation=match.explanation,
                    customer_hash=digest(customer),
                    party_hash=party_hash,
                    party_summary=summary,
                    customer_summary=customer_summary(customer),
                )
            )
    return hits
