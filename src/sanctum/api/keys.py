"""API keys: stored only as salted PBKDF2 hashes in the store's SQLite file.

A key reads `sk_<id>_<secret>`: the id finds the row without scanning, the secret is
checked against the row's salted hash. The key itself is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from sanctum import settings
from sanctum.api.ratelimit import RateLimiter
from sanctum.errors import SanctumError
from sanctum.store.db import Store, now

SCOPES = ("screen", "read", "admin", "analyst", "approver")
IMPLIED = {"analyst": "read", "approver": "read"}
"""Scopes that carry another: whoever decides or approves alerts must read them."""
ITERATIONS = 200_000
HASH_CONCURRENCY = 1
"""Key hashes run at once in a process: wrong keys from many addresses burn one core at
most, never every core the screening needs."""
PREFIX = "sk_"

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    strict INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    revoked TEXT
);
"""


@dataclass(frozen=True)
class ApiKey:
    """A key's record, without its secret."""

    id: int
    name: str
    scopes: tuple[str, ...]
    strict: bool
    created: str
    revoked: str | None = None

    def allows(self, scope: str) -> bool:
        """True if this key may use endpoints of `scope` (admin may use all)."""
        held = {*self.scopes, *(IMPLIED[s] for s in self.scopes if s in IMPLIED)}
        return scope in held or "admin" in held

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (never the secret)."""
        return {
            "id": self.id,
            "name": self.name,
            "scopes": list(self.scopes),
            "strict": self.strict,
            "created": self.created,
            "revoked": self.revoked,
        }


def ensure(store: Store) -> None:
    """Create the api_keys table if it is not there yet."""
    store.db.executescript(SCHEMA)


def digest(secret: str, salt: bytes) -> str:
    """The salted hash kept for a secret."""
    return hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, ITERATIONS).hex()


def _scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Validated, de-duplicated scopes in their canonical order."""
    if not scopes:
        raise SanctumError(f"give at least one scope: {', '.join(SCOPES)}")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise SanctumError(f"unknown scope(s) {', '.join(unknown)}; use {', '.join(SCOPES)}")
    return tuple(s for s in SCOPES if s in scopes)


def _row(row: tuple[int, str, str, int, str, str | None]) -> ApiKey:
    rid, name, scopes, strict, created, revoked = row
    return ApiKey(rid, name, tuple(scopes.split(",")), bool(strict), created, revoked)


_COLS = "id, name, scopes, strict, created, revoked"


def create(
    store: Store, scopes: list[str] | tuple[str, ...], name: str = "", strict: bool = False
) -> tuple[ApiKey, str]:
    """A new key: its record and the key text (shown once, never stored)."""
    ensure(store)
    wanted = _scopes(scopes)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    created = now()
    cur = store.db.execute(
        "INSERT INTO api_keys (name, scopes, salt, hash, strict, created) VALUES (?,?,?,?,?,?)",
        (name, ",".join(wanted), salt.hex(), digest(secret, salt), int(strict), created),
    )
    key_id = int(cur.lastrowid or 0)
    return ApiKey(key_id, name, wanted, strict, created), f"{PREFIX}{key_id}_{secret}"


def list_keys(store: Store) -> list[ApiKey]:
    """All keys, revoked ones included, oldest first."""
    ensure(store)
    return [_row(r) for r in store.db.execute(f"SELECT {_COLS} FROM api_keys ORDER BY id")]


def revoke(store: Store, key_id: int) -> ApiKey:
    """Revoke a key for good; raises SanctumError for an unknown id."""
    ensure(store)
    cur = store.db.execute(
        "UPDATE api_keys SET revoked=? WHERE id=? AND revoked IS NULL", (now(), key_id)
    )
    row = store.db.execute(f"SELECT {_COLS} FROM api_keys WHERE id=?", (key_id,)).fetchone()
    if row is None:
        raise SanctumError(f"no API key with id {key_id}")
    if not cur.rowcount:
        raise SanctumError(f"API key {key_id} was already revoked on {row[5]}")
    return _row(row)


def parse_key(text: str) -> tuple[int, str] | None:
    """(id, secret) of a key in the `sk_<id>_<secret>` form, else None."""
    if not text.startswith(PREFIX):
        return None
    key_id, sep, secret = text[len(PREFIX) :].partition("_")
    if not sep or not key_id.isdigit() or not secret or len(key_id) > 18:
        return None
    return int(key_id), secret


