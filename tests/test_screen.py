"""The Screener over every list in shared/data: the acceptance cases and bad input."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from conftest import SeedRuns, iso_dates
from sanctum import config
from sanctum.crypto import InvalidAddress
from sanctum.feature_table import COUNTRY
from sanctum.index import load_or_build, typo_buckets
from sanctum.match.query import QueryError
from sanctum.names.normalize import tokenize
from sanctum.screen import Screener
from sanctum.store.db import Store

LAZARUS_ETH = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"


@pytest.fixture(scope="module")
def screener(loaded_home: Path) -> Screener:
    store = Store(loaded_home / "sanctum.sqlite")
    return Screener(store, load_or_build(store, loaded_home / "index.pickle"))


def top(screener: Screener, name: str, schema: str = "Thing") -> tuple[str, float]:
    result = screener.screen({"schema": schema, "properties": {"name": [name]}})
    return result.results[0].id, result.results[0].score


@pytest.mark.parametrize("name", ["강경일", "Gang Gyeong-il", "KANG Kyong Il", "Kang Kyŏng-il"])
def test_kang_kyong_il_comes_first(screener: Screener, name: str) -> None:
    entity, score = top(screener, name, "Person")
    assert entity == "us-ofac-sdn-37658" and score >= 0.9


@pytest.mark.parametrize(
    ("name", "expected", "met"),
    [
        # spellings no list writes, of names the lists romanize otherwise
        ("Farhad OUMAR", "us-csl-35059", ("oumar", "omar")),
        ("Dzhang Tchou-hy", "uk-ofsi-13663", ("dzhang", "jang")),
    ],
)
def test_romanized_spelling_is_found(
    screener: Screener, name: str, expected: str, met: tuple[str, str]
) -> None:
    result = screener.screen({"schema": "Person", "properties": {"name": [name]}}, limit=1)
    best = result.results[0]
    assert best.id == expected and best.score >= 0.9
    tokens = best.explanation["name"]["tokens"]
    assert {"query": met[0], "listed": met[1], "similarity": 0.9, "how": "romanized"} in tokens


def test_kimsuky_by_vendor_name(screener: Screener) -> None:
    result = screener.screen(
        {"schema": "Organization", "properties": {"name": ["Velvet Chollima"]}}
    )
    best = result.results[0]
    assert best.id == "us-ofac-sdn-45430" and best.match
    assert best.explanation["name"]["listed_name_kind"] == "cyber"
    assert "attack.mitre.org/groups/G0094" in best.explanation["name"]["alias_source"]


def test_results_carry_list_versions(screener: Screener) -> None:
    result = screener.screen({"schema": "Person", "properties": {"name": ["강경일"]}})
    assert result.list_versions["us_ofac_sdn"] == "2024-05-03"
    assert result.list_versions["un_sc"] == "2026-02-27"


def test_index_shares_equal_values(screener: Screener) -> None:
    """The index stays compact: one empty Korean key set for every token without keys, and
    equal designations, country sets and date sets one object across listed parties."""
    index = screener.index
    empty = [keys for keys in index.token_keys.values() if not keys]
    assert len(empty) > 100_000
    assert len({id(keys) for keys in empty}) == 1
    ofac = [e for e in index.entries if e.source == "us_ofac_sdn"]
    by_content: dict[str, set[int]] = {}
    for entry in ofac:
        key = json.dumps(entry.sanctions, sort_keys=True)
        by_content.setdefault(key, set()).add(id(entry.sanctions))
    assert all(len(ids) == 1 for ids in by_content.values())
    assert len(by_content) < len(ofac) / 2
    kp = [e.facts[COUNTRY.slot] for e in index.entries if e.facts[COUNTRY.slot] == {"kp"}]
    assert len(kp) > 100 and len({id(c) for c in kp}) == 1


def test_typo_buckets_find_every_token_one_or_two_edits_away(screener: Screener) -> None:
    """The typo buckets hold every listed token a query token could be a typo of: the same
    neighbours as scanning all tokens sharing the first or last two letters, for typos made
    from real listed tokens (a letter changed, dropped or added at every position)."""
    shapes = screener.index.shapes
    vocabulary = sorted(t for t in screener.index.postings if t.isascii() and 5 <= len(t) <= 9)
    queries: set[str] = set()
    for token in vocabulary[::400]:
        for i in range(len(token) + 1):
            queries.add(token[:i] + "q" + token[i + 1 :])  # changed (or added at the end)
            queries.add(token[:i] + token[i + 1 :])  # dropped
            queries.add(token[:i] + "x" + token[i:])  # added
    checked = 0
    for query in sorted(q for q in queries if len(q) >= config.EDIT1_MIN_LEN):
        n, edits = len(query), 2 if len(query) >= config.EDIT2_MIN_LEN else 1
        wide = {  # every token of length n ± 1 sharing the first or the last two letters
            c
            for m in (n - 1, n, n + 1)
            for key in (f"{query[:2]}<{m}", f"{query[-2:]}>{m}")
            for c in shapes.get(key, ())
        }
        narrow = {c for key in typo_buckets(query) for c in shapes.get(key, ())}
        want = {c for c in wide if Levenshtein.distance(query, c) <= edits}
        assert want <= narrow, query
        checked += bool(want)
    assert checked > 1000


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # common tokens whose joined pair (`hasanahmad`) has many near spellings: those
        # must not fill the candidates, the party listed under exactly this name comes first
        ("Hasan AHMAD", "un-sc-QDi.192"),
        ("MUHAMMAD Hussein", "un-sc-CDi.015"),
    ],
)
def test_joined_pairs_do_not_crowd_out_exact_names(
    screener: Screener, name: str, expected: str
) -> None:
    result = screener.screen(
        {"schema": "Person", "properties": {"name": [name]}}, sources={"un_sc", "us_ofac_sdn"}
    )
    assert result.results[0].id == expected
    assert result.results[0].score == 1.0


def test_dob_confirms(screener: Screener) -> None:
    result = screener.screen(
        {"schema": "Person", "properties": {"name": ["Kang Kyong Il"], "birthDate": ["1969-09-01"]}}
    )
    assert result.results[0].explanation["features"]["birth_date"] > 0


@pytest.mark.parametrize("token", ["CORP", "LIMITED", "TRADING", "KIM", "AL", "COMPANY", "LLC"])
def test_lone_generic_token_never_alerts_on_multi_token_names(
    screener: Screener, token: str
) -> None:
    result = screener.screen({"schema": "Thing", "properties": {"name": [token]}}, limit=500)
    for r in result.results:
        listed = r.explanation["name"].get("listed_name", "")
        if r.match:
            assert len(tokenize(listed)) == 1, (token, r.id, listed, r.score)


def test_screen_address_finds_lazarus(screener: Screener) -> None:
    found = screener.screen_address(LAZARUS_ETH.lower())
    holders = {m["holder_id"] for m in found["matches"]}
    assert "us-ofac-sdn-27307" in holders
    assert found["chain"] in ("ethereum", "evm")


@pytest.mark.parametrize("address", ["", "not-an-address", "1B64QRxf", "0x123", "x" * 10_000])
def test_invalid_address_is_an_error(screener: Screener, address: str) -> None:
    with pytest.raises(InvalidAddress):
        screener.screen_address(address)


@pytest.mark.parametrize(
    "query",
    [
        {"schema": "Person", "properties": {"name": [""]}},
        {"schema": "Unicorn", "properties": {"name": ["x"]}},
        {"schema": "Person", "properties": {"name": "y" * 20_000}},
    ],
)
def test_bad_queries_are_errors(screener: Screener, query: dict[str, object]) -> None:
    with pytest.raises(QueryError):
        screener.screen(query)


@pytest.mark.parametrize("name", ["z" * 10_000, "Kang\x00Kyong\x1fIl", "ŉ" * 300])
def test_odd_names_are_sane(screener: Screener, name: str) -> None:
    result = screener.screen({"schema": "Person", "properties": {"name": [name]}})
    assert all(0 <= r.score <= 1 for r in result.results)


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANCTUM_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "sanctum.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_screen_json(loaded_home: Path) -> None:
    done = cli(loaded_home, "screen", "강경일", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["results"][0]["id"] == "us-ofac-sdn-37658"
    assert data["results"][0]["score"] >= 0.9 and data["matcher_version"]


_SCREEN_ALL = """
import json, sys
from pathlib import Path
from sanctum.index import load_or_build
from sanctum.screen import Screener
from sanctum.store.db import Store
home = Path(sys.argv[1])
store = Store(home / "sanctum.sqlite")
screener = Screener(store, load_or_build(store, home / "index.pickle"))
out = []
for query in json.loads(sys.argv[2]):
    result = screener.screen(query)
    out.append([(m.id, m.score, m.explanation) for m in result.results])
