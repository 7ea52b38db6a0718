"""API key records: stored only as salted PBKDF2 hashes in the store's `api_keys` table.

A key reads `sk_<id>_<secret>`: the id finds the row without scanning, the secret is
checked against the row's salted hash. The key itself is shown once, at creation. The
records live in the store layer so that `sanctum keys` and the API share them; checking
a presented key (its failure limits, its hash cache) is the API's (`api/keys.py`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sanctum.errors import SanctumError
from sanctum.store.db import Store, now

SCOPES = ("screen", "read", "admin", "analyst", "approver")
IMPLIED = {"analyst": "read", "approver": "read"}
"""Scopes that carry another: whoever decides or approves alerts must read them."""
ITERATIONS = 200_000
PREFIX = "sk_"


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


@dataclass(frozen=True)
class Stored:
    """A key's record with the salt and hash its secret is checked against."""

    record: ApiKey
    salt: bytes
    hash: str


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
    return [_row(r) for r in store.db.execute(f"SELECT {_COLS} FROM api_keys ORDER BY id")]


def revoke(store: Store, key_id: int) -> ApiKey:
    """Revoke a key for good; raises SanctumError for an unknown id."""
    cur = store.db.execute(
        "UPDATE api_keys SET revoked=? WHERE id=? AND revoked IS NULL", (now(), key_id)
    )
    row = store.db.execute(f"SELECT {_COLS} FROM api_keys WHERE id=?", (key_id,)).fetchone()
    if row is None:
        raise SanctumError(f"no API key with id {key_id}")
    if not cur.rowcount:
        raise SanctumError(f"API key {key_id} was already revoked on {row[5]}")
    return _row(row)


def active(store: Store, key_id: int) -> Stored | None:
    """The key of this id with its salt and hash, or None if unknown or revoked."""
    row = store.db.execute(
        f"SELECT {_COLS}, salt, hash FROM api_keys WHERE id=? AND revoked IS NULL", (key_id,)
    ).fetchone()
    if row is None:
        return None
    rid, name, scopes, strict, created, revoked, salt, stored = row
    return Stored(_row((rid, name, scopes, strict, created, revoked)), bytes.fromhex(salt), stored)


def parse_key(text: str) -> tuple[int, str] | None:
    """(id, secret) of a key in the `sk_<id>_<secret>` form, else None."""
    if not text.startswith(PREFIX):
        return None
    key_id, sep, secret = text[len(PREFIX) :].partition("_")
    if not sep or not key_id.isdigit() or not secret or len(key_id) > 18:
        return None
    return int(key_id), secret
