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
