"""Screening results grouped by listed party (`store/parties.py`): one result per real
subject, listing every list and programme that designates it, captioned by its best
scoring entry.

A limit applies to parties, not entries. Every above-threshold match is looked for, not
only those of the page, so the answer says how many parties matched in all and how many
of them it leaves out (`more_matched`): a per-row limit never silently drops a match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctum.index import Entry
from sanctum.screen import Match, Screener, Screening

PAGE_FANOUT = 4
"""Entries asked for per party wanted: a party is listed by up to six lists (UN, OFAC,
UK, AU, CA, CSL), most by one or two (`store/parties.py` groups of the shared data)."""
MAX_ENTRIES = 500
"""The most entries one screening returns (`Screener.screen` caps its limit there)."""

_MAPS: dict[tuple[str, int], tuple[dict[str, str], dict[str, list[str]]]] = {}


def party_map(screener: Screener) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(entry id → party id, party id → member ids) of the screener's store generation,
    for grouped entries only (cached per store and generation)."""
    key = (str(screener.store.path), screener.index.generation)
    found = _MAPS.get(key)
    if found is None:
        of = screener.store.party_map()
        members: dict[str, list[str]] = {}
        for eid, pid in sorted(of.items()):
            members.setdefault(pid, []).append(eid)
        _MAPS.clear()
        found = _MAPS[key] = (of, members)
    return found


@dataclass
class PartyResult:
    """One listed party: its best-scoring entry and every entry (all lists) it is."""

    party_id: str
    best: Match
    members: list[dict[str, Any]]
    lists: list[str]
    programs: list[str]

    @property
    def score(self) -> float:
        """The best score among the party's entries."""
        return self.best.score

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: the best entry's result, with the party around it."""
        return {
            "party_id": self.party_id,
            "caption": self.best.caption,
            "schema": self.best.schema,
            "score": self.best.score,
            "match": self.best.match,
            "best_entity_id": self.best.id,
            "lists": self.lists,
            "programs": self.programs,
            "members": self.members,
            "explanation": self.best.explanation,
        }


@dataclass
class PartyScreening:
    """The answer to one query, grouped by party."""

    parties: list[PartyResult]
    matched: int
    """Parties scoring at or above the threshold, shown or not."""
    screening: Screening
    more_matched: int = field(default=0)
    """Matched parties the limit left out."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        s = self.screening
        return {
            "parties": [p.as_dict() for p in self.parties],
            "matched_parties": self.matched,
            "more_matched": self.more_matched,
            "threshold": s.threshold,
            "algorithm": s.algorithm,
            "list_versions": s.list_versions,
            "matcher_version": s.matcher_version,
        }


def member_view(entry: Entry, scored: Match | None) -> dict[str, Any]:
    """One member entry of a party: where it is listed, under which programmes."""
    return {
        "id": entry.id,
        "source": entry.source,
        "caption": entry.caption,
        "schema": entry.schema,
        "score": scored.score if scored else None,
        "programs": sorted({p for s in entry.sanctions for p in s.get("program", [])}),
        "authorities": sorted({a for s in entry.sanctions for a in s.get("authority", [])}),
    }


def group_matches(screener: Screener, matches: list[Match]) -> list[PartyResult]:
    """Results grouped by party, best party first (ties by party id); each party lists
    all its members in force, scored or not."""
    of, members = party_map(screener)
    index = screener.index
    by_party: dict[str, dict[str, Match]] = {}
    for m in matches:
        by_party.setdefault(of.get(m.id, m.id), {})[m.id] = m
    out: list[PartyResult] = []
    for pid, scored in by_party.items():
        best = min(scored.values(), key=lambda m: (-m.score, m.id))
        ids = [e for e in members.get(pid, [pid]) if e in index.entry_by_id] or [best.id]
        entries = [index.entries[index.entry_by_id[e]] for e in ids]
        views = [member_view(e, scored.get(e.id)) for e in entries]
        lists = sorted({e.source for e in entries})
        programs = sorted({p for v in views for p in v["programs"]})
        out.append(PartyResult(pid, best, views, lists, programs))
    out.sort(key=lambda p: (-p.score, p.party_id))
    return out


def screen_by_party(
    screener: Screener,
    query: dict[str, Any],
    threshold: float | None = None,
    limit: int = 10,
    algorithm: str | None = None,
    sources: set[str] | None = None,
    min_score: float | None = None,
) -> PartyScreening:
    """`Screener.screen`, grouped by party: the best `limit` parties (none below
    `min_score`), and how many parties matched in all."""
    limit = max(1, min(int(limit), MAX_ENTRIES))
    page = screener.screen(
        query, threshold, min(MAX_ENTRIES, limit * PAGE_FANOUT), algorithm, sources, min_score
    )
    every = screener.screen(query, threshold, MAX_ENTRIES, algorithm, sources, page.threshold)
    found = {m.id: m for m in [*page.results, *every.results]}
    parties = group_matches(screener, list(found.values()))
    matched = sum(1 for p in parties if p.best.match)
    shown = parties[:limit]
    more = matched - sum(1 for p in shown if p.best.match)
    return PartyScreening(shown, matched, page, more)
