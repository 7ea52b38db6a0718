"""What an FtM export says of its parties beyond their properties, kept by the store:
datasets, target flag, referents (yente's test dataset `zala`, see shared/compat/yente)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctum.store.db import EntityContext, Store
from sanctum.store.loader import load_paths

ZALA = "compat/yente/zala.entities.ftm.json"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Store:
    """A store holding only yente's test dataset, as the source `zala`."""
    store = Store(tmp_path_factory.mktemp("zala") / "sanctum.sqlite")
    outcomes = load_paths(store, [data_dir.parent / ZALA], source="zala")
    assert [o.status for o in outcomes] == ["loaded"], [o.message for o in outcomes]
    return store


@pytest.mark.parametrize(
    ("entity_id", "context"),
    [
        (
            "NK-9Xa4Kg7Y7nfccE7VcZt6Q6",
            EntityContext(("ext_ru_egrul",), ("ru-inn-9715374145",), False),
        ),
        (
            "NK-mCEmxFfuhfdjpC8gsxH74o",
            EntityContext(
                ("ext_ru_egrul", "ua_nsdc_sanctions"),
                ("ru-inn-183112969152", "ua-nsdc-25751-abaskin-kostantin-igorovic"),
                True,
            ),
        ),
        ("au-dfat-56600015954691cece058c2a3b0e3b27740701e6", None),
    ],
)
def test_context_of_a_party(store: Store, entity_id: str, context: EntityContext | None) -> None:
    assert store.entity_contexts([entity_id]).get(entity_id) == context


@pytest.mark.parametrize(
    ("referent", "entity_id"),
    [
        ("ofac-45928", "NK-abdzbEBkqyT29GyREbiURZ"),
        ("ru-inn-9715374145", "NK-9Xa4Kg7Y7nfccE7VcZt6Q6"),
        ("NK-9Xa4Kg7Y7nfccE7VcZt6Q6", None),
        ("no-such-id", None),
    ],
)
def test_referent_leads_to_its_entity(store: Store, referent: str, entity_id: str | None) -> None:
    assert store.canonical_id(referent) == entity_id


def test_records_in_force(store: Store) -> None:
    found = store.records_in_force(["NK-9Xa4Kg7Y7nfccE7VcZt6Q6", "no-such-id"])
    assert list(found) == ["NK-9Xa4Kg7Y7nfccE7VcZt6Q6"]
    record = found["NK-9Xa4Kg7Y7nfccE7VcZt6Q6"]
    assert (record.source, record.schema) == ("zala", "Company")
    assert record.properties["innCode"] == ["9715374145"]
    assert record.first_seen == record.last_seen
