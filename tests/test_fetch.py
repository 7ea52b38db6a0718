"""`sanctum update` over real HTTP on 127.0.0.1: conditional requests, retries, loading."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from sanctum.fetch import fetch_source
from sanctum.sources import registry
from sanctum.store.db import Store
from sanctum.store.loader import load_version


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves files from a folder with ETags; can fail the first N requests with 503."""

    root: Path
    fail_first = 0
    requests: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        Handler.requests.append((self.path, self.headers.get("If-None-Match")))
        if Handler.fail_first > 0:
            Handler.fail_first -= 1
            self.send_error(503)
            return
        path = self.root / self.path.lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    Handler.root = root
    Handler.requests = []
    Handler.fail_first = 0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()


def test_update_downloads_then_asks_if_changed(
    server: tuple[str, Path], data_dir: Path, home_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, root = server
    (root / "consolidated.xml").write_bytes(
        (data_dir / "un_sc/2024-11-30/consolidated.xml").read_bytes()
    )
    monkeypatch.setenv("SANCTUM_URL_UN_SC", f"{base}/consolidated.xml")
    spec = registry.SOURCES["un_sc"]
    store = Store(home_env / "sanctum.sqlite")

    first = fetch_source(spec)
    assert first.status == "changed" and first.version is not None
    outcome = load_version(store, first.version)
    assert outcome.status == "loaded" and outcome.info is not None
    assert outcome.info.parties == 879 and outcome.info.version_date == "2024-11-30"

    again = fetch_source(spec)
    assert again.status == "not-modified"
    assert Handler.requests[-1][1] is not None  # sent If-None-Match

    (root / "consolidated.xml").write_bytes(
        (data_dir / "un_sc/2026-02-27/consolidated.xml").read_bytes()
    )
    third = fetch_source(spec)
    assert third.status == "changed" and third.version is not None
    assert load_version(store, third.version).info.parties == 1003  # type: ignore[union-attr]


def test_retries_with_backoff(
    server: tuple[str, Path], data_dir: Path, home_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, root = server
    (root / "dpl.txt").write_bytes((data_dir / "us_bis_dpl/2023-11-30/dpl.txt").read_bytes())
    monkeypatch.setenv("SANCTUM_URL_US_BIS_DPL", f"{base}/dpl.txt")
    monkeypatch.setattr("sanctum.fetch.BACKOFF_S", 0.01)
    Handler.fail_first = 2
    fetched = fetch_source(registry.SOURCES["us_bis_dpl"])
    assert fetched.status == "changed"
    assert len(Handler.requests) == 3


def test_failure_is_reported_not_raised(
    server: tuple[str, Path], home_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _root = server
    monkeypatch.setenv("SANCTUM_URL_UN_SC", f"{base}/missing.xml")
    fetched = fetch_source(registry.SOURCES["un_sc"])
    assert fetched.status == "failed" and "404" in fetched.message


def test_unreachable_host_fails_cleanly(home_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUM_URL_UN_SC", "http://127.0.0.1:9/consolidated.xml")
    monkeypatch.setattr("sanctum.fetch.BACKOFF_S", 0.01)
    with httpx.Client(timeout=2) as client:
        fetched = fetch_source(registry.SOURCES["un_sc"], client=client)
    assert fetched.status == "failed" and "127.0.0.1:9" in fetched.message
