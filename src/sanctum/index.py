"""The candidate index: listed parties of the versions in force, their names broken into
tokens, and lookup tables from token, Korean syllable key, consonant skeleton, spelling
neighbourhood, identifier and wallet address to the names that carry them.

Built once per store generation and persisted (pickle) under SANCTUM_HOME, so a CLI call
starts fast and a new list version triggers a rebuild.
"""

from __future__ import annotations

import csv
import fcntl
import math
import os
import pickle
import sys
import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field, fields
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any, TypeVar

from sanctum import config, settings
from sanctum.feature_table import FEATURES, IDENTIFIER, NAMES, listed_properties, listed_readers
from sanctum.names.arabic import abjad_table_key
from sanctum.names.normalize import (
    EMPTY,
    Filed,
    fold_romanized,
    forget_cached,
    is_legal_form,
    korean_keys,
    meeting_skeletons,
    name_variants,
    remember_korean_keys,
    remember_romanized,
    runs_of,
    tokenize,
    undoubled,
)
from sanctum.runtime import (
    DERIVED_WAIT_SECONDS,
    INDEX_PIECE_ITEMS,
    PACE_REST,
    drop_gradually,
    gc_paused,
    paced,
    release_freed_memory,
    rest_after,
    yielding,
)
from sanctum.schemata import PARTIES
from sanctum.store.db import Store

INDEX_FORMAT = 33
"""Bumped whenever the pickled layout or what is filed in it (tokens, identifiers)
changes, so old files are rebuilt, not misread."""

T = TypeVar("T")
V = TypeVar("V")

DERIVED_NOTE = "read from the listed name"
"""Note on a name the index derived from a listed one (`names.normalize.name_variants`)."""

NAME_PROPS = NAMES.listed
"""Listed name property → the kind of name it is indexed as (`feature_table.NAMES`)."""
OTHER_PROPS = ("publicKey", "currency", "authority", "program", "listingDate", "callSign")
"""Properties of a party's wallets and designations, kept beside the features' own."""


@dataclass(slots=True)
class NameRec:
    """One name of one listed party, as tokens."""

    entry: int
    text: str
    kind: str  # name | alias | weak | previous | cyber
    tokens: tuple[str, ...]
    note: str = ""


def _no_facts() -> tuple[Set[str], ...]:
    """One empty set of values per feature (filled while the index is built)."""
    return tuple(set() for _ in FEATURES)


@dataclass(slots=True)
class Entry:
    """One listed party with what the matcher compares besides names."""

    id: str
    schema: str
    source: str
    caption: str = ""
    names: list[int] = field(default_factory=list)
    facts: tuple[Set[str], ...] = field(default_factory=_no_facts)
    """Per feature of `feature_table.FEATURES` (by its `slot`), the listed values read."""
    sanctions: list[dict[str, list[str]]] = field(default_factory=list)

    def freeze(self, shared: dict[Any, Any]) -> None:
        """Sets made frozen, empty ones shared, strings shared, and equal values (a set of
        countries, a designation) one object across entries (`shared`): a compact record
        once the index is assembled (tens of thousands of them stay in memory)."""
        self.schema = sys.intern(self.schema)
        self.source = sys.intern(self.source)
        self.facts = _one(shared, tuple(_one(shared, _frozen(v)) for v in self.facts))
        self.sanctions = _one(shared, [_sanction(shared, s) for s in self.sanctions])


def _one(shared: dict[Any, Any], value: Any) -> Any:
    """The one object standing for equal values (lists and dicts keyed by their content)."""
    key = _content(value)
    return shared.setdefault(key, value)


def _content(value: Any) -> Any:
    """A hashable image of a value made of strings, lists, dicts and frozensets."""
    if isinstance(value, list):
        return ("l", *[_content(v) for v in value])
    if isinstance(value, dict):
        return ("d", *[(k, _content(v)) for k, v in value.items()])
    return value


