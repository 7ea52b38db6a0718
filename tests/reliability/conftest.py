"""The reliability suite's report: what each check tried, at the end of the run."""

from __future__ import annotations

import pytest

from reliability.seeds import LONG, TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per check: inputs or cases tried, how each ended, failures."""
    if not TALLY:
        return
    terminalreporter.section(f"reliability ({'long' if LONG else 'short'} form)")
    for name, counts in sorted(TALLY.items()):
        tried = sum(v for k, v in counts.items() if k != "failures")
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        terminalreporter.write_line(f"{name}: tried {tried}: {detail}")
