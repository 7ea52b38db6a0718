"""Regression tests of the list-file defects of issue 19 (1, 4, 9, 10, 11, 12), each on a
generated file that was loaded, crashed or echoed before the fix."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reliability import xlsx_bombs
from reliability.seeds import DATA, LONG, seeds
from sanctum import settings
from sanctum.errors import ParseError
from sanctum.sources.base import ParseContext
from sanctum.sources.readers import read_xlsx
from sanctum.sources.us_csl import parse as parse_csl
from sanctum.store.db import Store
from sanctum.store.loader import archive, load_paths, sha256_file

CANARY = "root:x:0:0:CANARY-7f3a:/root:/bin/bash"
"""A line that must never reach a message, an attempt record or the catalog."""


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`sanctum …` in a child process on `home`."""
    env = {**os.environ, "SANCTUM_HOME": str(home), "COLUMNS": "200"}
    command = [sys.executable, "-m", "sanctum.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def version_folder(root: Path, source: str, day: str, files: dict[str, bytes]) -> Path:
    """`root/<source>/<day>/` holding `files`."""
    folder = root / source / day
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture()
def store(home_env: Path) -> Store:
    home_env.mkdir(parents=True, exist_ok=True)
    return Store(home_env / "sanctum.sqlite")


# -- defect 1: a dimension bomb aborted the process (SIGABRT, exit 134) ------------------


@pytest.mark.parametrize("bomb", ["dimension_bomb", "cell_bomb"])
def test_defect_1_dimension_bomb_is_refused_not_fatal(bomb: str, tmp_path: Path) -> None:
    folder = version_folder(
        tmp_path / "mirror",
        "au_dfat",
        "2030-01-01",
        {"regulation8_consolidated.xlsx": getattr(xlsx_bombs, bomb)()},
    )
    done = run_cli(tmp_path / "home", "load", str(folder))
    message = " ".join(done.stderr.split())
    assert done.returncode == 1, (done.returncode, message)
    assert "regulation8_consolidated.xlsx" in message and "spans" in message, message


@pytest.mark.parametrize(
    "cell",
    [
        b'r="IndividualE7"',  # found by the fuzzer: a word typed before the reference
        b"r='ABCDEFGH7'",
        b'x="1"r="ABCDEFGH7"',
        b'r = "E99999999"',
        b'r="B1"  r="XFD1048576"t="s"',  # found by the fuzzer: the reader takes the last
        b'r="B1" r="XFD1048576"',
    ],
)
def test_cell_reference_past_a_worksheet_is_refused_not_fatal(cell: bytes, tmp_path: Path) -> None:
    folder = version_folder(
        tmp_path / "mirror",
        "au_dfat",
        "2030-01-01",
        {"regulation8_consolidated.xlsx": xlsx_bombs.reference_bomb(cell)},
    )
    done = run_cli(tmp_path / "home", "load", str(folder))
    message = " ".join(done.stderr.split())
    assert done.returncode == 1, (done.returncode, message)
    assert "regulation8_consolidated.xlsx" in message and "worksheet" in message, message
    assert any(why in message for why in ("reference", "not well-formed")), message


def test_a_workbook_needing_an_unknown_zip_version_is_refused(tmp_path: Path) -> None:
    """Found by the long fuzzing run: a part whose central-directory entry asks for zip
    version 10.9 made the zip reader raise NotImplementedError, not the parser's error."""
    seed = seeds()["au_dfat"]
    data = bytearray(seed.files[seed.main])
    entry = data.index(b"PK\x01\x02")  # the first central-directory entry
    data[entry + 6 : entry + 8] = (109).to_bytes(2, "little")  # version needed to extract
    path = tmp_path / seed.main
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError, match=r"zip file version 10\.9") as err:
        read_xlsx(path, bytes(data))
    assert seed.main in str(err.value)


# -- defect 4: decompression was unbounded -------------------------------------------------


BOMB = (1 << 30) if LONG else (64 << 20)
"""The decompressed size of the generated bombs (1 GiB in the long run)."""
HONEST_SHEET = (
    f"declares {BOMB} bytes" if settings.xlsx_max_part_bytes() < BOMB else "times its compressed"
)
"""A worksheet bomb whose header tells its size: over the part limit (the long run's 1 GiB)
it is refused on that before a byte is inflated, under it (64 MiB) on its ratio."""


