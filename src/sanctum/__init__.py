"""Sanctum: sanctions lists read exactly, versioned, and screened across scripts.

Public API::

    import sanctum
    sanctum.compare({"schema": "Person", "properties": {"name": ["Kang Kyong Il"]}},
                    {"schema": "Person", "properties": {"name": ["강경일"]}}).score
    sanctum.Screener().screen({"schema": "Person", "properties": {"name": ["강경일"]}})
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from sanctum import _native

try:
    __version__ = version("sanctum")
    """The version pyproject.toml gives, as the installed package's metadata says."""
except PackageNotFoundError:  # sources run without an install
    __version__ = "0+unknown"

_native.choose()  # before any compiled module is imported: compiled build or sources

if TYPE_CHECKING:
    from sanctum.pairwise import CompareResult, compare
    from sanctum.screen import Screener

__all__ = ["CompareResult", "Screener", "compare"]


def __getattr__(name: str) -> Any:
    """Import the heavy parts only when used (keeps `sanctum --help` fast)."""
    if name in ("compare", "CompareResult"):
        import importlib

        module = importlib.import_module("sanctum.pairwise")

        return getattr(module, name)
    if name == "Screener":
        from sanctum.screen import Screener

        return Screener
    raise AttributeError(name)
