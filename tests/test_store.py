"""The versioned store on the real shared files: counts, history, diffs, links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sanctum import catalog
from sanctum.store.db import Store, real_change
from sanctum.store.loader import discover, load_paths

PROVENANCE_TOTALS = {
    # source: (latest version, entries) as PROVENANCE.md gives them
    "us_ofac_sdn": ("2024-05-03", 14965),
    "un_sc": ("2026-02-27", 1003),
    "uk_ofsi": ("2025-04-10", 4686),
    "au_dfat": (None, 3062),
    "ca_sema": ("2020-04-15", 1369),
    "us_ofac_cons": ("2025-12-19", 442),
    # CSL: 14160 rows, 14048 distinct parties (_id); a party on several US lists has a row
    # per list. DPL: 665 rows, two of them exact repeats of the row before.
    "us_csl": ("2022-05-16", 14048),
    "us_bis_dpl": ("2023-11-30", 663),
}


@pytest.fixture(scope="module")
def store(loaded_home: Path) -> Store:
    return Store(loaded_home / "sanctum.sqlite")


def test_provenance_matches_the_table(data_dir: Path) -> None:
    """The expected counts above are the ones PROVENANCE.md states."""
    text = (data_dir / "PROVENANCE.md").read_text()
    assert re.search(r"us_ofac_sdn/2024-05-03/sdn\.csv .*\| 14965 \|", text)
    assert re.search(
        r"un_sc/2026-02-27/consolidated\.xml .*\| 1003 \(730 ind \+ 273 ent\) \|", text
    )
    assert "4686 Group IDs" in text and "3062 references" in text
    assert re.search(r"ca_sema/2020-04-15/sema-lmes\.xml .*\| 1369 \|", text)
    assert re.search(r"us_ofac_cons/2025-12-19/cons_prim\.csv .*\| 442 \|", text)


@pytest.mark.parametrize("source", sorted(PROVENANCE_TOTALS))
def test_sources_totals(store: Store, source: str) -> None:
    version, total = PROVENANCE_TOTALS[source]
    summary = {s["source"]: s for s in catalog.sources_summary(store)}
    assert summary[source]["entities"]["total"] == total
    if version:
        assert summary[source]["version"] == version


def test_every_version_kept(store: Store) -> None:
    assert [v.version_date for v in store.versions("us_ofac_sdn")] == [
        "2021-07-07",
        "2023-11-30",
        "2023-12-01",
        "2024-05-03",
    ]
    assert [v.version_date for v in store.versions("un_sc")] == [
        "2020-03-20",
        "2024-11-30",
        "2026-02-27",
    ]


def test_kimsuky_diff(store: Store) -> None:
    diff = catalog.diff_view(store, "us_ofac_sdn", "2023-11-30", "2023-12-01")
    assert diff["removed"] == [] and diff["changed"] == []
    assert len(diff["added"]) == 9
    assert "us-ofac-sdn-45430" in diff["added"] and "us-ofac-sdn-37658" in diff["added"]
    names = {catalog.entity_view(store, i)["properties"]["name"][0] for i in diff["added"]}
    assert names == {
        "KIMSUKY",
        "KANG, Kyong Il",
        "RI, Sung Il",
        "KANG, Phyong Guk",
        "SO, Myong",
        "CHOE, Un Hyok",
        "JANG, Myong Chol",
        "CHOE, Song Chol",
        "IM, Song Sun",
    }


def test_diff_reverse_and_changes(store: Store) -> None:
    back = catalog.diff_view(store, "us_ofac_sdn", "2023-12-01", "2023-11-30")
    assert len(back["removed"]) == 9 and back["added"] == []
    later = catalog.diff_view(store, "us_ofac_sdn", "2023-12-01", "2024-05-03")
    assert len(later["added"]) - len(later["removed"]) == 14965 - 13436
    assert later["changed"], "five months of OFAC updates change some entries"
    change = later["changed"][0]
    assert set(change) == {"id", "caption", "properties"}
    for sides in change["properties"].values():
        assert set(sides) <= {"added", "removed"} and sides


def test_diff_lists_only_real_changes(store: Store) -> None:
    """A designation stated again under a new id is no change: no property of the five
    months of SDN updates has the same values added and removed, and us-ofac-sdn-10392
    shows its one new program and its one new link, by name."""
    later = catalog.diff_view(store, "us_ofac_sdn", "2023-12-01", "2024-05-03")
    same = [
        (c["id"], prop)
        for c in later["changed"]
        for prop, sides in c["properties"].items()
        if sorted(sides.get("added", [])) == sorted(sides.get("removed", []))
    ]
    assert same == []
    assert len(later["changed"]) == 44
    change = next(c for c in later["changed"] if c["id"] == "us-ofac-sdn-10392")
    assert change == {
        "id": "us-ofac-sdn-10392",
        "caption": "MINISTRY OF DEFENSE AND ARMED FORCES LOGISTICS",
        "properties": {
            "Sanction:program": {"added": ["RUSSIA-EO14024"]},
            "UnknownLink:object": {"added": ["us-ofac-sdn-18782"]},
            "UnknownLink:role": {"added": ["Linked To"]},
            "UnknownLink:subject": {"added": ["us-ofac-sdn-10392"]},
            "program": {"added": ["RUSSIA-EO14024"]},
        },
    }
    assert later["captions"]["us-ofac-sdn-10392"] == change["caption"]
    assert set(later["captions"]) == {
        *later["added"],
        *later["removed"],
        *(c["id"] for c in later["changed"]),
    }


@pytest.mark.parametrize(
    ("added", "removed", "change"),
    [
        (["A", "B"], ["B", "A"], {}),
        (["Linked  To"], ["linked to"], {}),
        (["X", "Y"], ["X"], {"added": ["Y"]}),
        (["X"], ["X", "Z"], {"removed": ["Z"]}),
        (["X", "X"], ["X"], {"added": ["X"]}),
    ],
)
def test_real_change(added: list[str], removed: list[str], change: dict[str, list[str]]) -> None:
    assert real_change(added, removed) == change


def test_show_kang_kyong_il(store: Store) -> None:
    view = catalog.entity_view(store, "us-ofac-sdn-37658")
    props = view["properties"]
    assert props["name"] == ["KANG, Kyong Il"]
    assert props["birthDate"] == ["1969-09-01"]
    assert props["nationality"] == ["kp"]
    assert props["passportNumber"] == ["563210175"]
    assert view["first_seen"] == "2023-12-01" and view["status"] == "current"
    objects = {o for r in view["relations"] for o in r.get("object", [])}
    green_pine = [
        i
        for i in objects
        if catalog.entity_view(store, i)["properties"]["name"]
        == ["GREEN PINE ASSOCIATED CORPORATION"]
    ]
    assert green_pine
    assert any("DPRK" in d["program"] for d in view["designated_by"])


def test_show_names_countries_counterparts_and_history(store: Store) -> None:
    """The view the CLI and /entities/{id} share: country names beside codes, each
    relation's other side by id, caption and schema, and what each version changed."""
    view = catalog.entity_view(store, "us-ofac-sdn-37658")
    assert view["country_names"] == {"kp": "North Korea"}
    assert [r["counterparts"] for r in view["relations"]] == [
        [
            {
                "id": "us-ofac-sdn-12212",
                "caption": "GREEN PINE ASSOCIATED CORPORATION",
                "schema": "Organization",
                "side": "object",
            }
        ]
    ]
    assert view["history"] == [{"version": "2023-12-01", "event": "listed"}]
    later = catalog.entity_view(store, "us-ofac-sdn-10392")["history"]
    assert [(h["version"], h["event"]) for h in later] == [
        ("2021-07-07", "listed"),
        ("2023-11-30", "changed"),
        ("2024-05-03", "changed"),
    ]
    assert later[-1]["properties"] == {
        "Sanction:program": {"added": ["RUSSIA-EO14024"]},
        "UnknownLink:object": {"added": ["us-ofac-sdn-18782"]},
        "UnknownLink:role": {"added": ["Linked To"]},
        "UnknownLink:subject": {"added": ["us-ofac-sdn-10392"]},
        "program": {"added": ["RUSSIA-EO14024"]},
    }


