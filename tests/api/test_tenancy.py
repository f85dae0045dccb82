"""Test and live modes, and organizations: four data sets that never see each other's records."""
import pytest

from sandbox import create_app
from sandbox.security.auth import issue_token, organization_id
from sandbox.settings import Settings

from ..conftest import SECRET

JSONAPI = "application/vnd.api+json"


def _headers(organization, mode):
    return {"Authorization": f"Bearer {issue_token(SECRET, organization=organization, mode=mode)}",
            "Content-Type": JSONAPI, "Accept": JSONAPI}


DATA_SETS = [("acme", "test"), ("acme", "live"), ("globex", "test"), ("globex", "live")]


@pytest.mark.parametrize("writer", DATA_SETS)
def test_a_write_in_one_data_set_is_absent_from_the_other_three(client, writer):
    headers = _headers(*writer)
    source = client.get("/api/orders?page[size]=1", headers=headers).get_json()["data"][0]["id"]
    body = {"data": {"type": "order_copies", "relationships": {"source_order": {"data": {"type": "orders", "id": source}}}}}
    created = client.post("/api/order_copies", json=body, headers=headers)
    assert created.status_code == 201
    copy = created.get_json()["data"]
    assert (copy["meta"]["mode"], copy["meta"]["organization_id"]) == (writer[1], organization_id(writer[0]))
    for other in DATA_SETS:
        seen = client.get(f"/api/order_copies/{copy['id']}", headers=_headers(*other))
        assert seen.status_code == (200 if other == writer else 404), other
        # nor can another data set touch it, or learn that it exists
        if other != writer:
            assert client.delete(f"/api/order_copies/{copy['id']}", headers=_headers(*other)).status_code == 404
            assert client.get(f"/api/orders/{source}", headers=_headers(*other)).status_code == 404


def test_data_sets_are_seeded_apart_and_deterministically(client):
    pages = {ds: client.get("/api/order_factories", headers=_headers(*ds)).get_json() for ds in DATA_SETS}
    ids = [tuple(r["id"] for r in page["data"]) for page in pages.values()]
    assert len(set(ids)) == 4  # each data set has its own records
    again = client.get("/api/order_factories", headers=_headers("acme", "live")).get_json()
    assert again == pages[("acme", "live")]


def test_past_the_data_set_bound_a_new_data_set_gets_503():
    client = create_app(Settings(secret=SECRET, count=5, max_datasets=2)).test_client()
    assert client.get("/api/order_factories", headers=_headers("sandbox-org", "test")).status_code == 200
    assert client.get("/api/order_factories", headers=_headers("acme", "test")).status_code == 200
    refused = client.get("/api/order_factories", headers=_headers("acme", "live"))
    assert refused.status_code == 503
    [error] = refused.get_json()["errors"]
    assert error["code"] == "DATASET_LIMIT_REACHED" and "--max-datasets" in error["detail"]
    # the data sets it holds are still served, and nothing was evicted
    assert client.get("/api/order_factories", headers=_headers("acme", "test")).get_json()["meta"]["record_count"] == 5
