"""The request journal: what a frontend sent, per data set, newest first, filterable and bounded."""
from sandbox import create_app
from sandbox.security.auth import issue_token
from sandbox.settings import Settings

from ..support import JSONAPI, SECRET, copy_body


def test_the_journal_lists_the_callers_requests_newest_first_with_filters(client, headers):
    other = {"Authorization": f"Bearer {issue_token(SECRET, organization='someone-else')}", "Accept": JSONAPI}
    source = client.get("/api/orders?page[size]=1", headers=headers).get_json()["data"][0]["id"]
    client.post("/api/order_copies", json=copy_body(source, reference="from-the-frontend"),
                headers={**headers, "Content-Type": JSONAPI})
    client.get("/api/order_copies/nope", headers=headers)
    client.get("/api/orders", headers=other)
    auth = {"Authorization": headers["Authorization"]}
    entries = client.get("/_sandbox/requests", headers=auth).get_json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/api/order_copies/nope", 404), ("POST", "/api/order_copies", 201), ("GET", "/api/orders", 200)]
    assert entries[2]["query"] == "page[size]=1"
    assert entries[1]["body"]["data"]["attributes"] == {"reference": "from-the-frontend"} and entries[0]["body"] is None
    assert entries[0]["duration_ms"] >= 0 and entries[0]["at"].endswith("Z")
    writes = client.get("/_sandbox/requests?method=POST&path=/api/order_copies&status=201", headers=auth).get_json()
    assert [e["path"] for e in writes["requests"]] == ["/api/order_copies"]
    for bad in ("colour=red", "status=600", "method=post", "limit=0", "status=2&status=3"):
        assert client.get(f"/_sandbox/requests?{bad}", headers=auth).status_code == 400, bad
    assert client.delete("/_sandbox/requests", headers=auth).status_code == 204
    assert client.get("/_sandbox/requests", headers=auth).get_json()["requests"] == []


def test_each_data_set_keeps_its_newest_requests_only(headers):
    client = create_app(Settings(secret=SECRET, count=5, journal_size=3)).test_client()
    for n in range(6):
        client.get(f"/api/orders?page[number]={n + 1}", headers=headers)
    entries = client.get("/_sandbox/requests", headers={"Authorization": headers["Authorization"]}).get_json()
    assert [e["query"] for e in entries["requests"]] == [f"page[number]={n}" for n in (6, 5, 4)]
