"""Downloading official files: conditional requests, retries with backoff, a timeout.

Each source's last downloaded files are kept with their ETag / Last-Modified so the next
`sanctum update` asks only "has it changed?". A changed source becomes a new version
folder that the loader reads exactly as it reads the mirror layout.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import httpx

from sanctum import settings
from sanctum.errors import SanctumError
from sanctum.sources.registry import SOURCES, SourceSpec
from sanctum.store.db import Store
from sanctum.store.loader import LoadOutcome, VersionFiles, load_paths, load_version

TIMEOUT_S = 60.0
RETRIES = 3
BACKOFF_S = 1.0
USER_AGENT = "sanctum/0.1 (sanctions screening; +https://github.com/)"


@dataclass
class FetchOutcome:
    """Result of asking one source for new files."""

    source: str
    status: str  # "changed", "not-modified", "failed"
    version: VersionFiles | None = None
    message: str = ""


def _state_path(home: Path, source: str) -> Path:
    return home / "downloads" / source / "state.json"


def _file_name(url: str) -> str:
    return Path(urlparse(url).path).name or "download"


def get_with_retries(
    client: httpx.Client, url: str, headers: dict[str, str], retries: int = RETRIES
) -> httpx.Response:
    """GET with retries and exponential backoff on network errors and 5xx answers."""
    delay = BACKOFF_S
    for attempt in range(1, retries + 1):
        try:
            response = client.get(url, headers=headers)
            if response.status_code < 500 or attempt == retries:
                return response
        except httpx.HTTPError as exc:
            if attempt == retries:
                raise SanctumError(f"{url}: {type(exc).__name__}: {exc}") from exc
        time.sleep(delay)
        delay *= 2
    raise SanctumError(f"{url}: no answer after {retries} tries")


def fetch_source(
    spec: SourceSpec,
    client: httpx.Client | None = None,
    retries: int = RETRIES,
    home: Path | None = None,
) -> FetchOutcome:
    """Download a source's files if any changed since the last download, into `home`'s
    downloads (the store's home; SANCTUM_HOME when none is given)."""
    urls = spec.official_urls()
    if not urls:
        return FetchOutcome(spec.id, "failed", message="no official URL registered")
    state_file = _state_path(home or settings.home(), spec.id)
    state: dict[str, dict[str, str]] = (
        json.loads(state_file.read_text()) if state_file.exists() else {}
    )
    latest_dir = state_file.parent / "latest"
    latest_dir.mkdir(parents=True, exist_ok=True)
    own = client is None
    client = client or httpx.Client(
        timeout=TIMEOUT_S, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )
    changed = False
    try:
        for index, url in enumerate(urls):
            name = _file_name(url)
            cached = latest_dir / name
            headers: dict[str, str] = {}
            if cached.exists() and url in state:
                if etag := state[url].get("etag"):
                    headers["If-None-Match"] = etag
                if modified := state[url].get("last_modified"):
                    headers["If-Modified-Since"] = modified
            response = get_with_retries(client, url, headers, retries)
            if response.status_code == 304:
                continue
            if response.status_code == 404 and index > 0:
                cached.unlink(missing_ok=True)  # optional companion file (e.g. sdn_comments.csv)
                continue
            if response.status_code != 200:
                return FetchOutcome(
                    spec.id, "failed", message=f"{url}: HTTP {response.status_code}"
                )
            tmp = cached.with_suffix(cached.suffix + ".part")
            tmp.write_bytes(response.content)
            tmp.replace(cached)
            state[url] = {
                "etag": response.headers.get("ETag", ""),
                "last_modified": response.headers.get("Last-Modified", ""),
            }
            changed = True
    except SanctumError as exc:
        return FetchOutcome(spec.id, "failed", message=str(exc))
    finally:
        if own:
            client.close()
    if not changed:
        return FetchOutcome(spec.id, "not-modified")
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    folder = state_file.parent / stamp
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for cached in sorted(latest_dir.iterdir()):
        target = folder / cached.name
        target.write_bytes(cached.read_bytes())
        files.append(target)
    state_file.write_text(json.dumps(state, indent=1))
    today = stamp[:10]
    return FetchOutcome(spec.id, "changed", VersionFiles(spec.id, stamp, today, tuple(files)))


NO_NETWORK = "no network: not one official host's name resolves"
"""Why every source failed at once when no host name resolves (no retries waited for)."""


def resolves(host: str) -> bool:
    """True if the host name resolves to an address (the first thing any download needs)."""
    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    return True


def network_down(source_ids: Sequence[str]) -> bool:
    """True when not one host of the sources' URLs resolves: no download can work, so none
    is tried (each would wait for its retries: ~30 s for all the lists, to no end)."""
    hosts = {urlparse(u).hostname or "" for s in source_ids for u in SOURCES[s].official_urls()}
    return bool(hosts) and not any(resolves(h) for h in sorted(hosts) if h)


def update_from_web(
    store: Store, source_ids: Sequence[str], *, force: bool = False
) -> tuple[list[FetchOutcome], list[LoadOutcome]]:
    """Fetch each source and load what changed; every attempt is logged in the store
    (a not-modified answer confirms the version in force is still current). Without a
    network (`network_down`) every source fails at once with NO_NETWORK."""
    fetched: list[FetchOutcome] = []
    outcomes: list[LoadOutcome] = []
    offline = network_down(source_ids)
    for sid in source_ids:
        if offline:
            result = FetchOutcome(sid, "failed", message=NO_NETWORK)
        else:
            result = fetch_source(SOURCES[sid], home=store.home)
        fetched.append(result)
        if result.status == "failed":
            store.record_attempt(sid, [], False, result.message)
        elif result.status == "not-modified":
            store.record_attempt(sid, [], True, "not modified since the last download")
        elif result.version is not None:
            with store.bulk():
                outcomes.append(load_version(store, result.version, force=force))
    store.repair_derived()
    return fetched, outcomes


@dataclass
class UpdateReport:
    """What one update did: where it read from, what each download gave (web only), and
    what happened to each version (loaded, unchanged, rejected with the reason)."""

    mode: str  # "mirror" or "web"
    fetched: list[FetchOutcome] = field(default_factory=list)
    outcomes: list[LoadOutcome] = field(default_factory=list)


def update_sources(
    store: Store,
    source_ids: Sequence[str],
    mirror: Path | None = None,
    *,
    force: bool = False,
    progress: Callable[[VersionFiles], None] | None = None,
    workers: int | None = None,
) -> UpdateReport:
    """Pull new versions of the given sources: from `mirror` (a `<source>/<date>/<files>`
    folder) when one is given, else from the official URLs. Shared by `sanctum update` and
    `POST /admin/update`; raises SanctumError when the mirror holds none of the sources."""
    if mirror is not None:
        paths = [mirror / s for s in source_ids if (mirror / s).is_dir()]
        if not paths:
            raise SanctumError(
                f"{mirror}: no source folders found (expected <source>/<date>/<files>)"
            )
        outcomes = load_paths(store, paths, force=force, progress=progress, workers=workers)
        return UpdateReport("mirror", [], outcomes)
    fetched, outcomes = update_from_web(store, source_ids, force=force)
    return UpdateReport("web", fetched, outcomes)
