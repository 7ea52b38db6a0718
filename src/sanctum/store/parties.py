"""Listed parties: groups of entries, across and within lists, that are one real subject.

Two entries are one party when a cross-list link joins them (`links.find_links`: a UN
reference, an IMO number, a passport with a date of birth, a national entry implementing
a UN listing) or when one list republishes another's entry: the US Consolidated Screening
List carries OFAC's SDN and non-SDN entries under OFAC's own entity number as its `_id`
(`us-csl-24917` is `us-ofac-sdn-24917`), where the Commerce and State lists use a
40-character hash. Groups are the connected components of those pairs.

A party's id is the id of its member seen first (the earliest version date that stated
it), ties broken by id, so a party keeps its id when other lists' entries join it later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

CSL_PREFIX = "us-csl-"
OFAC_PREFIXES = ("us-ofac-sdn-", "us-ofac-cons-")
"""Where an OFAC entity number republished by the CSL is listed first (SDN before non-SDN)."""


def republished(entity_ids: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(copy, original) for CSL entries carrying an OFAC entity number whose OFAC entry is
    loaded: `us-csl-24917` → `us-ofac-sdn-24917` (else `us-ofac-cons-24917`)."""
    ids = set(entity_ids)
    for eid in sorted(ids):
        if not eid.startswith(CSL_PREFIX):
            continue
        number = eid[len(CSL_PREFIX) :]
        if not re.fullmatch(r"\d{1,9}", number):
            continue  # a Commerce or State list entry: a hash, not an OFAC number
        for prefix in OFAC_PREFIXES:
            if prefix + number in ids:
                yield eid, prefix + number
                break


def components(pairs: Iterable[tuple[str, str]]) -> list[set[str]]:
    """Connected components (of two or more entries) of an undirected set of pairs."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = {}
    for x in list(parent):
        groups.setdefault(root(x), set()).add(x)
    return [g for g in groups.values() if len(g) > 1]


def party_ids(groups: Iterable[set[str]], first_seen: Callable[[str], str]) -> dict[str, str]:
    """Member id → party id: the member seen first (`first_seen`: a version date), then the
    smallest id."""
    out: dict[str, str] = {}
    for group in groups:
        pid = min(group, key=lambda e: (first_seen(e), e))
        for member in group:
            out[member] = pid
    return out