print(json.dumps(out))
"""


def test_results_do_not_depend_on_the_hash_seed(
    loaded_home: Path, screener: Screener, outputs_by_hash_seed: SeedRuns
) -> None:
    """The same query against the same lists gives the same page in every process: ties
    are broken in an order of the index's own, not in Python's per-process string hash
    order (which once changed the weak end of these two pages)."""
    people = [
        ("Selim Loos", "1957-01-01"),
        ("Doç. Alabezek Erdoğan Türk", "1948-01-01"),
        ("Kim Jong", "1970-05-01"),
        ("Muhammad Ali", "1960-01-01"),
        ("Li Wei", "1980-02-02"),
    ]
    queries = [
        {"schema": "Person", "properties": {"name": [name], "birthDate": [dob]}}
        for name, dob in people
    ]
    pages = outputs_by_hash_seed(
        _SCREEN_ALL,
        str(loaded_home),
        json.dumps(queries),
        env={"SANCTUM_HOME": str(loaded_home)},
    )
    assert len(pages) == 1
    assert all(len(page) == 10 for page in json.loads(pages.pop()))


def test_cli_screen_address_and_errors(loaded_home: Path) -> None:
    done = cli(loaded_home, "screen-address", LAZARUS_ETH, "--json")
    assert done.returncode == 0, done.stderr
    assert "us-ofac-sdn-27307" in {m["holder_id"] for m in json.loads(done.stdout)["matches"]}
    bad = cli(loaded_home, "screen-address", "1B64QRxf")
    assert bad.returncode == 1 and "1B64QRxf" in bad.stderr


def test_cli_compare(loaded_home: Path, tmp_path: Path) -> None:
    done = cli(loaded_home, "compare", "Kang Kyong Il", "강경일", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] >= 0.9
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "schema,name1,name2,note\nPerson,Kang Kyong Il,강경일,x\n"
        "Person,John Smith,KANG Kyong Il,y\n",
        encoding="utf-8",
    )
    done = cli(loaded_home, "compare", "--pairs", str(pairs))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "schema,name1,name2,note,score,match"
    assert lines[1].endswith(",true") and lines[2].endswith(",false")


def test_cli_batch_resumes(loaded_home: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    rows = ["id,name,schema"] + [f"{i},Person {i} Nobody,Person" for i in range(1200)]
    rows[700] = "699,강경일,Person"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "alerts.csv"
    done = cli(loaded_home, "batch", str(src), "-o", str(out))
    assert done.returncode == 0, done.stderr
    alerts = out.read_text(encoding="utf-8").splitlines()
    assert alerts[0] == (
        "input_id,input_name,entity_id,caption,schema,source,programs,score,match,why,"
        "explanation_json"
    )
    kang = next(csv.DictReader(alerts[:1] + [a for a in alerts if a.startswith("699,")]))
    assert {k: v for k, v in kang.items() if k not in ("why", "explanation_json")} == {
        "input_id": "699",
        "input_name": "강경일",
        "entity_id": "us-ofac-sdn-37658",
        "caption": "KANG, Kyong Il",
        "schema": "Person",
        "source": "us_ofac_sdn",
        "programs": "DPRK",
        "score": "0.9259",
        "match": "true",
    }
    assert kang["why"].startswith("'강경일' ~ 'KANG, Kyong Il'")
    assert json.loads(kang["explanation_json"])["name"]["listed_name"] == "KANG, Kyong Il"
    again = cli(loaded_home, "batch", str(src), "-o", str(out))
    assert again.returncode == 0 and "1200 done before" in " ".join(again.stderr.split())
    assert out.read_text(encoding="utf-8").splitlines() == alerts


def test_cli_batch_writes_a_spreadsheet(loaded_home: Path, tmp_path: Path) -> None:
    """`--format xlsx` gives the same rows as the CSV, in a workbook a spreadsheet opens."""
    import openpyxl

    src = tmp_path / "in.csv"
    src.write_text("id,name,schema\n1,Gang Gyeong-il,Person\n2,Maria Nobody,Person\n", "utf-8")
    as_csv, as_xlsx = tmp_path / "alerts.csv", tmp_path / "alerts.xlsx"
    assert cli(loaded_home, "batch", str(src), "-o", str(as_csv)).returncode == 0
    done = cli(loaded_home, "batch", str(src), "-o", str(as_xlsx), "--format", "xlsx")
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(as_xlsx, read_only=True).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    score = rows[0].index("score")
    assert isinstance(rows[1][score], float)  # a number the spreadsheet sorts
    with as_csv.open(newline="", encoding="utf-8") as fh:
        written = list(csv.reader(fh))
    assert [[f"{c:.4f}" if isinstance(c, float) else c or "" for c in r] for r in rows] == written
    assert rows[1][:3] == ["1", "Gang Gyeong-il", "us-ofac-sdn-37658"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "alerts.csv",
        "alerts.csv.progress",
        "alerts.xlsx",
        "in.csv",
    ]


def test_cli_batch_killed_midway_resumes_without_loss_or_repeat(
    loaded_home: Path, tmp_path: Path
) -> None:
    """SIGKILL a batch once some chunks are done; the rerun continues and the result equals
    an uninterrupted run, row for row."""
    import signal
    import time

    names = ["Kang Kyong Il", "Velvet Chollima", "Maria Garcia", "Ri Sung Il", "John Smith"]
    lines = ["id,name"] + [
        f"{i},{names[i % len(names)]} {i % 7 or ''}".rstrip() for i in range(6000)
    ]
    src = tmp_path / "in.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clean_out = tmp_path / "clean.csv"
    assert cli(loaded_home, "batch", str(src), "-o", str(clean_out)).returncode == 0

    out = tmp_path / "killed.csv"
    env = {**os.environ, "SANCTUM_HOME": str(loaded_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sanctum.cli", "batch", str(src), "-o", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = out.with_name(out.name + ".progress")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if state.exists() and json.loads(state.read_text() or "{}").get("rows_done", 0) >= 500:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = json.loads(state.read_text())["rows_done"]
    assert 0 < done_before < 6000, "the kill must land mid-run for this test to mean anything"
    resumed = cli(loaded_home, "batch", str(src), "-o", str(out))
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done_before} done before" in " ".join(resumed.stderr.split())
    assert out.read_text(encoding="utf-8") == clean_out.read_text(encoding="utf-8")


def test_batch_resumes_only_the_same_screening(screener: Screener, tmp_path: Path) -> None:
    """A rerun resumes only under the same list versions, matcher version and settings;
    otherwise it starts over, so one output never mixes two screenings. The audit record
    names the matcher version the rows were scored with."""
    from sanctum.batch import run_batch
    from sanctum.match.score import MATCHER_VERSION

    src = tmp_path / "in.csv"
    rows = ["id,name,schema"] + [f"{i},Person {i} Nobody,Person" for i in range(300)]
    rows[100] = "99,Gang Gyeong-il,Person"  # scores 0.9259 against KANG, Kyong Il
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "alerts.csv"

    first = run_batch(screener, src, out, workers=1)
    assert (first["screened"], first["resumed"]) == (300, 0)
    assert "99,Gang Gyeong-il,us-ofac-sdn-37658," in out.read_text(encoding="utf-8")
    again = run_batch(screener, src, out, workers=1)
    assert (again["screened"], again["resumed"]) == (0, 300)

    stricter = run_batch(screener, src, out, threshold=0.95, workers=1)
    assert (stricter["screened"], stricter["resumed"]) == (300, 0)
    assert "us-ofac-sdn-37658" not in out.read_text(encoding="utf-8")
    other = run_batch(screener, src, out, threshold=0.95, algorithm="ofac", workers=1)
    assert other["resumed"] == 0

    row = screener.store.db.execute(
        "SELECT matcher_version FROM audit WHERE kind='batch' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row[0] == MATCHER_VERSION


BATCH_DICTIONARY = """
import os, sys
from pathlib import Path
from sanctum.batch import run_batch
from sanctum.names import japanese
from sanctum.screen import Screener
def forked():  # what each worker holds when it starts
    with open(sys.argv[3], "a") as fh:
        fh.write(f"{japanese._kakasi.cache_info().currsize}\\n")
