"""Errors that Sanctum reports to its users: each names the file (and row) at fault."""

from __future__ import annotations


class SanctumError(Exception):
    """Base class for errors meant to be shown to a user as they are."""


REASON_CHARS = 500
"""Longest reason a ParseError keeps: it names the file, row and why, never the file."""


class ParseError(SanctumError):
    """A source file could not be read; names the file, the row or field, and why."""

    def __init__(self, path: str, reason: str, row: int | str | None = None) -> None:
        self.path = str(path)
        if len(reason) > REASON_CHARS:  # a reason quoting the file at length is cut
            reason = f"{reason[:REASON_CHARS]}… (cut)"
        self.reason = reason
        self.row = row
        where = self.path if row is None else f"{self.path}, row {row}"
        super().__init__(f"{where}: {reason}")


class RejectedVersion(SanctumError):
    """A parsed version was refused by a safety check (e.g. its entity count dropped)."""
