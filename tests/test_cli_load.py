"""The `sanctum` CLI on real files: loading, refusing bad input, and serving on unchanged."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

SANCTUM = [sys.executable, "-m", "sanctum.cli"]


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANCTUM_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run([*SANCTUM, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    home = tmp_path_factory.mktemp("clihome")
    done = run(
        home,
        "load",
        str(data_dir / "un_sc" / "2026-02-27"),
        str(data_dir / "us_ofac_sdn" / "2023-12-01"),
        str(data_dir / "au_dfat"),
        str(data_dir / "uk_ofsi"),
    )
    assert done.returncode == 0, done.stderr
    return home


def sources(home: Path) -> list[dict[str, Any]]:
    done = run(home, "sources", "--json")
    assert done.returncode == 0, done.stderr
    data: list[dict[str, Any]] = json.loads(done.stdout)
    for s in data:
        s.pop("last_attempt", None)
        for key in [k for k in s if k.endswith("age_days")]:  # they tick with the clock
            s.pop(key)
    return data


def bad_folder(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "2030-01-01"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(data)
    return target


def cases(data: Path) -> dict[str, tuple[str, str, bytes, str]]:
    """case → (source, file name, bytes, words the error must contain)."""
    un = (data / "un_sc/2026-02-27/consolidated.xml").read_bytes()
    sdn = (data / "us_ofac_sdn/2024-05-03/sdn.csv").read_bytes()
    au = (data / "au_dfat/2024-12-17/regulation8_consolidated.xlsx").read_bytes()
    uk = (data / "uk_ofsi/2025-04-10/UK_Sanctions_List.xlsx").read_bytes()
    rows = sdn.split(b"\r\n")
    return {
        "truncated-xml": ("un_sc", "consolidated.xml", un[: len(un) // 2], "consolidated.xml"),
        "truncated-csv": ("us_ofac_sdn", "sdn.csv", sdn[: len(sdn) // 3], "sdn.csv"),
        "truncated-xlsx": (
            "au_dfat",
            "regulation8_consolidated.xlsx",
            au[: len(au) // 2],
            "regulation8_consolidated.xlsx",
        ),
        "wrong-encoding": (
            "us_ofac_sdn",
            "sdn.csv",
            sdn.decode("latin-1").encode("utf-16"),
            "sdn.csv",
        ),
        "empty": ("un_sc", "consolidated.xml", b"", "empty"),
        "wrong-file": ("uk_ofsi", "UK_Sanctions_List.xlsx", au, "UK_Sanctions_List.xlsx"),
        "xlsx-as-xml": ("un_sc", "consolidated.xml", uk, "consolidated.xml"),
        "count-drop": ("us_ofac_sdn", "sdn.csv", b"\r\n".join(rows[:6000]) + b"\r\n\x1a", "down"),
    }


CASES = [
    "truncated-xml",
    "truncated-csv",
    "truncated-xlsx",
    "wrong-encoding",
    "empty",
    "wrong-file",
    "xlsx-as-xml",
    "count-drop",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_and_nothing_changes(
    case: str, home: Path, data_dir: Path, tmp_path: Path
) -> None:
    source, name, data, words = cases(data_dir)[case]
    before = sources(home)
    path = bad_folder(tmp_path, name, data)
    done = run(home, "load", "--source", source, str(path))
    assert done.returncode != 0
    message = " ".join(done.stderr.split())
    assert "rejected" in message and words in message, message
    assert sources(home) == before


def test_count_drop_accepted_with_force(home: Path, data_dir: Path, tmp_path: Path) -> None:
    forced = tmp_path / "forced"
    shutil.copytree(home, forced)
    source, name, data, _ = cases(data_dir)["count-drop"]
    path = bad_folder(tmp_path, name, data)
    done = run(forced, "load", "--force", "--source", source, str(path))
    assert done.returncode == 0, done.stderr
    sdn = next(s for s in sources(forced) if s["source"] == "us_ofac_sdn")
    assert sdn["version"] == "2030-01-01" and sdn["entities"]["total"] == 6000


def test_kill_during_load_leaves_store_as_before(
    home: Path, data_dir: Path, tmp_path: Path
) -> None:
    """SIGKILL at several moments of a load: the store is before or after, never between."""
    for delay in (0.5, 2.0, 4.0, 6.0):
        work = tmp_path / f"kill{delay}"
        shutil.copytree(home, work)
        before = sources(work)
        env = {**os.environ, "SANCTUM_HOME": str(work)}
        proc = subprocess.Popen(
            [*SANCTUM, "load", str(data_dir / "us_ofac_sdn" / "2024-05-03")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = sources(work)
        sdn = next(s for s in after if s["source"] == "us_ofac_sdn")
        if sdn["version"] == "2023-12-01":
            assert after == before
        else:
            assert sdn["version"] == "2024-05-03" and sdn["entities"]["total"] == 14965
        db = sqlite3.connect(work / "sanctum.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        orphans = db.execute(
            "SELECT COUNT(*) FROM statements WHERE first_seq NOT IN (SELECT seq FROM versions)"
        ).fetchone()
        assert orphans == (0,)
        db.close()


def test_diff_cli_json(loaded_home: Path) -> None:
    done = run(
        loaded_home, "diff", "us_ofac_sdn", "--from", "2023-11-30", "--to", "2023-12-01", "--json"
    )
    assert done.returncode == 0, done.stderr
    diff = json.loads(done.stdout)
    assert len(diff["added"]) == 9 and diff["removed"] == [] and diff["changed"] == []
    assert "us-ofac-sdn-45430" in diff["added"]
    assert diff["captions"]["us-ofac-sdn-45430"] == "KIMSUKY"
    text = run(loaded_home, "diff", "us_ofac_sdn", "--from", "2023-11-30", "--to", "2023-12-01")
    assert text.stdout.splitlines()[:4] == [
        "us_ofac_sdn: 2023-11-30 → 2023-12-01: 9 added, 0 removed, 0 changed",
        "  + us-ofac-sdn-37656  KANG, Phyong Guk",
        "  + us-ofac-sdn-37657  RI, Sung Il",
        "  + us-ofac-sdn-37658  KANG, Kyong Il",
    ]


def test_show_cli(loaded_home: Path) -> None:
    done = run(loaded_home, "show", "us-ofac-sdn-45430")
    assert done.returncode == 0, done.stderr
    assert "DPRK2" in done.stdout and "hongsiao@naver.com" in done.stdout
    kang = run(loaded_home, "show", "us-ofac-sdn-37658").stdout.splitlines()
    assert "nationality\tkp (North Korea)" in kang
    assert (
        "relation UnknownLink Linked To → us-ofac-sdn-12212 GREEN PINE ASSOCIATED CORPORATION "
        "(Organization)" in kang
    )
    assert kang[-1] == "2023-12-01: listed"
    missing = run(loaded_home, "show", "no-such-id")
    assert missing.returncode == 1 and "no entity" in missing.stderr
