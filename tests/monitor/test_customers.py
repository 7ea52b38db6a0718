"""The customer book: imports in every format, bad rows refused with line and reason,
upserts, --replace, imports recorded and audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sanctum.audit import verify
from sanctum.monitor.customers import (
    ImportError_,
    get,
    import_customers,
    import_records,
    imports,
    listing,
)
from sanctum.store.db import Store

GOOD = (
    "id,name,schema,birth_date,country,passport,email\n"
    "c1,John Smith,Person,1970-01-01,us,,john@example.com\n"
    "c2,강경일,Person,1969-09,kp;kr,563210175,\n"
    "c3,KIMSUKY Group,Organization,,,,\n"
)


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "sanctum.sqlite")


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_csv_import_and_records(store: Store, tmp_path: Path) -> None:
    result = import_customers(store, write(tmp_path, "book.csv", GOOD), "alice")
    assert result.counts == {
        "rows": 3,
        "invalid": 0,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "closed": 0,
    }
    c2 = get(store, "c2")
    assert c2 is not None
    assert {k: c2[k] for k in ("id", "name", "schema", "birth_date", "country", "passport")} == {
        "id": "c2",
        "name": "강경일",
        "schema": "Person",
        "birth_date": ["1969-09"],
        "country": ["kp", "kr"],
        "passport": ["563210175"],
    }
    (record,) = imports(store)
    assert (record["actor"], record["mode"], record["sha256"]) == ("alice", "upsert", result.sha256)
    kinds = [r[0] for r in store.db.execute("SELECT kind FROM audit ORDER BY id")]
    assert kinds == ["customer-import"]
    assert verify(store)[0]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        (
            "book.jsonl",
            lambda: (
                "\n".join(
                    json.dumps(r, ensure_ascii=False)
                    for r in [
                        {"id": "c1", "name": "John Smith", "birth_date": "1970-01-01"},
                        {"id": "c2", "name": "강경일", "country": ["kp", "kr"]},
                    ]
                )
                + "\n"
            ),
        ),
    ],
)
def test_json_lines(store: Store, tmp_path: Path, name: str, make: object) -> None:
    assert callable(make)
    result = import_customers(store, write(tmp_path, name, make()), "alice")
    assert result.counts["inserted"] == 2
    assert get(store, "c2")["country"] == ["kp", "kr"]  # type: ignore[index]


def test_xlsx_and_parquet(store: Store, tmp_path: Path) -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "name", "birth_date"])
    ws.append(["x1", "Gang Gyeong-il", "1969-09-01"])
    wb.save(tmp_path / "book.xlsx")
    assert import_customers(store, tmp_path / "book.xlsx", "a").counts["inserted"] == 1
    table = pa.table({"id": ["p1", "p2"], "name": ["Velvet Chollima", "Maria Garcia"]})
    pq.write_table(table, tmp_path / "book.parquet")
    assert import_customers(store, tmp_path / "book.parquet", "a").counts["inserted"] == 2
    assert get(store, "x1")["birth_date"] == ["1969-09-01"]  # type: ignore[index]


def test_bad_rows_change_nothing(store: Store, tmp_path: Path) -> None:
    bad = (
        GOOD
        + ",No Id,Person,,,,\n"  # line 5
        + "c5,,Person,,,,\n"  # line 6
        + "c1,John Smith again,Person,,,,\n"  # line 7
        + "c8,Someone,Person,1970-13-45,,,\n"  # line 8
        + f"c9,{'x' * 501},Person,,,,\n"  # line 9
    ).encode("utf-8") + b"c10,Caf\xe9 Owner,Person,,,,\n"  # line 10: Latin-1, not UTF-8
    path = write(tmp_path, "bad.csv", bad)
    with pytest.raises(ImportError_) as caught:
        import_customers(store, path, "alice")
    assert caught.value.problems == [
        (5, "no id"),
        (6, "no name"),
        (7, "duplicate id 'c1' (first on line 2)"),
        (8, "birth_date '1970-13-45' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
        (9, "name longer than 500 characters (501)"),
        (10, "not UTF-8 (byte 0xe9 at column 8)"),
    ]
    assert "line 5: no id" in str(caught.value)
    assert list(listing(store)) == [] and imports(store) == []
    result = import_customers(store, path, "alice", skip_invalid=True)
    assert result.counts["inserted"] == 3 and result.counts["invalid"] == 6
    assert [n for n, _ in result.skipped] == [5, 6, 7, 8, 9, 10]


def test_upsert_and_replace(store: Store, tmp_path: Path) -> None:
    import_customers(store, write(tmp_path, "a.csv", GOOD), "alice")
    changed = "id,name\nc1,John Smith Jr\nc2,강경일\n"
    # c2 loses its other columns: a changed record too
    result = import_customers(store, write(tmp_path, "b.csv", changed), "bob")
    assert (result.counts["updated"], result.counts["closed"]) == (2, 0)
    result = import_customers(store, write(tmp_path, "b.csv", changed), "bob", replace=True)
    assert result.counts == {
        "rows": 2,
        "invalid": 0,
        "inserted": 0,
        "updated": 0,
        "unchanged": 2,
        "closed": 1,
    }
    statuses = {c["id"]: c["status"] for c in listing(store)}
    assert statuses == {"c1": "active", "c2": "active", "c3": "closed"}  # closed, not deleted
    assert get(store, "c1")["name"] == "John Smith Jr"  # type: ignore[index]
    assert [r["mode"] for r in imports(store)] == ["replace", "upsert", "upsert"]


def test_records_from_the_api(store: Store) -> None:
    result = import_records(store, [{"id": "a1", "name": "Kang Kyong Il"}], "key:ops")
    assert result.counts["inserted"] == 1
    with pytest.raises(ImportError_) as caught:
        import_records(store, [{"id": "a2"}], "key:ops")
    assert caught.value.problems == [(1, "no name")]


BOOK = "id,name,schema\n" + "".join(
    f"k{n},{name},{schema}\n"
    for n, (name, schema) in enumerate(
        [
            ("Kang Kyong Il", "Person"),
            ("Ri Sung Il", "Person"),
            ("KIMSUKY Group", "Organization"),
            ("강경일", "Person"),
            ("Maria Garcia", "Person"),
            ("Velvet Chollima", "Organization"),
            ("Kang Phyong Guk", "Person"),
        ]
    )
)


def _tables(store: Store) -> list[list[tuple[object, ...]]]:
    """Everything an import writes about customers, in a fixed order (dates left out)."""
    return [
        store.db.execute(sql).fetchall()
        for sql in (
            "SELECT id, name, schema, record, hash, status FROM customers ORDER BY id",
            "SELECT token, customer_id FROM customer_tokens ORDER BY 1, 2",
            "SELECT key, token FROM customer_keys ORDER BY 1, 2",
            "SELECT customer_id, names FROM customer_names ORDER BY 1",
        )
    ]


def test_a_book_imported_in_parts_is_the_book_imported_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A book is read, checked, staged and written a part at a time (bounded memory): in
    parts of two customers, a duplicate in another part is still refused with its line,
    and the book, its tokens, keys and names, and a replacing import's counts are exactly
    what one part gives. The staging file is gone afterwards."""
    whole, parts = Store(tmp_path / "whole.sqlite"), Store(tmp_path / "parts.sqlite")
    first = write(tmp_path, "book.csv", BOOK)
    later = write(
        tmp_path,
        "later.csv",
        "id,name,schema\nk0,Kang Kyong Il,Person\nk4,Maria Garcia Lo,Person\n",
    )
    counts = []
    for store in (whole, parts):
        if store is parts:
            monkeypatch.setattr("sanctum.monitor.customers.IMPORT_CHUNK", 2)
        dup = write(tmp_path, "dup.csv", BOOK + "k1,Someone Else,Person\n")
        with pytest.raises(ImportError_) as caught:
            import_customers(store, dup, "alice")
        assert caught.value.problems == [(9, "duplicate id 'k1' (first on line 3)")]
        assert list(listing(store)) == []
        counts.append(import_customers(store, first, "alice").counts)
        counts.append(import_customers(store, later, "bob", replace=True).counts)
    assert counts[:2] == counts[2:]
    assert counts[1] == {
        "rows": 2,
        "invalid": 0,
        "inserted": 0,
        "updated": 1,
        "unchanged": 1,
        "closed": 5,
    }
    assert _tables(whole) == _tables(parts)
    assert not list(tmp_path.glob("import-*"))
