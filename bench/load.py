"""HTTP load benchmark: `sanctum serve` on loopback under wrk, with everything in shared/data.

Starts the real server (a subprocess, `--host 127.0.0.1`, a free port, a key made by
`sanctum keys create`), then drives each scenario with wrk (closed loop: a fixed number
of connections, each sending its next request as soon as the previous answer arrives;
a Lua script cycles through pre-built requests so no two consecutive requests are alike):

- `single`: POST /match/default, one query (population name + birth date, DPRK variants
  mixed in) per request;
- `batch`: POST /match/default, 100 queries per request;
- `search`: GET /search/default?q=NAME ("not available" when the server has no such route).

Reported per scenario: requests/s, p50/p99/max latency, non-2xx answers and socket errors,
the server's peak memory (RSS summed over its process tree, sampled from /proc; also PSS,
which counts pages shared between workers once), server CPU per request, and the CPU the
load generator and everything else on the machine used meanwhile (the machine is shared
and the generator competes with the server for the same cores).

`SANCTUM_LOAD_SECONDS` (default 60) sets the duration per scenario, `SANCTUM_LOAD_WORKERS`
(default "1,2") the worker counts tried for the single-query scenario,
`SANCTUM_LOAD_CONNECTIONS` (default 4) the connections for single and search (the batch
scenario uses one connection per worker, so its latency is that of one batch).

Run alone: `python bench/load.py` (reuses bench/out/home, or builds it) merges its figures
into bench/out/results.json under "http".
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).parent))

import quality
from common import OUT, read_proc, run_child, status_kb, tree_pids

TARGETS = {
    "single_rps": 500.0,
    "single_p99_ms": 20.0,
    "batch_p50_ms": 100.0,
    "memory_mb": 800.0,
}
BATCH_SIZE = 100
WARMUP_SECONDS = 3.0
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

LUA = r"""
-- Cycle through pre-built requests: one JSON body per line (POST to LOAD_PATH)
-- or one path per line (GET). Counts answers outside 2xx.
local requests = {}
local counter = 0
non2xx = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  local method = os.getenv("LOAD_METHOD")
  local headers = {
    ["Authorization"] = "Bearer " .. os.getenv("LOAD_KEY"),
    ["Content-Type"] = "application/json",
  }
  for line in io.lines(os.getenv("LOAD_LINES")) do
    if method == "GET" then
      table.insert(requests, wrk.format("GET", line, headers))
    else
      table.insert(requests, wrk.format("POST", os.getenv("LOAD_PATH"), headers, line))
    end
  end
  counter = offset or 0
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


# -- settings -------------------------------------------------------------------------


def env_seconds() -> float:
    """Seconds per scenario: `SANCTUM_LOAD_SECONDS`, default 60."""
    return float(os.environ.get("SANCTUM_LOAD_SECONDS", "60"))


def env_workers() -> list[int]:
    """Worker counts for the single-query scenario: `SANCTUM_LOAD_WORKERS`, default 1,2."""
    text = os.environ.get("SANCTUM_LOAD_WORKERS", "1,2")
    return [int(x) for x in text.split(",") if x.strip()]


def env_connections() -> int:
    """Connections for single and search: `SANCTUM_LOAD_CONNECTIONS`, default 4."""
    return int(os.environ.get("SANCTUM_LOAD_CONNECTIONS", "4"))


# -- request material -----------------------------------------------------------------


def match_queries() -> list[dict[str, Any]]:
    """Population names (10 locales) with a birth date, DPRK variants mixed in; seeded."""
    rng = random.Random(7)
    queries: list[dict[str, Any]] = [
        {
            "schema": "Person",
            "properties": {
                "name": [name],
                "birthDate": [
                    f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                ],
            },
        }
        for _, name in quality.population()
    ]
    queries.extend(quality.dprk_query(row) for row in quality.dprk_rows())
    rng.shuffle(queries)
    return queries


