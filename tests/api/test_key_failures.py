"""Failed API key checks are limited per client address and per key id before the slow
hash runs, an unknown key id costs the same hash as a wrong secret, and the hash runs off
the event loop: wrong keys no longer burn a core on the request path (issue 19, defect 6)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sanctum.api.app import create_app
from sanctum.api.keys import Attempt, TooManyFailures, Verifier
from sanctum.store import keys
from sanctum.store.db import Store

from .conftest import serve


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "keys.sqlite")


def _timed(verifier: Verifier, text: str, client: str) -> tuple[object, float]:
    start = time.perf_counter()
    try:
        found: object = verifier.verify(text, client)
    except TooManyFailures as exc:
        found = exc
    return found, time.perf_counter() - start


def test_failures_are_limited_per_address_and_per_key_id_before_hashing(store: Store) -> None:
    record, good = keys.create(store, ["screen"])
    verifier = Verifier(store, per_minute=3)
    wrong = f"sk_{record.id}_not-the-secret"
    hashed = []
    for _ in range(3):
        found, took = _timed(verifier, wrong, "10.0.0.1")
        assert found is None
        hashed.append(took)
    found, took = _timed(verifier, wrong, "10.0.0.1")
    assert isinstance(found, TooManyFailures) and took < min(hashed) / 4  # no hash
    assert str(found) == "too many failed API key checks from this client address; try again later"
    found, _ = _timed(verifier, wrong, "10.0.0.2")  # another address, the same id: limited
    assert isinstance(found, TooManyFailures)
    assert str(found).endswith("from this key id; try again later")
    found, _ = _timed(verifier, "sk_424242_x", "10.0.0.2")  # that address may still try others
    assert found is None
    # a right key is checked from the exhausted address once its bucket refills
    verifier.by_client.give_back("10.0.0.1")
    verifier.by_key.give_back(record.id)
    found, _ = _timed(verifier, good, "10.0.0.1")
    assert isinstance(found, keys.ApiKey) and found.id == record.id
    found, took = _timed(verifier, good, "10.0.0.1")  # remembered: no hash, no token
    assert isinstance(found, keys.ApiKey) and took < min(hashed) / 4


def test_successes_take_no_failure_tokens(store: Store) -> None:
    made = [keys.create(store, ["read"])[1] for _ in range(4)]
    verifier = Verifier(store, per_minute=1)
    assert all(verifier.verify(text, "10.0.0.9") is not None for text in made)


def test_an_unknown_key_id_costs_what_a_wrong_secret_costs(store: Store) -> None:
    """It was 1 ms against 47 ms: whether a key id existed showed in the timing."""
    record, _ = keys.create(store, ["screen"])
    verifier = Verifier(store, per_minute=100)
    known = min(_timed(verifier, f"sk_{record.id}_wrong", f"a{n}")[1] for n in range(9))
    unknown = min(_timed(verifier, f"sk_{record.id + 7}_wrong", f"b{n}")[1] for n in range(9))
    revoked_id = keys.create(store, ["screen"])[0].id
    keys.revoke(store, revoked_id)
    revoked = min(_timed(verifier, f"sk_{revoked_id}_wrong", f"c{n}")[1] for n in range(9))
    assert 0.5 < unknown / known < 2 and 0.5 < revoked / known < 2


def test_a_new_key_on_many_connections_at_once_is_hashed_once(store: Store) -> None:
    """32 connections opened at once with a fresh key each took a failure token before any
    hash ended, so a legitimate client got 429s (found by the soak at 300 requests/s)."""
    _, good = keys.create(store, ["screen"])
    verifier = Verifier(store, per_minute=2)
    seen = [verifier.lookup(good, "10.0.0.5") for _ in range(32)]
    assert all(found is seen[0] for found in seen) and isinstance(seen[0], Attempt)
    with ThreadPoolExecutor(8) as pool:
        settled = list(pool.map(verifier.settle, seen))
    assert {found.id for found in settled if found is not None} == {seen[0].key_id}
    assert len(settled) == 32 and verifier.by_client.take("10.0.0.5") == 0
    wrong = [verifier.lookup(f"sk_{seen[0].key_id}_wrong", "10.0.0.6") for _ in range(8)]
    assert all(found is wrong[0] for found in wrong)  # one hash, one token, for eight
    assert [verifier.settle(found) for found in wrong] == [None] * 8  # type: ignore[arg-type]
    assert isinstance(verifier.lookup(f"sk_{seen[0].key_id}_wrong", "10.0.0.6"), Attempt)


def test_the_api_answers_429_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUM_AUTH_FAILURES", "2")
    store = Store(tmp_path / "s.sqlite")
    record, _ = keys.create(store, ["read"])
    store.close()
    for running in serve(create_app(tmp_path / "s.sqlite")):
        wrong = {"Authorization": f"Bearer sk_{record.id}_nope"}
        codes = [running.client.get("/catalog", headers=wrong).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        refused = running.client.get("/catalog", headers=wrong)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["field"] == "authorization"
