"""Which build of the matching core runs: compiled or source.

The modules in COMPILED (the per-query path: name analysis, index, scoring, screening) are
compiled to C extensions by mypyc when the package is built (`setup.py`, `make install`);
the same files stay the source of truth and run as plain Python wherever no compiled
build is present. A compiled module is used only if it was built from the sources beside
it: at build time the SHA-256 of each compiled source is written to BUILD_FILE, and at
import any difference (a source edited since the last build) makes every COMPILED module
load from its source instead, so stale machine code never answers a query. SANCTUM_PURE=1
forces the source build (profiling, or checking that both builds agree).

This module and `sanctum/__init__.py` are never compiled: they decide before any COMPILED
module is imported.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

COMPILED = (
    "sanctum.config",
    "sanctum.feature_table",
    "sanctum.match.features",
    "sanctum.match.query",
    "sanctum.match.score",
    "sanctum.names.arabic",
    "sanctum.names.korean",
    "sanctum.names.normalize",
    "sanctum.index",
    "sanctum.screen",
)
"""The modules built to C extensions, by import name (read by `setup.py`)."""

BUILD_FILE = "_native_build.json"
"""Beside `sanctum/__init__.py`: `{module: sha256 of its source}` of the compiled build."""

PACKAGE_DIR = Path(__file__).resolve().parent


def source_path(module: str, root: Path = PACKAGE_DIR) -> Path:
    """The `.py` file of a COMPILED module in the package directory `root`."""
    return root.joinpath(*module.split(".")[1:]).with_suffix(".py")


def source_hashes(root: Path = PACKAGE_DIR) -> dict[str, str]:
    """SHA-256 of every COMPILED module's source in the package directory `root`."""
    return {m: hashlib.sha256(source_path(m, root).read_bytes()).hexdigest() for m in COMPILED}


def _compiled_present() -> bool:
    """An extension file lies beside each COMPILED source."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    return all(any(source_path(m).with_suffix(s).exists() for s in suffixes) for m in COMPILED)


def _build_current() -> bool:
    """The compiled build was made from exactly the sources now beside it."""
    try:
        built = json.loads((PACKAGE_DIR / BUILD_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return bool(built == source_hashes())


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the COMPILED modules as source files, ahead of their extension files."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """The source spec of a COMPILED module; None (the usual search) for any other."""
        if fullname not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


BUILD = ""
"""Which build of the matching core this process runs: 'compiled', or 'source (why)'."""


def choose() -> str:
    """Decide the build once per process (`BUILD`), installing the source finder unless the
    compiled build is present and current; called by `sanctum/__init__.py`."""
    global BUILD
    if not BUILD:
        BUILD = _decide()
    return BUILD


def _decide() -> str:
    """'compiled' or 'source (why)', installing the source finder for the latter."""
    from sanctum import settings  # here: setup.py runs this file before sanctum installs

    if settings.pure():
        reason = "source (SANCTUM_PURE=1)"
    elif not _compiled_present():
        reason = "source (no compiled build)"
    elif not _build_current():
        reason = "source (compiled build is older than the sources: run `make install`)"
    else:
        return "compiled"
    if not any(isinstance(f, _SourceFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder())
    return reason
