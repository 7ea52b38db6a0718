"""Settings, read only from the environment (as yente does): the one module that reads it,
every variable listed in README's settings table (tests/test_settings.py holds both)."""

from __future__ import annotations

import os
from pathlib import Path

from sanctum.errors import SanctumError

DEFAULT_MAX_NAME = 500
"""Characters of a name (or other query value) by default: no real name is longer, and a
longer field is garbage that must cost a bounded time."""


def _int(name: str, default: int) -> int:
    """An integer setting; anything but digits leaves the default."""
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() else default


class SettingError(SanctumError):
    """A setting in the environment that cannot be used (named, with its value)."""


def home() -> Path:
    """Where Sanctum keeps its data: `SANCTUM_HOME`, else the platform's user data directory."""
    from platformdirs import user_data_dir  # only where no SANCTUM_HOME is set

    value = os.environ.get("SANCTUM_HOME")
    path = Path(value) if value else Path(user_data_dir("sanctum", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    """The SQLite store: `SANCTUM_DB`, else `<home>/sanctum.sqlite`."""
    value = os.environ.get("SANCTUM_DB")
    return Path(value) if value else home() / "sanctum.sqlite"


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


def warn_age_days() -> float:
    """`SANCTUM_WARN_AGE` (days, default 90): a list whose own publication date is older is
    shown as a warning (still served). Official lists change every few weeks; a quarter
    without a new publication is worth a look (a policy, not a benchmark's tuning)."""
    return float(os.environ.get("SANCTUM_WARN_AGE", "90"))


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


def login_name() -> str | None:
    """`USER`: the operator's login name, recorded for a command run without `--as`."""
    return os.environ.get("USER")


def max_name() -> int:
    """`SANCTUM_MAX_NAME` (default DEFAULT_MAX_NAME): the longest name or other query value
    the API accepts (422 beyond), and the length a name is cut to for matching."""
    return _int("SANCTUM_MAX_NAME", DEFAULT_MAX_NAME)


def max_queries() -> int:
    """`SANCTUM_MAX_QUERIES` (default 100): queries in one `/match` request."""
    return _int("SANCTUM_MAX_QUERIES", 100)


def max_body() -> int:
    """`SANCTUM_MAX_BODY` (default 2 MiB): the largest request body, in bytes."""
    return _int("SANCTUM_MAX_BODY", 2 * 1024 * 1024)


def rate_limit() -> int:
    """`SANCTUM_RATE_LIMIT` (default 6000): requests a minute per API key (0: no limit)."""
    return _int("SANCTUM_RATE_LIMIT", 6000)


def api_open() -> bool:
    """`SANCTUM_API_OPEN=1`: the API answers without keys (`sanctum serve --open` sets it
    for its workers)."""
    return os.environ.get("SANCTUM_API_OPEN") == "1"


def serve_open(open_mode: bool) -> None:
    """Set or clear `SANCTUM_API_OPEN` for the API workers this process starts."""
    if open_mode:
        os.environ["SANCTUM_API_OPEN"] = "1"
    else:
        os.environ.pop("SANCTUM_API_OPEN", None)


def run_serve() -> bool:
    """`SANCTUM_RUN_SERVE` (default 1; `0`: `sanctum run` loads and screens, then stops
    instead of serving the API)."""
    return os.environ.get("SANCTUM_RUN_SERVE", "1") != "0"


def names_with_prefix(prefix: str) -> list[str]:
    """The environment variables set whose names start with `prefix`, sorted (settings
    named per source, as `SANCTUM_MAX_AGE_<SOURCE>`)."""
    return sorted(name for name in os.environ if name.startswith(prefix))


def source_urls(source: str) -> tuple[str, ...] | None:
    """`SANCTUM_URL_<SOURCE>`: space-separated URLs overriding a source's downloads."""
    value = os.environ.get(f"SANCTUM_URL_{source.upper()}")
    return tuple(value.split()) if value else None


def pure() -> bool:
    """`SANCTUM_PURE=1`: run the matching core from its Python sources, not the compiled
    build (`sanctum._native`)."""
    return os.environ.get("SANCTUM_PURE") == "1"


def monitor_on_load() -> bool:
    """`SANCTUM_MONITOR` (default `1`): run monitoring (delta re-screening of the customer
    book) after every committed list version; `0` leaves it to `sanctum monitor run`."""
    return os.environ.get("SANCTUM_MONITOR", "1") != "0"


def max_jump() -> float:
    """Largest accepted rise in entry count between versions (`SANCTUM_MAX_JUMP`, default
    1.0: more than doubling is refused). A wrong list of the same format (an SDN file as
    the consolidated list: +3,286%) is refused; a real list's year of growth is far less."""
    return float(os.environ.get("SANCTUM_MAX_JUMP", "1.0"))


def _int_setting(name: str, default: int) -> int:
    """A positive whole-number setting; an unreadable value is an error, not the default."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a whole number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r}: expected a number above 0")
    return value


def xlsx_max_cells() -> int:
    """Largest worksheet extent (rows × columns, from its declared dimension and its cell
    references) read (`SANCTUM_XLSX_MAX_CELLS`). The reader allocates the whole extent: the
    DFAT list spans 2.4 million (A1:IU9561), UK OFSI 0.7 million; one cell at XFD1048576
    would ask for 17 billion (550 GB)."""
    return _int_setting("SANCTUM_XLSX_MAX_CELLS", 20_000_000)


def xlsx_max_part_bytes() -> int:
    """Largest decompressed size of one XLSX part or gzipped list
    (`SANCTUM_XLSX_MAX_PART_BYTES`); the largest official part is the UK worksheet, 12.8 MB,
    the largest gzipped list (trade.gov CSL) 5.8 MB."""
    return _int_setting("SANCTUM_XLSX_MAX_PART_BYTES", 256 * 1024 * 1024)


def xlsx_max_ratio() -> int:
    """Largest decompressed/compressed size ratio of an XLSX part or gzipped list over 1 MiB
    (`SANCTUM_XLSX_MAX_RATIO`); official ones compress 3-11 times, zip bombs 1000 times."""
    return _int_setting("SANCTUM_XLSX_MAX_RATIO", 100)


def xlsx_max_props_bytes() -> int:
    """Largest decompressed size of a document-properties part (`docProps/*`,
    `SANCTUM_XLSX_MAX_PROPS_BYTES`); official ones are under 5 KB."""
    return _int_setting("SANCTUM_XLSX_MAX_PROPS_BYTES", 1024 * 1024)


def max_field_chars(source: str) -> int:
    """Longest value a list may state (`SANCTUM_MAX_FIELD_<SOURCE>`, else
    `SANCTUM_MAX_FIELD`, default 20,000 characters); longer values are truncated to it and
    recorded as a `truncated` issue. The longest official value is a UK OFSI note of
    4,232 characters."""
    default = _int_setting("SANCTUM_MAX_FIELD", 20_000)
    return _int_setting(f"SANCTUM_MAX_FIELD_{source.upper()}", default)


def audit_key_file() -> Path:
    """The key of the audit chain's HMAC, kept outside the store: `<home>/audit.key`
    (created on first use, mode 0600). `SANCTUM_AUDIT_KEY` gives the key instead."""
    return home() / "audit.key"


def audit_key_text() -> str | None:
    """`SANCTUM_AUDIT_KEY`: the audit chain's HMAC key itself (at least 32 characters)."""
    return os.environ.get("SANCTUM_AUDIT_KEY") or None


def audit_checkpoints(store_path: Path) -> Path:
    """Where signed checkpoints of the audit chain's head are appended:
    `SANCTUM_AUDIT_CHECKPOINTS`, else `<store file>.audit-checkpoints` beside the store."""
    value = os.environ.get("SANCTUM_AUDIT_CHECKPOINTS")
    return Path(value) if value else store_path.with_name(store_path.name + ".audit-checkpoints")


AUDIT_CHECKPOINT_SECONDS = 60.0
"""Default seconds between checkpoints of a serving process: what a forger with write
access to the store can delete undetected is at most this much of the newest records."""


def audit_checkpoint_seconds() -> float:
    """`SANCTUM_AUDIT_CHECKPOINT_SECONDS`: seconds between a server's audit checkpoints."""
    return positive_float("SANCTUM_AUDIT_CHECKPOINT_SECONDS", AUDIT_CHECKPOINT_SECONDS)


def positive_float(name: str, default: float, zero: bool = False) -> float:
    """A positive number (or 0, with `zero`) from the environment; a clear error for
    anything else (never a silent fallback to the default)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not (number > 0 or (zero and number == 0)) or number == float("inf"):
        wanted = "a number, 0 or more" if zero else "a positive number"
        raise SettingError(f"{name}={value!r}: expected {wanted}")
    return number


def positive_int(name: str, default: int) -> int:
    """A positive whole number from the environment; a clear error for anything else."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise SettingError(f"{name}={value!r}: expected a positive whole number")
    return int(value)


AUTH_FAILURES_PER_MINUTE = 10
"""Failed API key checks a minute per client address and per key id (in bursts of as
many) before 429: four clients sending wrong keys raised legitimate p50 from 3 ms to
222 ms with no limit (issue 19's probe); each check costs ~50 ms of PBKDF2."""


def auth_failures_per_minute() -> int:
    """`SANCTUM_AUTH_FAILURES`: failed key checks a minute per client address and per key id."""
    return positive_int("SANCTUM_AUTH_FAILURES", AUTH_FAILURES_PER_MINUTE)


MAX_VALUES = 50
"""Values a query may give one property (names, dates, ...): a query naming someone
fifty ways is already far past any real one."""
MAX_REQUEST_VALUES = 1_000
"""Values a request may carry in all its queries: the largest allowed /match request
then screens in well under a second (test_request_caps), where 100,000 one-letter names
took 29.3 s and held up every other client as long."""


def max_values() -> int:
    """`SANCTUM_MAX_VALUES`: values per property of one query (422 beyond)."""
    return positive_int("SANCTUM_MAX_VALUES", MAX_VALUES)


def max_request_values() -> int:
    """`SANCTUM_MAX_REQUEST_VALUES`: values in all the queries of one request (422 beyond)."""
    return positive_int("SANCTUM_MAX_REQUEST_VALUES", MAX_REQUEST_VALUES)


def public_url() -> str:
    """`SANCTUM_PUBLIC_URL`: the address clients reach the API at (default
    `http://127.0.0.1:8000`). The reconciliation service's identifier space and its view,
    preview and suggest links are built from it, never from a request's Host header, so
    they are the same however the service is reached."""
    return os.environ.get("SANCTUM_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
