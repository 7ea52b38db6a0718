"""The index a server screens with, kept current off the request path.

A new list version (loaded by this server's update, or by `sanctum load` in another
process) changes the store's generation. The next request to notice it starts one build
of the new index in a background thread, on a connection of its own, and goes on with
the index in force; so does every request until the build is done and the new screener
is swapped in, in one assignment. No request waits for a build; each answer says the
versions it used (the screener's index's versions). Only the very first index, when
there is none to serve yet, is built before answering.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sanctum.index import Index, build, load_or_build
from sanctum.names.normalize import forget_cached
from sanctum.runtime import gc_paused, release_freed_memory
from sanctum.screen import Screener
from sanctum.store.db import Store

log = logging.getLogger(__name__)

GENERATION_CHECK_SECONDS = 0.5
"""How often a serving process asks the store whether a new version landed: a new list
is screened within about this long after its index is built, for one query a second
instead of one per request."""


def fresh_index(store: Store) -> Index:
    """A new index of the versions in force, built as `load_or_build` builds one, but not
    saved (see `LiveIndex.build_now`)."""
    with gc_paused(freeze_after=True):
        index = build(store)
    forget_cached()
    release_freed_memory()
    return index


class LiveIndex:
    """The screener in force, and the background rebuild that replaces it."""

    def __init__(
        self, store: Store, index_path: Path, check_every: float = GENERATION_CHECK_SECONDS
    ) -> None:
        self.store = store
        self.index_path = index_path
        self.check_every = check_every
        self._screener: Screener | None = None
        self._lock = threading.Lock()
        self._builder: threading.Thread | None = None
        self._checked = -1e9
        self.builds = 0

    def screener(self) -> Screener:
        """The screener to answer this request with (never waits for a rebuild)."""
        current = self._screener
        if current is None:
            return self.build_now(self.store)
        now = time.monotonic()
        if now - self._checked >= self.check_every:
            self._checked = now
            if self.store.generation() != current.index.generation:
                self._start_build()
        return current

    @property
    def building(self) -> bool:
        """True while a background build runs."""
        builder = self._builder
        return builder is not None and builder.is_alive()

    def _start_build(self) -> None:
        with self._lock:
            if self.building:
                return
            self._builder = threading.Thread(
                target=self._build_in_background, name="index-build", daemon=True
            )
            self._builder.start()

    def _build_in_background(self) -> None:
        store = Store(self.store.path)
        try:
            self.build_now(store)
        except Exception:  # the index in force keeps serving; the next check tries again
            log.exception("index build failed; screening goes on with the previous index")
        finally:
            store.close()

    def build_now(self, store: Store) -> Screener:
        """Build the index of `store`'s generation here and swap it in, unless the one in
        force is already of that generation; returns the screener in force. The first
        index is read from the saved file when it is current (a fast start); later ones
        are built, never unpickled or pickled: (un)pickling holds the interpreter lock for
        its whole run (~2 s for the full lists), so every request would wait for it."""
        current = self._screener
        if current is not None and current.index.generation == store.generation():
            return current
        index = load_or_build(store, self.index_path) if current is None else fresh_index(store)
        fresh = Screener(self.store, index)
        with self._lock:
            current = self._screener
            if current is None or current.index.generation < index.generation:
                self._screener = current = fresh
                self.builds += 1
        log.info("index of generation %d in force", current.index.generation)
        return current

    def wait(self, timeout: float | None = None) -> None:
        """Until a background build under way is done (tests, shutdown)."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)
