"""The package as `pip install` makes it: a wheel in a fresh environment serves the API and the spec."""
import os
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

from sandbox.settings import DATA, ROOT

from .support import SECRET, free_port, wait_until_answers


def test_a_wheel_in_a_fresh_environment_serves_the_api_and_the_spec(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                            str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("order_factory_sandbox-*.whl")
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    # the dependencies come from this environment's site-packages (a plain path: its .pth files, and so
    # the editable install of the checkout, stay out); the sandbox comes from the wheel alone
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                                "--no-index", str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    where = subprocess.run([str(python), "-c", "import sandbox; print(sandbox.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site))

    port = free_port()
    served = subprocess.Popen([str(fresh / "bin" / "sandbox"), "serve", "--count", "5", "--workers", "1"],
                              cwd=tmp_path, env={**os.environ, "SANDBOX_PORT": str(port), "SANDBOX_SECRET": SECRET},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answers(f"{base}/healthz", seconds=30)
        except OSError:
            served.kill()
            raise AssertionError(served.stdout.read()) from None
        with urllib.request.urlopen(f"{base}/openapi.yaml") as response:
            assert response.read().decode() == (DATA / "openapi.yaml").read_text()
        token = subprocess.run([str(fresh / "bin" / "sandbox"), "token"], cwd=tmp_path, capture_output=True,
                               text=True, env={**os.environ, "SANDBOX_SECRET": SECRET}, check=True).stdout.strip()
        request = urllib.request.Request(f"{base}/api/orders?filter[q][reference_start]=reorder:",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 200 and b"reorder:completes" in response.read()  # the shipped fixtures
    finally:
        served.terminate()
        served.wait(timeout=15)
