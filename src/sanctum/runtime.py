"""Process-wide settings of the Python runtime: when the cyclic garbage collector runs
during loads, index builds and long screening runs, and giving freed memory back."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

YIELD_EVERY = 64
"""Items a long compiled loop handles between two looks at the clock (`yielding`): an index
build spends ~0.1 ms on a listed name, so a waiting request gets the interpreter lock
within a few milliseconds (stall test, tests/api/test_live_index.py)."""

YIELD_INTERVAL = 0.005
"""Seconds between two `let_others_run` calls of a loop (`yielding`), at the least: a
`time.sleep(0)` takes ~0.08 ms (the kernel's timer slack), and one every YIELD_EVERY items
made ~40,000 of them, 3.5 s of an index build's 13 (py-spy of the `make bench` index
build). 5 ms is the interpreter's own switch interval: a waiting request waits no longer
than the interpreter's own loop would make it (stall test)."""

PACE_REST = 4.0
"""A paced loop (a server reading a new index back while it answers requests: `yielding`
with `rest`, `index.read_saved` with `pace`) sleeps this many times as long as it has just
worked, every YIELD_INTERVAL. `time.sleep(0)` alone handed the interpreter lock over only to
a thread that had already waited the switch interval, so requests kept about half of their
rate and a 0.65 s read-back left a backlog of ~0.6 s at the swap (soak, bench/soak.py).
Resting as long as it worked (1.0) left ~0.5 s; four times as long keeps ~0.83 of their rate
(tests/test_index_file.py) and the swap's worst answer at ~0.1–0.2 s, the read taking ~4 s."""

DERIVED_WAIT_SECONDS = 30.0
"""How long an index build waits for a load under way to commit its cross-list links (a
load commits its version, then the links computed from it: `Store.recompute_links`, ~1.5 s
for every list here) before deriving them itself (a load that died between the two):
never an index of a new version with the previous parties (kill -9 trials, index build)."""

INDEX_PIECE_ITEMS = 20_000
"""Items of one pickled piece of a saved index (`index.save`): a piece reads back in ~10
ms, so a server taking in an index that another process built holds no request up longer
than that between two pieces (soak, bench/soak.py; stall test, tests/api/test_live_index.py)."""

GC_THRESHOLDS = (700, 10, 1000)
"""`gc.set_threshold` for a process that serves or batches screenings (its index is frozen
out of collection; see `tune_gc`). Python's default third threshold (10) ran a full
collection every few hundred requests, walking every entry of the bounded token and
alignment caches (~1M objects) for nothing: HTTP load benchmark, single-query /match on one
worker, p99 81–117 ms with the default, 25 ms with 100 or 1000 (median unchanged)."""


@contextmanager
def gc_paused(freeze_after: bool = False) -> Iterator[None]:
    """Cyclic garbage collection off for a bulk load, then back as it was.

    A load makes millions of small objects (entities, statements) that live until their
    version is committed; the collector would walk them again and again, costing more than
    the parsing, and find next to nothing: parsed entities hold no reference cycles. What
    little cyclic garbage there is goes at the start of each parse (`_parse_job`).
    `freeze_after`: what was made lives as long as the process (the index): keep it out of
    every later collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            if freeze_after:
                gc.freeze()


@contextmanager
def tune_gc() -> Iterator[None]:
    """Collect cyclic garbage rarely while a process screens many queries (then restore).

    Such a process holds a frozen index and bounded caches of tokens and alignments
    (values without reference cycles, freed by reference counting when evicted); a full
    collection walks all of them and finds nothing, pausing every request in flight."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def release_freed_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc `malloc_trim`; elsewhere
    nothing). After an index build the memory its temporaries held stays mapped to the
    process otherwise: about 30 MB of the build's peak (`make bench`, peak memory)."""
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def let_others_run() -> None:
    """Hand the interpreter lock to a thread waiting for it, if any.

    Only the interpreter's own loop passes the lock on every few milliseconds; compiled
    code (the matching core) keeps it until it calls something that lets go. An index built
    in a background thread of a server would otherwise hold every request for the whole
    build (seconds), which is what building it off the request path is meant to avoid.
    `time.sleep(0)` releases the lock, and a thread that asked for it takes it then."""
    time.sleep(0)


def yielding(items: Iterable[T], rest: float = 0.0) -> Iterator[T]:
    """`items`, handing the interpreter lock to waiting threads (`let_others_run`) once
    YIELD_INTERVAL has passed since the last time, looked at every YIELD_EVERY items: for
    the long loops of an index build. `rest`: sleep that many times the time just worked
    instead (`rest_after`)."""
    last = time.perf_counter()
    for n, item in enumerate(items):
        if n % YIELD_EVERY == 0 and time.perf_counter() - last >= YIELD_INTERVAL:
            last = rest_after(last, rest)
        yield item


def paced(items: Iterable[T], pace: bool) -> Iterable[T]:
    """`items` as they are, or, with `pace`, handed out by `yielding` with PACE_REST (a server
    taking in a new index while it answers requests)."""
    return yielding(items, PACE_REST) if pace else items


def rest_after(started: float, rest: float) -> float:
    """Let other threads run for `rest` times the time worked since `started` (a
    `time.perf_counter()`; with no rest, only hand the lock to a thread waiting for it);
    returns the time now, where the next stretch of work starts."""
    if rest > 0.0:
        time.sleep((time.perf_counter() - started) * rest)
    else:
        let_others_run()
    return time.perf_counter()


def drop_gradually(table: dict[Any, Any]) -> None:
    """Empty a large dict an item at a time, letting waiting threads run between batches:
    freeing it in one call is one long stretch of reference counting that no other thread
    can interrupt (a second or more for an index build's temporaries)."""
    for _ in yielding(range(len(table))):
        table.popitem()
