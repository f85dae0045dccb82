"""Helpers the tests share: a served sandbox, copy bodies, seeded stores. Imported, never copied."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson

from sandbox.domain import snapshot
from sandbox.server import free_port, wait_until_answers  # noqa: F401 - shared with the tests
from sandbox.store import Store

SECRET = "test-secret-long-enough-for-hs256-signing"
JSONAPI = "application/vnd.api+json"


def sandbox_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sandbox.cli", *args]


class Served:
    """A `sandbox serve` process, started and read as a user would."""

    def __init__(self, *args: str, env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "SANDBOX_SECRET": SECRET, "SANDBOX_PORT": str(self.port), **(env or {})}
        self.process = subprocess.Popen(sandbox_command("serve", *args), env=environment, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.banner = self.process.stdout.readline()
        assert f":{self.port}/api" in self.banner, self.banner + self.process.stdout.read()
        self.process.stdout.readline()
        self.token = self.process.stdout.readline().strip()
        wait_until_answers(f"{self.base}/healthz", process=self.process)

    def request(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        """(status, parsed body) of one request with the served token."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {token or self.token}", "Accept": JSONAPI}
        if data is not None:
            headers["Content-Type"] = JSONAPI
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(timeout=15)
        finally:
            self.process.stdout.close()


def break_view(app, rule: str, change) -> None:
    """Wrap the view of `rule` so that `change(document, response)` alters each of its answers in place:
    a sandbox bug, on purpose, for the tests of what notices one."""
    endpoint = next(found.endpoint for found in app.url_map.iter_rules() if found.rule == rule)
    view = app.view_functions[endpoint]

    def broken(*args, **kwargs):
        response = app.make_response(view(*args, **kwargs))
        document = orjson.loads(response.get_data())
        change(document, response)
        response.set_data(orjson.dumps(document))
        return response

    app.view_functions[endpoint] = broken


def copy_body(source_order: str, kind: str = "order_copies", subscription: str | None = None, **attributes) -> dict:
    """A create body for a copy job of `source_order`."""
    relationships = {"source_order": {"data": {"type": "orders", "id": source_order}}}
    if subscription:
        relationships["order_subscription"] = {"data": {"type": "order_subscriptions", "id": subscription}}
    return {"data": {"type": kind, "attributes": attributes, "relationships": relationships}}


def scenario_order(store: Store, dataset: str, reference: str = "reorder:out_of_stock") -> str:
    """The id of a hand-picked source order of fixtures/outcomes.yaml (out of stock: its copies fail)."""
    row = store.connection().execute("SELECT id FROM orders WHERE dataset = ? AND reference = ? AND "
                                     "reference_origin = 'sandbox'", (store.dataset(dataset).scope, reference))
    return row.fetchone()[0]


def seeded_store(folder: Path, *datasets: str, seed: int = 1, count: int = 5, **options) -> Store:
    """A store holding these data sets, seeded as a served sandbox would seed them."""
    store = Store(**options)
    for key in datasets:
        snapshot.ensure(store, key, snapshot.Recipe(seed, count), folder=snapshot.directory(str(folder)))
    return store


class Receiver:
    """A local HTTP server that takes webhook calls: it records each one and answers as scripted
    (a list of (status, delay in seconds); then 200)."""

    def __init__(self, script: list[tuple[int, float]] | None = None):
        import http.server
        import threading

        self.calls: list[dict] = []
        self.script = list(script or [])
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.calls.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                status, delay = receiver.script.pop(0) if receiver.script else (200, 0)
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.end_headers()
                except OSError:  # the caller gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
