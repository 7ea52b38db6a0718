"""Settings, read only from the environment (as yente does): one place, documented in README."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def home() -> Path:
    """Where Sanctum keeps its data: `SANCTUM_HOME`, else the platform's user data directory."""
    value = os.environ.get("SANCTUM_HOME")
    path = Path(value) if value else Path(user_data_dir("sanctum", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    """The SQLite store: `SANCTUM_DB`, else `<home>/sanctum.sqlite`."""
    value = os.environ.get("SANCTUM_DB")
    return Path(value) if value else home() / "sanctum.sqlite"


def archive_dir() -> Path:
    """Raw official files, kept by sha256 so any version can be re-read byte for byte."""
    path = home() / "archive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror() -> Path | None:
    """`SANCTUM_MIRROR`: a folder in the `<source>/<date>/<files>` layout, read instead of
    the web."""
    value = os.environ.get("SANCTUM_MIRROR")
    return Path(value) if value else None


def max_drop() -> float:
    """Largest accepted fall in entity count between versions (`SANCTUM_MAX_DROP`, default 0.10)."""
    return float(os.environ.get("SANCTUM_MAX_DROP", "0.10"))


def shared_dir() -> Path:
    """`SANCTUM_SHARED`: the shared development files (benchmarks, test data)."""
    return Path(os.environ.get("SANCTUM_SHARED", "../shared"))


def suppression_days() -> int:
    """`SANCTUM_SUPPRESSION_DAYS` (default 365): how long an approved false positive keeps
    its (customer, party) pair quiet while neither side changes; a year, the usual review
    cycle of a customer book (no benchmark: a compliance policy, not a tuning)."""
    return int(os.environ.get("SANCTUM_SUPPRESSION_DAYS", "365"))


def webhook_timeout() -> float:
    """`SANCTUM_WEBHOOK_TIMEOUT` (seconds, default 10): one delivery attempt's time limit."""
    return float(os.environ.get("SANCTUM_WEBHOOK_TIMEOUT", "10"))


def webhook_backoff() -> tuple[float, float]:
    """`SANCTUM_WEBHOOK_BACKOFF` and `SANCTUM_WEBHOOK_MAX_BACKOFF` (seconds, default 10 and
    3600): the wait after a failed attempt doubles from the first up to the second; the
    delivery is retried without end (a receiver that is down loses nothing)."""
    first = float(os.environ.get("SANCTUM_WEBHOOK_BACKOFF", "10"))
    return first, float(os.environ.get("SANCTUM_WEBHOOK_MAX_BACKOFF", "3600"))


def webhook_interval() -> float:
    """`SANCTUM_WEBHOOK_INTERVAL` (seconds, default 5): how often `sanctum serve` and
    `sanctum webhooks deliver --loop` look for due deliveries."""
    return float(os.environ.get("SANCTUM_WEBHOOK_INTERVAL", "5"))


def max_name() -> int:
    """`SANCTUM_MAX_NAME` (characters, default 500): the longest name or other value a
    query or a customer record may hold (422 in the API, a refused row in an import)."""
    return int(os.environ.get("SANCTUM_MAX_NAME", "500"))


def monitor_on_load() -> bool:
    """`SANCTUM_MONITOR` (default `1`): run monitoring (delta re-screening of the customer
    book) after every committed list version; `0` leaves it to `sanctum monitor run`."""
    return os.environ.get("SANCTUM_MONITOR", "1") != "0"
