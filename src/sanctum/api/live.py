"""The index a server screens with, kept current off the request path.

A new list version (loaded by this server's update, or by `sanctum load` in another
process) changes the store's generation. The next request to notice it starts one build
of the new index and goes on with the index in force; so does every request until the
build is done and the new screener is swapped in, in one assignment. No request waits for
a build; each answer says the versions it used (the screener's index's versions). Only
the very first index, when there is none to serve yet, is built (or read) before
answering.

The build runs in a process of its own (`python -m sanctum.api.live`, at a lower
priority), which saves the index where the CLI finds it too; a background thread of the
server waits for it, then reads the saved index back a piece at a time, letting requests
run between pieces. Built in a thread of the server instead, the index took the serving
process's one interpreter lock for ~10 s: requests were answered, but at a rate too low
for a steady load (soak, bench/soak.py: 300 requests a second fell behind by seconds).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from sanctum.index import Index, ensure_saved, load_or_build, read_saved
from sanctum.runtime import release_freed_memory
from sanctum.screen import Screener
from sanctum.store.db import Store

log = logging.getLogger(__name__)

GENERATION_CHECK_SECONDS = 0.5
"""How often a serving process asks the store whether a new version landed: a new list
is screened within about this long after its index is built, for one query a second
instead of one per request."""
BUILD_NICENESS = 10
"""How much lower than the server a build process runs: it takes the core that serving
leaves idle and gives it back to requests first (soak, bench/soak.py)."""
BUILD_TIMEOUT_SECONDS = 1800.0
"""A build process still running after this long is stopped (and tried again later)."""
RETRY_SECONDS = 30.0
"""After a failed build, how long the index in force serves before the next try."""


def build_elsewhere(store_path: Path, index_path: Path) -> Index:
    """The index of the store's current generation, built and saved by a process of its own
    (`main`), then read back from `index_path` a piece at a time (`read_saved` with
    `pace`), so that this process's requests run between pieces. Raises RuntimeError,
    naming the cause, when the build process fails or its file cannot be read."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sanctum.api.live", str(store_path), str(index_path)],
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"the index build process ran past {exc.timeout:.0f} s") from None
    if done.returncode != 0:
        raise RuntimeError(
            f"the index build process exited {done.returncode}: {done.stderr[-2000:]}"
        )
    index = read_saved(index_path, pace=True)
    if index is None:
        raise RuntimeError(f"the index saved at {index_path} could not be read back")
    release_freed_memory()  # what the read-back's temporaries (the unpickler's memo) held
    return index


def _end_with(parent: int) -> None:
    """End this build process once the server that started it is gone (stopped or killed):
    an index nobody waits for would only take the CPU from the next server."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def main(args: list[str]) -> int:
    """`python -m sanctum.api.live STORE INDEX`: build the index of the store's generation
    and save it at INDEX, at a lower priority (the server's build process)."""
    if len(args) != 2:
        print("usage: python -m sanctum.api.live STORE INDEX", file=sys.stderr)
        return 2
    os.nice(BUILD_NICENESS)
    parent = os.getppid()
    threading.Thread(target=_end_with, args=(parent,), name="parent-watch", daemon=True).start()
    store = Store(Path(args[0]))
    try:
        generation, built = ensure_saved(store, Path(args[1]))
        print(f"generation {generation} {'built' if built else 'found saved'}")
    finally:
        store.close()
    return 0


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
        except Exception:  # the index in force keeps serving; a later check tries again
            log.exception("index build failed; screening goes on with the previous index")
            self._checked = time.monotonic() + RETRY_SECONDS
        finally:
            store.close()

    def build_now(self, store: Store) -> Screener:
        """Build the index of `store`'s generation and swap it in, unless the one in force
        is already of that generation; returns the screener in force. The first index is
        read from the saved file when it is current (a fast start) or built here; later
        ones are built by a process of their own (`build_elsewhere`)."""
        current = self._screener
        if current is not None and current.index.generation == store.generation():
            return current
        if current is None:
            index = load_or_build(store, self.index_path)
        else:
            index = build_elsewhere(store.path, self.index_path)
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


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
