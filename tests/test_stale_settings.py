"""Freshness settings and stale lists on the command line: a max age that is not a
number is a start-up error (it fell back to the default silently), and `sanctum screen`
and `sanctum batch` say which lists are stale (they said nothing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanctum import freshness
from sanctum.settings import SettingError


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "SANCTUM_MAX_AGE_UN_SC",
            "abc",
            "SANCTUM_MAX_AGE_UN_SC='abc': expected a number, 0 or more",
        ),
        ("SANCTUM_MAX_AGE_UN_SC", "-1", "SANCTUM_MAX_AGE_UN_SC='-1': expected a number, 0 or more"),
        (
            "SANCTUM_MAX_AGE_UN_SC",
            "nan",
            "SANCTUM_MAX_AGE_UN_SC='nan': expected a number, 0 or more",
        ),
        ("SANCTUM_MAX_AGE_UN", "3", "SANCTUM_MAX_AGE_UN: no source 'un' (sources: "),
    ],
)
def test_a_bad_max_age_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as caught:
        freshness.check_settings()
    assert str(caught.value).startswith(message)


def test_a_good_max_age_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUM_MAX_AGE_UN_SC", "2.5")
    freshness.check_settings()
    assert freshness.max_age_days("un_sc") == 2.5


def _cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sanctum.cli", *args],
        env={**os.environ, "SANCTUM_HOME": str(home), "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_serve_refuses_a_bad_max_age_at_start(tmp_path: Path) -> None:
    done = _cli(tmp_path, "serve", "--port", "1", SANCTUM_MAX_AGE_UK_OFSI="abc")
    assert done.returncode == 1
    assert "SANCTUM_MAX_AGE_UK_OFSI='abc': expected a number, 0 or more" in done.stderr


def test_screen_and_batch_say_which_lists_are_stale(loaded_home: Path, tmp_path: Path) -> None:
    tiny = {"SANCTUM_MAX_AGE_UN_SC": "0.000001"}
    done = _cli(loaded_home, "screen", "강경일", "--json", **tiny)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stale"] == ["un_sc"]
    assert "warning: stale list: un_sc: version " in done.stderr
    names = tmp_path / "names.csv"
    names.write_text("id,name\n1,Kim Jong Un\n")
    done = _cli(loaded_home, "batch", str(names), "-o", str(tmp_path / "out.csv"), **tiny)
    assert done.returncode == 0, done.stderr
    assert "warning: stale list: un_sc: version " in done.stderr
    done = _cli(loaded_home, "screen", "강경일", "--json")
    assert json.loads(done.stdout)["stale"] == []