os.register_at_fork(after_in_child=forked)
run_batch(Screener(), Path(sys.argv[1]), Path(sys.argv[2]), workers=2)
"""


@pytest.mark.parametrize(("name", "read"), [("山口組", 1), ("Yamaguchi Gumi", 0)])
def test_a_batch_reads_the_japanese_dictionary_before_its_workers_fork(
    loaded_home: Path, tmp_path: Path, name: str, read: int
) -> None:
    """Each forked worker that met a name in kanji or kana read pykakasi's dictionaries for
    itself, ~107 MB apiece (the screening process's peak, `make bench`: 791 → 637 MB PSS).
    The batch process reads them once, before forking, when a name needs them."""
    from sanctum.index import load_or_build
    from sanctum.store.db import Store

    store = Store(loaded_home / "sanctum.sqlite")
    load_or_build(store)  # saved: the batch reads it (a build would read kanji names itself)
    store.close()
    src = tmp_path / "in.csv"
    rows = ["id,name,schema"] + [f"{i},Person {i} Nobody,Person" for i in range(600)]
    rows[400] = f"399,{name},Organization"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    workers = tmp_path / "workers.txt"
    done = subprocess.run(
        [sys.executable, "-c", BATCH_DICTIONARY, str(src), str(tmp_path / "out.csv"), str(workers)],
        env={**os.environ, "SANCTUM_HOME": str(loaded_home)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert workers.read_text().split() == [str(read)] * 2
    if read:
        assert "us-ofac-sdn-13071" in (tmp_path / "out.csv").read_text(encoding="utf-8")


def test_tune_gc_sets_and_restores_thresholds() -> None:
    import gc

    from sanctum.runtime import GC_THRESHOLDS, tune_gc

    before = gc.get_threshold()
    with tune_gc():
        assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_threshold() == before


# -- best-bound-first scoring gives the results of scoring everything ---------------------


def _bound_queries(data_dir: Path) -> list[dict[str, object]]:
    """DPRK variants (as Person and as Thing, with and without their date of birth) and
    ordinary names in several scripts and orders."""
    import csv

    queries: list[dict[str, object]] = []
    variants = data_dir.parent / "benchmarks" / "dprk_name_variants.csv"
    with variants.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            schema = "Person" if row["entity_type"] == "person" else "Organization"
            queries.append({"schema": schema, "properties": {"name": [row["variant"]]}})
            dates = iso_dates(row["dob"])
            if dates:
                props = {"name": [row["variant"]], "birthDate": dates}
                queries.append({"schema": "Thing", "properties": props})
    for name in [
        "John Smith",
        "Maria Garcia Lopez",
        "Mohammed Ali Hassan",
        "Ahmad Hasan",
        "Li Wei",
        "王伟",
        "김민준",
        "Иван Петров",
        "Kim Jong",
        "Abdul Rahman al-Sindhi",
        "Ri Song Il",
        "Korea Kwangson Banking",
        "Saddam Husayn",
        "Awad Hamad",
        "Choe Song Chol",
        # the Arabic script: short words meet Latin ones by `abjad_meets`
        "داود ابراهيم",
        "سيف الاسلام القذافي",
        "عمر عبد الرحمن",
        "سعيد جان عبد السلام",
        "عيسى نور زيد",
    ]:
        queries.append({"schema": "Person", "properties": {"name": [name]}})
        props = {"name": [name], "birthDate": ["1970-05-01"], "nationality": ["kp"]}
        queries.append({"schema": "Thing", "properties": props})
    return queries


def _score_all(screener: Screener, query: dict[str, object]) -> list[tuple[str, float]]:
    """Every candidate scored, best first: what best-bound-first scoring must reproduce."""
    from sanctum.match.query import parse_query
    from sanctum.match.score import compatible, score_sanctum

    q = parse_query(query)
    scored = []
    for idx, names in screener.candidates(q).items():
        entry = screener.index.entries[idx]
        if compatible(q.schema, entry.schema):
            s = score_sanctum(q, entry, screener.index, names)
            scored.append((s.entry.id, s.score))
    return sorted(scored, key=lambda kv: (-kv[1], kv[0]))


def test_arabic_script_query_finds_the_latin_listing(screener: Screener) -> None:
    """داود ابراهيم: the script writes Dawood's waw once and no short vowels; UN lists
    Dawood Ebrahim (QDi.135), which the query meets, explained as such."""
    query = {"schema": "Person", "properties": {"name": ["داود ابراهيم"]}}
    first = screener.screen(query, sources={"un_sc"}).results[0]
    assert (first.id, first.match) == ("un-sc-QDi.135", True)
    tokens = {(t["query"], t["listed"], t["how"]) for t in first.explanation["name"]["tokens"]}
    assert ("dawd", "dawood", "abjad") in tokens


@pytest.mark.parametrize(("token", "meets"), [("awad", "awwad"), ("abas", "abbas")])
def test_near_holds_doubled_letter_spellings(screener: Screener, token: str, meets: str) -> None:
    assert meets in screener.index.postings and token in screener.index.doubled
    assert meets in screener.near(token)
    assert meets not in dict(screener.expand(token))  # retrieval does not open by them


def test_upper_bounds_are_upper_bounds(screener: Screener, data_dir: Path) -> None:
    from sanctum.match.query import parse_query
    from sanctum.match.score import (
        bound_plan,
        compatible,
        names_bound,
        score_bound,
        score_sanctum,
    )

    checked = tight = 0
    for query in _bound_queries(data_dir):
        q = parse_query(query)
        prepared = bound_plan(q, screener.index, screener.near, screener.run_near)
        for idx, names in screener.candidates(q).items():
            entry = screener.index.entries[idx]
            if not compatible(q.schema, entry.schema):
                continue
            score = score_sanctum(q, entry, screener.index, names).score
            name_ub = names_bound(q, entry, screener.index, names, prepared)
            bound = score_bound(q, entry, name_ub)
            assert round(bound + 1e-9, 4) >= score, (query, entry.id, bound, score)  # as rounded
            checked += 1
            tight += bound - score < 0.05
    assert checked > 2000
    assert tight > checked / 4  # a bound that is always 1.0 would prune nothing


def test_retrieval_sets_change_no_score(screener: Screener, data_dir: Path) -> None:
    """Scoring with retrieval's sets (`near`) skips token pairs that cannot meet; every
    score and explanation must be what comparing every pair gives."""
    from sanctum.match.query import parse_query
    from sanctum.match.score import compatible, score_sanctum

    # `xwangsox` meets KWANGSON at two edits, where retrieval's edit buckets do not look
    two_edits: dict[str, object] = {
        "schema": "Organization",
        "properties": {"name": ["Korea Xwangsox Banking"]},
    }
    assert "kwangson" not in screener.near("xwangsox")
    checked = 0
    for query in [two_edits, *_bound_queries(data_dir)]:
        q = parse_query(query)
        for idx, names in screener.candidates(q).items():
            entry = screener.index.entries[idx]
            if not compatible(q.schema, entry.schema):
                continue
            plain = score_sanctum(q, entry, screener.index, names)
            spared = score_sanctum(q, entry, screener.index, names, {}, screener.near)
            assert (spared.score, spared.explanation) == (plain.score, plain.explanation), (
                query,
                entry.id,
            )
            checked += 1
    assert checked > 2000


@pytest.mark.parametrize(("limit", "min_score"), [(1, None), (5, None), (5, 0.5), (10, 0.8)])
def test_bounded_screening_equals_scoring_everything(
    screener: Screener, data_dir: Path, limit: int, min_score: float | None
) -> None:
    floor = min_score or 0.0
    for query in _bound_queries(data_dir):
        everything = [kv for kv in _score_all(screener, query) if kv[1] > 0 and kv[1] >= floor]
        result = screener.screen(query, limit=limit, min_score=min_score)
        assert [(m.id, m.score) for m in result.results] == everything[:limit], query


@pytest.mark.parametrize(
    ("country", "delta", "note"),
    [
        ("North Korea", config.COUNTRY_MATCH_BONUS, "country in common"),
        ("Japan", -config.COUNTRY_CONFLICT_PENALTY, "no country in common"),
    ],
)
def test_listed_jurisdiction_is_a_country(
    screener: Screener, country: str, delta: float, note: str
) -> None:
    """OFAC gives YUSONG SHIPPING CO a jurisdiction and no country: a query's country (or
    jurisdiction) is compared with it, as the feature table reads both on both sides."""
    props = {"name": ["Yusong Shipping Co"], "jurisdiction": [country]}
    query = {"schema": "Organization", "properties": props}
    top = screener.screen(query, limit=1, sources={"us_ofac_sdn"}).results[0]
    assert top.id == "us-ofac-sdn-23149"
    assert top.explanation["features"]["country"] == delta
    assert top.explanation["notes"] == [note]
