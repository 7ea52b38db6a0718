"""Soak: `sanctum serve` on loopback at a steady 300 /match requests a second for 10 minutes,
with a list update (`sanctum load` of the newer UN version, from another process) in the
middle. Pass: zero errors, p99 at most 20 ms outside the swap, memory flat after warm-up.

Latency is measured from each request's scheduled send time (open loop, so a stall counts
for every request it held up). Prints the figures and the memory curve, writes
bench/out/soak.json, and exits 1 when a criterion fails. Run by `make reliability`.

    python bench/soak.py [--seconds 600] [--rate 300] [--home DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import BENCHMARKS, DATA, OUT, machine, percentile, start_server, tree_pids

NEWER = DATA / "un_sc" / "2026-02-27"
"""The version loaded in the middle; every other version in shared/data is loaded first."""
SWAP_MARGIN = 2.0
"""Seconds after the first answer from the new index still counted as the swap."""
P99_LIMIT_MS = 20.0
MEMORY_GROWTH_LIMIT = 0.10
"""Largest accepted growth of the server's memory from the first sample after warm-up (and
after the swap) to the last."""


@dataclass
class Sample:
    """One request: when it was due (s from start), how long it took from then, its outcome."""

    due: float
    took: float
    status: int
    un_version: str = ""


@dataclass
class Run:
    """What the soak saw."""

    samples: list[Sample] = field(default_factory=list)
    memory: list[tuple[float, float]] = field(default_factory=list)
    update: tuple[float, float] = (0.0, 0.0)
    errors: list[str] = field(default_factory=list)


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANCTUM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "sanctum.cli", *args], env=env, capture_output=True, text=True
    )


def prepare(home: Path) -> str:
    """Load every version but the newer UN one (once per home); returns a screen key."""
    if not (home / "sanctum.sqlite").exists():
        folders = [
            version
            for source in sorted(DATA.iterdir())
            if source.is_dir()
            for version in sorted(source.iterdir())
            if version.is_dir() and version != NEWER
        ]
        done = _cli(home, "load", "--force", *map(str, folders))  # real history: UN lost 13%
        if done.returncode != 0:  # a refused version (the table says which) leaves the rest
            print(f"load: some versions refused (exit {done.returncode})", file=sys.stderr)
        if not (home / "sanctum.sqlite").exists():
            raise SystemExit(f"loading failed: {done.stderr[-2000:]}")
    done = _cli(home, "keys", "create", "--scope", "screen", "--name", "soak")
    if done.returncode != 0:
        raise SystemExit(f"key creation failed: {done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def queries() -> list[dict[str, Any]]:
    """/match bodies: names as listed and as varied (hits and near-misses), one per body."""
    with (BENCHMARKS / "dprk_name_variants.csv").open(encoding="utf-8") as fh:
        names = sorted({row["variant"] for row in csv.DictReader(fh)})[:400]
    names += ["John Smith", "Maria Garcia", "Acme Trading LLC", "Ivan Petrov", "Li Wei"]
    return [
        {"queries": {"q": {"schema": "Person", "properties": {"name": [name]}}}} for name in names
    ]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (workers, an index build), in
    MB."""
    total = 0.0
    for member in tree_pids(pid):
        try:
            lines = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:  # ended meanwhile
            continue
        total += sum(int(ln.split()[1]) / 1024 for ln in lines if ln.startswith("VmRSS:"))
    return total


WORKERS = 1
"""Server worker processes (`sanctum serve --workers`). One: on this 2-core machine a
second worker doubled the CPU each request took (~2.5 → ~5 ms in a 120 s soak: each
worker ~75% busy for half the load) and added no capacity, only its index's memory."""

