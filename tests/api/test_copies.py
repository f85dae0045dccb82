"""Create copy jobs and walk each through its lifecycle by moving a frozen clock."""
import threading

import pytest

from sandbox import create_app
from sandbox.settings import Settings

from ..conftest import SECRET

T0 = "2026-06-01T12:00:00.000Z"
JSONAPI = "application/vnd.api+json"


@pytest.fixture
def settings():
    return Settings(secret=SECRET, seed=11, count=20, frozen_at=T0, start_after=2, run_for=3)


@pytest.fixture
def api(client, headers):
    class Api:
        def get(self, path, status=200):
            response = client.get(path, headers=headers)
            assert response.status_code == status, response.get_data(as_text=True)
            return response.get_json()

        def send(self, method, path, body, status, content_type=JSONAPI):
            data = body if isinstance(body, (str, bytes)) else None
            response = client.open(path, method=method, headers={**headers, "Content-Type": content_type},
                                   data=data, json=None if data is not None else body)
            assert response.status_code == status, response.get_data(as_text=True)
            return response

        def advance(self, by):
            assert client.post("/_sandbox/clock/advance", json={"by": by},
                               headers={"Authorization": headers["Authorization"]}).status_code == 200

        def scenario(self, kind, key):
            # the hand-picked ones of fixtures/outcomes.yaml, not seeded orders with the same reference
            found = self.get(f"/api/{kind}?filter[q][reference_eq]=reorder:{key}&filter[q][reference_origin_eq]=sandbox")
            return found["data"][0]["id"]

        def create(self, kind="order_copies", source="completes", subscription=None, status=201, **attributes):
            relationships = {"source_order": {"data": {"type": "orders", "id": self.scenario("orders", source)}}}
            if subscription:
                relationships["order_subscription"] = {
                    "data": {"type": "order_subscriptions", "id": self.scenario("order_subscriptions", subscription)}}
            body = {"data": {"type": kind, "attributes": attributes, "relationships": relationships}}
            return self.send("POST", f"/api/{kind}", body, status).get_json()

    return Api()


def _attributes(api, kind, id_):
    return api.get(f"/api/{kind}/{id_}")["data"]["attributes"]


def _events(api, kind, id_):
    return [(e["attributes"]["name"], e["attributes"]["created_at"])
            for e in api.get(f"/api/{kind}/{id_}/events")["data"]]


def test_a_copy_goes_pending_in_progress_completed(api):
    created = api.create(place_target_order=True, reference="my-reorder", metadata={"cart": "abc"})
    copy = created["data"]
    assert copy["type"] == "order_copies"
    attributes = copy["attributes"]
    assert attributes["status"] == "pending" and attributes["created_at"] == attributes["updated_at"] == T0
    assert attributes["started_at"] is attributes["completed_at"] is attributes["failed_at"] is None
    assert (attributes["reference"], attributes["metadata"], attributes["place_target_order"]) == (
        "my-reorder", {"cart": "abc"}, True)
    assert attributes["reuse_wallet"] is True and attributes["skip_errors"] is False

    api.advance("1s")
    assert _attributes(api, "order_copies", copy["id"])["status"] == "pending"
    api.advance("1s")
    running = _attributes(api, "order_copies", copy["id"])
    assert running["status"] == "in_progress" and running["started_at"] == running["updated_at"] == "2026-06-01T12:00:02.000Z"
    assert api.get(f"/api/order_copies/{copy['id']}/target_order")["data"] is None

    api.advance("3s")
    done = _attributes(api, "order_copies", copy["id"])
    assert done["status"] == "completed"
    assert done["completed_at"] == done["updated_at"] == "2026-06-01T12:00:05.000Z"
    assert done["failed_at"] is None and done["errors_log"] is None and done["errors_count"] == 0
    target = api.get(f"/api/order_copies/{copy['id']}/target_order")["data"]
    source = api.get(f"/api/order_copies/{copy['id']}/source_order")["data"]
    assert target["id"] != source["id"] and target["attributes"]["status"] == "placed"
    assert target["attributes"]["total_amount_cents"] == source["attributes"]["total_amount_cents"] == 4900
    assert target["attributes"]["created_at"] == "2026-06-01T12:00:05.000Z"
    # the same job, seen through the order factory view
    factory = api.get(f"/api/order_factories/{copy['id']}?include=target_order")["data"]
    assert factory["attributes"]["type"] == "order_copies" and factory["attributes"]["status"] == "completed"
    assert factory["relationships"]["target_order"]["data"] == {"type": "orders", "id": target["id"]}
    assert _events(api, "order_copies", copy["id"]) == [
        ("order_copies.create", T0), ("order_copies.start", "2026-06-01T12:00:02.000Z"),
        ("order_copies.complete", "2026-06-01T12:00:05.000Z")]


