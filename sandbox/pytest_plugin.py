"""The `sandbox` pytest fixture: installed with the package (entry point `pytest11`), nothing to configure.

    def test_reorder(sandbox):
        sandbox.clock.freeze("2026-06-01T09:00:00Z")
        copy = sandbox.post("/api/order_copies", sandbox.copy_body("reorder:completes"))
        sandbox.clock.advance("5s")
        assert sandbox.get(copy.json["data"]["links"]["self"]).json["data"]["attributes"]["status"] == "completed"

One sandbox is served for the whole run (`sandbox serve --validate-responses` on a free port), or the
one at `--sandbox-url` (with its `--sandbox-secret`). Each test gets an organization of its own, so it
never sees another test's records, clock, faults or journal, and fails at teardown if the sandbox
answered it in breach of openapi.yaml.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest

JSONAPI = "application/vnd.api+json"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("sandbox", "order factory sandbox (the `sandbox` fixture)")
    group.addoption("--sandbox-url", default=os.environ.get("SANDBOX_URL"),
                    help="Use the sandbox already served here (e.g. the Docker image in CI) instead of starting "
                         "one [env SANDBOX_URL]")
    group.addoption("--sandbox-secret", default=os.environ.get("SANDBOX_SECRET"),
                    help="The secret that sandbox signs tokens with [env SANDBOX_SECRET; the published default]")
    parser.addini("sandbox_args", type="args", default=[],
                  help="More `sandbox serve` arguments for the sandbox the plugin starts, e.g. --count 10")


@dataclass
class Reply:
    status: int
    headers: dict
    json: dict | list | None


class Served:
    """A sandbox at `url` whose tokens are signed with `secret`."""

    def __init__(self, url: str, secret: str, process: subprocess.Popen | None = None, log=None):
        self.url, self.secret, self.process, self.log = url.rstrip("/"), secret, process, log

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.log.close()


class Clock:
    """The organization's own clock (`/_sandbox/clock`); instants are ISO-8601 strings."""

    def __init__(self, sandbox: "Sandbox"):
        self._sandbox = sandbox

    def now(self) -> str:
        return self._sandbox._control("GET", "clock")["now"]

    def freeze(self, at: str | None = None) -> str:
        return self._sandbox._control("POST", "clock/freeze", {"at": at} if at else None)["now"]

    def advance(self, by: str | float) -> str:
        """By seconds, or a duration such as `90s`, `5m`, `1h30m`, `250ms`."""
        return self._sandbox._control("POST", "clock/advance", {"by": by})["now"]

    def resume(self) -> str:
        return self._sandbox._control("POST", "clock/resume")["now"]


class Sandbox:
    """One test's organization on a served sandbox: requests with its token, and its control API."""

    def __init__(self, served: Served, organization: str, mode: str = "test"):
        from sandbox.security.auth import issue_token

        self.url, self.organization, self.mode = served.url, organization, mode
        self.token = issue_token(served.secret, organization=organization, mode=mode)
        self.headers = {"Authorization": f"Bearer {self.token}", "Accept": JSONAPI}
        self.clock = Clock(self)

    def request(self, method: str, path: str, body: dict | None = None, params: dict | None = None,
                headers: dict | None = None) -> Reply:
        """`path` under the sandbox's URL (or a whole URL, such as a link it gave); `body` goes as JSON:API."""
        url = path if path.startswith(("http://", "https://")) else self.url + path
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        data = None if body is None else json.dumps(body).encode()
        sent = {**self.headers, **({"Content-Type": JSONAPI} if data is not None else {}), **(headers or {})}
        request = urllib.request.Request(url, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answered, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, answered, raw = error.code, dict(error.headers), error.read()
        return Reply(status, answered, json.loads(raw) if raw else None)

    def get(self, path: str, **params) -> Reply:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: dict | None = None) -> Reply:
        return self.request("POST", path, body)

    def patch(self, path: str, body: dict) -> Reply:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> Reply:
        return self.request("DELETE", path)

    def source_order(self, reference: str = "reorder:completes") -> str:
        """The id of a scenario's hand-picked source order (see the README's Outcomes)."""
        found = self.get("/api/orders", **{"filter[q][reference_eq]": reference,
                                           "filter[q][reference_origin_eq]": "sandbox"}).json["data"]
        if not found:
            raise LookupError(f"no source order {reference!r} in this organization's scenario")
        return found[0]["id"]

    def copy_body(self, source: str = "reorder:completes", kind: str = "order_copies", **attributes) -> dict:
        """A create body for a copy of the scenario source order whose reference is `source`."""
        order = {"data": {"type": "orders", "id": self.source_order(source)}}
        return {"data": {"type": kind, "attributes": attributes, "relationships": {"source_order": order}}}

    def reset(self) -> None:
        self._control("POST", "reset")

    def scenario(self, name: str) -> None:
        """Load a shipped scenario (default, all-statuses, reorder-failures) into this organization."""
        self._control("POST", "scenario", {"name": name})

    def faults(self, **config) -> dict:
        """Fault injection for this organization: routes, probability, status, latency_ms, seed."""
        return self._control("PUT", "faults", config)

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def requests(self, **filters) -> list[dict]:
        """The request journal, newest first: filter by method, path (a prefix), status, limit."""
        return self._control("GET", "requests?" + urllib.parse.urlencode(filters))["requests"]

    def clear_requests(self) -> None:
        self._control("DELETE", "requests")

    def violations(self) -> list[dict]:
        """Answers to this organization that broke openapi.yaml (when the sandbox validates them)."""
        return self._control("GET", "violations")["violations"]

    def _control(self, method: str, route: str, body: dict | None = None):
        reply = self.request(method, f"/_sandbox/{route}", body, headers={"Content-Type": "application/json"})
        if reply.status >= 400:
            raise AssertionError(f"{method} /_sandbox/{route} answered {reply.status}: {reply.json}")
        return reply.json


@pytest.fixture(scope="session")
def sandbox_server(request, tmp_path_factory) -> Served:
    """The sandbox every test's organization lives on, for the whole run."""
    from sandbox.security.auth import DEFAULT_SECRET

    url = request.config.getoption("sandbox_url")
    if url:
        yield Served(url, request.config.getoption("sandbox_secret") or DEFAULT_SECRET)
        return
    served = _start(tmp_path_factory.mktemp("sandbox"), request.config.getini("sandbox_args"))
    yield served
    served.stop()


def _start(folder, args: list[str]) -> Served:
    from sandbox.server import free_port, wait_until_answers

    port, secret = free_port(), secrets.token_urlsafe(32)
    log = open(folder / "serve.log", "w")
    # an organization per test: far more data sets than a served sandbox holds by default
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.cli", "serve", "--port", str(port), "--secret", secret,
         "--validate-responses", "--max-datasets", "1000000", *args],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "SANDBOX_DB": ""})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(f"{url}/healthz", seconds=120, process=process)
    except (RuntimeError, TimeoutError):
        process.kill()
        log.close()
        raise RuntimeError(f"the sandbox did not start: {(folder / 'serve.log').read_text()}") from None
    return Served(url, secret, process, log)


@pytest.fixture
def sandbox(sandbox_server) -> Sandbox:
    """An organization of its own on the run's sandbox, in test mode."""
    handle = Sandbox(sandbox_server, f"pytest-{secrets.token_hex(6)}")
    yield handle
    broken = handle.violations()
    if broken:
        pytest.fail("the sandbox answered in breach of openapi.yaml (a sandbox bug to report):\n" +
                    "\n".join(f"{v['method']} {v['path']} {v['status']}: {m}" for v in broken for m in v["messages"]),
                    pytrace=False)
