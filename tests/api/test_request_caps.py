"""Caps on what one request may ask (values per property, values in all) and no stall for
other clients while the largest allowed request screens (issue 19, defect 2: a /match of
100,000 one-letter names took 29.3 s and every concurrent request waited as long)."""

from __future__ import annotations

import threading
import time

import httpx

from .conftest import Keys, Running
from .test_api import bearer


def _match(names_per_query: list[list[str]]) -> dict[str, object]:
    return {
        "queries": {
            f"q{n}": {"schema": "Person", "properties": {"name": names}}
            for n, names in enumerate(names_per_query)
        }
    }


def test_a_hundred_thousand_names_are_refused_at_once(api: Running, api_keys: Keys) -> None:
    body = _match([["a"] * 100_000])
    start = time.monotonic()
    r = api.client.post("/match/default", json=body, headers=bearer(api_keys.screen))
    assert time.monotonic() - start < 5
    assert r.status_code == 422
    assert r.json()["field"] == "queries.q0.properties.name"
    assert r.json()["detail"] == "queries.q0.properties.name: 100000 values; at most 50"


def test_too_many_values_in_all_are_refused(api: Running, api_keys: Keys) -> None:
    r = api.client.post(
        "/match/default", json=_match([["Kim"] * 50] * 21), headers=bearer(api_keys.screen)
    )
    assert r.status_code == 422 and r.json()["field"] == "queries"
    assert r.json()["detail"] == "1050 values in all the queries; at most 1000 per request"
    form = {
        "queries": '{"q0": {"query": "Kim", "properties": ['
        + ",".join(f'{{"pid": "alias", "v": "Kim {n}"}}' for n in range(51))
        + "]}}"
    }
    r = api.client.post("/reconcile/default", data=form, headers=bearer(api_keys.screen))
    assert r.status_code == 422 and r.json()["field"] == "queries.q0.properties.alias"


def test_the_largest_allowed_request_does_not_stall_others(api: Running, api_keys: Keys) -> None:
    given = ("Kim", "Ri", "Pak", "Jang", "Choe", "Han", "O", "Kang", "Yun", "Jon")
    family = ("Jong Un", "Chol", "Yong Ho", "Song Thaek", "Ryong Hae")
    big = [[f"{g} {f} {q}" for g in given for f in family] for q in range(20)]
    assert sum(len(q) for q in big) == 1000
    waits: list[float] = []
    done = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=api.url, timeout=30) as other:
            while not done.is_set():
                start = time.monotonic()
                assert other.get("/healthz").status_code == 200
                waits.append(time.monotonic() - start)
                time.sleep(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    try:  # the largest request again and again for 2 s at least: enough answers to tell
        start = time.monotonic()
        statuses = []
        while time.monotonic() - start < 2.0:
            r = api.client.post("/match/default", json=_match(big), headers=bearer(api_keys.screen))
            statuses.append(r.status_code)
        took = (time.monotonic() - start) / len(statuses)
    finally:
        done.set()
        poller.join()
    assert set(statuses) == {200}, r.text
    assert len(waits) > 5, (took, waits)
    assert max(waits) < 1.0, (took, max(waits))
