"""Monitoring benchmark (issue 20): delta re-screening of the 2023-11-30 → 2023-12-01 OFAC
update against books of 100,000 and 1,000,000 customers, full screening of the book, and
peak memory. Each step runs in a fresh process (wall time, CPU time, peak RSS).

    python bench/monitoring.py                 # 100,000 and 1,000,000
    python bench/monitoring.py --sizes 100000  # one size

Targets: delta ≤ 5 s for 1,000,000 customers, with a cost that grows with the delta, not
the book; full screening ≥ 4,000 customers/s; peak memory ≤ 1.5 GB with 1,000,000.
Results: bench/out/monitoring.json and monitoring.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from book import write_book
from common import DATA, OUT, machine, run_child

STEP = """
import json, os, resource, sys, threading, time
from sanctum.store.db import Store
from sanctum import _native, settings
sys.path.insert(0, {bench!r})
from common import status_kb, tree_pids
peak_pss = [0.0]
def sample():  # the step's processes together, shared pages counted once (PSS)
    while True:
        peak_pss[0] = max(peak_pss[0], status_kb(tree_pids(os.getpid()), 'Pss'))
        time.sleep(PSS_EVERY)
PSS_EVERY = {pss_every}
threading.Thread(target=sample, daemon=True).start()
store = Store(settings.database_path())
load_before = os.getloadavg()[0]
start = time.perf_counter()
{body}
wall = time.perf_counter() - start
out.update(core=_native.choose(), load=[load_before, os.getloadavg()[0]])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
out.update(step_s=wall, cpu_s=me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
           peak_mb=me.ru_maxrss / 1024, workers_peak_mb=kids.ru_maxrss / 1024,
           peak_pss_mb=peak_pss[0])
print(json.dumps(out))
"""
PSS_EVERY = 1.0
"""Seconds between two samples of a step's memory (PSS of all its processes): a full
screening's workers live for minutes; reading /proc more often costs the step CPU."""

LOAD = """
from sanctum.store.loader import load_paths
outcomes = load_paths(store, [__import__("pathlib").Path({folder!r})])
out = {{"status": [o.status for o in outcomes]}}
"""
IMPORT = """
from sanctum.monitor.customers import import_customers
out = import_customers(store, __import__("pathlib").Path({book!r}), "bench").counts
"""
RUN = """
from sanctum.monitor.run import run_monitoring
report = run_monitoring(store, "bench")
out = {"kind": report.kind, **report.counts}
"""
PLANTED = """
import json, sqlite3
db = sqlite3.connect({db!r})
rows = db.execute("SELECT customer_id, party_id FROM alerts WHERE customer_id LIKE 'planted-%' "
                  "ORDER BY customer_id").fetchall()
print(json.dumps({{"planted": rows}}))
"""
INDEX = """
from sanctum.screen import Screener
Screener(store)
out = {}
"""


def step(home: Path, body: str) -> dict[str, Any]:
    """Run one step in a fresh process on the store at `home`."""
    env = {"SANCTUM_HOME": str(home), "SANCTUM_MONITOR": "0"}
    code = STEP.format(body=body, bench=str(Path(__file__).resolve().parent), pss_every=PSS_EVERY)
    return run_child(code, env)


def one_size(n: int, out: Path = OUT) -> dict[str, Any]:
    """The figures for a book of n ordinary customers (and the four planted ones)."""
    home = out / f"monitor-{n}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    book = out / f"book-{n}.csv"
    started = time.perf_counter()
    if not book.exists():
        write_book(book, n)
    generated = time.perf_counter() - started
    sdn = DATA / "us_ofac_sdn"
    step(home, LOAD.format(folder=str(sdn / "2023-11-30")))
    step(home, INDEX)  # the index of 2023-11-30, built once as any load leaves it
    imported = step(home, IMPORT.format(book=str(book)))
    full = step(home, RUN)
    step(home, LOAD.format(folder=str(sdn / "2023-12-01")))
    step(home, INDEX)  # the new index, as the load's own process would have built it
    delta = step(home, RUN)
    again = step(home, RUN)  # nothing changed since: the cost of a run with no delta
    alerts = run_child(PLANTED.format(db=str(home / "sanctum.sqlite")), {})["planted"]
    shutil.rmtree(home, ignore_errors=True)
    return {
        "customers": n + 4,
        "book_s": generated,
        "import": imported,
        "full": {**full, "customers_per_s": (n + 4) / full["step_s"]},
        "delta": delta,
        "no_change": again,
        "planted_alerts": alerts,
    }


def markdown(results: list[dict[str, Any]], when: str) -> str:
    """The figures as a table."""
    first = results[0]["full"]
    lines = [
        f"Monitoring, measured {when} on {machine()}; matching core: {first['core']}.",
        "Load average (1 min) at the start and end of each step is in monitoring.json",
        f"(full screening of the first book: {first['load'][0]:.1f} → {first['load'][1]:.1f}).",
        "",
        "| figure | "
        + " | ".join(f"{r['customers']:,} customers" for r in results)
        + " | target |",
        "|---|" + "---|" * len(results) + "---|",
    ]

    def row(label: str, cells: list[str], target: str) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    row("book generated (wall; 0: already there)", [f"{r['book_s']:.0f} s" for r in results], "")
    row(
        "import (wall / CPU), peak memory (RSS)",
        [
            f"{r['import']['step_s']:.1f} / {r['import']['cpu_s']:.1f} s, "
            f"{r['import']['peak_mb']:.0f} MB"
            for r in results
        ],
        "",
    )
    row(
        "full screening (wall / CPU), customers/s",
        [
            f"{r['full']['step_s']:.1f} / {r['full']['cpu_s']:.1f} s, "
            f"{r['full']['customers_per_s']:,.0f}/s"
            for r in results
        ],
        "≥ 4,000/s",
    )
    row(
        "delta 2023-11-30 → 2023-12-01 (wall / CPU)",
        [f"{r['delta']['step_s']:.2f} / {r['delta']['cpu_s']:.2f} s" for r in results],
        "≤ 5 s for 1,000,000",
    )
    row(
        "… entries / candidates screened / alerts raised",
        [
            f"{r['delta'].get('delta_entries', 0)} / {r['delta'].get('delta_candidates', 0)} / "
            f"{r['delta'].get('raised', 0)}"
            for r in results
        ],
        "",
    )
    row(
        "run with nothing changed (wall)",
        [f"{r['no_change']['step_s']:.2f} s" for r in results],
        "",
    )
    row(
        "peak memory, full screening: all its processes (PSS: the index's shared pages "
        "once); RSS of the parent / largest of 2 workers / parent + 2 workers",
        [
            f"**{r['full']['peak_pss_mb']:.0f} MB**; {r['full']['peak_mb']:.0f} / "
            f"{r['full']['workers_peak_mb']:.0f} / "
            f"{r['full']['peak_mb'] + 2 * r['full']['workers_peak_mb']:.0f} MB"
            for r in results
        ],
        "≤ 1.5 GB with 1,000,000",
    )
    row("peak memory, delta run (RSS)", [f"{r['delta']['peak_mb']:.0f} MB" for r in results], "")
    row(
        "planted alerts",
        [", ".join(f"{c}→{p}" for c, p in r["planted_alerts"]) for r in results],
        "4",
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--out", type=Path, default=OUT, help="Where results go.")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        results.append(one_size(n, out))
        text = markdown(results, when)
        (out / "monitoring.json").write_text(json.dumps(results, indent=2))
        (out / "monitoring.md").write_text(text)
        print(text, flush=True)


if __name__ == "__main__":
    main()