def test_show_kimsuky(store: Store) -> None:
    view = catalog.entity_view(store, "us-ofac-sdn-45430")
    assert len(view["properties"]["website"]) == 9
    assert "hongsiao@naver.com" in view["properties"]["email"]
    assert ["DPRK2"] in [d["program"] for d in view["designated_by"]]


def test_dprk_individuals_linked_to_un(store: Store) -> None:
    """UN-listed DPRK individuals in the UK and Australian lists link to their UN entry."""
    rows = store.db.execute(
        "SELECT a, b FROM xlinks WHERE kind IN ('unsc', 'un-listing') "
        "AND (a LIKE 'un-sc-KPi.%' OR b LIKE 'un-sc-KPi.%')"
    ).fetchall()
    linked = {(a, b) for a, b in rows} | {(b, a) for a, b in rows}
    un_kp = {b for a, b in linked if b.startswith("un-sc-KPi.")}
    uk = {a for a, b in linked if a.startswith("uk-ofsi-") and b.startswith("un-sc-KPi.")}
    au = {a for a, b in linked if a.startswith("au-dfat-") and b.startswith("un-sc-KPi.")}
    assert len(un_kp) >= 75 and len(uk) >= 70 and len(au) >= 70
    view = catalog.entity_view(store, "un-sc-KPi.066")
    sources = {link["id"].split("-")[0] for link in view["cross_list_links"]}
    assert {"uk", "au"} <= sources
    kinds = {link["kind"] for link in view["cross_list_links"]}
    assert kinds == {"unsc", "un-listing"}  # UK cites KPi.066; AU says "1718 (DPRK)"