def test_without_place_target_order_the_target_is_a_draft(api):
    copy = api.create()["data"]
    api.advance("10s")
    assert api.get(f"/api/order_copies/{copy['id']}/target_order")["data"]["attributes"]["status"] == "draft"


def test_an_out_of_stock_item_fails_the_copy(api):
    copy = api.create(source="out_of_stock")["data"]
    api.advance("5s")
    failed = _attributes(api, "order_copies", copy["id"])
    assert failed["status"] == "failed" and failed["failed_at"] == failed["updated_at"] == "2026-06-01T12:00:05.000Z"
    assert failed["started_at"] == "2026-06-01T12:00:02.000Z" and failed["created_at"] == T0
    assert failed["errors_log"] == {"line_items": ["HAT007 is out of stock"]} and failed["errors_count"] == 1
    assert failed["completed_at"] is None
    assert api.get(f"/api/order_copies/{copy['id']}/target_order")["data"] is None
    assert _events(api, "order_copies", copy["id"])[-1] == ("order_copies.fail", "2026-06-01T12:00:05.000Z")


def test_skip_errors_completes_and_keeps_the_errors_log(api):
    copy = api.create(source="out_of_stock", skip_errors=True)["data"]
    api.advance("5s")
    done = _attributes(api, "order_copies", copy["id"])
    assert done["status"] == "completed" and done["failed_at"] is None
    assert (done["started_at"], done["completed_at"]) == ("2026-06-01T12:00:02.000Z", "2026-06-01T12:00:05.000Z")
    assert done["errors_log"] == {"line_items": ["HAT007 is out of stock"]} and done["errors_count"] == 1
    target = api.get(f"/api/order_copies/{copy['id']}/target_order")["data"]["attributes"]
    assert target["skus_count"] == 1 and target["total_amount_cents"] == 1200  # the hat was left out


def test_an_order_that_cannot_be_placed_fails_a_placing_copy(api):
    copy = api.create(source="cannot_be_placed", place_target_order=True)["data"]
    api.advance("5s")
    failed = _attributes(api, "order_copies", copy["id"])
    assert failed["status"] == "failed" and failed["errors_count"] == 1
    assert (failed["started_at"], failed["failed_at"]) == ("2026-06-01T12:00:02.000Z", "2026-06-01T12:00:05.000Z")
    assert failed["errors_log"] == {"status": ["cannot transition from draft to placed"]}
    assert api.get(f"/api/order_copies/{copy['id']}/target_order")["data"] is None
    # without placing, the same source copies fine
    fine = api.create(source="cannot_be_placed")["data"]
    api.advance("5s")
    assert _attributes(api, "order_copies", fine["id"])["status"] == "completed"


def test_cancel_source_order(api):
    copy = api.create(cancel_source_order=True)["data"]
    api.advance("5s")
    assert api.get(f"/api/order_copies/{copy['id']}/source_order")["data"]["attributes"]["status"] == "cancelled"


def test_a_recurring_copy_with_an_inactive_subscription_is_aborted(api):
    copy = api.create("recurring_order_copies", subscription="inactive")["data"]
    assert copy["type"] == "recurring_order_copies"
    api.advance("2s")
    aborted = _attributes(api, "recurring_order_copies", copy["id"])
    assert aborted["status"] == "aborted" and aborted["updated_at"] == "2026-06-01T12:00:02.000Z"
    assert aborted["started_at"] is aborted["completed_at"] is aborted["failed_at"] is None
    api.advance("1h")
    assert _attributes(api, "recurring_order_copies", copy["id"])["status"] == "aborted"
    assert [name for name, _ in _events(api, "recurring_order_copies", copy["id"])] == [
        "recurring_order_copies.create", "recurring_order_copies.abort"]


