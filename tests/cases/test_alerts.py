"""Alerts from real screenings: raised on the 1 December 2023 designations, idempotent,
four eyes, suppression that holds across an unrelated version and breaks, showing what
changed, when the listed party or the customer changes; all of it audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctum import audit
from sanctum.match.score import MATCHER_VERSION
from sanctum.monitor import decisions, views
from sanctum.monitor.alerts import Conflict, Forbidden, Hit, Scope, apply_run, flush_audit
from sanctum.store.db import Store

from .conftest import CUSTOMERS, Derive, load
from .hits import hits_for

ALL = Scope(None, None, frozenset())
KANG_ALIAS = "KANG, Gyong Il"


def run(store: Store, run_id: int, hits: list[Hit], scope: Scope = ALL) -> dict[str, list[int]]:
    """apply_run as a monitoring run calls it; its outcome as a dict."""
    versions = {"us_ofac_sdn": store.latest("us_ofac_sdn").version_date}  # type: ignore[union-attr]
    outcome = apply_run(store, run_id, hits, scope, "monitor", versions, MATCHER_VERSION)
    return {k: v for k, v in outcome.ids().items() if k != "unchanged"}


def pairs(store: Store) -> list[tuple[int, str, str, str]]:
    """(id, customer, party, status) of every alert."""
    return [
        (a["id"], a["customer_id"], a["party_id"], a["status"]) for a in views.list_alerts(store)
    ]


def add_alias(text: str) -> str:
    """KANG Kyong Il (us-ofac-sdn-37658) gains an alias."""
    return text.replace(
        '"DOB 01 Sep 1969; nationality Korea, North;',
        f"\"a.k.a. '{KANG_ALIAS}'; DOB 01 Sep 1969; nationality Korea, North;",
        1,
    )


AEROCARIBBEAN = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",' + "-0- ," * 7


def unrelated(text: str) -> str:
    """An entry no customer matches (AEROCARIBBEAN AIRLINES) gains an alias."""
    return text.replace(AEROCARIBBEAN + "-0- ", AEROCARIBBEAN + "\"a.k.a. 'AEROCARIBE'.\"", 1)


def test_alerts_raised_once_per_planted_customer_and_idempotent(store: Store) -> None:
    hits = hits_for(store, CUSTOMERS)
    assert run(store, 1, hits)["raised"] == [1, 2, 3, 4]
    assert pairs(store) == [
        (1, "c1", "us-ofac-sdn-37658", "open"),
        (2, "c2", "us-ofac-sdn-37658", "open"),
        (3, "c3", "us-ofac-sdn-45430", "open"),
        (4, "c4", "us-ofac-sdn-45430", "open"),
    ]
    events = store.db.execute("SELECT COUNT(*) FROM alert_events").fetchone()[0]
    again = run(store, 1, hits)
    assert again == {"raised": [], "updated": [], "reopened": [], "closed": [], "suppressed": []}
    assert store.db.execute("SELECT COUNT(*) FROM alert_events").fetchone()[0] == events
    assert [a["version"] for a in views.list_alerts(store)] == [1, 1, 1, 1]


def test_false_positive_holds_across_unrelated_version_and_reopens_on_party_change(
    store: Store, derive: Derive
) -> None:
    run(store, 1, hits_for(store, CUSTOMERS))
    decisions.decide(store, 1, "false_positive", "different person: born elsewhere", "alice")
    with pytest.raises(Forbidden):
        decisions.review(store, 1, True, "alice")
    approved = decisions.review(store, 1, True, "bob", "agreed")
    assert (approved["status"], approved["reason"]) == (
        "false_positive",
        "false_positive approved by bob",
    )

    load(store, derive("2023-12-02", unrelated))
    quiet = run(store, 2, hits_for(store, CUSTOMERS))
    assert quiet == {"raised": [], "updated": [], "reopened": [], "closed": [], "suppressed": [1]}
    assert views.show(store, 1)["status"] == "false_positive"

    load(store, derive("2023-12-03", lambda t: add_alias(unrelated(t))))
    changed = run(store, 3, hits_for(store, CUSTOMERS))
    assert changed["reopened"] == [1]
    shown = views.show(store, 1)
    assert (shown["status"], shown["reason"]) == ("open", "listed party changed")
    reopened = shown["history"][-1]
    assert reopened["kind"] == "alert.reopened"
    assert reopened["detail"]["changes"]["party"] == {
        "names": {"added": [KANG_ALIAS], "removed": []}
    }
    statements = reopened["detail"]["changes"]["party_statements"]
    assert [(s["entity_id"], s["value"]) for s in statements["added"]] == [
        ("us-ofac-sdn-37658", KANG_ALIAS)
    ]
    assert statements["removed"] == []
    assert shown["suppression"] is None
    assert reopened["list_versions"] == {"us_ofac_sdn": "2023-12-03"}


def test_customer_change_reopens_with_the_fields_that_changed(store: Store) -> None:
    run(store, 1, hits_for(store, CUSTOMERS[2:3]), Scope(frozenset({"c3"}), None, frozenset()))
    decisions.decide(store, 1, "false_positive", "a customer of the same name", "alice")
    decisions.review(store, 1, True, "bob")
    renamed = [{"id": "c3", "name": "KIMSUKY Group Ltd"}]
    outcome = run(store, 2, hits_for(store, renamed), Scope(frozenset({"c3"}), None, frozenset()))
    assert outcome["reopened"] == [1]
    event = views.history(store, 1)[-1]
    assert event["detail"]["reason"] == "customer record changed"
    assert event["detail"]["changes"]["customer"] == {
        "names": {"added": ["KIMSUKY Group Ltd"], "removed": ["KIMSUKY Group"]}
    }


def test_closing_in_scope_and_on_removal(store: Store) -> None:
    run(store, 1, hits_for(store, CUSTOMERS))
    only_c3 = Scope(frozenset({"c3"}), None, frozenset())
    assert run(store, 2, [], only_c3)["closed"] == [3]
    assert run(store, 2, [], only_c3)["closed"] == []
    gone = Scope(frozenset(), frozenset(), frozenset({"us-ofac-sdn-45430"}))
    assert run(store, 3, [], gone)["closed"] == [4]
    shown = {a["id"]: (a["status"], a["reason"]) for a in views.list_alerts(store)}
    assert shown[3] == ("closed", "no longer matches")
    assert shown[4] == ("closed", "party removed from every list")
    assert shown[1] == ("open", "new match")


def test_decisions_need_a_decidable_state_and_the_version_read(store: Store) -> None:
    run(store, 1, hits_for(store, CUSTOMERS[:1]))
    with pytest.raises(Conflict) as stale:
        decisions.decide(store, 1, "true_match", "same DOB and name", "alice", expected_version=7)
    assert stale.value.alert is not None and stale.value.alert["version"] == 1
    decisions.decide(store, 1, "needs_info", "ask for the passport", "alice")
    decisions.decide(store, 1, "true_match", "passport matches", "carol")
    with pytest.raises(Conflict):
        decisions.decide(store, 1, "false_positive", "no", "dave")
    rejected = decisions.review(store, 1, False, "bob", "passport not on file")
    assert (rejected["status"], rejected["version"]) == ("open", 4)
    decisions.decide(store, 1, "true_match", "passport now on file", "carol")
    assert decisions.review(store, 1, True, "bob")["status"] == "true_match"
    made = [(d["decision"], d["state"], d["reviewed_by"]) for d in views.decisions_of(store, 1)]
    assert made == [
        ("needs_info", "effective", None),
        ("true_match", "rejected", "bob"),
        ("true_match", "approved", "bob"),
    ]


def test_suppression_expiry_and_revocation_reopen(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    hits = hits_for(store, CUSTOMERS[:2])
    run(store, 1, hits)
    monkeypatch.setenv("SANCTUM_SUPPRESSION_DAYS", "0")
    decisions.decide(store, 1, "false_positive", "other person", "alice")
    decisions.review(store, 1, True, "bob")
    assert run(store, 2, hits)["reopened"] == [1]
    assert views.show(store, 1)["reason"] == "suppression expired"
    monkeypatch.setenv("SANCTUM_SUPPRESSION_DAYS", "365")
    decisions.decide(store, 2, "false_positive", "other person", "alice")
    decisions.review(store, 2, True, "bob")
    assert run(store, 2, hits)["suppressed"] == [2]
    sid = views.show(store, 2)["suppression"]["id"]
    ended = decisions.revoke_suppression(store, sid, "carol", "policy review")
    assert (ended["state"], ended["end_reason"]) == (
        "ended",
        "suppression revoked by carol: policy review",
    )
    assert views.show(store, 2)["status"] == "open"


def test_every_event_is_in_the_verified_audit_trail(store: Store) -> None:
    run(store, 1, hits_for(store, CUSTOMERS[:1]))
    decisions.decide(store, 1, "false_positive", "other person", "alice")
    decisions.review(store, 1, True, "bob")
    kinds = [(r[2], r[3]) for r in audit.rows(store, None, None)]
    assert kinds == [
        ("monitor", "alert.raised"),
        ("alice", "alert.decided"),
        ("bob", "alert.approved"),
        ("bob", "suppression.created"),
        ("bob", "alert.closed"),
    ]
    assert audit.verify(store) == (True, "5 records, chain intact")
    unaudited = store.db.execute("SELECT COUNT(*) FROM alert_events WHERE audit_id IS NULL")
    assert unaudited.fetchone()[0] == 0


def test_export_csv_and_xlsx(store: Store, tmp_path: Path) -> None:
    run(store, 1, hits_for(store, CUSTOMERS))
    assert views.export(store, tmp_path / "alerts.csv") == 4
    lines = (tmp_path / "alerts.csv").read_text("utf-8").splitlines()
    assert lines[0].split(",")[:6] == [
        "id",
        "status",
        "reason",
        "customer_id",
        "party_id",
        "caption",
    ]
    assert lines[1].startswith('1,open,new match,c1,us-ofac-sdn-37658,"KANG, Kyong Il",0.9994,')
    assert views.export(store, tmp_path / "alerts.xlsx") == 4
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "alerts.xlsx").active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:5] == [1, "open", "new match", "c1", "us-ofac-sdn-37658"]


def test_inside_the_callers_transaction_it_commits_or_rolls_back_with_it(store: Store) -> None:
    hits = hits_for(store, CUSTOMERS[:1])
    store.db.execute("BEGIN IMMEDIATE")
    assert run(store, 1, hits)["raised"] == [1]
    store.db.execute("ROLLBACK")
    assert pairs(store) == []
    store.db.execute("BEGIN IMMEDIATE")
    outcome = apply_run(store, 1, hits, ALL, "monitor", {}, MATCHER_VERSION)
    store.db.execute("COMMIT")
    assert outcome.as_dict() == {
        "raised": 1,
        "updated": 0,
        "reopened": 0,
        "closed": 0,
        "suppressed": 0,
        "unchanged": 0,
    }
    assert [r[3] for r in audit.rows(store, None, None)] == []
    assert flush_audit(store) == 1
    assert [r[3] for r in audit.rows(store, None, None)] == ["alert.raised"]
    assert flush_audit(store) == 0


def test_a_flush_that_died_midway_is_completed_once(store: Store) -> None:
    run(store, 1, hits_for(store, CUSTOMERS[:1]))
    decisions.decide(store, 1, "false_positive", "other person", "alice")
    # The appends of events 1-2 committed but their marking did not; events 3-5 were
    # claimed and never appended (a flush killed in between).
    store.db.execute("BEGIN IMMEDIATE")
    decisions.review(store, 1, True, "bob")
    store.db.execute("COMMIT")
    store.db.execute("UPDATE alert_events SET audit_id = -1")
    assert flush_audit(store) == 3
    kinds = [r[3] for r in audit.rows(store, None, None)]
    assert kinds == [
        "alert.raised",
        "alert.decided",
        "alert.approved",
        "suppression.created",
        "alert.closed",
    ]
    marks = [r[0] for r in store.db.execute("SELECT audit_id FROM alert_events ORDER BY id")]
    assert marks == [0, 0, 3, 4, 5]
    assert flush_audit(store) == 0