def test_reloading_changes_nothing(store: Store, data_dir: Path) -> None:
    before = store.generation()
    outcomes = load_paths(store, [data_dir / "us_ofac_sdn"])
    assert {o.status for o in outcomes} == {"unchanged"}
    assert store.generation() == before


def test_discover_orders_versions(data_dir: Path) -> None:
    versions = [v for v in discover([data_dir]) if v.source == "us_ofac_sdn"]
    assert [v.label for v in versions] == ["2021-07-07", "2023-11-30", "2023-12-01", "2024-05-03"]
    assert [p.name for p in versions[1].files] == ["sdn.csv", "sdn_comments.csv"]


def test_export_is_ftm(store: Store) -> None:
    first = next(iter(store.current_entities("un_sc")))
    data = json.loads(json.dumps(first.to_dict()))
    assert data["id"].startswith("un-sc-") and data["schema"] and data["properties"]


def _wal_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


@pytest.mark.parametrize("background", [True, False])
def test_checkpoints_in_background(tmp_path: Path, background: bool) -> None:
    """Serving commits leave the log to a checkpoint thread; without it (and with
    autocheckpoint off) the log would grow with every write."""
    import time
    from contextlib import nullcontext

    store = Store(tmp_path / "s.sqlite")
    store.db.execute("CREATE TABLE blobs (b BLOB)")
    blob = b"x" * 200_000  # ~50 pages a write
    written = 0
    ctx = store.checkpoints_in_background(0.05) if background else nullcontext()
    if not background:
        store.db.execute("PRAGMA wal_autocheckpoint=0")
    with ctx:
        assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for _ in range(20):
            store.db.execute("INSERT INTO blobs VALUES (?)", (blob,))
            written += len(blob)
            time.sleep(0.15)  # three checkpoint intervals: the log restarts from its head
        wal = _wal_bytes(store.path)
    if background:
        assert wal < written / 4, (wal, written)
        assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    else:
        assert wal > written
    assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 20
    store.close()


def test_bulk_page_cache_only_while_loading(tmp_path: Path) -> None:
    from sanctum.store.db import BULK_PAGE_CACHE_KB, PAGE_CACHE_KB

    store = Store(tmp_path / "s.sqlite")
    cache = "PRAGMA cache_size"
    assert store.db.execute(cache).fetchone()[0] == -PAGE_CACHE_KB
    with store.bulk():
        assert store.db.execute(cache).fetchone()[0] == -BULK_PAGE_CACHE_KB
    assert store.db.execute(cache).fetchone()[0] == -PAGE_CACHE_KB
    store.close()