def test_a_recurring_copy_with_an_active_subscription_completes(api):
    copy = api.create("recurring_order_copies", subscription="active")["data"]
    api.advance("5s")
    done = _attributes(api, "recurring_order_copies", copy["id"])
    assert (done["status"], done["started_at"], done["completed_at"]) == (
        "completed", "2026-06-01T12:00:02.000Z", "2026-06-01T12:00:05.000Z")
    assert api.get(f"/api/recurring_order_copies/{copy['id']}/target_order")["data"]["attributes"]["status"] == "draft"
    subscription = api.get(f"/api/recurring_order_copies/{copy['id']}/order_subscription")["data"]
    assert subscription["attributes"]["reference"] == "reorder:active"
    listed = api.get(f"/api/order_subscriptions/{subscription['id']}/recurring_order_copies")["data"]
    assert [r["id"] for r in listed] == [copy["id"]]


def test_one_big_jump_applies_every_transition_at_its_own_time(api):
    copy = api.create()["data"]
    api.advance("2d")
    done = _attributes(api, "order_copies", copy["id"])
    assert (done["started_at"], done["completed_at"]) == ("2026-06-01T12:00:02.000Z", "2026-06-01T12:00:05.000Z")


def test_copies_list_and_appear_in_their_family(api):
    copy = api.create()["data"]
    assert copy["id"] in [r["id"] for r in api.get("/api/order_copies?page[size]=25&sort=-created_at")["data"]]
    assert copy["id"] not in [r["id"] for r in api.get("/api/recurring_order_copies?page[size]=25")["data"]]
    source = api.scenario("orders", "completes")
    assert [r["id"] for r in api.get(f"/api/orders/{source}/order_copies")["data"]] == [copy["id"]]
    assert api.get(f"/api/recurring_order_copies/{copy['id']}", status=404)


def test_update_changes_only_what_may_change(api):
    copy = api.create(reference="before")["data"]
    api.advance("1m")
    body = {"data": {"type": "order_copies", "id": copy["id"],
                     "attributes": {"reference": "after", "metadata": {"note": "x"}}}}
    updated = api.send("PATCH", f"/api/order_copies/{copy['id']}", body, 200).get_json()["data"]["attributes"]
    assert (updated["reference"], updated["metadata"], updated["status"]) == ("after", {"note": "x"}, "completed")
    assert updated["updated_at"] == "2026-06-01T12:01:00.000Z"
    for forbidden in ({"status": "failed"}, {"skip_errors": True}, {"started_at": T0}):
        body = {"data": {"type": "order_copies", "id": copy["id"], "attributes": forbidden}}
        [error] = api.send("PATCH", f"/api/order_copies/{copy['id']}", body, 400).get_json()["errors"]
        assert error["code"] == "PARAM_NOT_ALLOWED" and error["source"]["pointer"] == f"/data/attributes/{next(iter(forbidden))}"
    mismatch = {"data": {"type": "order_copies", "id": "otherIdXyz", "attributes": {"reference": "x"}}}
    [error] = api.send("PATCH", f"/api/order_copies/{copy['id']}", mismatch, 400).get_json()["errors"]
    assert (error["code"], error["source"]) == ("KEY_NOT_INCLUDED_IN_URL", {"pointer": "/data/id"})
    assert _attributes(api, "order_copies", copy["id"])["reference"] == "after"


@pytest.mark.parametrize("kind", ["order_copies", "recurring_order_copies"])
def test_an_update_as_the_sdk_sends_it_with_empty_relationships(api, kind):
    copy = api.create(kind=kind, subscription="active" if kind == "recurring_order_copies" else None)["data"]
    body = {"data": {"type": kind, "id": copy["id"], "attributes": {"reference": "sdk"}, "relationships": {}}}
    assert api.send("PATCH", f"/api/{kind}/{copy['id']}", body, 200).get_json()["data"]["attributes"]["reference"] == "sdk"
    # a relationship of a copy never changes: still refused, with the pointer
    body["data"]["relationships"] = {"source_order": {"data": {"type": "orders", "id": copy["id"]}}}
    [error] = api.send("PATCH", f"/api/{kind}/{copy['id']}", body, 400).get_json()["errors"]
    assert (error["code"], error["source"]["pointer"]) == ("PARAM_NOT_ALLOWED", "/data/relationships/source_order")


