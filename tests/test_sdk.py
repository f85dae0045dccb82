"""The official JavaScript SDK (@commercelayer/sdk), unchanged, against a running sandbox: every method
of order_factories, order_copies and recurring_order_copies (tests/sdk/drive.mjs calls them)."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .support import Served

SDK = Path(__file__).parent / "sdk"

pytestmark = pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None,
                                reason="the SDK check needs Node.js and npm, which this machine lacks")


@pytest.fixture(scope="module")
def seen():
    if not (SDK / "node_modules" / "@commercelayer" / "sdk").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SDK, check=True, capture_output=True, timeout=300)
    served = Served("--seed", "4", "--count", "60", "--frozen-at", "2026-06-01T09:00:00Z")
    try:
        result = subprocess.run(["node", "drive.mjs", served.base, served.token], cwd=SDK, capture_output=True,
                                text=True, timeout=120)
    finally:
        served.stop()
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_list_with_filters_related_filters_sort_page_fields_and_include(seen):
    listed = seen["list"]
    assert listed["currentPage"] == 2 and len(listed["ids"]) == 5
    assert set(listed["statuses"]) <= {"failed", "completed"}
    assert listed["created"] == sorted(listed["created"], reverse=True)
    assert all(listed["sourceOrders"]) and all(n.startswith("2") for n in listed["sourceNumbers"])
    assert all(count >= 2 for count in listed["events"])  # included and resolved by the SDK
    assert listed["keys"] == ["created_at", "status"]  # sparse fieldsets
    assert listed["pageCount"] == -(-listed["recordCount"] // 5)


def test_retrieve_count_and_relationship_getters_of_order_factories(seen):
    # the SDK spreads attributes over the resource, so attributes.type (the kind of copy) wins, as it
    # would against the real API, whose order_factories carry attributes.type too
    assert seen["retrieve"]["type"] in ("order_copies", "recurring_order_copies")
    assert seen["retrieve"]["status"] == "completed"
    assert seen["retrieve"]["source"] and seen["retrieve"]["target"]
    assert seen["count"]["all"] == 60 and seen["count"]["failed"] == seen["count"]["failedList"] > 0
    getters = seen["factoryGetters"]
    assert (getters["source"], getters["target"]) == (seen["retrieve"]["source"], seen["retrieve"]["target"])
    assert getters["events"][0].endswith(".create") and getters["events"][-1].endswith(".complete")
    assert getters["eventStores"] == 0


def test_order_copies_create_update_retrieve_list_count_getters_delete(seen):
    created = seen["create"]
    assert (created["type"], created["status"], created["reference"]) == ("order_copies", "pending", "sdk-reorder")
    assert created["source"] == created["expected"]
    assert seen["update"] == {"reference": "sdk-updated", "metadata": {"cart": "c-2"}}  # relationships: {} accepted
    assert seen["copyRetrieve"] == "sdk-updated"
    assert seen["copyList"] == [created["id"]] and seen["copyCount"] == 1
    getters = seen["copyGetters"]
    assert getters["source"] == created["expected"] and getters["events"] == ["order_copies.create"]
    assert getters["eventStores"] == 0
    assert getters["target"] is None and getters["subscription"] is None  # empty to-one: data null, no error
    assert seen["deleted"] == {"status": 404, "code": "RECORD_NOT_FOUND", "pointer": None}


def test_errors_reach_the_sdk_as_api_errors(seen):
    errors = seen["errors"]
    assert errors["missing"] == {"status": 404, "code": "RECORD_NOT_FOUND", "pointer": None}
    assert errors["readOnly"] == {"status": 400, "code": "PARAM_NOT_ALLOWED", "pointer": "/data/attributes/status"}
    assert errors["blank"]["status"] == 422 and errors["blank"]["code"] == "VALIDATION_ERROR"
    assert errors["unknownSource"] == {"status": 404, "code": "RECORD_NOT_FOUND",
                                       "pointer": "/data/relationships/source_order"}


def test_recurring_order_copies_every_method(seen):
    recurring = seen["recurring"]
    assert (recurring["type"], recurring["status"]) == ("recurring_order_copies", "pending")
    assert recurring["update"] == "sdk"
    assert recurring["retrieve"] == recurring["subscription"] == recurring["expectedSubscription"]
    assert len(recurring["list"]) == 1 and recurring["count"] == 1
    assert recurring["source"] and recurring["target"] is None
    assert recurring["events"] == ["recurring_order_copies.create"] and recurring["eventStores"] == 0
    assert seen["recurringDeleted"]["status"] == 404
