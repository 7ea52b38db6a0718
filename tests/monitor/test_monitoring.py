"""Monitoring: the acceptance scenario of issue 20 on a generated book, delta re-screening
equal to a full re-screen, and monitoring after every committed version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from book import PLANTED, write_book
from sanctum.monitor.customers import customer_of, import_customers
from sanctum.monitor.run import (
    PartyFacts,
    after_load,
    book_pages,
    hits_of,
    last_completed,
    list_delta,
    run_monitoring,
    screen_page,
    status,
)
from sanctum.screen import Screener
from sanctum.store.db import Store
from sanctum.store.loader import load_paths

BOOK = 3000
"""Ordinary customers of the test book (the benchmark takes 100,000 and 1,000,000)."""


def alerts(store: Store) -> list[tuple[str, str, list[str], str]]:
    """(customer, party, members, status) of every alert."""
    rows = store.db.execute(
        "SELECT customer_id, party_id, entity_ids, status FROM alerts ORDER BY customer_id"
    )
    return [(c, p, json.loads(m), s) for c, p, m, s in rows]


def full_rescreen(store: Store) -> set[tuple[str, str, float]]:
    """(customer, party, score) of a full screening of the whole book, no delta."""
    screener = Screener(store)
    facts = PartyFacts(store, screener)
    out: set[tuple[str, str, float]] = set()
    for page in book_pages(store):
        for record, h, matches in screen_page(screener, page):
            customer = customer_of(json.loads(record))
            out.update(
                (x.customer_id, x.party_id, x.score)
                for x in hits_of(screener, facts, customer, h, matches)
            )
    return out


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A store holding only us_ofac_sdn 2023-11-30 and a generated book, screened once."""
    home = tmp_path_factory.mktemp("monitor")
    os.environ["SANCTUM_HOME"] = str(home)
    store = Store(home / "sanctum.sqlite")
    load_paths(store, [data_dir / "us_ofac_sdn" / "2023-11-30"])
    import_customers(store, write_book(home / "book.csv", BOOK), "tester")
    run_monitoring(store, "tester", workers=1)
    store.close()
    return home


def test_before_the_update_no_planted_alert(scenario: Path) -> None:
    store = Store(scenario / "sanctum.sqlite")
    planted = {p["id"] for p in PLANTED}
    assert [a for a in alerts(store) if a[0] in planted] == []
    assert status(store)["up_to_date"]