def test_delete(api):
    copy = api.create()["data"]
    assert api.send("DELETE", f"/api/order_copies/{copy['id']}", None, 204).data == b""
    api.get(f"/api/order_copies/{copy['id']}", status=404)
    api.get(f"/api/order_factories/{copy['id']}", status=404)
    api.send("DELETE", f"/api/order_copies/{copy['id']}", None, 404)


def _source(api):
    return {"data": {"type": "orders", "id": api.scenario("orders", "completes")}}


@pytest.mark.parametrize("body, status, code, pointer", [
    ({"data": {"type": "order_copies"}}, 422, "VALIDATION_ERROR", "/data/relationships"),
    ({"data": {"type": "order_copies", "relationships": {}}}, 422, "VALIDATION_ERROR", "/data/relationships/source_order"),
    ({"data": {"type": "orders", "relationships": {"source_order": "SOURCE"}}}, 400, "BAD_REQUEST", "/data/type"),
    ({"data": {"type": "order_copies", "attributes": {"status": "completed"}, "relationships": {"source_order": "SOURCE"}}},
     400, "PARAM_NOT_ALLOWED", "/data/attributes/status"),
    ({"data": {"type": "order_copies", "attributes": {"started_at": T0}, "relationships": {"source_order": "SOURCE"}}},
     400, "PARAM_NOT_ALLOWED", "/data/attributes/started_at"),
    ({"data": {"type": "order_copies", "attributes": {"reference": ["a"]}, "relationships": {"source_order": "SOURCE"}}},
     422, "VALIDATION_ERROR", "/data/attributes/reference"),
    ({"data": {"type": "order_copies", "attributes": {"skip_errors": "yes"}, "relationships": {"source_order": "SOURCE"}}},
     422, "VALIDATION_ERROR", "/data/attributes/skip_errors"),
    ({"data": {"type": "order_copies", "relationships": {"source_order": {"data": {"type": "skus", "id": "x"}}}}},
     422, "VALIDATION_ERROR", "/data/relationships/source_order/data/type"),
    ({"data": {"type": "order_copies", "relationships": {"source_order": {"data": {"type": "orders", "id": "nopeNopeNo"}}}}},
     404, "RECORD_NOT_FOUND", "/data/relationships/source_order"),
    ({"data": {"type": "order_copies", "relationships": {"source_order": "SOURCE"}, "extra": 1}},
     400, "PARAM_NOT_ALLOWED", "/data/extra"),
    ([1, 2], 400, "BAD_REQUEST", ""),
    ("null", 400, "BAD_REQUEST", ""),
    ("{not json", 400, "BAD_REQUEST", ""),
    ("[" * 100_00 + "]" * 100_00, 400, "BAD_REQUEST", ""),
])
def test_bad_create_bodies(api, body, status, code, pointer):
    if isinstance(body, dict) and "relationships" in body["data"] and body["data"]["relationships"].get("source_order") == "SOURCE":
        body["data"]["relationships"]["source_order"] = _source(api)
    errors = api.send("POST", "/api/order_copies", body, status).get_json()["errors"]
    assert (errors[0]["code"], errors[0]["source"]["pointer"]) == (code, pointer)
    assert api.get("/api/order_copies?filter[q][created_at_eq]=" + T0)["data"] == []  # nothing was created


def test_a_missing_source_order_says_blank(api):
    body = {"data": {"type": "order_copies", "relationships": {}}}
    [error] = api.send("POST", "/api/order_copies", body, 422).get_json()["errors"]
    assert error == {"title": "can't be blank", "detail": "source_order - can't be blank", "code": "VALIDATION_ERROR",
                     "status": "422", "source": {"pointer": "/data/relationships/source_order"}, "meta": {"error": "blank"}}


def test_a_recurring_copy_needs_its_subscription(api):
    body = {"data": {"type": "recurring_order_copies", "relationships": {"source_order": _source(api)}}}
    [error] = api.send("POST", "/api/recurring_order_copies", body, 422).get_json()["errors"]
    assert error["source"]["pointer"] == "/data/relationships/order_subscription"


