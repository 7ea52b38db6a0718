"""Build of the compiled matching core (everything else is in pyproject.toml).

The modules `sanctum/_native.py` lists are compiled to C extensions by mypyc, from the
same typed sources that run as plain Python; the build records their hashes so that an
edited source is never shadowed by a stale extension (`sanctum._native`). SANCTUM_PURE=1
builds without extensions (`make install` does that for the editable install, then
compiles in place itself, only when a compiled source changed).
"""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

NATIVE: dict[str, Any] = runpy.run_path(str(Path("src/sanctum/_native.py")))


class BuildWithHashes(build_ext):  # type: ignore[misc]
    """build_ext that also writes the compiled sources' hashes beside the extensions."""

    def run(self) -> None:
        super().run()
        if not self.extensions:
            return
        package = Path(self.get_ext_fullpath("sanctum.screen")).parent
        hashes = NATIVE["source_hashes"](Path("src/sanctum"))
        (package / NATIVE["BUILD_FILE"]).write_text(json.dumps(hashes, indent=1), "utf-8")


def extensions() -> list[Any]:
    """The mypyc extensions, or none for a pure build."""
    if os.environ.get("SANCTUM_PURE") == "1":
        return []
    from mypyc.build import mypycify

    sources = [
        str(NATIVE["source_path"](m).relative_to(Path.cwd().resolve())) for m in NATIVE["COMPILED"]
    ]
    return list(mypycify(sources, opt_level="3", target_dir="build/mypyc"))


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildWithHashes})
