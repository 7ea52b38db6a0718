"""Test fixtures: the shared official files, read in place (never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("SANCTUM_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared `data/` folder (`<source>/<date>/<files>`)."""
    if not DATA.is_dir():
        pytest.fail(f"shared data not found at {DATA}; set SANCTUM_SHARED")
    return DATA


@pytest.fixture(scope="session")
def loaded_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A SANCTUM_HOME with every list in shared/data loaded once for the whole session."""
    from sanctum.store.db import Store
    from sanctum.store.loader import load_paths

    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("SANCTUM_HOME")
    os.environ["SANCTUM_HOME"] = str(home)
    try:
        store = Store(home / "sanctum.sqlite")
        outcomes = load_paths(store, [data_dir])
        bad = [o.message for o in outcomes if o.status == "rejected"]
        assert not bad, bad
        store.close()
    finally:
        if old is None:
            os.environ.pop("SANCTUM_HOME", None)
        else:
            os.environ["SANCTUM_HOME"] = old
    return home


@pytest.fixture()
def home_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh, empty SANCTUM_HOME for one test."""
    monkeypatch.setenv("SANCTUM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SANCTUM_DB", raising=False)
    return tmp_path / "home"
