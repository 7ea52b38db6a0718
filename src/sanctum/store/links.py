"""Cross-list links: parties of different lists that share a strong identifier.

Strong identifiers: a UN Security Council reference number (national lists cite the UN
entry they implement), an IMO ship number, or a passport number together with a date
of birth. Anything weaker is for the matcher to weigh, not for the store to assert.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations

Row = tuple[str, str, str, str, str, str]
"""(source, entity_id, party_id, schema, prop, value)"""


def norm_unsc(value: str) -> str | None:
    """`KPi.066` / `KPI.066 ` → `KPI.066`; None when it does not look like a UN reference."""
    v = re.sub(r"\s+", "", value).upper().rstrip(".")
    return v if re.fullmatch(r"[A-Z]{2}[IE]\.\d{1,4}", v) else None


def norm_imo(value: str) -> str | None:
    """The seven digits of an IMO number (`IMO 9187629` → `9187629`)."""
    digits = re.sub(r"\D", "", value)
    return digits if len(digits) == 7 else None


def norm_passport(value: str) -> str | None:
    """Passport numbers compared on letters and digits only, upper case, at least 5 long."""
    v = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    return v if len(v) >= 5 else None


def find_links(rows: Iterable[Row]) -> Iterator[tuple[str, str, str, str]]:
    """(a, b, kind, value) for every pair of parties in different sources sharing an id."""
    groups: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    passports: dict[tuple[str, str], set[str]] = defaultdict(set)
    births: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, entity_id, party_id, _schema, prop, value in rows:
        if prop == "unscId" and (ref := norm_unsc(value)):
            groups[("unsc", ref)].add((source, party_id))
        elif prop == "imoNumber" and (imo := norm_imo(value)):
            groups[("imo", imo)].add((source, party_id))
        elif prop == "passportNumber" and entity_id == party_id:
            if number := norm_passport(value):
                passports[(source, party_id)].add(number)
        elif prop == "birthDate" and entity_id == party_id:
            births[(source, party_id)].add(value[:10])
    for member, numbers in passports.items():
        for number in numbers:
            for dob in births.get(member, ()):
                groups[("passport+dob", f"{number}/{dob}")].add(member)
    for (kind, value), members in groups.items():
        for (src_a, a), (src_b, b) in combinations(sorted(members), 2):
            if src_a != src_b:
                yield (a, b, kind, value)
