"""Crash repair: derived data (the cross-list links) is rebuilt when the versions it was
derived from are no longer the ones in force, or its build did not finish, as recorded in
the store; not only when a run happens to load a new version."""

from __future__ import annotations

from pathlib import Path

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
