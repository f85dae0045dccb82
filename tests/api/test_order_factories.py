import re
import sqlite3

from sandbox import create_app
from sandbox.catalogue import ORDER_FACTORIES
from sandbox.security.auth import DEFAULT_TENANT, issue_token
from sandbox.settings import Settings

from ..support import JSONAPI, SECRET, copy_body


def test_list_gives_the_first_page_of_ten(client, headers):
    response = client.get("/api/order_factories", headers=headers)
    assert response.status_code == 200
    assert response.content_type == "application/vnd.api+json"
    body = response.get_json()
    assert len(body["data"]) == 10
    assert body["meta"] == {"record_count": 50, "page_count": 5}
    assert body["links"]["first"].endswith("/api/order_factories?page[number]=1&page[size]=10")
    assert body["links"]["next"].endswith("page[number]=2&page[size]=10")
    assert "prev" not in body["links"]


def test_pages_walk_every_record_once(client, headers):
    seen = []
    for number in range(1, 4):
        body = client.get(f"/api/order_factories?page[size]=25&page[number]={number}", headers=headers).get_json()
        seen += [r["id"] for r in body["data"]]
    assert len(seen) == len(set(seen)) == 50
    last = client.get("/api/order_factories?page[size]=25&page[number]=2", headers=headers).get_json()
    assert "next" not in last["links"] and last["links"]["prev"].endswith("page[number]=1&page[size]=25")


def test_resource_object_shape(client, headers):
    record = client.get("/api/order_factories?page[size]=1", headers=headers).get_json()["data"][0]
    assert record["type"] == "order_factories" and re.fullmatch(r"[A-Za-z]{10}", record["id"])
    assert record["links"]["self"] == f"http://localhost/api/order_factories/{record['id']}"
    assert record["meta"]["mode"] == "test"
    assert set(record["relationships"]) == {"source_order", "target_order", "events", "event_stores"}
    assert record["relationships"]["source_order"]["links"]["related"].endswith(
        f"/api/order_factories/{record['id']}/source_order")
    assert "data" not in record["relationships"]["source_order"]


def _stored(app, id_):
    store = app.extensions["store"]
    return store.find(ORDER_FACTORIES, store.dataset(DEFAULT_TENANT.key).scope, id_)


def test_retrieve_gives_the_listed_record(client, headers):
    listed = client.get("/api/order_factories", headers=headers).get_json()["data"][0]
    response = client.get(f"/api/order_factories/{listed['id']}", headers=headers)
    assert response.status_code == 200 and response.get_json()["data"] == listed


def test_source_and_target_orders_exist(app, client, headers):
    checked = 0
    for number in (1, 2):
        for record in client.get(f"/api/order_factories?page[size]=25&page[number]={number}",
                                 headers=headers).get_json()["data"]:
            stored = _stored(app, record["id"])
            linked = [stored["source_order_id"]]
            if record["attributes"]["status"] == "completed":
                linked.append(stored["target_order_id"])
            for order_id in linked:
                order = client.get(f"/api/orders/{order_id}", headers=headers)
                assert order.status_code == 200 and order.get_json()["data"]["id"] == order_id
                checked += 1
    assert checked > 50


def test_unknown_id_is_record_not_found(client, headers):
    response = client.get("/api/order_factories/doesNotExist", headers=headers)
    assert response.status_code == 404
    [error] = response.get_json()["errors"]
    assert (error["code"], error["title"], error["status"]) == ("RECORD_NOT_FOUND", "Record not found", "404")
    assert client.get("/api/orders/doesNotExist", headers=headers).status_code == 404


def test_unacceptable_accept_header_is_406(client, token):
    auth = {"Authorization": f"Bearer {token}"}
    for accept in ("text/html", "application/xml"):
        response = client.get("/api/order_factories", headers={**auth, "Accept": accept})
        assert response.status_code == 406 and response.content_type == "application/vnd.api+json"
        assert response.get_json()["errors"][0]["code"] == "NOT_ACCEPTABLE"
    for accept in ("application/vnd.api+json", "*/*", "application/*"):
        assert client.get("/api/order_factories", headers={**auth, "Accept": accept}).status_code == 200


def test_same_seed_same_bytes_in_separate_apps(settings, headers):
    paths = ["/api/order_factories?page[number]=3", "/api/order_factories?page[size]=25"]
    first, second = create_app(settings).test_client(), create_app(settings).test_client()
    for path in paths:
        assert first.get(path, headers=headers).data == second.get(path, headers=headers).data
    # a different request order in the second app changes nothing
    assert first.get(paths[0], headers=headers).data == create_app(settings).test_client().get(
        paths[0], headers=headers).data


def test_bad_queries_are_400_and_the_sandbox_keeps_serving(client, headers):
    for path in ("/api/order_factories?page[size]=26", "/api/order_factories?page[number]=x",
                 "/api/order_factories?page[size]=0", "/api/order_factories?unknown=1"):
        response = client.get(path, headers=headers)
        assert response.status_code == 400, path
        assert response.get_json()["errors"][0]["source"]["parameter"]
    assert client.get("/api/order_factories", headers=headers).status_code == 200


def test_secret_must_match(app):
    forged = issue_token("another-secret-long-enough-for-hmac-sha256")
    response = app.test_client().get("/api/order_factories", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_reads_write_nothing_when_nothing_is_due(app, client, headers):
    client.get("/api/order_factories", headers=headers)  # the data set exists from here on
    watcher = sqlite3.connect(app.extensions["store"].path)
    before = watcher.execute("PRAGMA data_version").fetchone()[0]  # changes when another connection commits
    for path in ("/api/order_factories?include=source_order,events&sort=-created_at",
                 "/api/order_copies?filter[q][status_eq]=pending", "/api/orders?page[size]=25",
                 f"/api/order_factories/{client.get('/api/order_factories', headers=headers).get_json()['data'][0]['id']}"
                 "/events"):
        assert client.get(path, headers=headers).status_code == 200
    assert watcher.execute("PRAGMA data_version").fetchone()[0] == before


def test_public_url_is_the_base_of_every_link_and_location(headers):
    client = create_app(Settings(secret=SECRET, count=5, public_url="https://sandbox.example.com/")).test_client()
    listed = client.get("/api/order_factories?page[size]=2&include=source_order", headers=headers).get_json()
    links = [listed["links"]["next"], listed["data"][0]["links"]["self"], listed["included"][0]["links"]["self"],
             listed["data"][0]["relationships"]["events"]["links"]["related"]]
    assert all(link.startswith("https://sandbox.example.com/api/") for link in links), links
    source = listed["included"][0]["id"]
    created = client.post("/api/order_copies", json=copy_body(source), headers={**headers, "Content-Type": JSONAPI})
    assert created.headers["Location"].startswith("https://sandbox.example.com/api/order_copies/")
