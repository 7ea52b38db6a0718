"""Process-wide settings of the Python runtime that loads and index building depend on."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
