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

from reliability.mutate import versions
from reliability.seeds import LONG, TALLY, seeds
from sanctum.errors import SanctumError
from sanctum.store.loader import VersionFiles, parse_version

EXAMPLES = int(os.environ.get("SANCTUM_FUZZ_EXAMPLES", 100_000 if LONG else 15))
"""Inputs per format."""

MESSAGE_CHARS = 1000
"""A refusal longer than this is not a clear error (it quotes the file)."""


SHM = Path("/dev/shm")
"""Memory-backed scratch space where there is one: removing a folder on disk for every input
took as long as parsing many of them."""


def parse_once(source: str, folder: Path, files: dict[str, bytes]) -> str:
    """Write `files` as one version and parse it: 'parsed' or 'refused'; anything else
    that happens is raised."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.name not in files:
            old.unlink()
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    try:
        parse_version(None, VersionFiles(source, folder.name, "2030-01-01", tuple(paths)))
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

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.target, Phase.shrink] if LONG else [Phase.generate],
    )
    @given(files=versions(fmt))
    def check(files: dict[str, bytes]) -> None:
        outcome = parse_once(seed.source, folder, files)
        tally[outcome] = tally.get(outcome, 0) + 1

    check()
    tally["failures"] = 0