class TooManyFailures(SanctumError):
    """Refused before the slow hash: this client address or key id failed too often."""

    def __init__(self, wait: float, what: str) -> None:
        super().__init__(f"too many failed API key checks from this {what}; try again later")
        self.wait = wait


@dataclass(frozen=True)
class Attempt:
    """A key check that needs the slow hash: the secret, the salt and hash to check it
    against, and the key it proves (None for an unknown or revoked id: checked against a
    decoy, so that it takes as long and fails)."""

    seen: str
    secret: str
    salt: bytes
    stored: str
    record: ApiKey | None
    client: str
    key_id: int


class Verifier:
    """Checks presented keys; remembers which key text matched which stored hash, so the
    slow hash runs once per key, while revocation is still read from the store each time.

    A check that needs the slow hash (PBKDF2, ~50 ms of CPU) first takes a token from the
    client address's and from the key id's bucket of failures (`per_minute` each, settings.
    auth_failures_per_minute); a check that succeeds gives them back. So wrong keys cost at
    most that many hashes a minute per address and per id, and an unknown or revoked id
    costs the same hash (against a decoy) as a wrong secret: timing does not tell them
    apart. At most HASH_CONCURRENCY hashes run at once."""

    def __init__(self, store: Store, per_minute: int | None = None) -> None:
        self.store = store
        self._known: dict[str, str] = {}
        limit = settings.auth_failures_per_minute() if per_minute is None else per_minute
        self.by_client = RateLimiter(limit)
        self.by_key = RateLimiter(limit)
        self._hashing = threading.BoundedSemaphore(HASH_CONCURRENCY)
        self._decoy_salt = secrets.token_bytes(16)
        self._decoy = secrets.token_hex(32)
        ensure(store)

    def lookup(self, text: str, client: str = "") -> ApiKey | Attempt | None:
        """The active key a known key text belongs to, None for text that is no key, or the
        Attempt to `settle` (after taking the failure tokens; TooManyFailures when there
        are none). Reads the store: call it where the store is used."""
        parsed = parse_key(text)
        if parsed is None:
            return None
        key_id, secret = parsed
        row = self.store.db.execute(
            f"SELECT {_COLS}, salt, hash FROM api_keys WHERE id=?", (key_id,)
        ).fetchone()
        seen = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        record = None
        if row is not None and row[5] is None:
            *fields, salt, stored = row
            record = _row((fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]))
            if self._known.get(seen) == stored:
                return record
        self._reserve(client, key_id)
        if record is None:
            return Attempt(seen, secret, self._decoy_salt, self._decoy, None, client, key_id)
        return Attempt(seen, secret, bytes.fromhex(salt), stored, record, client, key_id)

    def _reserve(self, client: str, key_id: int) -> None:
        """Take a failure token of the client address and of the key id, or refuse."""
        wait = self.by_client.take(client)
        if wait > 0:
            raise TooManyFailures(wait, "client address")
        wait = self.by_key.take(key_id)
        if wait > 0:
            self.by_client.give_back(client)
            raise TooManyFailures(wait, "key id")

    def settle(self, attempt: Attempt) -> ApiKey | None:
        """Run the slow hash of an Attempt (no store access: may run in a worker thread);
        the key if the secret is right, else None (the tokens stay spent)."""
        secret = attempt.secret.encode("utf-8", "surrogatepass")
        with self._hashing:
            computed = hashlib.pbkdf2_hmac("sha256", secret, attempt.salt, ITERATIONS).hex()
        if not hmac.compare_digest(computed, attempt.stored) or attempt.record is None:
            return None
        self._known[attempt.seen] = attempt.stored
        self.by_client.give_back(attempt.client)
        self.by_key.give_back(attempt.key_id)
        return attempt.record

    def verify(self, text: str, client: str = "") -> ApiKey | None:
        """The active key this text belongs to, or None (unknown, wrong or revoked);
        TooManyFailures when this client or key id has no failure token left."""
        found = self.lookup(text, client)
        return self.settle(found) if isinstance(found, Attempt) else found


def verify(store: Store, text: str) -> ApiKey | None:
    """The active key this text belongs to, or None."""
    return Verifier(store).verify(text)
