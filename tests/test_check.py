"""`sandbox check`: it passes the sandbox, fails servers that break the contract in each way a stand-in
drifts, sends no write when read-only, and says in one line why a server cannot be checked."""
from __future__ import annotations

import multiprocessing
import subprocess
import xml.etree.ElementTree as ElementTree

import orjson
import pytest

from sandbox import create_app
from sandbox.security.auth import issue_token
from sandbox.server import serve
from sandbox.settings import Settings

from .support import SECRET, free_port, sandbox_command, wait_until_answers

TOKEN = issue_token(SECRET)


def check(url: str, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess:
    return subprocess.run(sandbox_command("check", "--url", url, "--token", token, "--seed", "1", *args),
                          capture_output=True, text=True, timeout=600)


class Wrapped:
    """A sandbox served as `sandbox serve` serves it (gunicorn, in a process of its own), whose JSON:API
    answers to GET /api/... pass through `change` (status, content type, parsed document) -> the same
    three: a stand-in that drifted. Without `control`, /_sandbox answers 404, as the real API does."""

    def __init__(self, change, *, control: bool = True):
        settings = Settings(secret=SECRET, seed=3, count=10, port=free_port(), workers=1)
        app = create_app(settings)
        sandbox = app.wsgi_app

        def middleware(environ, start_response):
            if not control and environ["PATH_INFO"].startswith("/_sandbox"):
                start_response("404 Not Found", [("Content-Type", "application/vnd.api+json")])
                return [b'{"errors": [{"status": "404", "code": "NOT_FOUND", "title": "Not found"}]}']
            captured = {}

            def capture(status, headers, exc_info=None):
                captured.update(status=status, headers=headers)
                return lambda data: None

            body = b"".join(sandbox(environ, capture))
            status, headers = captured["status"], dict(captured["headers"])
            if (environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"].startswith("/api/")
                    and headers.get("Content-Type", "").startswith("application/vnd.api+json") and body):
                code, headers["Content-Type"], document = change(int(status[:3]), headers["Content-Type"],
                                                                 orjson.loads(body))
                status, body = f"{code} {status[4:]}", orjson.dumps(document)
            headers["Content-Length"] = str(len(body))
            start_response(status, list(headers.items()))
            return [body]

        app.wsgi_app = middleware
        self.process = multiprocessing.get_context("fork").Process(target=serve, args=(app, settings, lambda: None))
        self.process.start()
        self.url = f"http://127.0.0.1:{settings.port}"
        wait_until_answers(f"{self.url}/healthz")

    def close(self) -> None:
        self.process.terminate()
        self.process.join(timeout=15)


def _resources(document: dict):
    data = document.get("data")
    return [r for r in (data if isinstance(data, list) else [data]) if isinstance(r, dict) and "attributes" in r]


def drop_created_at(status, media, document):
    for resource in _resources(document):
        resource["attributes"].pop("created_at", None)
    return status, media, document


def created_at_as_a_number(status, media, document):
    for resource in _resources(document):
        if "created_at" in resource["attributes"]:
            resource["attributes"]["created_at"] = 1767225600
    return status, media, document


def plain_json(status, media, document):
    return status, "application/json", document


def undeclared_status(status, media, document):
    return (203 if status == 200 else status), media, document


@pytest.mark.parametrize("change, failure", [
    (drop_created_at, "lacks created_at"),
    (created_at_as_a_number, "Response violates schema"),
    (plain_json, "Undocumented Content-Type"),
    (undeclared_status, "Undocumented status code"),
])
def test_each_kind_of_drift_fails_the_check(change, failure, tmp_path):
    wrapped = Wrapped(change)
    try:
        # one case per operation is enough to meet a break that every answer carries
        done = check(wrapped.url, "--phases", "fuzzing", "--max-examples", "1", "--junit", str(tmp_path / "j.xml"))
    finally:
        wrapped.close()
    assert done.returncode == 1, done.stdout + done.stderr
    assert failure in done.stdout
    assert "Reproduce with:" in done.stdout and "curl -X GET" in done.stdout
    report = ElementTree.parse(tmp_path / "j.xml").getroot()
    assert int(report.get("failures")) > 0


@pytest.mark.slow
def test_the_sandbox_passes_and_gets_a_junit_report(serve, tmp_path):
    """Fuzzing (valid and invalid cases) and the stateful links, over HTTP. The coverage phase over HTTP is
    the read-only test's; for writes it runs in process in tests/contract, with the same allowances."""
    served = serve("--count", "10")
    done = check(served.base, "--phases", "examples,fuzzing,stateful", "--max-examples", "2",
                 "--junit", str(tmp_path / "report.xml"), token=served.token)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr
    for phase in ("Fuzzing", "Stateful"):
        assert f"✅ {phase}" in done.stdout, phase
    report = ElementTree.parse(tmp_path / "report.xml").getroot()
    cases = report.iter("testcase")
    assert report.get("failures") == "0" and len({case.get("name") for case in cases}) > 70
    # faults the check configured were cleared after each such call, or later answers would have failed
    assert served.request("GET", "/_sandbox/faults") == (200, {})


@pytest.mark.slow
def test_read_only_sends_only_safe_methods(serve):
    served = serve("--count", "10")
    done = check(served.base, "--read-only", "--phases", "coverage", "--max-examples", "1",
                 token=served.token)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr
    status, journal = served.request("GET", "/_sandbox/requests?limit=500")
    methods = {entry["method"] for entry in journal["requests"]}
    assert methods and methods <= {"GET", "HEAD"}, methods


def test_a_server_without_the_control_api_gets_its_api_operations_only(tmp_path):
    real = Wrapped(lambda status, media, document: (status, media, document), control=False)
    try:
        done = check(real.url, "--read-only", "--phases", "fuzzing", "--max-examples", "1",
                     "--junit", str(tmp_path / "j.xml"))
    finally:
        real.close()
    assert done.returncode == 0, done.stdout[-3000:]
    assert "serves no control API (/_sandbox): checking the /api operations only" in done.stdout
    names = {case.get("name") for case in ElementTree.parse(tmp_path / "j.xml").getroot().iter("testcase")}
    assert names and all(name.startswith(("GET /api/", "HEAD /api/")) for name in names), names


def test_a_server_that_cannot_be_checked_gets_one_line_and_a_non_zero_exit(serve):
    closed = f"http://127.0.0.1:{free_port()}"
    done = check(closed)
    assert done.returncode == 2 and done.stderr.startswith(f"Error: cannot reach {closed}:"), done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    served = serve("--count", "1")
    refused = check(served.base, token=issue_token("another-secret-long-enough-for-hs256-x"))
    assert refused.returncode == 2 and "refused the token (401)" in refused.stderr, refused.stderr
    other = check(served.base + "/api")
    assert other.returncode == 2 and "does not serve this API" in other.stderr and "without /api" in other.stderr
    nowhere = check(served.base, "--junit", "/no/such/folder/report.xml")
    assert nowhere.returncode == 2 and "the folder /no/such/folder does not exist" in nowhere.stderr
