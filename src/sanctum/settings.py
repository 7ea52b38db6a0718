"""Settings, read only from the environment (as yente does): one place, documented in README."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def home() -> Path:
    """Where Sanctum keeps its data: `SANCTUM_HOME`, else the platform's user data directory."""
    value = os.environ.get("SANCTUM_HOME")
    path = Path(value) if value else Path(user_data_dir("sanctum", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    """The SQLite store: `SANCTUM_DB`, else `<home>/sanctum.sqlite`."""
    value = os.environ.get("SANCTUM_DB")
    return Path(value) if value else home() / "sanctum.sqlite"


def archive_dir() -> Path:
    """Raw official files, kept by sha256 so any version can be re-read byte for byte."""
    path = home() / "archive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror() -> Path | None:
    """`SANCTUM_MIRROR`: a folder in the `<source>/<date>/<files>` layout, read instead of
    the web."""
    value = os.environ.get("SANCTUM_MIRROR")
    return Path(value) if value else None


def max_drop() -> float:
    """Largest accepted fall in entity count between versions (`SANCTUM_MAX_DROP`, default 0.10)."""
    return float(os.environ.get("SANCTUM_MAX_DROP", "0.10"))


def shared_dir() -> Path:
    """`SANCTUM_SHARED`: the shared development files (benchmarks, test data)."""
    return Path(os.environ.get("SANCTUM_SHARED", "../shared"))
