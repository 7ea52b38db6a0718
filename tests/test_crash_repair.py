"""Crash repair: derived data (the cross-list links) is rebuilt when the versions it was
derived from are no longer the ones in force, or its build did not finish, as recorded in
the store; not only when a run happens to load a new version."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sanctum import index as index_module
from sanctum.store import links
from sanctum.store.db import Store
from sanctum.store.loader import discover, load_paths, load_version


def _links(store: Store) -> set[tuple[str, str, str, str]]:
    return set(store.db.execute("SELECT a, b, kind, value FROM xlinks"))


def test_links_owed_by_a_crashed_load_are_rebuilt_by_the_next_run(
    home_env: Path, data_dir: Path
) -> None:
    """A load commits its versions first and derives the links last: killed in between,
    the repeat load found every version unchanged and kept the old links for good."""
    store = Store(home_env / "sanctum.sqlite")
    old = [data_dir / "au_dfat" / "2024-12-17", data_dir / "un_sc" / "2024-11-30"]
    load_paths(store, old, workers=1)
    before = _links(store)
    assert store.derived_current("xlinks")
    newer = discover([data_dir / "un_sc" / "2026-02-27"])[0]
    # what the load did up to the moment it was killed: the version, not yet its links
    assert load_version(store, newer, links=False).status == "loaded"
    assert not store.derived_current("xlinks")
    assert _links(store) == before
    outcomes = load_paths(store, [*old, data_dir / "un_sc" / "2026-02-27"], workers=1)
    assert {o.status for o in outcomes} == {"unchanged"}
    repaired = _links(store)
    store.recompute_links()
    assert repaired == _links(store) != before
    assert store.derived_current("xlinks")


def test_a_store_that_never_recorded_its_links_derives_them_once(
    home_env: Path, data_dir: Path
) -> None:
    store = Store(home_env / "sanctum.sqlite")
    assert store.derived_current("xlinks")  # nothing loaded, nothing owed
    load_paths(store, [data_dir / "un_sc" / "2024-11-30"], workers=1)
    store.db.execute("DELETE FROM derived_state")  # a store from before the record existed
    assert store.repair_derived() == ["xlinks"]
    assert store.repair_derived() == []


def _parties(store: Store) -> set[tuple[str, str]]:
    return set(store.db.execute("SELECT entity_id, party_id FROM party_members"))


def _owe_newer_un(home: Path, data_dir: Path) -> Store:
    """A store holding AU and UN 2024-11-30 with their links, then UN 2026-02-27 committed
    without its links (what a load has done between its two commits)."""
    store = Store(home / "sanctum.sqlite")
    load_paths(store, [data_dir / "au_dfat" / "2024-12-17", data_dir / "un_sc" / "2024-11-30"])
    newer = discover([data_dir / "un_sc" / "2026-02-27"])[0]
    assert load_version(store, newer, links=False).status == "loaded"
    return store


def test_links_are_computed_without_the_write_lock(
    home_env: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The links of every list take ~1.5 s to compute; computed inside the write
    transaction, they held every audited request of a serving process that long."""
    store = _owe_newer_un(home_env, data_dir)
    other = sqlite3.connect(store.path, isolation_level=None, timeout=0)
    writable: list[bool] = []
    real = links.find_links

    def probed(rows: Any) -> Any:
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writable.append(True)
        except sqlite3.OperationalError:
            writable.append(False)
        return real(rows)

    monkeypatch.setattr(links, "find_links", probed)
    store.recompute_links()
    assert writable == [True]
    assert store.derived_current("xlinks")


def test_a_version_committed_while_links_are_computed_is_in_the_links(
    home_env: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Links computed from a snapshot that another load made old are computed again under
    the write lock: never written as current for versions they were not derived from."""
    store = _owe_newer_un(home_env, data_dir)
    loader = Store(store.path)
    real = links.find_links
    landed: list[str] = []

    def racing(rows: Any) -> Any:
        if not landed:  # once: the recomputation under the lock must not race again
            version = discover([data_dir / "uk_ofsi" / "2025-04-10"])[0]
            landed.append(load_version(loader, version, links=False).status)
        return real(rows)

    monkeypatch.setattr(links, "find_links", racing)
    store.recompute_links()
    assert landed == ["loaded"]
    assert store.derived_current("xlinks")
    found, parties = _links(store), _parties(store)
    monkeypatch.setattr(links, "find_links", real)
    store.recompute_links()  # a fresh derivation from the versions now in force
    assert (found, parties) == (_links(store), _parties(store))
    sources = dict(store.db.execute("SELECT entity_id, source FROM entity_state"))
    assert any("uk_ofsi" in (sources.get(a), sources.get(b)) for a, b, _k, _v in found)


def test_an_index_build_reads_one_snapshot_and_waits_for_owed_links(
    home_env: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server's build process ran beside the load that started it: it could read the
    new version with the previous parties, or half of a version committed meanwhile."""
    store = _owe_newer_un(home_env, data_dir)
    monkeypatch.setattr(index_module, "DERIVED_WAIT_SECONDS", 0.3)
    path = home_env / "index.pickle"
    loader = Store(store.path)
    real = Store.current_statements
    landed: list[int] = []

    def racing(self: Store, props: Any) -> Any:
        rows = real(self, props)
        if self is store and not landed and self.derived_current("xlinks"):
            # the build's first read (the owed links were derived first): a load commits
            version = discover([data_dir / "uk_ofsi" / "2025-04-10"])[0]
            assert load_version(loader, version).status == "loaded"
            landed.append(loader.generation())
        return rows

    monkeypatch.setattr(Store, "current_statements", racing)
    assert not store.derived_current("xlinks")
    generation, built = index_module.ensure_saved(store, path)
    assert built and landed and landed[0] > generation
    saved = index_module.read_saved(path)
    assert saved is not None and saved.generation == generation
    assert not any(e.source == "uk_ofsi" for e in saved.entries)
    assert generation == max(v for (v,) in store.db.execute("SELECT latest_seq FROM sources")) - 1