def single_bodies(queries: list[dict[str, Any]]) -> list[str]:
    """One /match body per query."""
    return [json.dumps({"queries": {"q1": q}}, ensure_ascii=False) for q in queries]


def batch_bodies(queries: list[dict[str, Any]], size: int = BATCH_SIZE) -> list[str]:
    """/match bodies of `size` consecutive queries each."""
    return [
        json.dumps(
            {"queries": {f"q{i}": q for i, q in enumerate(queries[start : start + size])}},
            ensure_ascii=False,
        )
        for start in range(0, len(queries) - size + 1, size)
    ]


def search_paths(queries: list[dict[str, Any]]) -> list[str]:
    """/search/default?q=NAME paths, one per query name."""
    return ["/search/default?q=" + quote(q["properties"]["name"][0], safe="") for q in queries]


# -- the store, the key and the server ------------------------------------------------


def store_ready(home: Path) -> bool:
    """The bench store exists and has list versions loaded."""
    db = home / "sanctum.sqlite"
    if not db.exists():
        return False
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT COUNT(*) FROM versions").fetchone()
    except sqlite3.Error:
        return False
    return bool(row and row[0])


def ensure_store(home: Path) -> None:
    """Reuse the bench store, or load all of shared/data into it (and build the index)."""
    if store_ready(home) and (home / "index.pickle").exists():
        return
    from run import bench_index, bench_load

    print("loading all of shared/data for the load benchmark ...", flush=True)
    bench_load(home)
    bench_index(home)


def prepare_index(home: Path) -> None:
    """Make index.pickle current before the server starts, so every worker loads it.

    A worker that has to build the index itself keeps the memory of the build (well above
    what loading the pickle takes), and with several workers each builds its own copy at
    once: that start-up case is not the steady state this benchmark measures.
    """
    code = (
        "import json\n"
        "from pathlib import Path\n"
        "from sanctum.index import load_or_build\n"
        "from sanctum.store.db import Store\n"
        f"home = Path({str(home)!r})\n"
        "load_or_build(Store(home / 'sanctum.sqlite'), home / 'index.pickle')\n"
        "print(json.dumps({}))\n"
    )
    run_child(code, {"SANCTUM_HOME": str(home)})


def sanctum_cmd(*args: str) -> list[str]:
    """The `sanctum` CLI of this interpreter's environment."""
    return [sys.executable, "-m", "sanctum.cli", *args]


def server_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SANCTUM_DB", "SANCTUM_API_OPEN")}
    env["SANCTUM_HOME"] = str(home)
    # The benchmark measures capacity with one key: lift the per-key rate limit so far that
    # it never refuses (its bookkeeping still runs on every request).
    env["SANCTUM_RATE_LIMIT"] = str(10**9)
    return env


def create_key(home: Path) -> tuple[int, str]:
    """A screen+read key from `sanctum keys create`: (id, secret from the last line)."""
    done = subprocess.run(
        sanctum_cmd("keys", "create", "--scope", "screen", "--scope", "read", "--name", "load"),
        env=server_env(home),
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"API key (\d+)", done.stderr + done.stdout)
    if found is None:
        raise RuntimeError(f"unexpected `keys create` output: {done.stderr + done.stdout!r}")
    return int(found.group(1)), done.stdout.strip().splitlines()[-1]


