"""Free-text search over the candidate index: the text's tokens, expanded as screening
expands them (exact, same Korean syllables, same consonant skeleton, a typo or two), must
all be met by one name of a listed party; parties are ranked by how well that name and
the text cover each other.

Pure functions over an `Index` and a token-expansion function (the Screener's), so the
HTTP API, the CLI or a notebook get the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sanctum import config
from sanctum.feature_table import BIRTH_DATE, COUNTRY, GENDER, NAMES
from sanctum.index import Entry, Index, NameRec
from sanctum.match.score import NAME_FACTORS
from sanctum.names.normalize import is_arabic_script, runs_of, tokenize
from sanctum.schemata import PARTIES

Expand = Callable[[str, bool], Sequence[tuple[str, float]]]
"""A query token (and whether its text is in the Arabic script) → the index vocabulary
tokens it may stand for, with their similarity."""

NAME_PROPERTIES = {kind: prop for prop, kind in NAMES.listed.items()}
"""Index name kinds → the FtM property a result shows them under (cyber aliases are not
list data, so they are searchable but not shown as properties)."""


class FilterError(ValueError):
    """A filter value that names nothing (unknown schema, country or source)."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field = field_name
        super().__init__(reason)


@dataclass(frozen=True)
class Filters:
    """What a result must be: one of these schemata (or their descendants), with one of
    these countries, under one of these programs, from one of these sources. An empty
    tuple means no condition; `sources=None` means every source."""

    schemata: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    programs: frozenset[str] = frozenset()
    sources: frozenset[str] | None = None

    def allows(self, entry: Entry) -> bool:
        """True if the listed party passes every filter."""
        if self.sources is not None and entry.source not in self.sources:
            return False
        if self.schemata and entry.schema not in self.schemata:
            return False
        if self.countries and self.countries.isdisjoint(entry.facts[COUNTRY.slot]):
            return False
        return not self.programs or not self.programs.isdisjoint(
            p.casefold() for p in programs_of(entry)
        )


def schemata_under(names: Iterable[str]) -> frozenset[str]:
    """The listed-party schemata that are one of `names` or descend from one
    (`LegalEntity` → Person, Organization, Company, LegalEntity). FollowTheMoney's model
    is loaded here, on a request's first schema filter, not with every screening worker."""
    from followthemoney import model

    wanted = []
    for name in names:
        schema = model.get(name)
        if schema is None:
            raise FilterError("schema", f"unknown schema {name!r}")
        wanted.append(schema)
    parties = [found for name in PARTIES if (found := model.get(name)) is not None]
    return frozenset(str(s.name) for s in parties if any(s.is_a(w) for w in wanted))


def country_codes(values: Iterable[str]) -> frozenset[str]:
    """Country filter values (codes or names: `kp`, `KP`, `North Korea`) as FtM codes."""
    values = list(values)
    if not values:
        return frozenset()
    from sanctum.values import country_code

    codes = set()
    for value in values:
        code = country_code(value)
        if not code:
            raise FilterError("country", f"unknown country {value!r}")
        codes.add(code)
    return frozenset(codes)


def make_filters(
    schemata: Iterable[str] = (),
    countries: Iterable[str] = (),
    programs: Iterable[str] = (),
    sources: Iterable[str] | None = None,
) -> Filters:
    """Filters from request values; raises FilterError naming the filter at fault."""
    return Filters(
        schemata_under(schemata) if list(schemata) else frozenset(),
        country_codes(countries),
        frozenset(p.strip().casefold() for p in programs if p.strip()),
        None if sources is None else frozenset(sources),
    )


def programs_of(entry: Entry) -> list[str]:
    """The sanction programs a party is listed under (from its designations)."""
    return list(dict.fromkeys(p for s in entry.sanctions for p in s.get("program", [])))


@dataclass(frozen=True)
class Hit:
    """One party found: its best name and how well that name covers the text."""

    entry: int
    name: int
    score: float


@dataclass(frozen=True)
class Page:
    """One page of hits and how many parties matched in all."""

    hits: list[Hit]
    total: int


@dataclass
class _Reach:
    """What the text's tokens reached in one name: which query positions, how closely,
    and through which vocabulary tokens."""

    mask: int
    position_sim: list[float]
    vocab: dict[str, float]


def _items(tokens: tuple[str, ...]) -> dict[str, int]:
    """Query tokens and their joins (`kyong il` → `kyongil`), each with the bit mask of the
    query positions it stands for."""
    items: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        items[tok] = items.get(tok, 0) | (1 << i)
    for joined, _start, _end, mask in runs_of(tokens):
        items[joined] = items.get(joined, 0) | mask
    return items