def _sanction(shared: dict[Any, Any], values: dict[str, list[str]]) -> dict[str, list[str]]:
    """A designation with its strings interned and equal value lists shared."""
    return {sys.intern(k): _one(shared, [sys.intern(v) for v in vs]) for k, vs in values.items()}


def _mutable(values: Set[str]) -> set[str]:
    """An entry's fact set while the index is being built (frozen once assembled)."""
    assert isinstance(values, set)
    return values


def _frozen(values: Set[str]) -> frozenset[str]:
    """An immutable set of shared strings (the one empty set for no value)."""
    return frozenset(sys.intern(v) for v in values) if values else EMPTY


@dataclass(slots=True)
class Wallet:
    """A listed crypto address and who holds it."""

    id: str
    address: str
    currency: str
    holder: str
    source: str


@dataclass
class Index:
    """Everything a query needs, in memory."""

    generation: int
    entries: list[Entry]
    names: list[NameRec]
    postings: dict[str, array[int]]  # token (or joined pair) → name ids (rarity: `idf`)
    korean: dict[str, tuple[str, ...]]  # Korean key → vocabulary tokens
    skeletons: dict[str, tuple[str, ...]]
    shapes: dict[str, tuple[str, ...]]  # first/last letters + length → tokens (`shape_keys`)
    identifiers: dict[str, list[int]]  # normalised identifier → entries
    wallets: dict[str, list[Wallet]]
    entry_by_id: dict[str, int]
    versions: dict[str, str]  # source → version date in force
    name_weight: list[float] = field(default_factory=list)  # total token weight per name
    uniform: bool = False
    """Every token weighs the same (comparing two records with no lists to learn rarity)."""
    token_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    """Korean syllable keys of every vocabulary token (computed once, at build time)."""
    doubled: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Vocabulary tokens by their form with doubled letters written once, for the forms of
    DOUBLED_MIN_LEN letters (`awad` → awad, awwad): what `token_sim` meets as "doubled"."""
    abjad: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Latin vocabulary tokens whose skeleton is too short for the skeleton table, by their
    consonants (`abjad_table_key`: saif, sayf, seif → sf; habib → hbb): what a token of
    an Arabic-script name meets by `abjad_meets`, looked up."""
    romanized: dict[str, Filed] = field(default_factory=dict)
    """Latin vocabulary tokens by their `romanized_key` (`yury`, `yuri`, `yuriy` → iuri):
    what `token_sim` meets as "romanized", looked up (`same_romanized`). A key's only
    token is filed as itself, not as a tuple of one (`Filed`: 123,000 of 136,000 keys), and
    a token that is its own key is the key (the same string)."""
    _weights: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    def weight(self, token: str) -> float:
        """Rarity weight of a token (legal forms weighed down); memoised per index."""
        w = self._weights.get(token)
        if w is None:
            w = 1.0 if self.uniform else self.idf(token)
            if is_legal_form(token):
                w = w * config.LEGAL_FORM_WEIGHT
            self._weights[token] = w
        return w

    def idf(self, token: str) -> float:
        """Rarity weight of a token in the lists (`rarity`), UNKNOWN_TOKEN_IDF for one no
        listed name holds. Computed from its postings when asked: a table of it (160,000
        floats) took 9 MB of every screening process and of the index file."""
        ids = self.postings.get(token)
        if ids is None:
            return config.UNKNOWN_TOKEN_IDF
        return rarity(max(len(self.names), 1), len(ids))

    def activate(self, pace: bool = False) -> None:
        """Make this index's precomputed Korean and romanized keys available to token
        comparison; `pace`: see `read_saved`."""
        remember_romanized(self.romanized, pace)  # first: a token known by its Korean keys is filed
        remember_korean_keys(self.token_keys, pace)


