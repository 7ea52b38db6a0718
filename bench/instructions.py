"""Work per query in instructions, which the machine does not move (`make bench-instructions`).

Wall-clock timings on a shared machine vary between runs by more than most changes do.
This runs the same screenings under `valgrind --tool=callgrind` and reports the
instructions each query costs, in three modes:

- `top10`: name + date of birth, top 10, every candidate scored (the CLI's `screen`);
- `api`: name + date of birth, `/match`'s defaults (top 5, cutoff MATCH_CUTOFF);
- `batch`: name only, alerts only (what `sanctum batch` asks for).

Each mode runs in a fresh process that loads the index, warms up on other names, then
screens the names; a run that stops after the warm-up (`none`) is subtracted, so the
figure is the queries' own work. The names are seeded population names in every locale
of the population benchmark, none of them screened before in the process (their new
tokens are expanded as a customer file's would be).

The store is `bench/out/home` (left by `make bench`) or `SANCTUM_HOME`. To compare two
versions of the code, run this file with `PYTHONPATH=<other checkout>/src`; to measure
the matching core run as Python instead of its compiled build, with `SANCTUM_PURE=1`
(the first line printed names the package and the build). Two runs of
the same code agree within about 0.2% (memory layout still moves a little): differences
smaller than that are not differences.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import quality
from common import OUT

MODES = ("top10", "api", "batch")
WARM_UP = 50
"""Names screened before the measured ones (imports, first allocations, the caches of the
tokens every query meets), in every run including `none`."""

CHILD = """
import json, sys
import sanctum
from sanctum import config
from sanctum.screen import Screener
names, warm, mode = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
screener = Screener()
for n in warm:
    screener.screen({"schema": "Person", "properties": {"name": [n]}})
print(sanctum.__file__, "-", getattr(sanctum, "_native", None) and sanctum._native.BUILD)
dob = ["1970-01-01"]
for n in names if mode != "none" else ():
    if mode == "top10":
        screener.screen({"schema": "Person", "properties": {"name": [n], "birthDate": dob}})
    elif mode == "api":
        screener.screen(
            {"schema": "Person", "properties": {"name": [n], "birthDate": dob}},
            limit=5,
            min_score=config.MATCH_CUTOFF,
        )
    else:
        screener.screen({"schema": "Person", "properties": {"name": [n]}}, limit=5, min_score=1.0)
"""

_REFS = re.compile(r"Collected\s*:\s*([\d,]+)|I\s+refs:\s*([\d,]+)")


def instructions(mode: str, names: Path, warm: Path, env: dict[str, str]) -> tuple[int, str]:
    """Instructions a fresh screening process executes in `mode` (callgrind's count), and
    the package it imported."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/callgrind.out",
                sys.executable,
                "-c",
                CHILD,
                str(names),
                str(warm),
                mode,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"callgrind run of mode {mode} failed:\n{done.stderr[-3000:]}")
    for line in done.stderr.splitlines():
        m = _REFS.search(line)
        if m:
            return int((m.group(1) or m.group(2)).replace(",", "")), done.stdout.strip()
    raise RuntimeError(f"no instruction count in callgrind's output for mode {mode}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Instructions per query, under callgrind.")
    parser.add_argument("--per-locale", type=int, default=40, help="names per locale (10)")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated modes")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (make bench-instructions installs it)")
    home = Path(os.environ.get("SANCTUM_HOME") or OUT / "home")
    if not (home / "sanctum.sqlite").exists():
        sys.exit(f"no store at {home}: run `make bench` (or set SANCTUM_HOME) first")
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        sys.exit(f"unknown mode(s) {', '.join(sorted(unknown))}; use {', '.join(MODES)}")
    names = [n for _, n in quality.population(args.per_locale, quality.SEED + 400)]
    warm = [n for _, n in quality.population(WARM_UP // 10, quality.SEED + 500)]
    # a fixed hash seed: set and dict orders, and so the work, are the same in every run
    env = {**os.environ, "SANCTUM_HOME": str(home), "PYTHONHASHSEED": "0"}
    OUT.mkdir(parents=True, exist_ok=True)
    names_file, warm_file = OUT / "instructions_names.json", OUT / "instructions_warm.json"
    names_file.write_text(json.dumps(names, ensure_ascii=False))
    warm_file.write_text(json.dumps(warm, ensure_ascii=False))
    base, package = instructions("none", names_file, warm_file, env)
    result: dict[str, object] = {"names": len(names), "warm_up": len(warm), "base": base}
    print(f"code: {package}")
    print(f"{len(names)} names ({args.per_locale} per locale), after {len(warm)} others")
    print("| mode | instructions per query |\n|---|---|")
    for mode in modes:
        per_query = (instructions(mode, names_file, warm_file, env)[0] - base) / len(names)
        result[mode] = per_query
        print(f"| {mode} | {per_query / 1e6:.2f} M |")
    (OUT / "instructions.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
