"""Cross-list links: parties of different lists that share a strong identifier.

Strong identifiers: a UN Security Council reference number (national lists cite the UN
entry they implement), an IMO ship number, or a passport number together with a date
of birth. A national entry that says it implements a UN committee's listing (Australia
writes `1718 (DPRK)` instead of the reference number) is linked to the UN entry of that
regime with the same name, unless their dates of birth disagree. Anything weaker is for
the matcher to weigh, not for the store to assert.
"""

from __future__ import annotations

import functools
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


UN_COMMITTEES = {
    "1718": "DPRK",
    "1267": "Al-Qaida",
    "1989": "Al-Qaida",
    "2253": "Al-Qaida",
    "1988": "Taliban",
    "1518": "Iraq",
    "1970": "Libya",
    "2140": "Yemen",
    "751": "Somalia",
    "1533": "DRC",
    "2127": "CAR",
    "2206": "SouthSudan",
    "1591": "Sudan",
    "2653": "Haiti",
    "1636": "Iran",
    "1737": "Iran",
    "2231": "Iran",
}
"""UN sanctions committees (by the resolution that set them up) → the UN list type."""

UN_SOURCE = "un_sc"
LINK_PROPS = ("unscId", "imoNumber", "passportNumber", "birthDate", "program", "name", "alias")


@functools.lru_cache(maxsize=4096)
def un_regime(program: str) -> str | None:
    """The UN list a national programme implements (`1718 (DPRK)` → `DPRK`), if any."""
    for number in re.findall(r"\b\d{3,4}\b", program):
        if number in UN_COMMITTEES:
            return UN_COMMITTEES[number]
    return None


@functools.lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Order-free, case-free, punctuation-free form of a name (exact equality only)."""
    return " ".join(
        sorted(re.sub(r"[^\w]+", " ", name.replace("'", "").replace("’", "")).casefold().split())
    )


def _dates_agree(a: set[str], b: set[str]) -> bool:
    """No date of birth on one side, or a shared year."""
    return not a or not b or bool({d[:4] for d in a} & {d[:4] for d in b})


def find_links(rows: Iterable[Row]) -> Iterator[tuple[str, str, str, str]]:
    """(a, b, kind, value) for every pair of parties in different sources sharing an id."""
    groups: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    passports: dict[tuple[str, str], set[str]] = defaultdict(set)
    births: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    regimes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, entity_id, party_id, _schema, prop, value in rows:
        if prop in ("name", "alias") and entity_id == party_id:
            names[(source, party_id)].add(name_key(value))
        elif prop == "program":
            regime = value if source == UN_SOURCE else un_regime(value)
            if regime:
                regimes[(source, party_id)].add(regime)
        elif prop == "unscId" and (ref := norm_unsc(value)):
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
    yield from _committee_links(names, regimes, births, groups)


def _committee_links(
    names: dict[tuple[str, str], set[str]],
    regimes: dict[tuple[str, str], set[str]],
    births: dict[tuple[str, str], set[str]],
    groups: dict[tuple[str, str], set[tuple[str, str]]],
) -> Iterator[tuple[str, str, str, str]]:
    """National entries implementing a UN committee listing → the UN entry of that regime
    with the same name (only for entries not already linked by reference number)."""
    has_ref = {m for (kind, _v), members in groups.items() if kind == "unsc" for m in members}
    un_by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    for member, regs in regimes.items():
        if member[0] == UN_SOURCE:
            for regime in regs:
                for key in names.get(member, ()):
                    un_by_name[(regime, key)].add(member[1])
    for member, regs in regimes.items():
        if member[0] == UN_SOURCE or member in has_ref:
            continue
        found = {
            un_id
            for regime in regs
            for key in names.get(member, ())
            for un_id in un_by_name.get((regime, key), ())
            if _dates_agree(births.get(member, set()), births.get((UN_SOURCE, un_id), set()))
        }
        if len(found) == 1:  # an ambiguous name is left to the matcher
            un_id = found.pop()
            yield (member[1], un_id, "un-listing", f"{', '.join(sorted(regs))}: same name")
