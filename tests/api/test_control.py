"""The /_sandbox control API: the clock and resets."""
import threading

from sandbox.settings import Settings

from ..support import JSONAPI, SECRET, copy_body


def test_clock_freeze_advance_resume(client):
    assert client.get("/_sandbox/clock").get_json()["frozen"] is False
    frozen = client.post("/_sandbox/clock/freeze", json={"at": "2026-01-02T03:04:05+01:00"}).get_json()
    assert frozen == {"now": "2026-01-02T02:04:05.000Z", "frozen": True}
    assert client.get("/_sandbox/clock").get_json() == frozen
    assert client.post("/_sandbox/clock/advance", json={"by": "1h30m"}).get_json() == {
        "now": "2026-01-02T03:34:05.000Z", "frozen": True}
    assert client.post("/_sandbox/clock/advance", json={"by": "1.5"}).get_json()["now"] == "2026-01-02T03:34:06.500Z"
    resumed = client.post("/_sandbox/clock/resume").get_json()
    assert resumed["frozen"] is False and resumed["now"] >= "2026-01-02T03:34:06.500Z"


def test_freeze_without_a_body_freezes_now(client):
    state = client.post("/_sandbox/clock/freeze").get_json()
    assert state["frozen"] is True
    assert client.get("/_sandbox/clock").get_json()["now"] == state["now"]


def test_bad_clock_requests(client):
    for path, body, status, pointer in (
        ("/_sandbox/clock/advance", {"by": "soon"}, 422, "/by"),
        ("/_sandbox/clock/advance", {"by": "-5s"}, 422, "/by"),
        ("/_sandbox/clock/advance", {}, 422, "/by"),
        ("/_sandbox/clock/advance", {"by": "5s", "extra": 1}, 400, "/extra"),
        ("/_sandbox/clock/freeze", {"at": "2026-02-30"}, 422, "/at"),
    ):
        response = client.post(path, json=body)
        assert response.status_code == status, (path, body, response.get_json())
        assert response.get_json()["errors"][0]["source"]["pointer"] == pointer
    assert client.post("/_sandbox/clock/advance", data="by=5s",
                       content_type="application/x-www-form-urlencoded").status_code == 415
    assert client.post("/_sandbox/clock/advance", data="{", content_type="application/json").status_code == 400


def test_the_clock_cannot_leave_the_calendar(client):
    client.post("/_sandbox/clock/freeze", json={"at": "2999-12-31T00:00:00Z"})
    for _ in range(3):
        response = client.post("/_sandbox/clock/advance", json={"by": "99999d"})  # 273 years a step
    assert response.status_code == 422 and response.get_json()["errors"][0]["source"]["pointer"] == "/by"
    assert client.get("/_sandbox/clock").status_code == 200


def test_frozen_at_setting_freezes_on_start():
    from sandbox import create_app
    app = create_app(Settings(secret=SECRET, frozen_at="2030-05-05T05:05:05Z"))
    assert app.test_client().get("/_sandbox/clock").get_json() == {"now": "2030-05-05T05:05:05.000Z", "frozen": True}


def _create(client, headers):
    source = client.get("/api/orders?page[size]=1", headers=headers).get_json()["data"][0]["id"]
    body = {"data": {"type": "order_copies", "relationships": {"source_order": {"data": {"type": "orders", "id": source}}}}}
    response = client.post("/api/order_copies", json=body,
                           headers={**headers, "Content-Type": "application/vnd.api+json"})
    assert response.status_code == 201
    return response.get_json()["data"]["id"]


def test_reset_with_a_token_resets_that_data_set_only(client, headers):
    from sandbox.security.auth import issue_token
    live = {**headers, "Authorization": f"Bearer {issue_token(SECRET, mode='live')}"}
    before = client.get("/api/order_factories?page[size]=25", headers=headers).data
    test_copy, live_copy = _create(client, headers), _create(client, live)
    assert client.post("/_sandbox/reset", headers={"Authorization": headers["Authorization"]}).status_code == 204
    assert client.get(f"/api/order_copies/{test_copy}", headers=headers).status_code == 404
    assert client.get("/api/order_factories?page[size]=25", headers=headers).data == before
    assert client.get(f"/api/order_copies/{live_copy}", headers=live).status_code == 200


def test_reset_without_a_token_resets_every_data_set(client, headers):
    copy = _create(client, headers)
    assert client.post("/_sandbox/reset").status_code == 204
    assert client.get(f"/api/order_copies/{copy}", headers=headers).status_code == 404


def test_reset_with_a_bad_token_is_refused(client, headers):
    copy = _create(client, headers)
    assert client.post("/_sandbox/reset", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(f"/api/order_copies/{copy}", headers=headers).status_code == 200


def test_reset_under_concurrent_creates_answers_2xx_and_never_reuses_an_id(app, headers):
    source = app.test_client().get("/api/orders?page[size]=1", headers=headers).get_json()["data"][0]["id"]
    statuses, ids, stop = [], [], threading.Event()

    def create():
        client = app.test_client()
        while not stop.is_set():
            response = client.post("/api/order_copies", json=copy_body(source),
                                   headers={**headers, "Content-Type": JSONAPI})
            statuses.append(response.status_code)
            if response.status_code == 201:
                ids.append(response.get_json()["data"]["id"])

    def read():
        client = app.test_client()
        while not stop.is_set():
            statuses.append(client.get("/api/order_copies?page[size]=25", headers=headers).status_code)

    workers = [threading.Thread(target=create) for _ in range(4)] + [threading.Thread(target=read) for _ in range(2)]
    for worker in workers:
        worker.start()
    control = app.test_client()
    for _ in range(5):
        statuses.append(control.post("/_sandbox/reset", headers={"Authorization": headers["Authorization"]}).status_code)
    stop.set()
    for worker in workers:
        worker.join()
    assert set(statuses) <= {200, 201, 204} and 201 in statuses
    assert len(ids) == len(set(ids))
