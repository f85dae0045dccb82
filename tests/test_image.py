"""The Docker image: its command and environment as a container runs them, and, where a Docker engine is
reachable, the image itself (built, healthy, non-root, stopped cleanly by docker stop)."""
import json
import os
import re
import shlex
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from sandbox.settings import ROOT

from .support import free_port, wait_until_answers

DOCKERFILE = (ROOT / "Dockerfile").read_text()
# the engine and the stand-in base image that ../shared/tools/docker-local.sh provides on machines
# without a registry; elsewhere DOCKER_HOST or the default socket
DOCKER_LOCAL = ROOT.parent / "shared" / "tools" / "docker-local.sh"
LOCAL_SOCKET = Path(os.environ.get("DOCKER_LOCAL", "/var/tmp/docker-local")) / "docker.sock"


def _instructions(name: str) -> list[str]:
    """The arguments of every `name` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def _environment() -> dict[str, str]:
    env = {}
    for args in _instructions("ENV"):
        env.update(dict(pair.split("=", 1) for pair in shlex.split(args)))
    return env


def test_the_images_command_and_environment_serve_and_pass_its_healthcheck(tmp_path):
    entrypoint = json.loads(_instructions("ENTRYPOINT")[0])
    healthcheck = json.loads(_instructions("HEALTHCHECK")[0].split("CMD", 1)[1])
    environment = _environment()
    assert environment["SANDBOX_HOST"] == "0.0.0.0" and _instructions("USER") == ["sandbox"]
    assert "--start-period" in _instructions("HEALTHCHECK")[0]
    port = str(free_port())
    env = {**os.environ, **environment, "SANDBOX_PORT": port, "SANDBOX_COUNT": "5", "HOME": str(tmp_path)}
    env.pop("SANDBOX_SECRET", None)
    binary = Path(os.environ.get("VIRTUAL_ENV", Path(os.sys.executable).parent.parent)) / "bin"
    process = subprocess.Popen([str(binary / entrypoint[0]), *entrypoint[1:]], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/healthz")
        check = subprocess.run([str(binary / healthcheck[0]), *healthcheck[1:]], env=env, timeout=10)
        assert check.returncode == 0
        banner = [process.stdout.readline() for _ in range(5)]
        assert "made for this run" in banner[4]  # beyond loopback: not the published secret
        process.terminate()
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()


def _docker_env() -> dict | None:
    if shutil.which("docker") is None:
        return None
    env = dict(os.environ)
    if "DOCKER_HOST" not in env and LOCAL_SOCKET.exists():
        env["DOCKER_HOST"] = f"unix://{LOCAL_SOCKET}"
    try:
        info = subprocess.run(["docker", "info"], env=env, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return env if info.returncode == 0 else None


DOCKER = _docker_env()


@pytest.mark.slow
@pytest.mark.skipif(DOCKER is None, reason="no Docker engine is reachable here (start one with "
                                           "../shared/tools/docker-local.sh up, or set DOCKER_HOST)")
def test_the_image_builds_runs_healthy_as_a_user_and_stops_cleanly():
    tag = "order-factory-sandbox:test"
    build = ["bash", str(DOCKER_LOCAL), "build", tag, str(ROOT)] if DOCKER_LOCAL.exists() else \
        ["docker", "build", "-t", tag, str(ROOT)]
    built = subprocess.run(build, env=DOCKER, capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    port = free_port()
    name = f"sandbox-test-{port}"
    # containers share the host network here: the port is the container's own
    subprocess.run(["docker", "run", "-d", "--name", name, "--network", "host", "-e", f"SANDBOX_PORT={port}",
                    "-e", "SANDBOX_COUNT=5", tag], env=DOCKER, check=True, capture_output=True)
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/healthz", seconds=120)
        inspect = lambda fmt: subprocess.run(["docker", "inspect", "--format", fmt, name], env=DOCKER,  # noqa: E731
                                             capture_output=True, text=True, check=True).stdout.strip()
        deadline = time.monotonic() + 60
        while inspect("{{.State.Health.Status}}") != "healthy":
            assert time.monotonic() < deadline, inspect("{{json .State.Health}}")
            time.sleep(1)
        assert subprocess.run(["docker", "exec", name, "id", "-u"], env=DOCKER, capture_output=True, text=True,
                              check=True).stdout.strip() != "0"
        logs = subprocess.run(["docker", "logs", name], env=DOCKER, capture_output=True, text=True).stdout
        token = logs.splitlines()[2]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/order_factories",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        started = time.monotonic()
        subprocess.run(["docker", "stop", "-t", "20", name], env=DOCKER, check=True, capture_output=True)
        assert time.monotonic() - started < 10  # SIGTERM handled, not the kill after the timeout
        assert inspect("{{.State.ExitCode}}") == "0"
    finally:
        subprocess.run(["docker", "rm", "-f", name], env=DOCKER, capture_output=True)
