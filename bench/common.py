"""Shared pieces of the benchmarks: paths, timing, memory, the loaded bench store."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SANCTUM_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
BENCHMARKS = SHARED / "benchmarks"
OUT = ROOT / "bench" / "out"


def machine() -> str:
    """One line naming the machine the figures were measured on."""
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem:.0f} GiB, {cpu}, Python {platform.python_version()}"


def run_child(code: str, env: dict[str, str]) -> dict[str, Any]:
    """Run Python code in a fresh process; returns its JSON answer plus wall time and peak RSS."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    answer.setdefault("wall_s", wall)
    return answer


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


SERVE = (sys.executable, "-m", "sanctum.cli", "serve")


def start_server(
    home: Path, timeout: float = 600.0, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    """`sanctum serve` over `home` on a free loopback port, in a process of its own, once it
    answers /healthz: the process and its base URL (terminate it when done)."""
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [*SERVE, "--port", str(port), "--workers", str(workers)],
        env={**os.environ, "SANCTUM_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("the server did not start")
        time.sleep(0.2)


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def read_proc(path: str) -> str:
    """A /proc file's text, or "" when the process has ended."""
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def status_kb(pids: list[int], key: str) -> float:
    """A /proc/PID/status (or smaps_rollup) kB field summed over processes, in MB."""
    total = 0
    for pid in pids:
        source = "smaps_rollup" if key == "Pss" else "status"
        for line in read_proc(f"/proc/{pid}/{source}").splitlines():
            if line.startswith(key + ":"):
                total += int(line.split()[1])
                break
    return total / 1024
