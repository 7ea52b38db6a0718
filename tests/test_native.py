"""The compiled matching core: it answers exactly as its sources do, reads the same index
file, and is never used once a source has changed since it was built."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SHARED, iso_dates
from sanctum import _native

SRC = Path(_native.__file__).resolve().parents[1]

_SCREEN = """
import json, sys
import sanctum._native
from sanctum.screen import Screener
names = json.load(sys.stdin)
screener = Screener()
out = {"build": sanctum._native.BUILD, "screenings": []}
for schema, name, dob in names:
    query = {"schema": schema, "properties": {"name": [name]}}
    if dob:
        query["properties"]["birthDate"] = dob
    for kw in ({}, {"limit": 5, "min_score": 0.5}, {"limit": 3, "algorithm": "ofac"}):
        out["screenings"].append(screener.screen(query, **kw).as_dict())
print(json.dumps(out, sort_keys=True))
"""


def _queries() -> list[tuple[str, str, list[str]]]:
    """Every third DPRK variant (all scripts and spellings) and names from other scripts."""
    path = SHARED / "benchmarks" / "dprk_name_variants.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[::3]
    schema = {"person": "Person"}
    queries = [
        (schema.get(r["entity_type"], "Organization"), r["variant"], iso_dates(r["dob"]))
        for r in rows
    ]
    others = ["محمد یزدی", "عبد الرحمن الصندي", "Усама бен Ладен", "金正恩", "Velvet Chollima"]
    return queries + [("Person", n, []) for n in others]


def _screen(home: Path, pure: bool) -> dict[str, object]:
    """Screen the queries in a fresh process, compiled build or (`pure`) the sources."""
    env = {**os.environ, "SANCTUM_HOME": str(home)}
    env.pop("SANCTUM_PURE", None)
    if pure:
        env["SANCTUM_PURE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", _SCREEN],
        input=json.dumps(_queries()),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_compiled_build_answers_as_its_sources(loaded_home: Path) -> None:
    """Scores, explanations and order are identical; each reads the index the other saved."""
    (loaded_home / "index.pickle").unlink(missing_ok=True)
    compiled = _screen(loaded_home, pure=False)  # builds and saves the index
    source = _screen(loaded_home, pure=True)  # reads the file the compiled build saved
    assert compiled["build"] == "compiled", "no current compiled build: run `make install`"
    assert source["build"] == "source (SANCTUM_PURE=1)"
    assert len(compiled["screenings"]) == 3 * len(_queries())  # type: ignore[arg-type]
    assert compiled["screenings"] == source["screenings"]
    (loaded_home / "index.pickle").unlink()
    assert _screen(loaded_home, pure=True)["screenings"] == source["screenings"]  # saves
    assert _screen(loaded_home, pure=False)["screenings"] == source["screenings"]  # reads


_BUILD = "import sanctum._native, sanctum.screen; print(sanctum._native.BUILD)"


def _build_of(src: Path) -> str:
    """The build a fresh process chooses for the package under `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("SANCTUM_PURE", None)
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.strip()


def test_edited_source_is_never_shadowed_by_its_compiled_build(tmp_path: Path) -> None:
    """A copy of the built package runs compiled; edit one compiled source, and the
    sources run instead; a copy without extensions runs its sources."""
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    assert _build_of(copy) == "compiled"
    config = copy / "sanctum" / "config.py"
    config.write_text(config.read_text("utf-8") + "\n# tuned\n", "utf-8")
    assert _build_of(copy) == (
        "source (compiled build is older than the sources: run `make install`)"
    )
    for ext in copy.rglob("*.so"):
        ext.unlink()
    assert _build_of(copy) == "source (no compiled build)"