def revoke_key(home: Path, key_id: int) -> None:
    """Revoke the benchmark's key."""
    subprocess.run(
        sanctum_cmd("keys", "revoke", str(key_id)),
        env=server_env(home),
        capture_output=True,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mb(pids: list[int]) -> float:
    """Resident memory summed over processes, MB."""
    total = 0
    for pid in pids:
        fields = read_proc(f"/proc/{pid}/statm").split()
        if len(fields) > 1:
            total += int(fields[1]) * PAGE
    return total / 2**20


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of processes, seconds."""
    total = 0
    for pid in pids:
        stat = read_proc(f"/proc/{pid}/stat")
        if stat:
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (from /proc/stat)."""
    fields = [int(x) for x in read_proc("/proc/stat").splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


@dataclass
class Sampler:
    """Samples the server tree's memory every 0.2 s (PSS every 2 s) in a thread."""

    root: int
    peak_rss: float = 0.0
    window_rss: float = 0.0
    window_pss: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        n = 0
        while not self._stop.wait(0.2):
            pids = tree_pids(self.root)
            rss = rss_mb(pids)
            self.peak_rss = max(self.peak_rss, rss)
            self.window_rss = max(self.window_rss, rss)
            if n % 10 == 0:
                self.window_pss = max(self.window_pss, status_kb(pids, "Pss"))
            n += 1

    def reset_window(self) -> None:
        self.window_rss = self.window_pss = 0.0

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


@dataclass
class Server:
    """A running `sanctum serve`: its URL, process, worker count and memory sampler."""

    url: str
    proc: subprocess.Popen[bytes]
    workers: int
    sampler: Sampler
    log: Path

    def pids(self) -> list[int]:
        return tree_pids(self.proc.pid)

    def restarts(self) -> int:
        """Workers the uvicorn supervisor found dead (or hung) and replaced so far."""
        return self.log.read_text(errors="replace").count("died")

    def routes(self) -> set[str]:
        schema = httpx.get(self.url + "/openapi.json", timeout=30).json()
        return set(schema.get("paths", {}))


def wait_started(proc: subprocess.Popen[bytes], log: Path, workers: int, timeout: float) -> None:
    """Until every worker has logged that its application started (index loaded)."""
    deadline = time.monotonic() + timeout
    while log.read_text(errors="replace").count("Application startup complete") < workers:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"sanctum serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


@contextmanager
def serving(home: Path, workers: int) -> Iterator[Server]:
    """`sanctum serve` on a free loopback port with `workers` workers, until closed."""
    port = free_port()
    log = OUT / f"load_server_w{workers}.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            sanctum_cmd(
                "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)
            ),
            env=server_env(home),
            stdout=subprocess.DEVNULL,
            stderr=fh,
        )
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        wait_started(proc, log, workers, timeout=300)
        yield Server(f"http://127.0.0.1:{port}", proc, workers, sampler, log)
    finally:
        sampler.stop()
        pids = tree_pids(proc.pid)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in pids:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            proc.wait()


# -- wrk --------------------------------------------------------------------------------


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk; `make bench` does)")
    return found


def wrk_version() -> str:
    """`wrk` and its version, e.g. 'wrk debian/4.1.0-3+b2'."""
    done = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).split(" [")[0].strip()


