"""A real `sanctum serve` app on loopback over the session's loaded store, and keys for it."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from sanctum.api.app import create_app
from sanctum.store import keys
from sanctum.store.db import Store


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Running:
    """A server on loopback: its base URL and a client for it."""

    url: str
    client: httpx.Client


@dataclass
class Keys:
    """API keys of each kind for the tests (texts) and their records."""

    screen: str
    read: str
    admin: str
    strict: str
    revoked: str
    screen_id: int


def serve(app: FastAPI) -> Iterator[Running]:
    """Run `app` under uvicorn in a thread until the generator is closed."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 300  # builds the index first: slow on a busy machine
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=30) as client:
        yield Running(url, client)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="package")
def api_keys(loaded_home: Path) -> Keys:
    """Keys appended to the shared store's api_keys table (one revoked)."""
    store = Store(loaded_home / "sanctum.sqlite")
    try:
        screen_key, screen = keys.create(store, ["screen"], "tests screen")
        _, read = keys.create(store, ["read"], "tests read")
        _, admin = keys.create(store, ["admin"], "tests admin")
        _, strict = keys.create(store, ["screen"], "tests strict", strict=True)
        gone, revoked = keys.create(store, ["screen", "read"], "tests revoked")
        keys.revoke(store, gone.id)
    finally:
        store.close()
    return Keys(screen, read, admin, strict, revoked, screen_key.id)


@pytest.fixture(scope="package")
def api(loaded_home: Path, api_keys: Keys) -> Iterator[Running]:
    """The API over the session's loaded store, on a free loopback port."""
    yield from serve(create_app(loaded_home / "sanctum.sqlite"))


def store_copy(loaded_home: Path, tmp_path: Path) -> Store:
    """A consistent copy of the shared session store (SQLite backup), to inspect or tamper
    with without touching what other tests read."""
    source = Store(loaded_home / "sanctum.sqlite")
    copy = tmp_path / "copy.sqlite"
    target = sqlite3.connect(copy)
    source.db.backup(target)
    target.close()
    source.close()
    return Store(copy)


def serve_command(home: Path, *args: str) -> Iterator[Running]:
    """Run `sanctum serve` as its own process over the store in `home`, on a free loopback
    port, until the generator is closed."""
    port = free_port()
    env = {**os.environ, "SANCTUM_HOME": str(home)}
    env.pop("SANCTUM_DB", None)
    command = [sys.executable, "-m", "sanctum.cli", "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # builds the index first: slow on a busy machine
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sanctum serve did not start ({process.returncode})")
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            client.get("/readyz")  # the index is built before the server answers at all
            yield Running(url, client)
    finally:
        process.terminate()
        process.wait(timeout=30)


ZALA = "zala.entities.ftm.json"
"""yente's own test dataset (opensanctions/yente, MIT; see shared/compat/yente)."""


@pytest.fixture(scope="package")
def zala_home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> tuple[Path, str]:
    """A store holding yente's test dataset as the source `zala`, and a screen key."""
    from sanctum.store.loader import load_paths

    home = tmp_path_factory.mktemp("zala")
    store = Store(home / "sanctum.sqlite")
    try:
        outcomes = load_paths(store, [data_dir.parent / "compat" / "yente" / ZALA], source="zala")
        assert [o.status for o in outcomes] == ["loaded"], [o.message for o in outcomes]
        _, key = keys.create(store, ["screen", "read"], "yente client")
    finally:
        store.close()
    return home, key


@pytest.fixture(scope="package")
def zala(zala_home: tuple[Path, str]) -> Iterator[Running]:
    """`sanctum serve` over yente's test dataset, with the key sent as yente clients do."""
    home, key = zala_home
    for running in serve_command(home):
        running.client.headers["Authorization"] = f"ApiKey {key}"
        yield running
