"""Nothing Sanctum writes for a store lands outside the store's home: a store opened under
a test's folder leaves the user's data folder (~/.local/share/sanctum) untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import user_folder_state

LOAD_AND_INDEX = """
import sys
from pathlib import Path
from sanctum.index import load_or_build
from sanctum.store.db import Store
from sanctum.store.loader import load_paths

store = Store(Path(sys.argv[1]) / "store" / "sanctum.sqlite")
outcomes = load_paths(store, [Path(sys.argv[2])], workers=1)
assert [o.status for o in outcomes] == ["loaded"], outcomes
load_or_build(store)
"""


def test_a_store_writes_only_under_its_home(tmp_path: Path, data_dir: Path) -> None:
    """Loading a list (raw files archived) and building the index write only beside the
    store's file, with neither SANCTUM_HOME nor SANCTUM_DB set."""
    xdg = tmp_path / "xdg"
    env = {k: v for k, v in os.environ.items() if k not in ("SANCTUM_HOME", "SANCTUM_DB")}
    version = data_dir / "us_bis_dpl" / sorted(os.listdir(data_dir / "us_bis_dpl"))[-1]
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_INDEX, str(tmp_path), str(version)],
        env={**env, "XDG_DATA_HOME": str(xdg), "HOME": str(tmp_path / "user")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert user_folder_state(xdg) == {}
    assert user_folder_state(tmp_path / "user") == {}
    home = tmp_path / "store"
    assert sorted(p.name for p in home.iterdir() if not p.name.startswith("sanctum.sqlite")) == [
        "archive",
        "index.pickle",
    ]
