"""`make bench`: load, quality and speed figures for Sanctum beside its baselines.

Prints a markdown table and writes bench/out/results.json, results.md and scores.png.
Baselines run on the same queries in the same run (population and cross-list on seeded
subsets where a baseline would take too long on the full set; the table says so).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import categories
import load
import quality
from common import DATA, OUT, machine, percentile, run_child
from sanctum import _native
from sanctum.index import DERIVED_NOTE

BASELINE_POPULATION = 2000
BASELINE_CROSSLIST = 600
LATENCY_PER_LOCALE = 300
"""Names per locale (10 locales) for each latency mode: 3,000 queries."""


def bench_load(home: Path) -> dict[str, Any]:
    """Load all of shared/data into an empty store in a fresh process."""
    if home.exists():
        shutil.rmtree(home)
    code = (
        "import json, resource, time\n"
        "from pathlib import Path\n"
        "from sanctum.store.db import Store\n"
        "from sanctum.store.loader import load_paths\n"
        "t = time.perf_counter()\n"
        f"s = Store(Path({str(home)!r}) / 'sanctum.sqlite')\n"
        f"o = load_paths(s, [Path({str(DATA)!r})])\n"
        "print(json.dumps({'seconds': time.perf_counter() - t,"
        " 'rejected': [x.message for x in o if x.status == 'rejected'],"
        " 'versions': sum(x.status == 'loaded' for x in o),"
        " 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    return run_child(code, {"SANCTUM_HOME": str(home)})


def bench_index(home: Path) -> dict[str, Any]:
    """Build the candidate index from scratch in a fresh process."""
    code = (
        "import json, resource, time\n"
        "from pathlib import Path\n"
        "from sanctum.store.db import Store\n"
        "from sanctum.index import build, load_or_build, index_path\n"
        f"s = Store(Path({str(home)!r}) / 'sanctum.sqlite')\n"
        "index_path().unlink(missing_ok=True)\n"
        "t = time.perf_counter(); ix = load_or_build(s); b = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "n, m = len(ix.entries), len(ix.names); del ix\n"
        "t = time.perf_counter(); load_or_build(s); l = time.perf_counter() - t\n"
        "print(json.dumps({'build_s': b, 'load_s': l, 'entries': n, 'names': m,"
        " 'peak_mb': peak}))\n"
    )
    return run_child(code, {"SANCTUM_HOME": str(home)})


def sanctum_fn(screener: Any, sources: set[str] | None = None) -> Any:
    def screen(query: dict[str, Any]) -> list[tuple[str, float]]:
        result = screener.screen(query, threshold=0.0, limit=10, sources=sources)
        return [(r.id, r.score) for r in result.results]

    return screen


def crosslist_queries(screener: Any) -> list[tuple[dict[str, Any], set[str]]]:
    """Every UK / AU / CA name whose entry carries a UN reference → the UN entity."""
    store = screener.store
    index = screener.index
    linked: dict[str, set[str]] = {}
    for a, b in store.db.execute("SELECT a, b FROM xlinks WHERE kind='unsc'"):
        for x, y in ((a, b), (b, a)):
            if y.startswith("un-sc-") and x.split("-")[0] in ("uk", "au", "ca"):
                linked.setdefault(x, set()).add(y)
    out = []
    for eid, targets in sorted(linked.items()):
        i = index.entry_by_id.get(eid)
        if i is None:
            continue
        entry = index.entries[i]
        for nid in entry.names:
            rec = index.names[nid]
            if rec.kind == "cyber" or rec.note.startswith(DERIVED_NOTE):
                continue  # vendor aliases and readings derived from a name: not as listed
            out.append(({"schema": entry.schema, "properties": {"name": [rec.text]}}, targets))
    return out


def script_queries(screener: Any) -> list[tuple[dict[str, Any], int, set[int]]]:
    """Every Arabic-script name of a listed party that the same list also names in Latin
    letters (UN, UK and AU do), with the party and those Latin names: what a list that
    writes only Latin letters (OFAC's) shows of the party to a customer record kept in the
    Arabic script."""
    from sanctum.names.normalize import is_arabic_script

    index = screener.index
    out = []
    for n, entry in enumerate(index.entries):
        recs = [(nid, index.names[nid]) for nid in entry.names]
        latin = {
            nid
            for nid, rec in recs
            if rec.kind in ("name", "alias") and not is_arabic_script(rec.text)
        }
        arabic = dict.fromkeys(rec.text for _, rec in recs if is_arabic_script(rec.text))
        if latin:
            out += [
                ({"schema": entry.schema, "properties": {"name": [a]}}, n, latin) for a in arabic
            ]
    return out


def script_recall(
    screener: Any, queries: list[tuple[dict[str, Any], int, set[int]]], threshold: float
) -> dict[str, Any]:
    """Share of `script_queries` whose party scores at least the threshold on its Latin
    names alone (the party's other names left out), and the median score."""
    from sanctum.match.query import parse_query
    from sanctum.match.score import score_sanctum

    index = screener.index
    scores = [
        score_sanctum(parse_query(q), index.entries[n], index, latin, {}, screener.near).score
        for q, n, latin in queries
    ]
    return {
        "queries": len(queries),
        "sanctum": sum(x >= threshold for x in scores) / max(len(scores), 1),
        "median_score": percentile(scores, 50),
    }


def crosslist_recall(
    queries: list[tuple[dict[str, Any], set[str]]], screen: Any, threshold: float
) -> float:
    hits = 0
    for query, targets in queries:
        results = screen(query)
        hits += any(eid in targets and s >= threshold for eid, s in results)
    return hits / max(len(queries), 1)


def _timed(screen: Any, queries: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each query."""
    times, cpu_times = [], []  # CPU time too: other processes inflate wall time
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        screen(q)
        cpu_times.append((time.process_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    return times, cpu_times


def speed(screener: Any, jw: Any) -> dict[str, Any]:
    """In-process latency for name + DOB queries and the brute-force scan, on names never
    screened before (the population benchmark's names would find warm caches), in two
    modes: the CLI's `screen` (top 10, every candidate scored) and /match's defaults (top
    5, nothing below the 0.5 cutoff, so parties whose bound cannot reach it are skipped)."""
    rng = random.Random(7)

    def queries(seed: int) -> list[dict[str, Any]]:
        return [
            {
                "schema": "Person",
                "properties": {
                    "name": [n],
                    "birthDate": [
                        f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-"
                        f"{rng.randint(1, 28):02d}"
                    ],
                },
            }
            for _, n in quality.population(LATENCY_PER_LOCALE, seed)
        ]

    warm = queries(quality.SEED + 100)[:200]  # other names: imports, first allocations
    for q in warm:
        screener.screen(q)
    top10 = queries(quality.SEED + 200)
    api = queries(quality.SEED + 300)
    times, cpu_times = _timed(screener.screen, top10)
    from sanctum import config

    def api_screen(q: dict[str, Any]) -> Any:
        return screener.screen(q, limit=5, min_score=config.MATCH_CUTOFF)

    api_times, api_cpu = _timed(api_screen, api)
    jw_times, _ = _timed(jw.screen, top10[:300])
    return {
        "queries": len(times),
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "mean_ms": sum(times) / len(times),
        "cpu_p50_ms": percentile(cpu_times, 50),
        "cpu_p99_ms": percentile(cpu_times, 99),
        "api_defaults": {
            "queries": len(api_times),
            "p50_ms": percentile(api_times, 50),
            "p99_ms": percentile(api_times, 99),
            "mean_ms": sum(api_times) / len(api_times),
            "cpu_p50_ms": percentile(api_cpu, 50),
            "cpu_p99_ms": percentile(api_cpu, 99),
        },
        "jw_p50_ms": percentile(jw_times, 50),
        "jw_p99_ms": percentile(jw_times, 99),
        "speedup_vs_jw_p50": percentile(jw_times, 50) / max(percentile(times, 50), 1e-9),
    }


def batch_speed(home: Path, names: list[str]) -> dict[str, Any]:
    """`sanctum batch` on a CSV of population names, in a fresh process (2 workers): names/s
    by the wall clock and per CPU-second of the workers, and the process tree's peak memory."""
    import csv

    src = OUT / "batch_input.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "schema"])
        for i, n in enumerate(names):
            w.writerow([i, n, "Person"])
    target = OUT / "batch_output.csv"
    for p in (target, target.with_name(target.name + ".progress")):
        p.unlink(missing_ok=True)
    # Peak memory of the whole process tree (the batch process and its forked workers),
    # sampled every 50 ms: PSS (shared pages counted once, split between the processes
    # that share them: the physical memory the run takes) and the sum of RSS (shared
    # pages counted once per process: an upper bound). ru_maxrss only sees one process.
    code = (
        "import json, os, resource, threading, time\n"
        "from pathlib import Path\n"
        "from sanctum.screen import Screener\n"
        "from sanctum.batch import run_batch\n"
        "def tree(pid):\n"
        "    out = [pid]\n"
        "    try:\n"
        "        for tid in os.listdir(f'/proc/{pid}/task'):\n"
        "            with open(f'/proc/{pid}/task/{tid}/children') as fh:\n"
        "                for c in fh.read().split():\n"
        "                    out += tree(int(c))\n"
        "    except OSError:\n"
        "        pass\n"
        "    return out\n"
        "def mem(pid):\n"
        "    d = {}\n"
        "    try:\n"
        "        with open(f'/proc/{pid}/smaps_rollup') as fh:\n"
        "            for line in fh:\n"
        "                k, v = line.split(':', 1)\n"
        "                if k in ('Rss', 'Pss'):\n"
        "                    d[k] = int(v.split()[0]) / 1024\n"
        "    except OSError:\n"
        "        pass\n"
        "    return d\n"
        "peak = {'pss': 0.0, 'rss': 0.0, 'procs': 0}\n"
        "done = threading.Event()\n"
        "def sample():\n"
        "    while not done.is_set():\n"
        "        ms = [m for m in map(mem, tree(os.getpid())) if m]\n"
        "        peak['pss'] = max(peak['pss'], sum(m.get('Pss', 0) for m in ms))\n"
        "        peak['rss'] = max(peak['rss'], sum(m.get('Rss', 0) for m in ms))\n"
        "        peak['procs'] = max(peak['procs'], len(ms))\n"
        "        time.sleep(0.05)\n"
        "th = threading.Thread(target=sample, daemon=True); th.start()\n"
        "s = Screener()\n"
        "t = time.perf_counter()\n"
        "c = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        f"r = run_batch(s, Path({str(src)!r}), Path({str(target)!r}), workers=2)\n"
        "e = time.perf_counter() - t\n"
        "c2 = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "done.set(); th.join()\n"
        "cpu = c2.ru_utime + c2.ru_stime - c.ru_utime - c.ru_stime\n"
        "print(json.dumps({'rows': r['screened'], 'seconds': e, 'alerts': r['alerts'],"
        " 'names_per_s': r['screened'] / e,"
        " 'worker_cpu_s': cpu, 'names_per_cpu_s': r['screened'] / max(cpu, 1e-9),"
        " 'peak_mb': peak['pss'], 'peak_rss_sum_mb': peak['rss'], 'processes': peak['procs'],"
        " 'parent_maxrss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
        " 'worker_maxrss_mb': c2.ru_maxrss / 1024}))\n"
    )
    return run_child(code, {"SANCTUM_HOME": str(home)})


def plot(
    path: Path, variant_scores: list[float], population_tops: list[float], threshold: float
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    bins = [i / 50 for i in range(51)]
    ax.hist(
        population_tops,
        bins=bins,
        alpha=0.6,
        label="population: best score per name",
        color="tab:blue",
        log=True,
    )
    ax.hist(
        variant_scores,
        bins=bins,
        alpha=0.6,
        label="DPRK variants: score of expected entity",
        color="tab:red",
        log=True,
    )
    ax.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:.2f}")
    ax.set_xlabel("score")
    ax.set_ylabel("names (log)")
    ax.set_title("Sanctum score distributions")
    ax.legend(loc="upper center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def equal_recall_threshold(scores: list[float], target: float) -> float | None:
    """Highest threshold at which a matcher reaches the target recall (None if never)."""
    for t in sorted({s for s in scores if s > 0}, reverse=True):
        if quality.recall(scores, t) >= target:
            return t
    return None


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    home = OUT / "home"
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "core": _native.choose(),
    }
    print("loading all of shared/data from scratch ...", flush=True)
    results["load"] = bench_load(home)
    print("building the index ...", flush=True)
    results["index"] = bench_index(home)
    os.environ["SANCTUM_HOME"] = str(home)

    from baselines import JaroWinklerScan, LogicV2
    from sanctum import config
    from sanctum.screen import Screener

    screener = Screener()
    threshold = config.THRESHOLD
    ours = sanctum_fn(screener)
    lv2 = LogicV2(screener.index)
    jw = JaroWinklerScan(screener.index)

    print("DPRK variants ...", flush=True)
    rows = quality.dprk_rows()
    listed = {quality.norm_text(n.text) for n in screener.index.names}
    novel = [i for i, r in enumerate(rows) if quality.norm_text(r["variant"]) not in listed]
    hangul = [i for i, r in enumerate(rows) if r["script"] == "Hang"]
    per: dict[str, list[float]] = {
        "sanctum": quality.scores_for_expected(rows, ours),
        "logic-v2": quality.scores_for_expected(rows, lv2.screen),
        "jaro-winkler": quality.scores_for_expected(rows, jw.screen),
    }
    thresholds = {"sanctum": threshold, "logic-v2": 0.7, "jaro-winkler": 0.9}
    dprk: dict[str, Any] = {}
    for name, scores in per.items():
        t = thresholds[name]
        dprk[name] = {
            "threshold": t,
            "all": quality.recall(scores, t),
            "not_verbatim": quality.recall([scores[i] for i in novel], t),
            "hangul": quality.recall([scores[i] for i in hangul], t),
            "misses": [
                rows[i]["variant"] + " → " + rows[i]["expected_id"]
                for i, s in enumerate(scores)
                if s < t
            ]
            if name == "sanctum"
            else [],
        }
    dprk["counts"] = {"all": len(rows), "not_verbatim": len(novel), "hangul": len(hangul)}
    results["dprk"] = dprk

    print("cross-list ...", flush=True)
    xq = crosslist_queries(screener)
    un_ofac = sanctum_fn(screener, sources={"un_sc", "us_ofac_sdn"})
    sample = random.Random(5).sample(xq, min(BASELINE_CROSSLIST, len(xq)))

    def restricted(fn: Any) -> Any:
        def screen(q: dict[str, Any]) -> list[tuple[str, float]]:
            return [(e, s) for e, s in fn(q) if e.startswith(("un-sc-", "us-ofac-sdn-"))]

        return screen

    results["crosslist"] = {
        "queries": len(xq),
        "sanctum": crosslist_recall(xq, un_ofac, threshold),
        "baseline_sample": len(sample),
        "sanctum_on_sample": crosslist_recall(sample, un_ofac, threshold),
        "logic-v2_on_sample": crosslist_recall(sample, restricted(lv2.screen), 0.7),
        "jaro-winkler_on_sample": crosslist_recall(sample, restricted(jw.screen), 0.9),
    }

    print("Arabic-script names against Latin ones ...", flush=True)
    results["script"] = script_recall(screener, script_queries(screener), threshold)

    print("OFAC parity ...", flush=True)
    results["ofac_parity"] = quality.ofac_parity()

    print("population ...", flush=True)
    pop = quality.population()
    tops = quality.top_scores(pop, ours)
    sub = pop[:BASELINE_POPULATION]
    sub_lv2 = quality.top_scores(sub, lv2.screen)
    sub_jw = quality.top_scores(sub, jw.screen)
    lv2_t = equal_recall_threshold(per["logic-v2"], dprk["sanctum"]["all"])
    results["population"] = {
        "names": len(pop),
        "sanctum": quality.alert_rates(tops, threshold),
        "baseline_sample": len(sub),
        "sanctum_on_sample": quality.alert_rates(tops[: len(sub)], threshold)["overall"],
        "logic-v2_on_sample_at_0.7": quality.alert_rates(sub_lv2, 0.7)["overall"],
        "jaro-winkler_on_sample_at_0.9": quality.alert_rates(sub_jw, 0.9)["overall"],
        "logic-v2_equal_recall_threshold": lv2_t,
        "logic-v2_on_sample_at_equal_recall": (
            quality.alert_rates(sub_lv2, lv2_t)["overall"] if lv2_t else None
        ),
    }

    print("fresh population (20 locales, persons and companies) ...", flush=True)
    fresh = categories.population_alerts(screener, threshold)
    results["fresh_population"] = {k: v for k, v in fresh.items() if k != "alerts"}
    results["fresh_population"]["others"] = [a for a in fresh["alerts"] if not a["namesake"]]

    print("per-category set, Sanctum and logic-v2 ...", flush=True)
    results["categories"] = categories.evaluate(screener, categories.crosslist_names(screener))

    print("speed ...", flush=True)
    results["speed"] = speed(screener, jw)
    results["batch"] = batch_speed(home, [n for _, n in pop])
    results["speed"]["screening_process_peak_mb"] = results["batch"]["peak_mb"]

    print("HTTP load (sanctum serve under wrk) ...", flush=True)
    results["http"] = load.http_load(home)

    plot(OUT / "scores.png", per["sanctum"], [s for _, s in tops], threshold)
    (OUT / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    md = render(results)
    (OUT / "results.md").write_text(md)
    print(md)


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def render(r: dict[str, Any]) -> str:
    d, x, p, s = r["dprk"], r["crosslist"], r["population"], r["speed"]
    lines = [
        f"Measured {r['date']} on {r['machine']}; matching core: {r.get('core', 'source')}.",
        "",
        "| figure | Sanctum | logic-v2 | Jaro-Winkler scan | target |",
        "|---|---|---|---|---|",
        f"| load all shared/data from scratch | {r['load']['seconds']:.1f} s, "
        f"{r['load']['peak_mb']:.0f} MB peak | | | ≤ 30 s, ≤ 1 GB |",
        f"| DPRK variant recall ({d['counts']['all']} rows) | {pct(d['sanctum']['all'])} "
        f"| {pct(d['logic-v2']['all'])} | {pct(d['jaro-winkler']['all'])} | ≥ 98% |",
        f"| … not verbatim in lists ({d['counts']['not_verbatim']}) | "
        f"{pct(d['sanctum']['not_verbatim'])} | {pct(d['logic-v2']['not_verbatim'])} | "
        f"{pct(d['jaro-winkler']['not_verbatim'])} | |",
        f"| … Hangul ({d['counts']['hangul']}) | {pct(d['sanctum']['hangul'])} | "
        f"{pct(d['logic-v2']['hangul'])} | {pct(d['jaro-winkler']['hangul'])} | |",
        f"| cross-list recall ({x['queries']} UK/AU/CA names → UN/OFAC) | "
        f"{pct(x['sanctum'])} | | | ≥ 99% |",
        f"| … on a {x['baseline_sample']}-name sample | {pct(x['sanctum_on_sample'])} | "
        f"{pct(x['logic-v2_on_sample'])} | {pct(x['jaro-winkler_on_sample'])} | |",
        f"| Arabic-script names → their party's Latin names ({r['script']['queries']}, "
        f"median score {r['script']['median_score']:.2f}) | {pct(r['script']['sanctum'])} "
        "| | | |",
        f"| OFAC parity (±5 points, {r['ofac_parity']['rows']} rows) | "
        f"{pct(r['ofac_parity']['share'])} | | | ≥ 95% |",
        f"| population alert rate ({p['names']} names, 10 locales) | "
        f"{pct(p['sanctum']['overall'])} | | | ≤ 0.5% |",
        f"| … on a {p['baseline_sample']}-name sample (default thresholds) | "
        f"{pct(p['sanctum_on_sample'])} | {pct(p['logic-v2_on_sample_at_0.7'])} | "
        f"{pct(p['jaro-winkler_on_sample_at_0.9'])} | |",
        f"| … logic-v2 at equal DPRK recall (threshold "
        f"{p['logic-v2_equal_recall_threshold'] or 'unreachable'}) | "
        f"{pct(p['sanctum_on_sample'])} | {pct(p['logic-v2_on_sample_at_equal_recall'])} | | "
        "fewer than logic-v2 |",
        f"| latency p50 / p99, name + DOB, top 10 ({s['queries']} unseen names) | "
        f"{s['p50_ms']:.2f} / {s['p99_ms']:.2f} ms | | {s['jw_p50_ms']:.1f} / "
        f"{s['jw_p99_ms']:.1f} ms | ≤ 0.5 / ≤ 5 ms |",
        f"| … with /match defaults: top 5, cutoff 0.5 ({s['api_defaults']['queries']} "
        f"other names) | {s['api_defaults']['p50_ms']:.2f} / "
        f"{s['api_defaults']['p99_ms']:.2f} ms | | | |",
        f"| speed-up over brute-force scan (p50) | {s['speedup_vs_jw_p50']:.0f}× | | 1× | ≥ 10× |",
        f"| batch throughput ({r['batch']['rows']} names) | "
        f"{r['batch']['names_per_s']:.0f} names/s | | | ≥ 3,000/s |",
        f"| index build (and save) / load | {r['index']['build_s']:.1f} s / "
        f"{r['index']['load_s']:.2f} s "
        f"({r['index']['entries']} parties, {r['index']['names']} names) | | | ≤ 20 s |",
        f"| peak memory (index build / screening process) | {r['index']['peak_mb']:.0f} MB / "
        f"{s['screening_process_peak_mb']:.0f} MB | | | ≤ 600 MB |",
        "",
        "Population alert rate per locale (Sanctum): "
        + ", ".join(f"{k} {pct(v)}" for k, v in p["sanctum"].items() if k != "overall"),
    ]
    if "fresh_population" in r:
        f = r["fresh_population"]
        lines += [
            "",
            f"Fresh population ({f['names']} persons and companies, {f['locales']} locales, "
            f"new seeds): alert rate {pct(f['alert_rate'])} (target ≤ 0.3%): namesakes "
            f"(the query a correct reading of a listed name) {pct(f['namesake_rate'])}, other "
            f"alerts {pct(f['other_rate'])} (target ≤ 0.15%).",
        ]
    if "categories" in r:
        lines += ["", categories.render(r["categories"])]
    if "http" in r:
        lines.append(load.render(r["http"]))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
