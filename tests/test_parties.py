"""Listed parties: entries grouped across lists, and screening results grouped by party."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanctum.grouping import screen_by_party
from sanctum.screen import Screener
from sanctum.store.db import Store
from sanctum.store.parties import components, party_ids, republished


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["us-csl-24917", "us-ofac-sdn-24917"], [("us-csl-24917", "us-ofac-sdn-24917")]),
        (["us-csl-7", "us-ofac-cons-7"], [("us-csl-7", "us-ofac-cons-7")]),
        (
            ["us-csl-7", "us-ofac-cons-7", "us-ofac-sdn-7"],
            [("us-csl-7", "us-ofac-sdn-7")],
        ),
        (["us-csl-24917"], []),  # the OFAC entry is not loaded
        (["us-csl-0a1b2c", "us-ofac-sdn-0a1b2c"], []),  # a Commerce/State hash, not a number
    ],
)
def test_republished(ids: list[str], expected: list[tuple[str, str]]) -> None:
    assert list(republished(ids)) == expected


def test_components_and_party_ids() -> None:
    groups = components([("a", "b"), ("c", "b"), ("x", "y")])
    assert sorted(map(sorted, groups)) == [["a", "b", "c"], ["x", "y"]]
    seen = {"a": "2023-12-01", "b": "2020-03-20", "c": "2020-03-20", "x": "1", "y": "1"}
    assert party_ids(groups, seen.__getitem__) == {
        "a": "b",
        "b": "b",
        "c": "b",
        "x": "x",
        "y": "x",
    }


@pytest.fixture(scope="module")
def screener(loaded_home: Path) -> Screener:
    return Screener(Store(loaded_home / "sanctum.sqlite"))


def test_party_map_of_the_shared_lists(screener: Screener) -> None:
    of = screener.store.party_map()
    # the CSL's copy of an SDN entry; UN, UK and AU entries of one person
    assert of["us-ofac-sdn-24917"] == of["us-csl-24917"]
    assert of["un-sc-KPi.024"] == of["uk-ofsi-13334"] == of["au-dfat-3158"]
    assert "us-ofac-sdn-37658" not in of  # listed once: a party of its own


def test_kim_yong_chol_by_party(screener: Screener) -> None:
    """The issue's case: five entries per row used to be copies of two people, leaving
    out both KIM Yong Chols of OFAC's SDN list. By party, both are there."""
    query = {"schema": "Person", "properties": {"name": ["Kim Yong Chol"]}}
    found = screen_by_party(screener, query, limit=5)
    members = {p.party_id: sorted(m["id"] for m in p.members) for p in found.parties}
    assert found.matched == 5 and found.more_matched == 0
    assert members == {
        "au-dfat-2649": ["au-dfat-2649"],
        "un-sc-KPi.024": ["au-dfat-3158", "uk-ofsi-13334", "un-sc-KPi.024"],
        "uk-ofsi-12439": ["uk-ofsi-12439"],
        "us-ofac-sdn-12211": ["us-csl-12211", "us-ofac-sdn-12211"],
        "us-ofac-sdn-17614": ["us-csl-17614", "us-ofac-sdn-17614"],
    }
    three = screen_by_party(screener, query, limit=3)
    assert len(three.parties) == 3 and three.matched == 5 and three.more_matched == 2
    un = next(p for p in found.parties if p.party_id == "un-sc-KPi.024")
    assert un.lists == ["au_dfat", "uk_ofsi", "un_sc"]


def test_cli_group_party(loaded_home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SANCTUM_HOME": str(loaded_home)}
    cmd = [sys.executable, "-m", "sanctum.cli", "screen", "Kim Yong Chol", "--limit", "3"]
    done = subprocess.run(
        [*cmd, "--group", "party", "--json"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["matched_parties"], data["more_matched"], len(data["parties"])) == (5, 2, 3)
    text = subprocess.run([*cmd, "--group", "party"], env=env, capture_output=True, text=True)
    assert "2 more matching parties not shown" in text.stdout
    rows = tmp_path / "in.csv"
    rows.write_text("id,name,schema\n1,Kim Yong Chol,Person\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    batch = [sys.executable, "-m", "sanctum.cli", "batch", str(rows), "-o", str(out)]
    done = subprocess.run([*batch, "--group", "party"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(
        "programs,score,match,why,explanation_json,party_id,lists,more_matched"
    )
    assert len(lines) == 6  # five matched parties, the default limit
    assert any(",us-ofac-sdn-12211,us_csl;us_ofac_sdn," in line for line in lines)