CONNECTIONS = 32
"""Keep-alive connections the load is spread over (more than the server's workers, so a slow
answer never holds up the schedule by itself)."""


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response: its status and body (Content-Length or chunked)."""
    status = int((await reader.readuntil(b"\r\n")).split()[1])
    headers = {}
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
        body += await reader.readexactly(size)
        await reader.readexactly(2)
    await reader.readexactly(2)
    return status, body


def _request(host: str, key: str, body: bytes) -> bytes:
    """A keep-alive POST /match/default with `body`."""
    head = (
        f"POST /match/default HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(
    url: str, key: str, queue: asyncio.Queue[tuple[int, float] | None], t0: float, run: Run
) -> None:
    """One keep-alive connection answering due requests in turn; latency counts from each
    request's due time, so waiting for a free connection is counted too. (A raw client:
    httpx's pool spends O(pending) per request and could not keep 300/s on two cores.)"""
    host, port = url.removeprefix("http://").split(":")
    bodies = [json.dumps(b).encode() for b in queries()]
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while (item := await queue.get()) is not None:
        n, due = item
        try:
            if conn is None:
                conn = await asyncio.open_connection(host, int(port))
            conn[1].write(_request(host, key, bodies[n % len(bodies)]))
            status, payload = await asyncio.wait_for(_response(conn[0]), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            run.samples.append(Sample(due, time.monotonic() - t0 - due, 0))
            run.errors.append(f"{due:.1f}s: {type(exc).__name__}: {exc}")
            conn = None
            continue
        took = time.monotonic() - t0 - due
        version = (
            json.loads(payload).get("list_versions", {}).get("un_sc", "") if status == 200 else ""
        )
        run.samples.append(Sample(due, took, status, version))
        if status != 200:
            run.errors.append(f"{due:.1f}s: {status} {payload[:200]!r}")
    if conn is not None:
        conn[1].close()


async def _memory(pid: int, t0: float, seconds: float, run: Run) -> None:
    while time.monotonic() - t0 < seconds:
        run.memory.append((time.monotonic() - t0, rss_mb(pid)))
        await asyncio.sleep(5)


async def _update(home: Path, at: float, t0: float, run: Run) -> None:
    await asyncio.sleep(at)
    start = time.monotonic() - t0
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sanctum.cli", "load", str(NEWER),
        env={**os.environ, "SANCTUM_HOME": str(home)},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    if proc.returncode != 0:
        run.errors.append(f"update failed: {err.decode()[-500:]}")
    run.update = (start, time.monotonic() - t0)


async def warm(url: str, key: str) -> None:
    """Each body once, one at a time, before the clock starts: a server is put into service
    warm (its name caches filled, the store pages it reads cached), as a load balancer's
    readiness check would; the soak measures serving, not a cold start."""
    scratch = Run()
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    for n in range(len(queries())):
        queue.put_nowait((n, 0.0))
    queue.put_nowait(None)
    await _connection(url, key, queue, time.monotonic(), scratch)
    if scratch.errors:
        raise SystemExit(f"warm-up failed: {scratch.errors[:3]}")


async def soak(url: str, key: str, pid: int, home: Path, seconds: float, rate: float) -> Run:
    """Send `rate` requests a second for `seconds`, the update at half time."""
    await warm(url, key)
    run = Run()
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    t0 = time.monotonic()
    workers = [
        asyncio.create_task(_connection(url, key, queue, t0, run)) for _ in range(CONNECTIONS)
    ]
    side = [
        asyncio.create_task(_memory(pid, t0, seconds, run)),
        asyncio.create_task(_update(home, seconds / 2, t0, run)),
    ]
    for n in range(int(seconds * rate)):
        due = n / rate
        delay = t0 + due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((n, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers, *side)
    return run


def summary(run: Run, seconds: float, rate: float, warmup: float) -> dict[str, Any]:
    """The figures: counts, latency percentiles in and outside the swap, memory curve."""
    new = [s.due for s in run.samples if s.un_version == NEWER.name]
    swap = (run.update[0], (min(new) if new else seconds) + SWAP_MARGIN)
    ms = [s.took * 1000 for s in run.samples]
    outside = [s.took * 1000 for s in run.samples if not swap[0] <= s.due <= swap[1]]
    inside = [s.took * 1000 for s in run.samples if swap[0] <= s.due <= swap[1]]
    steady = [m for t, m in run.memory if t >= warmup and not swap[0] <= t <= swap[1] + 60]
    before = [m for t, m in run.memory if warmup <= t < swap[0]]
    after = [m for t, m in run.memory if t > swap[1] + 60]
    growth = max(
        (before[-1] - before[0]) / before[0] if len(before) > 1 else 0.0,
        (after[-1] - after[0]) / after[0] if len(after) > 1 else 0.0,
    )
    return {
        "machine": machine(),
        "seconds": seconds,
        "rate": rate,
        "requests": len(run.samples),
        "errors": len(run.errors),
        "first_errors": run.errors[:5],
        "p50_ms": round(percentile(ms, 50), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms, default=0.0), 2),
        "p99_outside_swap_ms": round(percentile(outside, 99), 2),
        "max_outside_swap_ms": round(max(outside, default=0.0), 2),
        "p99_during_swap_ms": round(percentile(inside, 99), 2),
        "max_during_swap_ms": round(max(inside, default=0.0), 2),
        "update_s": [round(run.update[0], 1), round(run.update[1], 1)],
        "swap_window_s": [round(swap[0], 1), round(swap[1], 1)],
        "new_version_served": bool(new),
        "latency_ms_by_10s": latency_curve(run),
        "memory_growth": round(growth, 4),
        "memory_mb": [[round(t), round(m, 1)] for t, m in run.memory[::6]],
        "memory_steady_mb": [round(min(steady, default=0), 1), round(max(steady, default=0), 1)],
    }


def latency_curve(run: Run, window: float = 10.0) -> list[list[float]]:
    """Per `window` seconds of due times: its start, and the p50, p99 and maximum latency of
    the requests due in it (ms): where in the run a stall happened."""
    by_window: dict[int, list[float]] = {}
    for s in run.samples:
        by_window.setdefault(int(s.due // window), []).append(s.took * 1000)
    return [
        [w * window, round(percentile(t, 50), 1), round(percentile(t, 99), 1), round(max(t), 1)]
        for w, t in sorted(by_window.items())
    ]


def verdict(figures: dict[str, Any]) -> list[str]:
    """What failed (empty: the soak passed)."""
    failed = []
    if figures["errors"]:
        failed.append(f"{figures['errors']} errors")
    if figures["p99_outside_swap_ms"] > P99_LIMIT_MS:
        failed.append(f"p99 outside the swap {figures['p99_outside_swap_ms']} ms > {P99_LIMIT_MS}")
    if figures["memory_growth"] > MEMORY_GROWTH_LIMIT:
        failed.append(f"memory grew {figures['memory_growth']:.1%} after warm-up")
    if not figures["new_version_served"]:
        failed.append("the updated list was never served")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before memory counts")
    parser.add_argument("--home", type=Path, default=None, help="a SANCTUM_HOME to reuse")
    parser.add_argument("--workers", type=int, default=WORKERS, help="server worker processes")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="sanctum-soak-"))
    home.mkdir(parents=True, exist_ok=True)
    key = prepare(home)
    os.environ["SANCTUM_RATE_LIMIT"] = (
        "0"  # 18,000 a minute from one key: the soak measures serving
    )
    server, url = start_server(home, workers=args.workers)
    try:
        run = asyncio.run(soak(url, key, server.pid, home, args.seconds, args.rate))
    finally:
        server.terminate()
        server.wait(timeout=60)
    figures = summary(run, args.seconds, args.rate, args.warmup)
    figures["workers"] = args.workers
    failed = verdict(figures)
    figures["passed"] = not failed
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "soak.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(json.dumps(figures, indent=1))
    print("soak: " + ("PASSED" if not failed else "FAILED: " + "; ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
