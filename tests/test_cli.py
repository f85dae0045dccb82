"""The commands as a user runs them: a real server process, a real token."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

SECRET = "cli-secret-long-enough-for-hs256-signing"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sandbox(*args, env=None):
    return [sys.executable, "-m", "sandbox.cli", *args]


@pytest.fixture
def serve():
    procs = []

    def start(*args):
        port = _free_port()
        env = {**os.environ, "SANDBOX_SECRET": SECRET, "SANDBOX_PORT": str(port)}
        proc = subprocess.Popen(_sandbox("serve", *args), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        procs.append(proc)
        banner = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/api" in banner, banner
        proc.stdout.readline()
        token = proc.stdout.readline().strip()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.05)
        return base, token

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def _get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": "application/vnd.api+json"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == "application/vnd.api+json"
        return response.read()


def test_serve_prints_a_token_it_accepts_and_token_command_agrees(serve):
    base, printed = serve("--seed", "5", "--count", "20")
    body = json.loads(_get(f"{base}/api/order_factories", printed))
    assert body["meta"]["record_count"] == 20
    made = subprocess.run(_sandbox("token"), env={**os.environ, "SANDBOX_SECRET": SECRET},
                          capture_output=True, text=True, check=True).stdout.strip()
    assert json.loads(_get(f"{base}/api/order_factories", made)) == body


def test_two_processes_with_one_seed_serve_identical_bytes(serve):
    (a, token_a), (b, token_b) = serve("--seed", "9"), serve("--seed", "9")
    for path in ("/api/order_factories?page[number]=2", "/api/order_factories?page[size]=25&page[number]=2"):
        assert _get(a + path, token_a).replace(a.encode(), b"") == _get(b + path, token_b).replace(b.encode(), b"")


def test_bad_environment_is_a_clear_error():
    result = subprocess.run(_sandbox("serve"), env={**os.environ, "SANDBOX_PORT": "eighty"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "eighty" in result.stderr
