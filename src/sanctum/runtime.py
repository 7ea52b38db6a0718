"""Process-wide settings of the Python runtime: when the cyclic garbage collector runs
during loads, index builds and long screening runs, and giving freed memory back."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager

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
