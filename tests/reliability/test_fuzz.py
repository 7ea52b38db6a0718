"""Property-based fuzzing of every parser on mutated real files (hypothesis).

Each format's small real version (`seeds.py`) is mutated structure-aware (`mutate.py`)
and parsed as the loader parses it. The property: every input is parsed, or refused with
the parser's own clear error (a SanctumError naming the file, short, never quoting the
canary placed in the file); any other exception, or a process abort, is a failure.
Short form: a few inputs per format inside `make test`; long form (`make reliability`,
SANCTUM_RELIABILITY=long): SANCTUM_FUZZ_EXAMPLES per format, 100,000 by default.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from reliability.mutate import parts_of, versions, zip_parts
from reliability.seeds import LONG, TALLY, seeds
from sanctum.errors import SanctumError
from sanctum.store.db import Snapshot
from sanctum.store.loader import VersionFiles, parse_version

EXAMPLES = int(os.environ.get("SANCTUM_FUZZ_EXAMPLES", 100_000 if LONG else 15))
"""Inputs per format."""

MESSAGE_CHARS = 1000
"""A refusal longer than this is not a clear error (it quotes the file)."""


SHM = Path("/dev/shm")
"""Memory-backed scratch space where there is one: removing a folder on disk for every input
took as long as parsing many of them."""


def write_version(folder: Path, files: dict[str, bytes], written: dict[str, bytes]) -> None:
    """Write `files` into `folder`, leaving a file alone whose bytes are already there (an
    input changes one file of a version's several); `written` records what the folder holds."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in [name for name in written if name not in files]:
        (folder / name).unlink()
        del written[name]
    for name, data in files.items():
        old = written.get(name)
        if old is not data and old != data:
            (folder / name).write_bytes(data)
            written[name] = data


def parse_once(
    source: str, folder: Path, files: dict[str, bytes], written: dict[str, bytes]
) -> str:
    """Write `files` as one version and parse it: 'parsed' or 'refused'; anything else
    that happens is raised."""
    write_version(folder, files, written)
    paths = tuple(folder / name for name in files)
    try:
        parse_version(None, VersionFiles(source, folder.name, "2030-01-01", paths))
    except SanctumError as exc:
        message = str(exc)
        assert any(name in message for name in files), message[:300]
        assert len(message) <= MESSAGE_CHARS, message[:300]
        return "refused"
    return "parsed"


@pytest.fixture()
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A folder for one format's inputs: in memory where the machine has /dev/shm."""
    if not (SHM.is_dir() and os.access(SHM, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="sanctum-fuzz-", dir=SHM))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("fmt", sorted(seeds()))
def test_parser_survives_mutated_real_files(fmt: str, scratch: Path) -> None:
    seed = seeds()[fmt]
    folder = scratch / seed.source / "2030-01-01"
    tally = TALLY.setdefault(f"fuzz {fmt}", {})
    written: dict[str, bytes] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.target, Phase.shrink] if LONG else [Phase.generate],
    )
    @given(files=versions(fmt))
    def check(files: dict[str, bytes]) -> None:
        outcome = parse_once(seed.source, folder, files, written)
        tally[outcome] = tally.get(outcome, 0) + 1

    tally["failures"] = 0
    try:
        check()
    except BaseException:
        tally["failures"] = 1  # hypothesis stops at the first failing input it shrinks
        raise


@pytest.mark.parametrize("fmt", ["au_dfat", "uk_ofsi"])
def test_rebuilt_workbook_reads_as_the_real_one(fmt: str, tmp_path: Path) -> None:
    """The fuzzer zips workbooks itself (`zip_parts`): unmutated, its workbook must read
    exactly as the real one, or the inputs would not be mutations of a real file."""
    seed = seeds()[fmt]
    parts = parts_of(seed.files[seed.main])
    assert parts is not None and "xl/worksheets/sheet1.xml" in parts
    snapshots: list[Snapshot] = []
    for data in (seed.files[seed.main], zip_parts(parts)):
        folder = tmp_path / str(len(snapshots)) / "2030-01-01"
        write_version(folder, {seed.main: data}, {})
        version = VersionFiles(seed.source, folder.name, "2030-01-01", (folder / seed.main,))
        snapshots.append(parse_version(None, version))
    real, rebuilt = snapshots
    assert (real.parties, len(real.hashes)) == {"au_dfat": (4, 8), "uk_ofsi": (7, 14)}[fmt]
    assert rebuilt.hashes == real.hashes
    assert [i["message"] for i in rebuilt.issues] == [i["message"] for i in real.issues]
