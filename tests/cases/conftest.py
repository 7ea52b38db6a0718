"""A store holding `us_ofac_sdn` 2023-11-30 then 2023-12-01 (built once per session), the
planted customers, and versions derived from 2023-12-01 for the tests' own changes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from sanctum.store.db import Store
from sanctum.store.loader import load_paths

CUSTOMERS = [
    {"id": "c1", "name": "Gang Gyeong-il", "schema": "Person", "birth_date": "1969-09-01"},
    {"id": "c2", "name": "강경일"},
    {"id": "c3", "name": "KIMSUKY Group"},
    {"id": "c4", "name": "Velvet Chollima"},
    {"id": "c5", "name": "Jane Ordinary", "schema": "Person"},
]
"""The issue's planted customers and one who matches nothing."""


def load(store: Store, folder: Path) -> None:
    """Load one `us_ofac_sdn` version folder; fail the test on a rejection."""
    outcomes = load_paths(store, [folder], source="us_ofac_sdn")
    assert [o.status for o in outcomes] == ["loaded"], [o.message for o in outcomes]


@pytest.fixture(scope="session")
def sdn_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """The store file with SDN 2023-11-30 and 2023-12-01 loaded, in that order."""
    home = tmp_path_factory.mktemp("sdn")
    store = Store(home / "sanctum.sqlite")
    load(store, data_dir / "us_ofac_sdn" / "2023-11-30")
    load(store, data_dir / "us_ofac_sdn" / "2023-12-01")
    store.close()
    return home / "sanctum.sqlite"


@pytest.fixture()
def store(sdn_home: Path, tmp_path: Path) -> Store:
    """A private copy of the SDN store for one test (SQLite backup)."""
    source = sqlite3.connect(sdn_home)
    target = sqlite3.connect(tmp_path / "sanctum.sqlite")
    source.backup(target)
    target.close()
    source.close()
    return Store(tmp_path / "sanctum.sqlite")


Derive = Callable[[str, Callable[[str], str]], Path]


@pytest.fixture()
def derive(data_dir: Path, tmp_path: Path) -> Derive:
    """`derive(day, edit)`: a `us_ofac_sdn/<day>` folder whose sdn.csv is 2023-12-01's with
    `edit` applied to its text (asserted to change it)."""

    def make(day: str, edit: Callable[[str], str]) -> Path:
        text = (data_dir / "us_ofac_sdn" / "2023-12-01" / "sdn.csv").read_text("latin-1")
        changed = edit(text)
        assert changed != text
        folder = tmp_path / "derived" / "us_ofac_sdn" / day
        folder.mkdir(parents=True)
        (folder / "sdn.csv").write_text(changed, "latin-1")
        return folder

    return make