def run_wrk(
    server: Server, lines: Path, method: str, path: str, key: str, seconds: float, conns: int
) -> dict[str, Any]:
    """One wrk run; its RESULT line as a dict."""
    script = OUT / "load.lua"
    script.write_text(LUA)
    env = {
        **os.environ,
        "LOAD_LINES": str(lines),
        "LOAD_METHOD": method,
        "LOAD_PATH": path,
        "LOAD_KEY": key,
    }
    cmd = [
        wrk_path(),
        "-t1",
        f"-c{conns}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        server.url + path,
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return result
    raise RuntimeError(f"wrk gave no result: {done.stdout[-2000:]} {done.stderr[-2000:]}")


def probe(server: Server, method: str, path: str, key: str, body: str | None) -> str | None:
    """One request before the load; the problem (status and body) if it is not a 2xx."""
    response = httpx.request(
        method,
        server.url + path,
        content=body.encode("utf-8") if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        timeout=60,
    )
    if response.is_success:
        return None
    return f"{response.status_code}: {response.text[:500]}"


def scenario(
    server: Server,
    name: str,
    lines: list[str],
    method: str,
    path: str,
    key: str,
    seconds: float,
    conns: int,
) -> dict[str, Any]:
    """Warm up, then load the server for `seconds`; latency, errors, memory and CPU."""
    file = OUT / f"load_{name}.txt"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = lines[0]
    problem = probe(
        server,
        method,
        first if method == "GET" else path,
        key,
        None if method == "GET" else first,
    )
    if problem is not None:
        return {"available": False, "reason": f"probe request failed: {problem}"}
    run_wrk(server, file, method, path, key, min(WARMUP_SECONDS, seconds), conns)
    server.sampler.reset_window()
    restarts0 = server.restarts()
    pids = server.pids()
    cpu0, busy0 = cpu_seconds(pids), machine_busy_seconds()
    child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.monotonic()
    raw = run_wrk(server, file, method, path, key, seconds, conns)
    wall = time.monotonic() - wall0
    child1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    pids = server.pids()
    server_cpu = cpu_seconds(pids) - cpu0
    busy = machine_busy_seconds() - busy0
    wrk_cpu = (child1.ru_utime + child1.ru_stime) - (child0.ru_utime + child0.ru_stime)
    duration = raw["duration_us"] / 1e6
    requests = raw["requests"]
    return {
        "available": True,
        "workers": server.workers,
        "connections": conns,
        "seconds": duration,
        "requests": requests,
        "rps": requests / duration if duration else 0.0,
        "queries_per_request": BATCH_SIZE if name.startswith("batch") else 1,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "non_2xx": raw["non2xx"],
        "socket_errors": raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        "server_peak_rss_mb": server.sampler.window_rss,
        "server_peak_pss_mb": server.sampler.window_pss,
        "server_processes": len(pids),
        "server_process_peak_mb": [round(status_kb([pid], "VmHWM")) for pid in pids],
        "worker_restarts": server.restarts() - restarts0,
        "server_cpu_s": server_cpu,
        "server_cpu_ms_per_request": 1000 * server_cpu / max(requests, 1),
        "wrk_cpu_s": wrk_cpu,
        "other_cpu_s": max(0.0, busy - server_cpu - wrk_cpu),
        "cores_busy": busy / wall,
        "request_lines": len(lines),
    }


def not_available(reason: str) -> dict[str, Any]:
    return {"available": False, "reason": reason}


def http_load(home: Path, seconds: float | None = None) -> dict[str, Any]:
    """All scenarios against `sanctum serve` over the store in `home`."""
    seconds = env_seconds() if seconds is None else seconds
    if shutil.which("wrk") is None:
        reason = "wrk is not installed (apt-get install -y wrk; `make bench` does)"
        names = ("single_w1", "batch_w1", "search_w1")
        return {
            "tool": "wrk",
            "seconds_per_scenario": seconds,
            "targets": TARGETS,
            "scenarios": {name: not_available(reason) for name in names},
        }
    workers_list = env_workers()
    conns = env_connections()
    OUT.mkdir(parents=True, exist_ok=True)
    queries = match_queries()
    singles = single_bodies(queries)
    batches = batch_bodies(queries)
    searches = search_paths(queries)
    prepare_index(home)
    key_id, key = create_key(home)
    out: dict[str, Any] = {
        "tool": wrk_version(),
        "loadavg_before": read_proc("/proc/loadavg").split()[:3],
        "seconds_per_scenario": seconds,
        "targets": TARGETS,
        "scenarios": {},
        "lifetime_peak_rss_mb_by_workers": {},
    }
    scenarios: dict[str, Any] = out["scenarios"]
    peaks: dict[str, float] = out["lifetime_peak_rss_mb_by_workers"]
    try:
        for workers in workers_list:
            print(f"HTTP load, {workers} worker(s) ...", flush=True)
            with serving(home, workers) as server:
                scenarios[f"single_w{workers}"] = scenario(
                    server, "single", singles, "POST", "/match/default", key, seconds, conns
                )
                if workers != workers_list[0]:
                    peaks[str(workers)] = server.sampler.peak_rss
                    continue
                scenarios[f"batch_w{workers}"] = scenario(
                    server, "batch", batches, "POST", "/match/default", key, seconds, workers
                )
                if "/search/{dataset}" in server.routes():
                    scenarios[f"search_w{workers}"] = scenario(
                        server, "search", searches, "GET", "/search/default", key, seconds, conns
                    )
                else:
                    scenarios[f"search_w{workers}"] = not_available(
                        "the server has no GET /search/{dataset}"
                    )
                peaks[str(workers)] = server.sampler.peak_rss
    finally:
        revoke_key(home, key_id)
    return out


# -- rendering --------------------------------------------------------------------------


def _row(name: str, s: dict[str, Any], target: str) -> str:
    if not s.get("available"):
        return f"| {name} | not available: {s.get('reason', '')} | | | | | | {target} |"
    per = s["queries_per_request"]
    qps = f" ({s['rps'] * per:.0f} queries/s)" if per > 1 else ""
    rps = f"{s['rps']:.0f}" if s["rps"] >= 10 else f"{s['rps']:.1f}"
    restarts = s.get("worker_restarts", 0)
    errors = f"{s['non_2xx']} / {s['socket_errors']}"
    if restarts:
        errors += f"; {restarts} worker(s) restarted"
    return (
        f"| {name} | {rps} req/s{qps} | {s['p50_ms']:.1f} / {s['p99_ms']:.1f} ms "
        f"| {errors} "
        f"| {s['server_peak_rss_mb']:.0f} MB ({s['server_peak_pss_mb']:.0f} MB PSS) "
        f"| {s['server_cpu_ms_per_request']:.2f} ms "
        f"| {s['wrk_cpu_s'] / s['seconds']:.2f} / {s['other_cpu_s'] / s['seconds']:.2f} "
        f"| {target} |"
    )


def render(r: dict[str, Any]) -> str:
    """The markdown section for the HTTP load figures."""
    t = r["targets"]
    mem = f"≤ {t['memory_mb']:.0f} MB"
    lines = [
        "",
        f"HTTP load: `sanctum serve` on 127.0.0.1 under {r['tool']}, "
        f"{r['seconds_per_scenario']:.0f} s per scenario after a {WARMUP_SECONDS:.0f} s "
        "warm-up. Closed loop (each connection sends its next request when the answer "
        "arrives); one generator thread on the same 2 cores as the server, and other "
        "processes on this shared machine compete too: the CPU they took is shown (in cores). "
        "Requests cycle through 10,000 seeded population names (10 locales, with a birth "
        f"date) and the 227 DPRK variants; batches are {BATCH_SIZE} consecutive ones. "
        "Memory: RSS summed over the server's processes (PSS counts shared pages once).",
        "",
        "| scenario (workers, connections) | throughput | p50 / p99 | non-2xx / socket "
        "errors | server peak memory | server CPU per request | cores used by wrk / "
        "others | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in r["scenarios"].items():
        kind = name.split("_w")[0]
        label = {
            "single": "single-query /match",
            "batch": f"{BATCH_SIZE}-query batch /match",
            "search": "GET /search",
        }[kind]
        if s.get("available"):
            label += f" ({s['workers']}w, {s['connections']}c)"
        target = {
            "single": f"≥ {t['single_rps']:.0f} req/s, p99 ≤ {t['single_p99_ms']:.0f} ms, "
            f"0 errors, {mem}",
            "batch": f"p50 ≤ {t['batch_p50_ms']:.0f} ms, {mem}",
            "search": mem,
        }[kind]
        lines.append(_row(label, s, target))
    life = r.get("lifetime_peak_rss_mb_by_workers") or {}
    if life:
        lines += [
            "",
            "Server peak RSS over its whole life, start-up included: "
            + ", ".join(f"{w} worker(s) {mb:.0f} MB" for w, mb in life.items())
            + ".",
        ]
    lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    home = OUT / "home"
    ensure_store(home)
    result = http_load(home)
    path = OUT / "results.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results["http"] = result
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(render(result))


if __name__ == "__main__":
    main()