def test_wrong_content_type_and_oversized_bodies(api):
    body = {"data": {"type": "order_copies", "relationships": {"source_order": _source(api)}}}
    import json
    api.send("POST", "/api/order_copies", json.dumps(body), 415, content_type="application/json")
    api.send("POST", "/api/order_copies", json.dumps(body), 415, content_type="text/plain")
    huge = {"data": {**body["data"], "attributes": {"reference": "x" * 70_000}}}
    assert api.send("POST", "/api/order_copies", json.dumps(huge), 413).get_json()["errors"][0]["status"] == "413"
    api.send("POST", "/api/order_copies", json.dumps(body), 201)  # and it keeps serving


def test_concurrent_creates_lose_nothing(app, headers):
    source = app.test_client().get("/api/orders?filter[q][reference_eq]=reorder:completes",
                                   headers=headers).get_json()["data"][0]["id"]
    body = {"data": {"type": "order_copies", "relationships": {"source_order": {"data": {"type": "orders", "id": source}}}}}
    created, failures = [], []

    def create_some():
        client = app.test_client()
        for _ in range(10):
            response = client.post("/api/order_copies", json=body, headers={**headers, "Content-Type": JSONAPI})
            (created if response.status_code == 201 else failures).append(response)

    threads = [threading.Thread(target=create_some) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and len(created) == 80
    ids = {r.get_json()["data"]["id"] for r in created}
    listed = app.test_client().get(f"/api/orders/{source}/order_copies?page[size]=1", headers=headers).get_json()
    assert len(ids) == 80 and listed["meta"]["record_count"] == 80


def test_a_frozen_clock_gives_the_same_bytes_in_any_process(settings, headers):
    def session():
        client = create_app(settings).test_client()
        source = client.get("/api/orders?filter[q][reference_eq]=reorder:out_of_stock&sort=id", headers=headers).get_json()
        body = {"data": {"type": "order_copies", "attributes": {"skip_errors": True},
                         "relationships": {"source_order": {"data": {"type": "orders", "id": source["data"][0]["id"]}}}}}
        outputs = [client.post("/api/order_copies", json=body, headers={**headers, "Content-Type": JSONAPI}).data]
        assert client.post("/_sandbox/clock/advance", json={"by": "10s"},
                           headers={"Authorization": headers["Authorization"]}).status_code == 200
        outputs.append(client.get("/api/order_copies?include=target_order,events&sort=-created_at", headers=headers).data)
        return outputs

    assert session() == session()


@pytest.mark.parametrize("raw", ['{"a": NaN}', '{"a": Infinity}', '{"a": 1e999}', '{"a": "\\ud800"}'])
def test_bodies_that_could_not_be_written_back_are_refused(api, raw):
    source = api.scenario("orders", "completes")
    body = ('{"data": {"type": "order_copies", "attributes": {"metadata": %s}, "relationships": '
            '{"source_order": {"data": {"type": "orders", "id": "%s"}}}}}' % (raw, source))
    assert api.send("POST", "/api/order_copies", body, 400).get_json()["errors"][0]["code"] == "BAD_REQUEST"


def test_workers_sharing_a_db_file_see_one_state(tmp_path, headers):
    settings = Settings(secret=SECRET, seed=11, count=5, db=str(tmp_path / "state.sqlite3"), frozen_at=T0)
    first, second = create_app(settings).test_client(), create_app(settings).test_client()
    source = first.get("/api/orders?page[size]=1", headers=headers).get_json()["data"][0]["id"]
    body = {"data": {"type": "order_copies", "relationships": {"source_order": {"data": {"type": "orders", "id": source}}}}}
    copy = first.post("/api/order_copies", json=body, headers={**headers, "Content-Type": JSONAPI}).get_json()["data"]
    assert second.post("/_sandbox/clock/advance", json={"by": "5s"},
                       headers={"Authorization": headers["Authorization"]}).status_code == 200
    # the other worker created it, this one moved the clock: both see it completed
    for client in (first, second):
        assert client.get(f"/api/order_copies/{copy['id']}", headers=headers).get_json()["data"]["attributes"][
            "status"] == "completed"
