"""Serving never waits for an index build (issue 19, defect 3: each `sanctum load` from
another process stalled serving ~6 s while the server rebuilt its index on the request
path). The build runs in the background; requests meanwhile are answered from the
previous index and say which versions they used; the new index is swapped in whole."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from sanctum.api.app import create_app
from sanctum.store.db import Store
from sanctum.store.loader import load_paths

from .conftest import serve

BODY = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ri Yong Ho"]}}}}


def _poll(url: str, stop: threading.Event, seen: list[tuple[float, float, str]]) -> None:
    """Screen one name every 20 ms: when sent, how long it took, the UN version used."""
    with httpx.Client(base_url=url, timeout=60) as client:
        while not stop.is_set():
            start = time.monotonic()
            r = client.post("/match/default", json=BODY)
            assert r.status_code == 200, r.text
            seen.append((start, time.monotonic() - start, r.json()["list_versions"]["un_sc"]))
            time.sleep(0.02)


def test_an_external_load_is_indexed_in_the_background(data_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    store = Store(home / "sanctum.sqlite")
    load_paths(store, [data_dir / "un_sc" / "2024-11-30", data_dir / "au_dfat"], workers=1)
    store.close()
    seen: list[tuple[float, float, str]] = []  # (sent, took, UN version answered)
    for running in serve(create_app(home / "sanctum.sqlite", open_mode=True)):
        assert running.client.post("/match/default", json=BODY).status_code == 200
        stop = threading.Event()
        poller = threading.Thread(target=_poll, args=(running.url, stop, seen))
        poller.start()
        try:
            loaded = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "sanctum.cli",
                    "load",
                    str(data_dir / "un_sc" / "2026-02-27"),
                ],
                env={**os.environ, "SANCTUM_HOME": str(home)},
                capture_output=True,
                timeout=900,
            )
            assert loaded.returncode == 0, loaded.stderr
            deadline = time.monotonic() + 600
            while not seen or seen[-1][2] != "2026-02-27":
                assert time.monotonic() < deadline, "the new version was never served"
                time.sleep(0.1)
        finally:
            stop.set()
            poller.join()
    versions = [v for _, _, v in seen]
    switched = versions.index("2026-02-27")
    assert set(versions[:switched]) == {"2024-11-30"}  # the previous index, whole
    assert set(versions[switched:]) == {"2026-02-27"}  # then the new one, whole
    slowest = max(took for _, took, _ in seen)
    assert slowest < 1.0, f"a request waited {slowest:.2f} s"