def _reach(index: Index, tokens: tuple[str, ...], expand: Expand, abjad: bool) -> dict[int, _Reach]:
    """Every name that query tokens (or joins of two) reach at every position, with what
    they reached. Names some position misses are left out before any is recorded: a
    frequent token (`al`) reaches tens of thousands of names, nearly all of them missed
    by the others (HTTP load benchmark, GET /search)."""
    items = _items(tokens)
    expanded = {item: expand(item, abjad) for item in items}
    positions = {
        item: [i for i in range(len(tokens)) if mask >> i & 1] for item, mask in items.items()
    }
    postings = index.postings
    at: list[set[int]] = [set() for _ in tokens]
    for item in items:
        names: set[int] = set()
        for vocab, _sim in expanded[item]:
            names.update(postings.get(vocab, ()))
        for i in positions[item]:
            at[i] |= names
    everywhere = set.intersection(*at) if at else set()
    reached: dict[int, _Reach] = {}
    for item, mask in items.items():
        where = positions[item]
        for vocab, sim in expanded[item]:
            for nid in postings.get(vocab, ()):
                if nid not in everywhere:
                    continue
                seen = reached.get(nid)
                if seen is None:
                    seen = reached[nid] = _Reach(0, [0.0] * len(tokens), {})
                seen.mask |= mask
                for i in where:
                    if seen.position_sim[i] < sim:
                        seen.position_sim[i] = sim
                if seen.vocab.get(vocab, 0.0) < sim:
                    seen.vocab[vocab] = sim
    return reached


def _span(tokens: tuple[str, ...], joined: str) -> range:
    """The run of consecutive tokens whose concatenation is `joined` (empty if none)."""
    for start in range(len(tokens)):
        text = ""
        for end in range(start, len(tokens)):
            text += tokens[end]
            if text == joined:
                return range(start, end + 1)
            if len(text) >= len(joined):
                break
    return range(0)


def name_relevance(index: Index, tokens: tuple[str, ...], rec: NameRec, reach: _Reach) -> float:
    """How well a name and the text cover each other, in [0, 1]: the matcher's name-score
    formula (query coverage × listed coverage^½, rarity-weighted) over the index's token
    hits, times the name kind's factor (weak and vendor aliases count less)."""
    q_weights = [index.weight(t) for t in tokens]
    q_total = sum(q_weights) or 1.0
    q_cov = sum(w * s for w, s in zip(q_weights, reach.position_sim, strict=True)) / q_total
    covered = [0.0] * len(rec.tokens)
    for vocab, sim in reach.vocab.items():
        same = [j for j, token in enumerate(rec.tokens) if token == vocab]
        for j in same or _span(rec.tokens, vocab):  # a token of the name, or a join of some
            covered[j] = max(covered[j], sim)
    c_weights = [index.weight(t) for t in rec.tokens]
    c_total = sum(c_weights) or 1.0
    c_cov = sum(w * s for w, s in zip(c_weights, covered, strict=True)) / c_total
    q_part: float = min(1.0, q_cov) ** config.QUERY_COVERAGE_EXP
    c_part: float = min(1.0, c_cov) ** config.CANDIDATE_COVERAGE_EXP
    return q_part * c_part * NAME_FACTORS.get(rec.kind, 1.0)


def search(
    index: Index,
    text: str,
    expand: Expand,
    filters: Filters | None = None,
    limit: int = 10,
    offset: int = 0,
) -> Page:
    """Parties one of whose names meets every token of `text`, best first (score, then
    id), filtered; `total` counts them all, the page holds `limit` from `offset`."""
    tokens = tuple(tokenize(text))
    if not tokens:
        return Page([], 0)
    filters = filters or Filters()
    full = (1 << len(tokens)) - 1
    best: dict[int, Hit] = {}
    allowed: dict[int, bool] = {}
    for nid, reach in _reach(index, tokens, expand, is_arabic_script(text)).items():
        if reach.mask != full:
            continue
        rec = index.names[nid]
        ok = allowed.get(rec.entry)
        if ok is None:
            ok = allowed[rec.entry] = filters.allows(index.entries[rec.entry])
        if not ok:
            continue
        score = round(name_relevance(index, tokens, rec, reach), 4)
        current = best.get(rec.entry)
        if current is None or score > current.score:
            best[rec.entry] = Hit(rec.entry, nid, score)
    ranked = sorted(best.values(), key=lambda h: (-h.score, index.entries[h.entry].id))
    return Page(ranked[offset : offset + limit], len(ranked))


def entry_properties(index: Index, entry: Entry) -> dict[str, list[str]]:
    """A party's properties as results show them: its names by kind, birth dates,
    countries, gender and sanction programs."""
    props: dict[str, list[str]] = {}
    for nid in entry.names:
        rec = index.names[nid]
        if rec.kind in NAME_PROPERTIES:
            props.setdefault(NAME_PROPERTIES[rec.kind], []).append(rec.text)
    for prop, values in (
        ("birthDate", entry.facts[BIRTH_DATE.slot]),
        ("country", entry.facts[COUNTRY.slot]),
        ("gender", entry.facts[GENDER.slot]),
        ("program", set(programs_of(entry))),
    ):
        if values:
            props[prop] = sorted(values)
    return {k: list(dict.fromkeys(v)) for k, v in props.items()}


def hit_json(index: Index, hit: Hit) -> dict[str, Any]:
    """One search result in the yente shape, with the name that was found."""
    entry = index.entries[hit.entry]
    return {
        "id": entry.id,
        "caption": entry.caption,
        "schema": entry.schema,
        "properties": entry_properties(index, entry),
        "datasets": [entry.source],
        "score": hit.score,
        "matched_name": index.names[hit.name].text,
    }
