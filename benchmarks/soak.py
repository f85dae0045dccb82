"""A bounded mixed load on a served sandbox: prints the statuses seen, throughput and resident memory.

    .venv/bin/python benchmarks/soak.py [--per-thread N]      (default 300, 8 threads)

Creates copies (which run through their lifecycle meanwhile), lists with includes, filters, and bad
queries, over loopback only. Any 5xx is a bug; memory should stay flat as requests go on.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from bench import free_port, rss_mib

THREADS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-thread", type=int, default=300, help="requests each of the 8 threads sends [300]")
    per_thread = parser.parse_args().per_thread
    port = free_port()
    env = {**os.environ, "SANDBOX_SECRET": "soak-secret-long-enough-for-hs256-signing"}
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.cli", "serve", "--port", str(port),
                             "--start-after", "0.2", "--run-for", "0.3"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        proc.stdout.readline(), proc.stdout.readline()
        token = proc.stdout.readline().strip()
        base = f"http://127.0.0.1:{port}"
        time.sleep(1)

        def call(method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
            request = urllib.request.Request(base + path, method=method,
                                             data=json.dumps(body).encode() if body else None,
                                             headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/vnd.api+json"})
            try:
                with urllib.request.urlopen(request) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.read()

        source = json.loads(call("GET", "/api/orders?page[size]=1")[1])["data"][0]["id"]
        copy = {"data": {"type": "order_copies",
                         "relationships": {"source_order": {"data": {"type": "orders", "id": source}}}}}
        statuses: Counter = Counter()

        def worker(seed: int) -> None:
            rng = random.Random(seed)
            for _ in range(per_thread):
                pick = rng.random()
                if pick < 0.3:
                    status, _ = call("POST", "/api/order_copies", copy)
                elif pick < 0.5:
                    status, _ = call("GET", "/api/order_copies?sort=-created_at&include=target_order,events&page[size]=25")
                elif pick < 0.6:
                    status, _ = call("GET", "/api/order_factories?filter[q][status_in]=failed,completed")
                elif pick < 0.7:
                    status, _ = call("GET", "/api/order_factories?filter[q][nope]=1&sort=bad")
                else:
                    status, _ = call("GET", f"/api/orders/{source}/order_copies?page[number]={rng.randint(1, 5)}")
                statuses[status] += 1

        before = rss_mib(proc.pid)
        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        total = sum(statuses.values())
        print(f"requests: {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s) from {THREADS} threads")
        print(f"statuses: {dict(sorted(statuses.items()))}")
        print(f"server RSS (largest process): {before:.0f} MiB before, {rss_mib(proc.pid):.0f} MiB after")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
