"""Freshness means one thing everywhere: the list's publication date, its last confirmation
at its source, and the rule (max age on the confirmation; an old publication is a warning,
never fresh and never stale), under the same names in the CLI, /catalog, /readyz, /match."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanctum import catalog
from sanctum.api.app import create_app
from sanctum.freshness import judge, source_state
from sanctum.index import load_or_build
from sanctum.store.db import Store

from .conftest import Keys, Running, serve

BODY = {"queries": {"q1": {"schema": "Person", "properties": {"name": ["강경일"]}}}}
FIELDS = ("published", "confirmed_at", "max_age_days", "warn_age_days", "state")


@pytest.mark.parametrize(
    ("confirmed_age", "published_age", "state"),
    [
        (0.5, 10, "fresh"),
        (0.5, 89.9, "fresh"),
        (0.5, 90, "warning"),
        (0.5, 2400, "warning"),  # a 2020 list confirmed today from a mirror
        (3, 10, "stale"),
        (3, 2400, "stale"),
        (2.99, 2400, "warning"),
    ],
)
def test_judge(confirmed_age: float, published_age: float, state: str) -> None:
    assert judge(confirmed_age, 3, published_age, 90) == state


def test_a_list_published_long_ago_is_a_warning(
    loaded_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(loaded_home / "sanctum.sqlite")
    ca = source_state(store, "ca_sema")
    assert (ca["state"], ca["stale"], ca["published"]) == ("warning", False, "2020-04-15")
    assert ca["published_age_days"] > 2000 and ca["confirmed_age_days"] < 1
    assert ca["age_days"] == ca["confirmed_age_days"]
    assert ca["reason"].startswith("ca_sema: confirmed current, but published 2020-04-15, ")
    monkeypatch.setenv("SANCTUM_WARN_AGE", "100000")
    assert source_state(store, "ca_sema")["state"] == "fresh"
    monkeypatch.setenv("SANCTUM_MAX_AGE_CA_SEMA", "0")
    assert source_state(store, "ca_sema")["state"] == "stale"
    summary = {s["source"]: s for s in catalog.sources_summary(store)}
    assert summary["ca_sema"]["state"] == "stale"
    assert summary["ca_sema"]["age_days"] == int(summary["ca_sema"]["confirmed_age_days"])
    store.close()


@pytest.fixture()
def api_now(loaded_home: Path, api_keys: Keys) -> Iterator[Running]:
    """The API over the session's store, its index built first (on a busy machine a build
    inside the server's start-up can outlast the wait for it)."""
    store = Store(loaded_home / "sanctum.sqlite")
    load_or_build(store)
    store.close()
    yield from serve(create_app(loaded_home / "sanctum.sqlite"))


def test_the_api_says_the_same_everywhere(api_now: Running, api_keys: Keys) -> None:
    """/readyz is ready (warnings do not make it unready), /catalog gives each source the
    fields /readyz gives, and /match names the old lists it used in `warnings`."""
    api = api_now
    ready = api.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    in_ready = {s["source"]: s for s in ready.json()["sources"]}
    assert in_ready["ca_sema"]["state"] == "warning"
    headers = {"Authorization": f"Bearer {api_keys.read}"}
    listed = api.client.get("/catalog", headers=headers).json()["sources"]
    for item in listed:
        assert {k: item[k] for k in FIELDS} == {k: in_ready[item["source"]][k] for k in FIELDS}
    r = api.client.post("/match/default", json=BODY, headers={"X-API-Key": api_keys.screen})
    assert r.status_code == 200, r.text
    assert r.json()["stale"] == []
    assert "ca_sema" in r.json()["warnings"] and "us_ofac_sdn" in r.json()["warnings"]
