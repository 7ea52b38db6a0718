"""A false positive through the whole chain: a customer book monitored by the runs that
follow every list load, decided and approved by two identities, quiet on the next
unrelated version, reopened with the change shown when the listed party changes."""

from __future__ import annotations

import csv
from pathlib import Path

from sanctum.monitor import decisions, views
from sanctum.monitor.customers import import_customers
from sanctum.monitor.run import after_load, run_monitoring
from sanctum.store.db import Store
from sanctum.store.loader import load_paths

from .conftest import CUSTOMERS, Derive
from .test_alerts import KANG_ALIAS, add_alias, unrelated


def load_and_monitor(store: Store, folder: Path) -> None:
    """`sanctum load` as the library runs it: the version, then the monitoring run."""
    outcomes = load_paths(store, [folder], source="us_ofac_sdn")
    assert [o.status for o in outcomes] == ["loaded"], [o.message for o in outcomes]
    assert after_load(store, True, "loader") is not None


def book(path: Path) -> Path:
    """The planted customers as a CSV book."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["id", "name", "schema", "birth_date"])
        writer.writeheader()
        for customer in CUSTOMERS:
            writer.writerow({"schema": "", "birth_date": "", **customer})
    return path


def test_false_positive_through_monitoring_runs(
    tmp_path: Path, data_dir: Path, derive: Derive
) -> None:
    store = Store(tmp_path / "sanctum.sqlite")
    load_paths(store, [data_dir / "us_ofac_sdn" / "2023-11-30"], source="us_ofac_sdn")
    import_customers(store, book(tmp_path / "book.csv"), "tester")
    run_monitoring(store, "tester", workers=1)
    assert views.list_alerts(store) == []

    load_and_monitor(store, data_dir / "us_ofac_sdn" / "2023-12-01")
    kang = [a for a in views.list_alerts(store) if a["customer_id"] == "c1"]
    assert [(a["party_id"], a["status"]) for a in kang] == [("us-ofac-sdn-37658", "open")]
    alert_id = kang[0]["id"]
    decisions.decide(store, alert_id, "false_positive", "born elsewhere", "alice")
    decisions.review(store, alert_id, True, "bob")

    load_and_monitor(store, derive("2023-12-02", unrelated))
    assert views.show(store, alert_id)["status"] == "false_positive"

    load_and_monitor(store, derive("2023-12-03", lambda t: add_alias(unrelated(t))))
    shown = views.show(store, alert_id)
    assert (shown["status"], shown["reason"]) == ("open", "listed party changed")
    reopened = shown["history"][-1]
    assert reopened["kind"] == "alert.reopened"
    statements = reopened["detail"]["changes"]["party_statements"]
    assert [(s["entity_id"], s["value"]) for s in statements["added"]] == [
        ("us-ofac-sdn-37658", KANG_ALIAS)
    ]
    assert statements["removed"] == []
