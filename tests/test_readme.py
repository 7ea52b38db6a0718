"""The README's monitoring worked example, run as printed: its commands read from the
README itself, in a store of their own, each answering what the README shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## Worked example: the 1 December 2023 update raises the alerts"


def example() -> list[tuple[str, list[str]]]:
    """(command, the lines the README prints after it) of the example's console block."""
    text = (ROOT / "README.md").read_text("utf-8").split(HEADING, 1)[1]
    block = text.split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def words(command: str) -> list[str]:
    """The command's arguments, its trailing comment left out."""
    return shlex.split(command, comments=True)


def box_rows(lines: list[str]) -> list[list[str]]:
    """The cells of a table drawn with boxes, header first."""
    return [[c.strip() for c in re.split("[┃│]", line)[1:-1]] for line in lines]


def test_the_monitoring_example_runs_as_printed(tmp_path: Path, data_dir: Path) -> None:
    steps = example()
    assert words(steps[0][0]) == ["export", "SANCTUM_HOME=$(mktemp", "-d)"]
    env = {k: v for k, v in os.environ.items() if k not in ("SANCTUM_DB", "SANCTUM_MIRROR")}
    env |= {"SANCTUM_HOME": str(tmp_path / "example"), "COLUMNS": "200"}
    shared = str(data_dir.parent)
    compared = 0
    for command, printed in steps[1:]:
        args = [a.replace("../shared", shared) for a in words(command)]
        assert args[0] == ".venv/bin/sanctum", command
        done = subprocess.run(
            [sys.executable, "-m", "sanctum.cli", *args[1:]],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (command, done.stderr)
        shown = done.stdout.splitlines()
        compared += bool(printed)
        if printed and printed[0].startswith("┃"):  # a table: tab-separated when piped
            assert [row.split("\t") for row in shown] == box_rows(printed), command
        elif printed and printed[0].startswith("run "):  # one line, wrapped in the README
            assert shown == [" ".join(printed[:-1]), printed[-1]], command
        elif printed:
            assert shown == printed, command
    assert compared == 5  # the import, the delta run, the alerts, the decision, the approval
