"""The bad-file corpus (`corpus.py`) loaded into a real store holding every format's
real version: every case refused with a clear message naming its file (the store as it
was) or loaded with issues recorded; no message, attempt record or issue quotes the
canary line. Loads run in this process, so a reader that aborts fails the run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from reliability.corpus import ANY, ISSUES, REFUSED, Case, cases
from reliability.seeds import TALLY, seeds
from sanctum.errors import SanctumError
from sanctum.store.db import Store
from sanctum.store.loader import LoadOutcome, load_paths

CASES = cases()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding every seed as its source's version of 2029-01-01."""
    home = tmp_path_factory.mktemp("baseline")
    store = Store(home / "sanctum.sqlite")
    for seed in seeds().values():
        folder = home / "mirror" / seed.source / "2029-01-01"
        folder.mkdir(parents=True)
        for name, data in seed.files.items():
            (folder / name).write_bytes(data)
        outcomes = load_paths(store, [folder.parent], source=seed.source)
        assert [o.status for o in outcomes] == ["loaded"], [o.message for o in outcomes]
    store.close()
    return home / "sanctum.sqlite"


def state(store: Store) -> list[Any]:
    """What a refused load must leave as it was: versions, current versions, statements."""
    db = store.db
    return [
        db.execute("SELECT seq, source, fingerprint FROM versions ORDER BY seq").fetchall(),
        db.execute("SELECT source, latest_seq FROM sources ORDER BY source").fetchall(),
        db.execute("SELECT count(*) FROM statements").fetchone(),
    ]


def load_case(case: Case, root: Path, store: Store) -> tuple[list[LoadOutcome], str]:
    """Build the case's version folder and load its source folder: the outcomes, or the
    message of an error raised before any version was tried."""
    seed = seeds()[case.fmt]
    folder = root / "mirror" / seed.source / "2030-01-01"
    case.build(folder)
    try:
        return load_paths(store, [folder.parent], source=seed.source), ""
    except SanctumError as exc:
        return [], str(exc)


def verdict(case: Case, outcomes: list[LoadOutcome], error: str) -> str:
    """How the case ended: refused, loaded with issues, or loaded."""
    if error or not outcomes or all(o.status == "rejected" for o in outcomes):
        return "refused"
    if any(o.issues for o in outcomes if o.status == "loaded"):
        return "loaded with issues"
    return "loaded"


ALLOWED = {
    REFUSED: {"refused"},
    ISSUES: {"refused", "loaded with issues"},
    ANY: {"refused", "loaded with issues", "loaded"},
}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.fmt}-{c.name}" for c in CASES])
def test_bad_file_refused_or_loaded_with_issues(
    case: Case, baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUM_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    shutil.copyfile(baseline, tmp_path / "home" / "sanctum.sqlite")
    store = Store(tmp_path / "home" / "sanctum.sqlite")
    before = state(store)
    tally = TALLY.setdefault("corpus", {"failures": 0})
    tally["failures"] += 1  # until this case passes
    outcomes, error = load_case(case, tmp_path, store)
    ended = verdict(case, outcomes, error)
    messages = [error, *(o.message for o in outcomes)]
    seen = json.dumps(
        [messages, [o.issues for o in outcomes], store.last_attempt(seeds()[case.fmt].source)]
    )
    assert "CANARY" not in seen, seen[:500]
    assert ended in ALLOWED[case.expect], (ended, messages)
    if ended == "refused":
        assert state(store) == before
        said = " ".join(m for m in messages if m)
        if outcomes or error:
            assert len(said) <= 2000, said[:300]
            assert any(p.name in said for o in outcomes for p in o.version.files) or error, said
        words = {"count-jump": "entries, up", "count-drop": "entries, down"}.get(case.name, "")
        assert words in said, said
    tally[ended] = tally.get(ended, 0) + 1
    tally["failures"] -= 1