def index_state(index: Index) -> dict[str, Any]:
    """The index as plain data, which is how it is saved: names and entries as columns and
    postings as one array (a few large objects instead of a quarter of a million small
    ones, which pickle and unpickle several times faster), no class of this module in the
    file (the compiled and the source build read the same file), no weight memo
    (constants may change between runs)."""
    state = {f.name: getattr(index, f.name) for f in fields(index) if f.name != "_weights"}
    state["names"] = _columns(index.names, NameRec)
    state["entries"] = _columns(index.entries, Entry)
    state["postings"] = _flat_postings(index.postings)
    state["wallets"] = {k: [_row(w) for w in ws] for k, ws in index.wallets.items()}
    return state


def index_of_state(state: dict[str, Any], pace: bool = False) -> Index:
    """The index again from its saved form (`index_state`); `pace`: let waiting threads
    run every few items (see `read_saved`)."""
    state = dict(state)
    state["names"] = _rows(NameRec, state["names"], pace)
    state["entries"] = _rows(Entry, state["entries"], pace)
    tokens, lengths, ids = state["postings"]
    state["postings"] = _postings_of(tokens, lengths, ids, pace)
    state["wallets"] = {k: [Wallet(*w) for w in ws] for k, ws in state["wallets"].items()}
    return Index(**state)


def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's fields in the order its constructor takes them."""
    return tuple(f.name for f in fields(cls))


def _columns(records: Sequence[Any], cls: type) -> list[list[Any]]:
    """Records of a dataclass as one list per field (how names and entries are saved)."""
    return [[getattr(r, name) for r in records] for name in _field_names(cls)]


def _rows(cls: Callable[..., T], columns: Sequence[Sequence[Any]], pace: bool = False) -> list[T]:
    """The records again from their columns (`_columns`)."""
    rows = zip(*columns, strict=True)
    return [cls(*row) for row in paced(rows, pace)]


def _row(record: Any) -> tuple[Any, ...]:
    """A dataclass record's fields, in constructor order (how wallets are saved)."""
    return tuple(getattr(record, name) for name in _field_names(type(record)))


def _flat_postings(postings: dict[str, array[int]]) -> tuple[list[str], array[int], array[int]]:
    """Postings as their tokens, the length of each one's list, and the lists end to end."""
    ids = array("I")
    for name_ids in postings.values():
        ids.extend(name_ids)
    return list(postings), array("I", map(len, postings.values())), ids


def _postings_of(
    tokens: list[str], lengths: array[int], ids: array[int], pace: bool = False
) -> dict[str, array[int]]:
    """Postings again from their flat form (`_flat_postings`)."""
    postings = {}
    end = 0
    pairs = zip(tokens, lengths, strict=True)
    for token, length in paced(pairs, pace):
        start, end = end, end + length
        postings[token] = ids[start:end]
    return postings


def shape_keys(token: str) -> tuple[str, ...]:
    """Buckets for typo lookups: a typo or two keeps the first or the last two letters,
    and the length within one (`kimsuky` / `kimsukky`). Tokens that a query one edit away
    may be (EDIT1_MIN_LEN to EDIT2_MIN_LEN long) are also filed under their first and last
    three letters (`typo_buckets`)."""
    n = len(token)
    keys: tuple[str, ...] = (f"{token[:2]}<{n}", f"{token[-2:]}>{n}")
    if n <= config.EDIT2_MIN_LEN:
        keys += (f"{token[:3]}[{n}", f"{token[-3:]}]{n}")
    return keys


def typo_buckets(token: str) -> tuple[str, ...]:
    """The `shape_keys` buckets holding every vocabulary token a query token may be a typo
    of (EDIT1_MIN_LEN letters or more; the length within one).

    Two edits apart (EDIT2_MIN_LEN letters or more): the first or the last two letters
    kept. One edit apart: a token of n letters keeps its first p or its last s letters
    whenever p + s <= n (an edit at position i spares the prefix if i >= p and the suffix
    if i < n - s), so three and three from six letters on, two and three at five: the
    same tokens as the two-letter buckets give, from buckets several times smaller."""
    n = len(token)
    if n >= config.EDIT2_MIN_LEN:
        head, tail = f"{token[:2]}<", f"{token[-2:]}>"
    elif n >= 6:
        head, tail = f"{token[:3]}[", f"{token[-3:]}]"
    else:
        head, tail = f"{token[:2]}<", f"{token[-3:]}]"
    lengths = (n - 1, n, n + 1)
    return tuple(f"{head}{m}" for m in lengths) + tuple(f"{tail}{m}" for m in lengths)


