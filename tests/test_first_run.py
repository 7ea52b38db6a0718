"""`sanctum run` (what `make run` ends with) on a machine without internet: it reads the
shared data folder when there is one, saying so in one line; with neither that folder nor
a mirror it says in one line how to use a mirror and exits non-zero, serving nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sanctum.sources import registry

SANCTUM = [sys.executable, "-m", "sanctum.cli"]


class NotFound(BaseHTTPRequestHandler):
    """An official site that has none of the files (an answer without retries)."""

    def do_GET(self) -> None:
        self.send_error(404)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture()
def unreachable_web() -> Iterator[dict[str, str]]:
    """SANCTUM_URL_<SOURCE> of every source pointing at a loopback server answering 404."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {f"SANCTUM_URL_{sid.upper()}": f"{base}/{sid}.csv" for sid in registry.SOURCES}
    server.shutdown()


def run(tmp_path: Path, shared: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SANCTUM_MIRROR"}
    env |= {
        "SANCTUM_HOME": str(tmp_path / "home"),
        "SANCTUM_SHARED": str(shared),
        "SANCTUM_RUN_SERVE": "0",
        **extra,
    }
    return subprocess.run(
        [*SANCTUM, "run"], env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )


def test_run_reads_the_shared_data_folder(
    tmp_path: Path, data_dir: Path, unreachable_web: dict[str, str]
) -> None:
    shared = tmp_path / "shared"
    (shared / "data").mkdir(parents=True)
    (shared / "data" / "us_bis_dpl").symlink_to(data_dir / "us_bis_dpl")
    done = run(tmp_path, shared, unreachable_web)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "reading the lists from" in line]
    assert said == [
        f"reading the lists from {shared / 'data'} (the shared mirror; SANCTUM_MIRROR to "
        "choose another, or `sanctum update` for the official URLs)"
    ]
    assert "us_bis_dpl\t2023-11-30\tloaded\t663" in done.stderr
    assert "could not fetch" not in done.stderr


def test_run_without_internet_or_mirror_fails_with_the_hint(
    tmp_path: Path, unreachable_web: dict[str, str]
) -> None:
    done = run(tmp_path, tmp_path / "absent", unreachable_web)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: no list loaded: could not fetch the lists from the official URLs (no "
        "internet?): set SANCTUM_MIRROR to a folder in the <source>/<date>/<files> layout, "
        "e.g. SANCTUM_MIRROR=../shared/data make run"
    ]
    assert done.stdout == ""


def test_run_without_a_network_fails_at_once(tmp_path: Path) -> None:
    """No host name resolves (`.invalid` never does): no download is tried, so no retry is
    waited for; one line says why and how to use a mirror."""
    urls = {f"SANCTUM_URL_{sid.upper()}": f"https://{sid}.invalid/list" for sid in registry.SOURCES}
    started = time.monotonic()
    done = run(tmp_path, tmp_path / "absent", urls)
    took = time.monotonic() - started
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: no list loaded: could not fetch the lists from the official URLs (no network: "
        "not one official host's name resolves): set SANCTUM_MIRROR to a folder in the "
        "<source>/<date>/<files> layout, e.g. SANCTUM_MIRROR=../shared/data make run"
    ]
    assert took < 20, took  # was ~30 s of retries (3 tries a source, 1 s and 2 s apart)
