"""The versioned entity store: raw files by sha256, statements with first/last version."""

from sanctum.store.db import Store, VersionInfo

__all__ = ["Store", "VersionInfo"]
