"""Test fixtures: the shared official files, read in place (never copied)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# One audit key for every store the tests make, in this process and in the commands they
# run: stores are shared and copied between tests that run with different SANCTUM_HOMEs.
os.environ.setdefault("SANCTUM_AUDIT_KEY", "tests-audit-key-" + "0123456789abcdef" * 2)

SHARED = Path(os.environ.get("SANCTUM_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DATA = SHARED / "data"


def user_folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time (empty if absent)."""
    if not folder.exists():
        return {}
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="session", autouse=True)
def user_folders_untouched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite never writes into the user's data folder: XDG_DATA_HOME, where the code
    finds the user's data folder (~/.local/share by default), points at an empty folder of
    the session for the whole suite (subprocesses included), and that folder must still be
    empty at the end. SANCTUM_HOME and SANCTUM_DB are unset, so any path not derived from
    a test's own store would land there and fail the suite. (The real folder is not
    compared: other programs on the machine may write into it while the suite runs.)"""
    decoy = tmp_path_factory.mktemp("user-data")
    saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "SANCTUM_HOME", "SANCTUM_DB")}
    os.environ["XDG_DATA_HOME"] = str(decoy)
    os.environ.pop("SANCTUM_HOME", None)
    os.environ.pop("SANCTUM_DB", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    written = sorted(str(p.relative_to(decoy)) for p in decoy.rglob("*"))
    assert not written, f"the suite wrote into the user's data folder: {written[:10]}"


def iso_dates(cell: str) -> list[str]:
    """The ISO dates of a benchmark `dob` cell (several, `;`-separated, some not ISO)."""
    return [d for d in cell.split(";") if re.fullmatch(r"\d{4}(-\d\d){0,2}", d)]


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


SeedRuns = Callable[..., set[str]]


@pytest.fixture(scope="session")
def outputs_by_hash_seed() -> SeedRuns:
    """`run(code, *args, seeds=..., env=...)`: runs `python -c code *args` once per hash seed
    and returns the set of what the runs printed: one output when it does not depend on
    Python's per-process string hashing."""

    def run(
        code: str,
        *args: str,
        seeds: tuple[str, ...] = ("0", "1", "2"),
        env: dict[str, str] | None = None,
    ) -> set[str]:
        outputs = set()
        for seed in seeds:
            done = subprocess.run(
                [sys.executable, "-c", code, *args],
                env={**os.environ, **(env or {}), "PYTHONHASHSEED": seed},
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr
            outputs.add(done.stdout)
        return outputs

    return run


def private_copy(home: Path, into: Path) -> Path:
    """A copy of a store's home (the database by SQLite's backup, its other files as they
    are, no archive): a server over it shares no file with the session's other servers,
    whose background threads may still hold the shared store's locks."""
    into.mkdir(parents=True, exist_ok=True)
    with (
        sqlite3.connect(home / "sanctum.sqlite") as src,
        sqlite3.connect(into / "sanctum.sqlite") as dst,
    ):
        src.backup(dst)
    for path in home.iterdir():
        if path.is_file() and not path.name.startswith("sanctum.sqlite"):
            shutil.copy2(path, into / path.name)
    return into
