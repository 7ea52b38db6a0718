"""The reliability suite's report: what each check tried, at the end of the run (and, with
SANCTUM_RELIABILITY_REPORT set, in that JSON file after every test, so a long run stopped
early still says what it did)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability.seeds import LONG, TALLY


@pytest.fixture(autouse=True)
def _report() -> Iterator[None]:
    """After each test, the counts so far to SANCTUM_RELIABILITY_REPORT (if set)."""
    yield
    target = os.environ.get("SANCTUM_RELIABILITY_REPORT")
    if target:
        Path(target).write_text(json.dumps(TALLY, indent=1, sort_keys=True))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per check: inputs or cases tried, how each ended, failures."""
    if not TALLY:
        return
    terminalreporter.section(f"reliability ({'long' if LONG else 'short'} form)")
    for name, counts in sorted(TALLY.items()):
        tried = sum(v for k, v in counts.items() if k != "failures")
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        terminalreporter.write_line(f"{name}: tried {tried}: {detail}")
