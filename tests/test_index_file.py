"""The saved index: a file of another layout, another store generation or a broken write is
rebuilt, never an error that stops screening."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from sanctum.index import INDEX_FORMAT, Index, load_or_build
from sanctum.store.db import Store


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