@pytest.mark.parametrize(
    ("part", "declared", "words"),
    [
        ("docProps/core.xml", None, "declares"),
        ("docProps/core.xml", 600, "decompresses past 1048576 bytes"),
        ("docProps/app.xml", 600, "decompresses past 1048576 bytes"),
        ("xl/worksheets/sheet1.xml", None, HONEST_SHEET),
        ("xl/worksheets/sheet1.xml", 900, "times its compressed size"),
        ("xl/sharedStrings.xml", 900, "times its compressed size"),
    ],
)
def test_defect_4_zip_bombs_are_refused_within_bounds(
    part: str, declared: int | None, words: str
) -> None:
    data = xlsx_bombs.part_bomb(part, BOMB, declared)
    started = time.perf_counter()
    with pytest.raises(ParseError, match=words) as err:
        read_xlsx(Path("book.xlsx"), data)
    assert time.perf_counter() - started < 1.0  # refused early, never read whole
    assert err.value.path == "book.xlsx" and part in err.value.reason


def test_defect_4_gzip_bomb_refused(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.csv.gz"
    path.write_bytes(gzip.compress(b"_id," + b" " * BOMB))
    started = time.perf_counter()
    with pytest.raises(ParseError, match="gzip data decompresses more than 100 times") as err:
        parse_csl([path], ParseContext("us_csl"))
    assert time.perf_counter() - started < 1.0 and err.value.path == str(path)


def test_defect_4_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    data = xlsx_bombs.workbook(xlsx_bombs.sheet(b'<row r="30"><c r="J30"><v>1</v></c></row>'))
    assert read_xlsx(Path("book.xlsx"), data).rows[29][9] == 1
    monkeypatch.setenv("SANCTUM_XLSX_MAX_CELLS", "299")
    with pytest.raises(ParseError, match=r"spans 30 rows × 10 columns \(limit 299 cells"):
        read_xlsx(Path("book.xlsx"), data)
    monkeypatch.setenv("SANCTUM_XLSX_MAX_CELLS", "abc")
    with pytest.raises(ValueError, match="SANCTUM_XLSX_MAX_CELLS='abc': expected a whole number"):
        read_xlsx(Path("book.xlsx"), data)


# -- defect 9: a jump in parties was accepted (SDN as the consolidated list) ---------------


def test_defect_9_count_jump_refused_unless_forced(store: Store, tmp_path: Path) -> None:
    cons = DATA / "us_ofac_cons" / "2025-12-19"
    [first] = load_paths(store, [cons])
    assert first.status == "loaded" and first.info is not None
    sdn = (DATA / "us_ofac_sdn" / "2024-05-03" / "sdn.csv").read_bytes()
    wrong = b"".join(sdn.splitlines(keepends=True)[:1500])
    folder = version_folder(tmp_path, "us_ofac_cons", "2026-01-01", {"cons_prim.csv": wrong})
    [out] = load_paths(store, [folder], source="us_ofac_cons")
    assert out.status == "rejected"
    assert out.message == (
        "cons_prim.csv: 1500 entries, up 239% from 442 in 2025-12-19 (limit +100%; another "
        "list of the same format? --force to accept)"
    )
    latest = store.latest("us_ofac_cons")
    assert latest is not None and latest.seq == first.info.seq  # the old version serves on
    [forced] = load_paths(store, [folder], source="us_ofac_cons", force=True)
    assert forced.status == "loaded" and forced.info is not None and forced.info.parties == 1500


# -- defect 10: symlinks followed out of the folder, file contents echoed ------------------


def test_defect_10_symlink_out_of_the_mirror_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text(CANARY + "\n")
    folder = tmp_path / "mirror" / "uk_ofsi" / "2030-01-01"
    folder.mkdir(parents=True)
    (folder / "ConList.csv").symlink_to(secret)
    home = tmp_path / "home"
    done = run_cli(home, "update", "--from", str(tmp_path / "mirror"), "--source", "uk_ofsi")
    message = " ".join(done.stderr.split() + done.stdout.split())
    assert done.returncode == 1
    assert "ConList.csv: a symbolic link out of the folder being loaded" in message, message
    listed = run_cli(home, "sources", "--json")
    assert CANARY not in message and CANARY not in listed.stdout
    attempts = Store(home / "sanctum.sqlite").last_attempt("uk_ofsi")
    assert attempts is not None and not attempts["ok"] and CANARY not in json.dumps(attempts)


@pytest.mark.parametrize("fmt", ["uk_ofsi", "ofac_cons", "us_csl", "us_bis_dpl", "custom_csv"])
def test_defect_10_file_contents_never_echoed(fmt: str, store: Store, tmp_path: Path) -> None:
    seed = seeds()[fmt]
    name = "ConList.csv" if fmt == "uk_ofsi" else seed.main
    files = {**seed.files, name: (CANARY + "\ndaemon:x:1:1:daemon:/usr/sbin\n").encode()}
    files.pop("UK_Sanctions_List.xlsx", None)
    folder = version_folder(tmp_path, seed.source, "2030-01-01", files)
    [out] = load_paths(store, [folder], source=seed.source)
    assert out.status == "rejected" and name in out.message
    attempt = store.last_attempt(seed.source)
    assert "CANARY" not in out.message and "CANARY" not in json.dumps(attempt), out.message


# -- defect 11: a DOCTYPE was accepted and an entity silently dropped text -----------------

ENTITY_DOCTYPE = b'<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY given "ERIC">]>\n'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_defect_11_doctype_refused(encoding: str, store: Store, tmp_path: Path) -> None:
    xml = seeds()["un_sc"].files["consolidated.xml"]
    declaration, body = xml.split(b"\n", 1)
    body = body.replace(b"<FIRST_NAME>ERIC</FIRST_NAME>", b"<FIRST_NAME>&given;</FIRST_NAME>")
    text = (declaration + b"\n" + ENTITY_DOCTYPE + body).decode()
    if encoding == "utf-16":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    folder = version_folder(
        tmp_path, "un_sc", "2030-01-01", {"consolidated.xml": text.encode(encoding)}
    )
    [out] = load_paths(store, [folder])
    assert out.status == "rejected"
    assert "consolidated.xml" in out.message and "declares a DOCTYPE" in out.message, out.message
    assert store.latest("un_sc") is None


def test_defect_11_doctype_in_a_workbook_part_refused() -> None:
    core = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    data = xlsx_bombs.workbook(
        xlsx_bombs.sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>'), {"docProps/core.xml": core}
    )
    with pytest.raises(ParseError, match=r"part docProps/core\.xml: XML declares a DOCTYPE") as err:
        read_xlsx(Path("book.xlsx"), data)
    assert err.value.row == 2


# -- defect 12: 10 MB fields stored verbatim; two identical loads gave an IntegrityError ---


def test_defect_12_huge_field_truncated_with_an_issue(store: Store, tmp_path: Path) -> None:
    seed = seeds()["custom_csv"]
    header, first, rest = seed.files[seed.main].split(b"\n", 2)
    cells = first.split(b",")
    cells[2] = b"A" * 10_000_000  # the name
    data = b"\n".join([header, b",".join(cells), rest])
    folder = version_folder(tmp_path, seed.source, "2030-01-01", {seed.main: data})
    [out] = load_paths(store, [folder], source=seed.source)
    assert out.status == "loaded" and out.info is not None, out.message
    truncated = [i for i in out.issues if i["kind"] == "truncated"]
    assert truncated == [
        {
            "file": seed.main,
            "row": None,
            "kind": "truncated",
            "message": "name value of 10000000 characters truncated to 20000 (SANCTUM_MAX_FIELD)",
            "entity_id": "kr-mofa-kimsuky-0",
        }
    ]
    entity = next(
        e for e in store.entities_at(seed.source, out.info.seq) if e.id == "kr-mofa-kimsuky-0"
    )
    assert [len(n) for n in entity.get("name")] == [20000]


def test_defect_12_two_identical_loads_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    Store(home / "sanctum.sqlite").close()
    folder = str(DATA / "ca_sema" / "2020-04-15")
    env = {**os.environ, "SANCTUM_HOME": str(home), "COLUMNS": "200"}
    command = [sys.executable, "-m", "sanctum.cli", "load", folder]
    procs = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert not any("IntegrityError" in o for o in outputs), outputs
    store = Store(home / "sanctum.sqlite")
    rows = store.db.execute("SELECT count(*) FROM versions WHERE source='ca_sema'").fetchone()
    assert rows[0] == 1


def _archive_at_once(source: Path, sha: str, home: Path, copies: int) -> list[BaseException]:
    """Archive `source` into `home` from `copies` threads released together: what they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(copies)

    def one() -> None:
        barrier.wait()
        try:
            archive(source, sha, home)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_defect_12_loads_at_once_archive_a_file_without_racing(tmp_path: Path) -> None:
    """Two loads of one file copied it to one `<sha>.part` name, and the slower one's rename
    found it gone: one of two identical loads at once failed (FileNotFoundError), seen in
    the long run of the test above."""
    source = tmp_path / "list.xml"
    source.write_bytes(bytes(range(256)) * (1 << 14))  # 4 MiB: copies overlap
    sha = sha256_file(source)
    for round_ in range(30):
        home = tmp_path / f"home{round_}"
        assert _archive_at_once(source, sha, home, 4) == []
        kept = home / "archive" / sha[:2] / sha
        assert kept.read_bytes() == source.read_bytes()
        assert [p.name for p in kept.parent.iterdir()] == [sha]
