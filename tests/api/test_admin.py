"""`POST /admin/update` over real HTTP, against a copy of the loaded store and a mirror made
in tmp from one real list version (the session store is never written)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sanctum.api.app import create_app
from sanctum.api.deps import ApiState
from sanctum.api.models import UpdateOutcome
from sanctum.api.routers.admin import update_outcomes
from sanctum.fetch import FetchOutcome, UpdateReport
from sanctum.store import keys
from sanctum.store.db import Store

from .conftest import Keys, Running, serve
from .test_api import assert_problem, bearer

DPL = Path("us_bis_dpl") / "2023-11-30" / "dpl.txt"  # 665 rows, 663 parties
DROPPED = b'"ZHONGDA JIN"\t'  # the one row of party us-bis-dpl-zhongda-jin-8f738e42
DROPPED_ID = "us-bis-dpl-zhongda-jin-8f738e42"
KEPT_ID = "us-bis-dpl-jin-zhongda-5e51fb1a"  # "JIN, ZHONGDA": a row of its own
UPDATE_TIMEOUT = 600  # seconds: loading, cross-list links and a new index of every list


def test_update_needs_the_admin_scope(api: Running, api_keys: Keys) -> None:
    assert_problem(api.client.post("/admin/update"), 401, "authorization")
    for key in (api_keys.screen, api_keys.read, api_keys.strict):
        assert_problem(api.client.post("/admin/update", headers=bearer(key)), 403, "authorization")


def test_unknown_source_is_refused_before_anything_runs(api: Running, api_keys: Keys) -> None:
    r = api.client.post(
        "/admin/update", params={"source": "nowhere"}, headers=bearer(api_keys.admin)
    )
    assert_problem(r, 422, "source")


@dataclass
class Copy:
    """A served copy of the loaded store, a mirror beside it, and an admin key."""

    running: Running
    state: ApiState
    store_path: Path
    mirror: Path
    admin: str
    read: str


def make_mirror(root: Path, real: Path) -> None:
    """us_bis_dpl in three versions made from the real file: the real one (already
    loaded), a later one without one row, and an earlier-dated, shortened one."""
    lines = real.read_bytes().splitlines(keepends=True)
    newer = [line for line in lines if not line.startswith(DROPPED)]
    assert len(newer) == len(lines) - 1
    for folder, content in (
        ("2023-11-30", real.read_bytes()),
        ("2024-01-01", b"".join(newer)),
        ("2023-06-01", b"".join(lines[:-2])),
    ):
        (root / "us_bis_dpl" / folder).mkdir(parents=True)
        (root / "us_bis_dpl" / folder / "dpl.txt").write_bytes(content)


@pytest.fixture(scope="module")
def copy(
    loaded_home: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Copy]:
    root = tmp_path_factory.mktemp("admin")
    home = root / "home"
    home.mkdir()
    source = Store(loaded_home / "sanctum.sqlite")
    target = sqlite3.connect(home / "sanctum.sqlite")
    source.db.backup(target)
    target.close()
    source.close()
    if (loaded_home / "index.pickle").exists():
        shutil.copyfile(loaded_home / "index.pickle", home / "index.pickle")
    make_mirror(root / "mirror", data_dir / DPL)
    store = Store(home / "sanctum.sqlite")
    _, admin = keys.create(store, ["admin"], "admin update tests")
    _, read = keys.create(store, ["read"], "admin update tests")
    store.close()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SANCTUM_HOME", str(home))
        env.setenv("SANCTUM_MIRROR", str(root / "mirror"))
        env.delenv("SANCTUM_DB", raising=False)
        app = create_app(home / "sanctum.sqlite")
        for running in serve(app):
            yield Copy(
                running, app.state.sanctum, home / "sanctum.sqlite", root / "mirror", admin, read
            )


def search_ids(copy: Copy, text: str) -> set[str]:
    r = copy.running.client.get(
        "/search/us_bis_dpl", params={"q": text, "limit": 50}, headers=bearer(copy.read)
    )
    assert r.status_code == 200, r.text
    return {hit["id"] for hit in r.json()["results"]}


def test_update_from_the_mirror(copy: Copy, loaded_home: Path) -> None:
    client = copy.running.client
    assert search_ids(copy, "zhongda jin") == {DROPPED_ID, KEPT_ID}
    generation = copy.state.store.generation()
    r = client.post(
        "/admin/update",
        params={"source": "us_bis_dpl"},
        headers=bearer(copy.admin),
        timeout=UPDATE_TIMEOUT,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mode"] == "mirror"
    rejected, unchanged, loaded = body["outcomes"]
    assert rejected["source"] == "us_bis_dpl" and rejected["status"] == "rejected"
    assert rejected["label"] == "2023-06-01" and rejected["version"] is None
    assert "older than the version in force (2023-11-30)" in rejected["message"]
    assert unchanged["status"] == "unchanged" and unchanged["label"] == "2023-11-30"
    assert unchanged["version"] == "2023-11-30" and unchanged["entries"] == 663
    assert loaded["status"] == "loaded" and loaded["label"] == "2024-01-01"
    assert loaded["version"] == "2024-01-01" and loaded["entries"] == 662
    assert body["generation"] == generation + 1
    assert body["list_versions"]["us_bis_dpl"] == "2024-01-01"
    assert body["list_versions"]["us_ofac_sdn"] == "2024-05-03"
    # the screener serves the new generation at once
    assert copy.state.screener().index.generation == generation + 1
    assert search_ids(copy, "zhongda jin") == {KEPT_ID}
    entity = client.get(f"/entities/{DROPPED_ID}", headers=bearer(copy.read)).json()
    assert entity["status"] == "removed" and entity["last_seen"] == "2023-11-30T00:00:00"
    catalog = client.get("/catalog", headers=bearer(copy.read)).json()
    dpl = next(s for s in catalog["sources"] if s["source"] == "us_bis_dpl")
    assert dpl["version"] == "2024-01-01" and dpl["versions"] == 2
    # a second run finds nothing new
    again = client.post(
        "/admin/update",
        params={"source": "us_bis_dpl"},
        headers=bearer(copy.admin),
        timeout=UPDATE_TIMEOUT,
    ).json()
    assert [o["status"] for o in again["outcomes"]] == ["rejected", "unchanged", "unchanged"]
    assert again["generation"] == generation + 1
    # the session's store was never touched
    session = Store(loaded_home / "sanctum.sqlite")
    try:
        latest = session.latest("us_bis_dpl")
        assert latest is not None and latest.version_date == "2023-11-30"
    finally:
        session.close()


def test_one_update_at_a_time(copy: Copy) -> None:
    assert copy.state.update_lock.acquire(blocking=False)
    try:
        r = copy.running.client.post("/admin/update", headers=bearer(copy.admin))
        assert_problem(r, 409)
    finally:
        copy.state.update_lock.release()


def test_mirror_without_the_sources(
    copy: Copy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUM_MIRROR", str(tmp_path))
    r = copy.running.client.post(
        "/admin/update", params={"source": "un_sc"}, headers=bearer(copy.admin)
    )
    body = assert_problem(r, 503)
    assert "no source folders found" in body["detail"]


def test_web_outcomes_are_reported_per_source() -> None:
    report = UpdateReport(
        "web",
        [
            FetchOutcome("un_sc", "not-modified"),
            FetchOutcome("uk_ofsi", "failed", message="https://example.org/x: HTTP 500"),
        ],
        [],
    )
    assert update_outcomes(report) == [
        UpdateOutcome(
            source="un_sc", status="unchanged", message="not modified since the last download"
        ),
        UpdateOutcome(source="uk_ofsi", status="failed", message="https://example.org/x: HTTP 500"),
    ]
