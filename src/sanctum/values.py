"""Values that lists and queries write alike, read one way for both: dates into ISO
prefixes (`1969`, `1969-09`, `1969-09-01`) and country names into ISO codes.

A neutral module: the list parsers (`sources/`) and the query parser (`match/query.py`)
both read here, so neither reaches into the other's layer. FtM drops dates it cannot read,
so parsers convert here first. Anything list-specific (OFAC `circa`, UN `BETWEEN`) stays in
that list's parser and calls these helpers.
"""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}

LATEST_PLAUSIBLE_YEAR = 2100
"""Dates after this year are upstream typos (BIS `3033-09-30`): flagged, not stored."""

# The forms `parse_date` reads, compiled once (it runs for every birth date of every query).
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_ISO_YEAR = re.compile(r"(\d{4})")
_DAY_MON_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ ,-]*(\d{4})")
_MON_DAY_YEAR = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})")
_MON_YEAR = re.compile(r"([A-Za-z]{3,9})\.?[ ,-]*(\d{4})")
_NUMERIC_DAY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_NUMERIC_MONTH = re.compile(r"(\d{1,2})[/.](\d{4})")


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """ISO prefix if the parts form a real calendar date, else None."""
    if not 1000 <= year <= 9999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str | None, *, day_first: bool = True) -> str | None:
    """Read one date as lists write it; None when it is not a single date.

    Accepts `1969-09-01`, `1969-09`, `1969`, `01 Sep 1969`, `Sep 1969`, `September 1, 1969`,
    `01/09/1969` (day first unless `day_first=False`), `01.09.1969`, and datetimes.
    """
    if text is None:
        return None
    s = str(text).strip().rstrip(".").strip()
    if not s:
        return None
    m = _ISO_DAY.fullmatch(s)
    if m:
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    m = _ISO_MONTH.fullmatch(s)
    if m:
        return _iso(int(m[1]), int(m[2]))
    m = _ISO_YEAR.fullmatch(s)
    if m:
        return _iso(int(m[1]))
    m = _DAY_MON_YEAR.fullmatch(s)
    if m and m[2].lower() in MONTHS:
        return _iso(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    m = _MON_DAY_YEAR.fullmatch(s)
    if m and m[1].lower() in MONTHS:
        return _iso(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    m = _MON_YEAR.fullmatch(s)
    if m and m[1].lower() in MONTHS:
        return _iso(int(m[2]), MONTHS[m[1].lower()])
    m = _NUMERIC_DAY.fullmatch(s)
    if m:
        a, b = int(m[1]), int(m[2])
        return _iso(int(m[3]), b, a) if day_first else _iso(int(m[3]), a, b)
    m = _NUMERIC_MONTH.fullmatch(s)
    if m:
        return _iso(int(m[2]), int(m[1]))
    return None


def from_datetime(value: object) -> str | None:
    """ISO date of a spreadsheet cell that holds a datetime/date, else parse its text."""
    if isinstance(value, datetime):
        return _iso(value.year, value.month, value.day)
    if isinstance(value, date):
        return _iso(value.year, value.month, value.day)
    if value is None:
        return None
    return parse_date(str(value))


def implausible(iso: str | None) -> bool:
    """True for a syntactically valid date too far in the future to be real."""
    return bool(iso) and int(str(iso)[:4]) > LATEST_PLAUSIBLE_YEAR


def country_code(text: str | None) -> str | None:
    """ISO code for a country name as lists write it (`Korea, North` → `kp`), else None.
    FollowTheMoney's territory tables load with the first country read, not at import."""
    if not text:
        return None
    from followthemoney import registry

    code = registry.country.clean(text.strip())
    return str(code) if code else None
