"""Start a sandbox per data set size and print start time, query latency and resident memory.

    .venv/bin/python benchmarks/query_latency.py [COUNT ...]      (default: 10000 100000)

Each run serves a real server process (waitress), seeds COUNT order factories, then times REQUESTS
sequential requests of a filtered, sorted, included page over loopback.
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

REQUESTS = 200
QUERY = ("/api/order_factories?filter[q][status_in]=failed,completed&filter[q][created_at_gt]=2025-11-01"
         "&sort=-created_at&include=source_order,events&page[size]=25&page[number]=3")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run(count: int) -> dict:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.cli", "serve", "--port", str(port), "--count", str(count)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "SANDBOX_SECRET": "benchmark-secret-long-enough-for-hs256"})
    try:
        proc.stdout.readline(), proc.stdout.readline()
        token = proc.stdout.readline().strip()
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.02)
        ready = time.perf_counter() - started
        request = urllib.request.Request(base + QUERY, headers={"Authorization": f"Bearer {token}"})
        latencies = []
        for _ in range(REQUESTS):
            t0 = time.perf_counter()
            with urllib.request.urlopen(request) as response:
                response.read()
            latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        return {"count": count, "ready_s": ready, "median_ms": statistics.median(latencies),
                "p99_ms": latencies[int(len(latencies) * 0.99) - 1], "rss_mib": rss_mib(proc.pid)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    counts = [int(c) for c in sys.argv[1:]] or [10_000, 100_000]
    print(f"query: {QUERY}")
    print(f"{'records':>8} {'ready (s)':>10} {'median (ms)':>12} {'p99 (ms)':>9} {'RSS (MiB)':>10}")
    for count in counts:
        r = run(count)
        print(f"{r['count']:>8} {r['ready_s']:>10.1f} {r['median_ms']:>12.1f} {r['p99_ms']:>9.1f} {r['rss_mib']:>10.0f}")


if __name__ == "__main__":
    main()
