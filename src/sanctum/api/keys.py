"""Checking presented API keys: the slow hash once per key text, failure limits per client
address and key id. The key records (create, list, revoke) are the store's:
`sanctum.store.keys`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field

from sanctum import settings
from sanctum.api.ratelimit import RateLimiter
from sanctum.errors import SanctumError
from sanctum.store.db import Store
from sanctum.store.keys import ITERATIONS, ApiKey, active, parse_key

HASH_CONCURRENCY = 1
"""Key hashes run at once in a process: wrong keys from many addresses burn one core at
most, never every core the screening needs."""


class TooManyFailures(SanctumError):
    """Refused before the slow hash: this client address or key id failed too often."""

    def __init__(self, wait: float, what: str) -> None:
        super().__init__(f"too many failed API key checks from this {what}; try again later")
        self.wait = wait


@dataclass
class Attempt:
    """A key check that needs the slow hash: the secret, the salt and hash to check it
    against, and the key it proves (None for an unknown or revoked id: checked against a
    decoy, so that it takes as long and fails). Concurrent checks of one key text share
    one Attempt: the first to settle it hashes, the others wait for its outcome."""

    seen: str
    secret: str
    salt: bytes
    stored: str
    record: ApiKey | None
    client: str
    key_id: int
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    outcome: tuple[ApiKey | None] | None = None


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
        self._pending: dict[str, Attempt] = {}
        self._pending_lock = threading.Lock()

    def lookup(self, text: str, client: str = "") -> ApiKey | Attempt | None:
        """The active key a known key text belongs to, None for text that is no key, or the
        Attempt to `settle` (after taking the failure tokens; TooManyFailures when there
        are none). Reads the store: call it where the store is used."""
        parsed = parse_key(text)
        if parsed is None:
            return None
        key_id, secret = parsed
        found = active(self.store, key_id)
        seen = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if found is not None and self._known.get(seen) == found.hash:
            return found.record
        with self._pending_lock:  # a client opening many connections at once: one hash
            if (pending := self._pending.get(seen)) is not None:
                return pending
            self._reserve(client, key_id)
            if found is None:
                attempt = Attempt(seen, secret, self._decoy_salt, self._decoy, None, client, key_id)
            else:
                attempt = Attempt(
                    seen, secret, found.salt, found.hash, found.record, client, key_id
                )
            self._pending[seen] = attempt
        return attempt

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
        """The outcome of an Attempt, hashing once however many checks share it (no store
        access: may run in a worker thread): the key if the secret is right, else None."""
        with attempt.lock:
            if attempt.outcome is None:
                attempt.outcome = (self._hash_check(attempt),)
                with self._pending_lock:
                    if self._pending.get(attempt.seen) is attempt:
                        del self._pending[attempt.seen]
        return attempt.outcome[0]

    def _hash_check(self, attempt: Attempt) -> ApiKey | None:
        """Run the slow hash of an Attempt: the key if the secret is right, else None (the
        failure tokens stay spent)."""
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
