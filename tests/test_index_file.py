"""The saved index: a file of another layout, another store generation or a broken write is
rebuilt, never an error that stops screening."""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SeedRuns
from sanctum.index import (
    INDEX_FORMAT,
    Index,
    index_state,
    load_or_build,
    read_saved,
    saved_generation,
)
from sanctum.store.db import Store
from sanctum.store.loader import load_paths


def _refuse() -> None:
    raise TypeError("'NameRec' object is not iterable")  # what an older layout raised


class _OlderLayout:
    """Stands for an index pickled in a layout this version cannot read back."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_refuse, ())


def _header(path: Path) -> object:
    with path.open("rb") as fh:
        return pickle.load(fh)


@pytest.mark.parametrize(
    "content",
    [
        pickle.dumps((INDEX_FORMAT - 1, 0, _OlderLayout())),  # before the header existed
        pickle.dumps((INDEX_FORMAT - 1, 0)) + pickle.dumps(_OlderLayout()),  # other format
        pickle.dumps((INDEX_FORMAT, 0)) + pickle.dumps(_OlderLayout())[:5],  # cut short
        pickle.dumps((INDEX_FORMAT, 0)) + pickle.dumps("not an index"),
        b"",
    ],
    ids=["no-header", "other-format", "truncated", "not-an-index", "empty"],
)
def test_unreadable_index_file_is_rebuilt(tmp_path: Path, content: bytes) -> None:
    store = Store(tmp_path / "sanctum.sqlite")
    path = tmp_path / "index.pickle"
    path.write_bytes(content)
    assert isinstance(load_or_build(store, path), Index)
    assert _header(path) == (INDEX_FORMAT, store.generation())
    assert isinstance(load_or_build(store, path), Index)  # and read back as saved


_BUILD_ORDER = """
import json
from sanctum.index import from_records
names = ["KANG Kyong Il", "Choe Un Hyok Kim", "Korea Kwangson Banking Corporation",
         "Muhammad Yunis Ahmad al-Mauritani", "Abd al-Rahman al-Sindhi", "Ri Song Il Kang"]
index = from_records([{"schema": "Person", "properties": {"name": [n]}} for n in names])
tables = [list(index.postings), index.korean, index.skeletons, index.shapes]
print(json.dumps(tables, sort_keys=True))
"""


def test_index_layout_does_not_depend_on_the_hash_seed(outputs_by_hash_seed: SeedRuns) -> None:
    """The vocabulary, and the tokens that each Korean, skeleton and typo key lists, come out
    in the same order from every build: retrieval walks them in that order, and where
    listed names tie, the order decides. (The tables' own key order is not compared: they
    are only looked up.)"""
    built = outputs_by_hash_seed(_BUILD_ORDER, seeds=("0", "1", "2", "3"))
    assert len(built) == 1


def test_index_does_not_depend_on_the_order_lists_were_loaded(
    tmp_path: Path, data_dir: Path
) -> None:
    """Two stores holding the same lists, loaded in opposite orders (as a parallel load may
    finish them), give the same index: the same parties and names in the same order, so
    ties between listed names are broken alike."""
    lists = [data_dir / "un_sc" / "2026-02-27", data_dir / "us_bis_dpl" / "2023-11-30"]
    orders = []
    for n, paths in enumerate((lists, lists[::-1])):
        store = Store(tmp_path / f"{n}.sqlite")
        for path in paths:  # one at a time: the store writes them in this order
            outcomes = load_paths(store, [path], workers=1)
            assert [o.status for o in outcomes] == ["loaded"], outcomes
        index = load_or_build(store, tmp_path / f"{n}.pickle")
        orders.append(([e.id for e in index.entries], [rec.text for rec in index.names]))
        store.close()
    assert orders[0] == orders[1]
    assert len({source for source in (e.split("-")[0] for e in orders[0][0])}) == 2


@pytest.fixture(scope="module")
def saved_un(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> tuple[Path, Index]:
    """A store of one UN version and its index, saved."""
    home = tmp_path_factory.mktemp("saved")
    store = Store(home / "sanctum.sqlite")
    load_paths(store, [data_dir / "un_sc" / "2026-02-27"], workers=1)
    index = load_or_build(store, home / "index.pickle")
    store.close()
    return home / "index.pickle", index


def test_a_saved_index_reads_back_whole_and_shares_its_tokens(saved_un: tuple[Path, Index]) -> None:
    """Read back piece by piece (as a server does), the index is the one saved, and a token
    that several tables hold is one object, as in the built index (the pieces share one
    pickler's memo): read back as separate pickles, each table had its own copies."""
    path, built = saved_un
    read = read_saved(path, pace=True)
    assert read is not None
    assert index_state(read) == index_state(built)
    token = read.names[0].tokens[0]
    assert next(t for t in read.postings if t == token) is token
    assert next(t for t in read.token_keys if t == token) is token


@pytest.mark.parametrize("kept", [0.02, 0.5, 0.98])
def test_a_saved_index_cut_short_anywhere_is_rebuilt(
    saved_un: tuple[Path, Index], tmp_path: Path, kept: float
) -> None:
    """A file cut anywhere after its header (a full disk, a killed writer on a filesystem
    without atomic rename) is never read as a smaller index: the end piece is missing."""
    path, built = saved_un
    whole = path.read_bytes()
    cut = tmp_path / "index.pickle"
    cut.write_bytes(whole[: int(len(whole) * kept)])
    assert saved_generation(cut) == built.generation  # the header alone looks right
    assert read_saved(cut) is None


def _busy_server(stop: threading.Event, answered: list[float]) -> None:
    """A server at about three quarters of its capacity: 3 ms of interpreter work per
    request, 1 ms waiting for the next."""
    while not stop.is_set():
        end = time.perf_counter() + 0.003
        while time.perf_counter() < end:
            pass
        answered.append(time.perf_counter())
        time.sleep(0.001)


def _answer_rate(work: Callable[[], object]) -> float:
    """Requests a second `_busy_server` answers in a thread of this process while `work`
    runs in this one."""
    stop, answered = threading.Event(), list[float]()
    server = threading.Thread(target=_busy_server, args=(stop, answered))
    server.start()
    started = time.perf_counter()
    work()
    took = time.perf_counter() - started
    stop.set()
    server.join()
    return len(answered) / took


def test_a_server_reading_a_new_index_back_keeps_answering(
    loaded_home: Path, tmp_path: Path
) -> None:
    """Reading the index of every list back took the interpreter lock from a server's
    requests: a thread that waits for the next request between answers got it back only
    after the switch interval, once a piece, about half of its rate, and the soak's 300
    requests a second fell 0.6 s behind at each swap (bench/soak.py). The paced read rests
    four times as long as it works (runtime.PACE_REST)."""
    store = Store(loaded_home / "sanctum.sqlite")
    path = tmp_path / "index.pickle"
    load_or_build(store, path)
    store.close()
    alone = _answer_rate(lambda: time.sleep(2.0))
    reading = _answer_rate(lambda: read_saved(path, pace=True))
    print(f"{alone:.0f} answers a second alone, {reading:.0f} while the index is read back")
    assert reading >= 0.7 * alone  # 0.54 before the rest, 0.83 with it (this machine)