def test_update_raises_one_alert_per_planted_customer(scenario: Path, data_dir: Path) -> None:
    """Loading 2023-12-01 with the CLI monitors the book on its own: one alert per planted
    customer, on the right party, and a delta equal to a full re-screen."""
    store = Store(scenario / "sanctum.sqlite")
    before = {(c, p) for c, p, _m, _s in alerts(store)}
    env = {**os.environ, "SANCTUM_HOME": str(scenario)}
    done = subprocess.run(
        [sys.executable, "-m", "sanctum.cli", "load", str(data_dir / "us_ofac_sdn" / "2023-12-01")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    runs = status(store)["runs"]
    assert runs[0]["kind"] == "delta" and runs[0]["counts"]["raised"] >= 4
    planted = sorted((c, p, m, s) for c, p, m, s in alerts(store) if c.startswith("planted-"))
    assert planted == [
        ("planted-1", "us-ofac-sdn-37658", ["us-ofac-sdn-37658"], "open"),
        ("planted-2", "us-ofac-sdn-37658", ["us-ofac-sdn-37658"], "open"),
        ("planted-3", "us-ofac-sdn-45430", ["us-ofac-sdn-45430"], "open"),
        ("planted-4", "us-ofac-sdn-45430", ["us-ofac-sdn-45430"], "open"),
    ]
    # the delta run left the alerts a full re-screen of the book gives
    rows = store.db.execute("SELECT customer_id, party_id, score FROM alerts WHERE status='open'")
    assert set(rows) == full_rescreen(store)
    new = {(c, p) for c, p, _m, _s in alerts(store)} - before
    assert {p for _c, p in new} <= {
        "us-ofac-sdn-37656",
        "us-ofac-sdn-37657",
        "us-ofac-sdn-37658",
        "us-ofac-sdn-45430",
        "us-ofac-sdn-46129",
        "us-ofac-sdn-46130",
        "us-ofac-sdn-46131",
        "us-ofac-sdn-46448",
        "us-ofac-sdn-46449",
    }


def open_alerts(store: Store) -> dict[int, tuple[str, str, float]]:
    """Alert id → (customer, party, score) of every open alert."""
    rows = store.db.execute(
        "SELECT id, customer_id, party_id, score FROM alerts WHERE status='open'"
    )
    return {i: (c, p, s) for i, c, p, s in rows}


def members(store: Store) -> dict[int, tuple[str, set[str]]]:
    """Alert id → (customer, member entries of its party) of every alert."""
    rows = store.db.execute("SELECT id, customer_id, entity_ids FROM alerts")
    return {i: (c, set(json.loads(m))) for i, c, m in rows}


# five lists loaded and the book screened twice: ~400 s on a busy 2-core machine
@pytest.mark.timeout(1800)
def test_other_lists_join_the_same_alerts(scenario: Path, data_dir: Path) -> None:
    """The other lists add their designations to the alerts' parties: no duplicate; the
    same pairs as a full re-screen, each alert of a party the load changed with a full
    re-screen's score, every other alert with the score it had."""
    store = Store(scenario / "sanctum.sqlite")
    before, members_before = open_alerts(store), members(store)
    planted_before = [a for a in alerts(store) if a[0].startswith("planted-")]
    outcomes = load_paths(
        store, [data_dir / s for s in ("au_dfat", "uk_ofsi", "un_sc", "us_csl", "us_ofac_cons")]
    )
    screener = Screener(store)
    from_seq = last_completed(store)
    assert from_seq is not None
    changed = list_delta(store, screener, from_seq).parties
    report = after_load(store, any(o.status == "loaded" for o in outcomes), "tester", screener)
    assert report is not None and report.kind == "delta"
    # no other list designates KANG Kyong Il or KIMSUKY: the planted alerts are as they were
    assert [a for a in alerts(store) if a[0].startswith("planted-")] == planted_before
    # every alert is still there; those whose party other lists joined list their entries
    members_after = members(store)
    assert all(members_before[i][1] <= members_after[i][1] for i in members_before)
    grown = sorted(
        (c, sorted(m - members_before[i][1]))
        for i, (c, m) in members_after.items()
        if i in members_before and m != members_before[i][1]
    )
    assert grown == [  # the US Consolidated Screening List's copies of OFAC entries
        ("c0000344", ["us-csl-32476"]),
        ("c0001231", ["us-csl-11278"]),
        ("c0001361", ["us-csl-12211"]),
        ("c0002109", ["us-csl-27287"]),
        ("c0002951", ["us-csl-33936"]),
    ]
    # and no customer has two alerts on one party (a member in common)
    for cid in {c for c, _m in members_after.values()}:
        mine = [m for c, m in members_after.values() if c == cid]
        assert sum(len(m) for m in mine) == len(set().union(*mine)), cid
    after = open_alerts(store)
    full = {(c, p): score for c, p, score in full_rescreen(store)}
    assert {(c, p) for c, p, _s in after.values()} == set(full)
    # Scores follow the rarity of tokens across every list loaded: a party the load did
    # not change keeps the score its alert was raised with (`monitor run --full` re-scores).
    expected = {
        i: (c, p, full[(c, p)] if p in changed else before[i][2]) for i, (c, p, _s) in after.items()
    }
    assert after == expected
    assert run_monitoring(store, "tester", full=True).kind == "full"
    rows = store.db.execute("SELECT customer_id, party_id, score FROM alerts WHERE status='open'")
    assert {(c, p): score for c, p, score in rows} == full


def test_monitoring_can_be_turned_off(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUM_MONITOR", "0")
    assert after_load(Store(scenario / "sanctum.sqlite"), True, "tester") is None
