"""`make bench`: the sandbox against the least a Flask app can do, then start-up, memory and isolation.

    .venv/bin/python benchmarks/bench.py [--duration S] [--connections N] [--rounds N] [--large N]

1. Serves the sandbox (`--workers 2`, 10,000 records) and a minimal Flask app under `gunicorn -w 2`
   (benchmarks/minimal_app.py), and drives both with the same load in interleaved rounds: wrk where it
   is installed, else a Python load generator. Prints req/s, p50 and p99 per route, and each route's
   ratio to the minimal app measured in the same round (the median over rounds).
2. Counts the copies the create route acknowledged and the copies a list then shows.
3. Serves `--large` records (100,000) twice with a fresh snapshot folder: the first start generates
   the snapshot, the repeated one copies it. Prints time to ready and peak RSS per process.
4. Keeps a load on one data set for as long as another 100,000-record data set seeds, and prints that
   load's throughput and worst p99.
Everything runs on loopback and stops by itself.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from sandbox.server import free_port, wait_until_answers

ROOT = Path(__file__).resolve().parent.parent
SECRET = "benchmark-secret-long-enough-for-hs256-signing"
JSONAPI = "application/vnd.api+json"
FILTERED = "/api/order_factories?filter[q][status_in]=failed,completed&sort=-created_at&include=source_order,target_order"


def process_tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            queue += [int(child) for child in task.read_text().split()]
    return pids


def _largest(pid: int, field: str) -> float:
    values = []
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except FileNotFoundError:
            continue
        values += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith(field)]
    return max(values, default=float("nan"))


def peak_rss_mib(pid: int) -> float:
    """The highest peak resident set size among the process and its children."""
    return _largest(pid, "VmHWM:")


def rss_mib(pid: int) -> float:
    """The largest resident set size now among the process and its children."""
    return _largest(pid, "VmRSS:")


class Sandbox:
    def __init__(self, *args: str, snapshots: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SANDBOX_SECRET": SECRET, "SANDBOX_PORT": str(self.port)}
        if snapshots:
            env["SANDBOX_SNAPSHOTS"] = snapshots
        started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "sandbox.cli", "serve", *args], env=env, cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.proc.stdout.readline(), self.proc.stdout.readline()
        self.token = self.proc.stdout.readline().strip()
        wait_until_answers(f"{self.base}/healthz", seconds=300, process=self.proc)
        self.ready_s = time.perf_counter() - started

    def token_for(self, organization: str) -> str:
        return subprocess.run([sys.executable, "-m", "sandbox.cli", "token", "--organization", organization],
                              env={**os.environ, "SANDBOX_SECRET": SECRET}, cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()

    def get(self, path: str, token: str | None = None) -> dict:
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {token or self.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Minimal:
    def __init__(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        self.proc = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{self.port}", "minimal_app:app"],
                                     cwd=Path(__file__).parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_answers(f"{self.base}/items", seconds=300, process=self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


# --- load ------------------------------------------------------------------------------------------

def load(url: str, *, duration: float, connections: int, headers: dict | None = None, body: str | None = None) -> dict:
    """req/s, p50 and p99 (ms), and how many answers were 2xx, for `duration` seconds of `connections`."""
    if shutil.which("wrk"):
        return _wrk(url, duration, connections, headers or {}, body)
    return asyncio.run(_python_load(url, duration, connections, headers or {}, body))


def _wrk(url, duration, connections, headers, body) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in headers.items()))
        if body is not None:
            script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n')
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--latency", "-s", script.name, url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    total = int(re.search(r"(\d+) requests in", out).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50%"), "p99": ms("99%"),
            "ok": total - (int(failed.group(1)) if failed else 0)}


async def _python_load(url, duration, connections, headers, body) -> dict:
    """Keep-alive HTTP/1.1 over `connections` sockets, as wrk would; for machines without wrk."""
    host, port, path = re.match(r"http://([^:/]+):(\d+)(.*)", url).groups()
    method = "POST" if body is not None else "GET"
    payload = (body or "").encode()
    head = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + (f"Content-Length: {len(payload)}\r\n" if body is not None else "") + "\r\n").encode() + payload
    latencies, ok, end = [], [0], time.monotonic() + duration

    async def connection():
        reader = writer = None
        while time.monotonic() < end:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, int(port))
            started = time.perf_counter()
            writer.write(head)
            status = int((await reader.readline()).split()[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                close |= name.lower() == "connection" and value.strip().lower() == "close"
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            ok[0] += 200 <= status < 300
            if close:
                writer.close()
                writer = None
        if writer:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(connections)))
    latencies.sort()
    return {"rps": len(latencies) / (time.monotonic() - started), "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1], "ok": ok[0]}


# --- the four parts -----------------------------------------------------------------------------

def routes(args) -> None:
    sandbox = Sandbox("--workers", "2", "--count", str(args.records), "--start-after", "86400")
    validating = Sandbox("--workers", "2", "--count", str(args.records), "--start-after", "86400",
                         "--validate-responses")
    minimal = Minimal()
    try:
        auth = {"Authorization": f"Bearer {sandbox.token}", "Accept": JSONAPI}
        some_id = sandbox.get("/api/order_factories")["data"][0]["id"]
        source = sandbox.get("/api/orders?page[size]=1")["data"][0]["id"]
        create = json.dumps({"data": {"type": "order_copies", "attributes": {"reference": "bench"},
                                      "relationships": {"source_order": {"data": {"type": "orders", "id": source}}}}})
        cases = {
            "list: status_in + sort + include": (sandbox.base + FILTERED, None),
            "plain list": (sandbox.base + "/api/order_factories", None),
            "retrieve by id": (f"{sandbox.base}/api/order_factories/{some_id}", None),
            "create order copy": (sandbox.base + "/api/order_copies", create),
            "the same list, --validate-responses": (validating.base + FILTERED, None),
        }
        results = {name: [] for name in cases}
        yardstick = []
        acknowledged = 0
        for _ in range(args.rounds):
            base = load(minimal.base + "/items", duration=args.duration, connections=args.connections)
            yardstick.append(base)
            for name, (url, body) in cases.items():
                headers = {**auth, "Content-Type": JSONAPI} if body else auth
                result = load(url, duration=args.duration, connections=args.connections, headers=headers, body=body)
                result["ratio"] = result["rps"] / base["rps"]
                results[name].append(result)
                if body:
                    acknowledged += result["ok"]
        listed = sandbox.get("/api/order_copies?filter[q][reference_eq]=bench")["meta"]["record_count"]
    finally:
        sandbox.stop()
        validating.stop()
        minimal.stop()

    print(f"load: {'wrk' if shutil.which('wrk') else 'Python load generator'}, {args.connections} connections, "
          f"{args.rounds} rounds of {args.duration:g} s; sandbox --workers 2 with {args.records:,} records")
    print(f"{'route':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}")
    row = lambda name, runs: print(f"{name:36} {statistics.median(r['rps'] for r in runs):>8.0f} "
                                   f"{statistics.median(r['p50'] for r in runs):>8.1f} "
                                   f"{statistics.median(r['p99'] for r in runs):>8.1f} "
                                   f"{statistics.median(r.get('ratio', 1) for r in runs):>6.2f}x")
    row("minimal Flask, gunicorn -w 2", yardstick)
    for name, runs in results.items():
        row(name, runs)
    print(f"create: {acknowledged} copies acknowledged (2xx), {listed} listed afterwards")


def start_up(args) -> None:
    folder = tempfile.mkdtemp(prefix="sandbox-bench-snapshots-")
    try:
        print(f"\n{args.large:,} records, --workers 2, fresh snapshot folder:")
        for label in ("first start (generates the snapshot)", "repeated start (copies it)"):
            sandbox = Sandbox("--workers", "2", "--count", str(args.large), snapshots=folder)
            try:
                total = sandbox.get("/api/order_factories")["meta"]["record_count"]
                print(f"  {label:40} ready in {sandbox.ready_s:5.1f} s, {total:,} records, "
                      f"peak RSS per process {peak_rss_mib(sandbox.proc.pid):.0f} MiB")
            finally:
                sandbox.stop()
        isolation(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def isolation(args, folder: str) -> None:
    sandbox = Sandbox("--workers", "2", "--count", str(args.large), snapshots=folder)
    try:
        other = sandbox.token_for("another-organization")
        seeded = {}

        def seed_another():
            started = time.perf_counter()
            seeded["records"] = sandbox.get("/api/order_factories", token=other)["meta"]["record_count"]
            seeded["seconds"] = time.perf_counter() - started

        seeding = threading.Thread(target=seed_another)
        seeding.start()
        runs = []
        while seeding.is_alive():  # the load lasts as long as the seed does
            runs.append(load(sandbox.base + "/api/order_factories", duration=5, connections=args.connections,
                             headers={"Authorization": f"Bearer {sandbox.token}", "Accept": JSONAPI}))
        seeding.join()
        print(f"  while another data set of {seeded['records']:,} records seeded ({seeded['seconds']:.1f} s), "
              f"the plain list of the first: {statistics.mean(r['rps'] for r in runs):.0f} req/s, "
              f"worst p99 of {len(runs)} runs of 5 s {max(r['p99'] for r in runs):.1f} ms")
    finally:
        sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5, help="seconds of load per route and round [5]")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections [64]")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds [3]")
    parser.add_argument("--records", type=int, default=10_000, help="records for the route figures [10000]")
    parser.add_argument("--large", type=int, default=100_000, help="records for start-up and isolation [100000]")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    routes(args)
    start_up(args)


if __name__ == "__main__":
    main()