def joins(tokens: tuple[str, ...]) -> list[str]:
    """The texts of a name's joined runs (`names.normalize.runs_of`)."""
    return [run[0] for run in runs_of(tokens)]


def cyber_aliases() -> list[dict[str, str]]:
    """The sourced vendor-name table of designated cyber groups."""
    text = package_files("sanctum.data").joinpath("cyber_aliases.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def build(store: Store) -> Index:
    """Build the index from the versions in force, read in one snapshot: a version another
    process commits meanwhile is in the next index, never half in this one, and the index's
    generation is the one its statements are of."""
    with store.snapshot():
        return _build(store)


def _build(store: Store) -> Index:
    """`build` inside its snapshot."""
    entries: list[Entry] = []
    by_id: dict[str, int] = {}
    raw_names: list[tuple[int, str, str, str]] = []
    derived: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    derived_meta: dict[str, tuple[str, str, str]] = {}
    props = list(dict.fromkeys([*NAME_PROPS, *listed_properties(), *OTHER_PROPS]))
    readers = listed_readers()
    for source, entity_id, party_id, schema, prop, value in store.current_statements(props):
        if entity_id != party_id or schema not in PARTIES:
            derived[entity_id][prop].append(value)
            derived_meta[entity_id] = (schema, party_id, source)
            continue
        idx = by_id.get(entity_id)
        if idx is None:
            idx = by_id[entity_id] = len(entries)
            entries.append(Entry(entity_id, schema, source))
        entry = entries[idx]
        if prop in NAME_PROPS:
            raw_names.append((idx, value, NAME_PROPS[prop], ""))
            if prop == "name" and not entry.caption:
                entry.caption = value
        elif prop in readers:
            slot, read = readers[prop]
            if (read_value := read(prop, value)) is not None:
                _mutable(entry.facts[slot]).add(read_value)
    wallets: dict[str, list[Wallet]] = defaultdict(list)
    for entity_id, values in derived.items():
        schema, party_id, source = derived_meta[entity_id]
        if party_id not in by_id:
            continue
        entry = entries[by_id[party_id]]
        if schema == "Sanction":
            entry.sanctions.append(dict(values))
        elif schema == "CryptoWallet":
            from sanctum.crypto import lookup_keys, normalise_address

            for address in values.get("publicKey", []):
                currency = (values.get("currency") or [""])[0]
                key = normalise_address(address, currency or None)
                wallets[key].append(Wallet(entity_id, address, currency, party_id, source))
                for alt in lookup_keys(address):  # screened as a query's identifier too
                    _mutable(entry.facts[IDENTIFIER.slot]).add(f"wallet:{alt}")
        elif schema in ("Passport", "Identification"):
            for number in values.get("number", []):
                if (norm := IDENTIFIER.read_listed("number", number)) is not None:
                    _mutable(entry.facts[IDENTIFIER.slot]).add(norm)
    drop_gradually(derived)
    for row in cyber_aliases():
        idx = by_id.get(row["entity_id"])
        if idx is not None:
            raw_names.append((idx, row["alias"], "cyber", f"{row['source']} <{row['source_url']}>"))
    return _assemble(store.generation(), entries, by_id, raw_names, wallets, store)


def with_variants(
    raw_names: Iterable[tuple[int, str, str, str]], schema_of: Callable[[int], str]
) -> Iterator[tuple[int, str, str, str]]:
    """Each listed name, then its readings (`name_variants`, by its party's schema): an
    acronym in brackets, the name without a note. A reading keeps the name's kind and
    says where it came from."""
    raw_names = list(raw_names)
    yield from raw_names  # names as listed first: a reading never shadows a listed name
    for idx, text, kind, note in raw_names:
        for variant in name_variants(text, schema_of(idx)):
            yield idx, variant, kind, note or f"{DERIVED_NOTE} {text!r}"


def _names_and_postings(
    entries: list[Entry], raw_names: Iterable[tuple[int, str, str, str]]
) -> tuple[list[NameRec], dict[str, array[int]]]:
    """The index's names (listed ones, then their readings; each entry's distinct token
    sequences once, the cyber vendor names always) and the name ids of every token."""
    names: list[NameRec] = []
    postings: dict[str, array[int]] = defaultdict(_name_ids)
    seen: set[tuple[int, tuple[str, ...]]] = set()
    # `yielding`: a server builds this in a background thread while it serves
    for idx, text, kind, note in yielding(with_variants(raw_names, lambda i: entries[i].schema)):
        entry = entries[idx]
        tokens = tuple(map(sys.intern, tokenize(text, entry.schema)))
        if not tokens or ((idx, tokens) in seen and kind != "cyber"):
            continue
        seen.add((idx, tokens))
        nid = len(names)
        names.append(NameRec(idx, text, sys.intern(kind), tokens, sys.intern(note)))
        entry.names.append(nid)
        for tok in dict.fromkeys([*tokens, *joins(tokens)]):  # in name order, not hash order
            postings[sys.intern(tok)].append(nid)
    return names, postings


def _assemble(
    generation: int,
    entries: list[Entry],
    by_id: dict[str, int],
    raw_names: Iterable[tuple[int, str, str, str]],
    wallets: dict[str, list[Wallet]],
    store: Store | None,
) -> Index:
    names, postings = _names_and_postings(entries, raw_names)
    shared: dict[Any, Any] = {}
    for entry in yielding(entries):
        entry.freeze(shared)
    drop_gradually(shared)
    n = max(len(names), 1)
    idf = {tok: rarity(n, len(ids)) for tok, ids in postings.items()}  # for `weights` only
    kor: dict[str, list[str]] = defaultdict(list)
    skel: dict[str, list[str]] = defaultdict(list)
    shapes: dict[str, list[str]] = defaultdict(list)
    doubled: dict[str, list[str]] = defaultdict(list)
    abjad: dict[str, list[str]] = defaultdict(list)
    romanized: dict[str, list[str]] = defaultdict(list)
    token_keys: dict[str, frozenset[str]] = {}
    for tok in yielding(postings):
        keys = token_keys[tok] = korean_keys(tok) or EMPTY  # one shared empty set
        for key in keys:
            kor[key].append(tok)
        for s in meeting_skeletons(tok):
            skel[s].append(tok)
        if len(tok) >= config.EDIT1_MIN_LEN and tok.isascii():
            for key in shape_keys(tok):
                shapes[key].append(tok)
        if tok.isascii() and len(single := undoubled(tok)) == config.DOUBLED_MIN_LEN:
            doubled[single].append(tok)
        if consonants := abjad_table_key(tok):
            abjad[consonants].append(tok)
        if folded := fold_romanized(tok):  # not `romanized_key`: no cache filled
            romanized[tok if folded == tok else folded].append(tok)
    weights = [sum(idf[t] for t in rec.tokens) or 1.0 for rec in names]
    versions = {}
    for source in store.source_ids() if store else []:
        latest = store.latest(source) if store else None
        if latest:
            versions[source] = latest.version_date
    index = Index(
        generation,
        entries,
        names,
        dict(postings),
        _tuples(kor),
        _tuples(skel),
        _tuples(shapes),
        _identifiers(entries),
        dict(wallets),
        by_id,
        versions,
        weights,
        token_keys=token_keys,
        doubled=_tuples(doubled),
        abjad=_tuples(abjad),
        romanized=_filed(romanized),
    )
    index.activate()
    return index


def rarity(names: int, holding: int) -> float:
    """The rarity weight (inverse document frequency) of a token that `holding` of the
    index's `names` names hold."""
    return math.log(1 + names / holding)


def _identifiers(entries: list[Entry]) -> dict[str, list[int]]:
    """Normalised identifier → the entries holding it."""
    identifiers: dict[str, list[int]] = defaultdict(list)
    for i, entry in enumerate(entries):
        for ident in entry.facts[IDENTIFIER.slot]:
            identifiers[ident].append(i)
    return dict(identifiers)


def _name_ids() -> array[int]:
    """An empty list of name ids, as the index keeps it (4 bytes an id)."""
    return array("I")


def _tuples(table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """A lookup table with its value lists as tuples (smaller, and never grown again)."""
    return _packed(table, tuple)


def _filed(table: dict[str, list[str]]) -> dict[str, Filed]:
    """`_tuples`, a list of one token filed as that token (`Filed`)."""
    return _packed(table, _one_or_tuple)


def _one_or_tuple(values: list[str]) -> Filed:
    """A list of tokens as one `Filed` value."""
    return values[0] if len(values) == 1 else tuple(values)


def _packed(table: dict[str, list[str]], pack: Callable[[list[str]], V]) -> dict[str, V]:
    """A lookup table with each value list packed (`pack`). The table given is emptied:
    its lists are freed a few at a time (`drop_gradually`)."""
    packed: dict[str, V] = {}
    for key, values in yielding(table.items()):
        packed[key] = pack(values)
    drop_gradually(table)
    return packed


def from_records(records: list[dict[str, Any]]) -> Index:
    """A small index over FtM-shaped dicts, with uniform token weights (for `compare`)."""
    entries: list[Entry] = []
    raw: list[tuple[int, str, str, str]] = []
    for i, rec in enumerate(records):
        props = rec.get("properties") or {}
        entry = Entry(str(rec.get("id") or f"record-{i}"), str(rec.get("schema") or "Thing"), "")
        for prop, kind in NAME_PROPS.items():
            for value in props.get(prop, []):
                raw.append((i, str(value), kind, ""))
                entry.caption = entry.caption or str(value)
        entry.facts = tuple(
            {
                r
                for key in f.listed
                for v in props.get(key, [])
                if (r := f.read_listed(key, str(v))) is not None
            }
            for f in FEATURES
        )
        entries.append(entry)
    by_id = {e.id: i for i, e in enumerate(entries)}
    index = _assemble(0, entries, by_id, raw, {}, None)
    index.uniform = True
    return index


def index_path() -> Path:
    """Where the persisted index lives."""
    return settings.home() / "index.pickle"


def load_or_build(store: Store, path: Path | None = None) -> Index:
    """The persisted index if it matches the store's generation, else a fresh build
    (saved in the store's home unless `path` says otherwise)."""
    path = path or store.home / "index.pickle"
    generation = store.generation()
    if path.exists():
        index = _load_current(path, generation)
        if index is not None:
            return index
    with gc_paused(freeze_after=True):
        index = build(store)
    forget_cached()  # the memory goes to pickling instead (peak memory, `make bench`)
    release_freed_memory()
    save(index, path)
    return index


def saved_generation(path: Path) -> int | None:
    """The store generation of the index saved at `path`, if it is of this INDEX_FORMAT
    (its header only: nothing else is read)."""
    try:
        with path.open("rb") as fh:
            return _generation_in(pickle.load(fh))
    except Exception:  # no file, or not one of ours
        return None


def _generation_in(header: object) -> int | None:
    """The generation a saved index's header names, if the header is of this INDEX_FORMAT."""
    if isinstance(header, tuple) and len(header) == 2 and header[0] == INDEX_FORMAT:
        return int(header[1])
    return None


def ensure_saved(store: Store, path: Path) -> tuple[int, bool]:
    """Build and save the index of `store`'s generation unless `path` already holds it;
    returns that generation, and whether it was built here (False: found saved). What a
    server's build process does (`api.live`): one at a time per file (a lock file beside
    it), so the workers of one server, each noticing the same new version, build it once
    and all read the one file."""
    with path.with_suffix(".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        store.await_derived(DERIVED_WAIT_SECONDS)
        generation = store.generation()
        if saved_generation(path) == generation:
            return generation, False
        with gc_paused():
            index = build(store)
        save(index, path)
    return index.generation, True


def save(index: Index, path: Path) -> None:
    """Write `index` to `path` whole or not at all (a temporary file, then renamed): its
    header (INDEX_FORMAT and generation), then its state in pieces (`_pieces`), by one
    pickler: its memo spans the pieces, so a token shared by several tables is written,
    and read back, once (one object, as in the built index)."""
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    with tmp.open("wb") as fh, gc_paused():  # what pickling makes, its memo holds: no garbage
        pickle.dump((INDEX_FORMAT, index.generation), fh, protocol=pickle.HIGHEST_PROTOCOL)
        pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
        for piece in _pieces(index_state(index)):
            pickler.dump(piece)
        pickler.dump(_END)
    tmp.replace(path)


_END = ("", "end", None)
"""The last piece of a saved index: a file without it was cut short."""


def _pieces(state: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """The saved state as (field, kind, payload) pieces of at most INDEX_PIECE_ITEMS items
    each: "whole" a field's value, "column" (i, values) the next values of a field's i-th
    column (names, entries, postings), "items" the next items of a dict field. Reading one
    piece back holds the interpreter lock for milliseconds, not the ~2 s of the whole."""
    n = INDEX_PIECE_ITEMS
    for key, value in state.items():
        if key in _COLUMNS:
            for i, column in enumerate(value):
                if isinstance(column, array):  # an array reads back in one fast copy
                    yield key, "column", (i, column)
                    continue
                for start in range(0, len(column), n):
                    yield key, "column", (i, column[start : start + n])
        elif isinstance(value, dict) and len(value) > n:
            items = list(value.items())
            for start in range(0, len(items), n):
                yield key, "items", items[start : start + n]
        else:
            yield key, "whole", value


_COLUMNS = frozenset({"names", "entries", "postings"})
"""The fields `index_state` saves as columns (`_columns`, `_flat_postings`)."""


def read_saved(path: Path, pace: bool = False) -> Index | None:
    """The index saved at `path` (`save`), of whatever generation it holds, or None when
    the file is of another INDEX_FORMAT or cannot be read whole. `pace`: let waiting threads
    run between pieces (a server reading a new index while it answers requests)."""
    try:
        with path.open("rb") as fh:
            generation = _generation_in(pickle.load(fh))
            if generation is None:
                return None
            with gc_paused(freeze_after=True):
                state = _read_pieces(fh, pace)
                index = index_of_state(state, pace)
    except Exception:  # any unreadable file only means: build it again
        return None
    if index.generation != generation:
        return None
    index.activate(pace)
    return index


def _read_pieces(fh: Any, pace: bool) -> dict[str, Any]:
    """The state again from its pieces (`_pieces`), by one unpickler (its memo spans them);
    a file cut short before the end piece raises."""
    state: dict[str, Any] = {}
    unpickler = pickle.Unpickler(fh)
    worked = time.perf_counter()
    while True:
        if pace:
            worked = rest_after(worked, PACE_REST)
        key, kind, payload = unpickler.load()
        if kind == "end":
            return state
        if kind == "whole":
            state[key] = payload
        elif kind == "items":
            state.setdefault(key, {}).update(payload)
        elif kind == "column":
            i, values = payload
            columns = state.setdefault(key, [])
            if i == len(columns):
                columns.append(values)
            else:
                columns[i].extend(values)
        else:
            raise ValueError(f"unknown piece {kind!r} of {key!r}")


def _load_current(path: Path, generation: int) -> Index | None:
    """The index saved at `path` if it has this INDEX_FORMAT and store generation, else
    None (rebuild). The header is read first, so an index of another layout is never
    unpickled; a file that cannot be read at all (an older layout without a header, a
    truncated write) is rebuilt too, never an error that stops screening."""
    index = read_saved(path)
    return index if index is not None and index.generation == generation else None
