"""The official JavaScript SDK (@commercelayer/sdk), unchanged, against a running sandbox."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest


SDK = Path(__file__).parent / "sdk"

pytestmark = pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None,
                                reason="the SDK check needs Node.js and npm, which this machine lacks")


@pytest.fixture(scope="module")
def sdk():
    if not (SDK / "node_modules" / "@commercelayer" / "sdk").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SDK, check=True, capture_output=True, timeout=300)
    return SDK


def test_the_sdk_lists_retrieves_creates_and_reads_errors(sdk, serve):
    served = serve("--seed", "4", "--count", "40")
    result = subprocess.run(["node", "drive.mjs", served.base, served.token], cwd=sdk, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)

    listed = seen["list"]
    assert listed["currentPage"] == 2 and len(listed["ids"]) == 5
    assert set(listed["statuses"]) <= {"failed", "completed"}
    assert listed["created"] == sorted(listed["created"], reverse=True)
    assert all(listed["sourceOrders"])  # included and resolved by the SDK
    assert listed["pageCount"] == -(-listed["recordCount"] // 5)

    assert seen["retrieve"]["id"] == listed["ids"][0]
    assert seen["retrieve"]["sourceOrder"] == listed["sourceOrders"][0]

    created = seen["create"]
    assert (created["type"], created["status"], created["reference"]) == ("order_copies", "pending", "sdk-reorder")

    assert seen["error"] == {"status": 404, "code": "RECORD_NOT_FOUND"}
