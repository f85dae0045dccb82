"""The /_sandbox control API: each caller's own clock and reset; admin routes for the whole sandbox."""
import threading

import pytest

from sandbox import create_app
from sandbox.security.auth import issue_admin_token, issue_token, organization_id
from sandbox.settings import Settings

from ..support import JSONAPI, SECRET, copy_body


def _auth(organization="sandbox-org", mode="test"):
    return {"Authorization": f"Bearer {issue_token(SECRET, organization=organization, mode=mode)}"}


ADMIN = {"Authorization": f"Bearer {issue_admin_token(SECRET)}"}


@pytest.fixture
def control(client):
    """POST/GET on /_sandbox as one data set's caller."""
    class Control:
        def __init__(self, headers):
            self.headers = headers

        def get(self, path):
            return client.get(f"/_sandbox{path}", headers=self.headers)

        def post(self, path, body=None, **kwargs):
            return client.post(f"/_sandbox{path}", json=body, headers=self.headers, **kwargs)

    return lambda headers=None: Control(_auth() if headers is None else headers)


def test_clock_freeze_advance_resume(control):
    mine = control()
    assert mine.get("/clock").get_json()["frozen"] is False
    frozen = mine.post("/clock/freeze", {"at": "2026-01-02T03:04:05+01:00"}).get_json()
    assert frozen == {"now": "2026-01-02T02:04:05.000Z", "frozen": True, "own": True}
    assert mine.get("/clock").get_json() == frozen
    assert mine.post("/clock/advance", {"by": "1h30m"}).get_json() == {
        "now": "2026-01-02T03:34:05.000Z", "frozen": True, "own": True}
    assert mine.post("/clock/advance", {"by": "1.5"}).get_json()["now"] == "2026-01-02T03:34:06.500Z"
    resumed = mine.post("/clock/resume").get_json()
    assert resumed["frozen"] is False and resumed["now"] >= "2026-01-02T03:34:06.500Z"


def test_freeze_without_a_body_freezes_now(control):
    state = control().post("/clock/freeze").get_json()
    assert state["frozen"] is True
    assert control().get("/clock").get_json()["now"] == state["now"]


def test_bad_clock_requests_say_what_to_send(control):
    mine = control()
    for path, body, status, pointer in (
        ("/clock/advance", {"by": "soon"}, 422, "/by"),
        ("/clock/advance", {"by": "-5s"}, 422, "/by"),
        ("/clock/advance", {}, 422, "/by"),
        ("/clock/advance", {"by": "5s", "extra": 1}, 400, "/extra"),
        ("/clock/freeze", {"at": "2026-02-30"}, 422, "/at"),
    ):
        response = mine.post(path, body)
        assert response.status_code == status, (path, body, response.get_json())
        assert response.get_json()["errors"][0]["source"]["pointer"] == pointer
    assert "1h30m" in mine.post("/clock/advance", {"by": "soon"}).get_json()["errors"][0]["detail"]
    assert "date" in mine.post("/clock/freeze", {"at": "2026-02-30"}).get_json()["errors"][0]["detail"]
    assert mine.post("/clock/advance", data="by=5s", content_type="application/x-www-form-urlencoded").status_code == 415
    assert mine.post("/clock/advance", data="{", content_type="application/json").status_code == 400


def test_the_clock_cannot_leave_the_calendar(control):
    mine = control()
    mine.post("/clock/freeze", {"at": "2999-12-31T00:00:00Z"})
    for _ in range(3):
        response = mine.post("/clock/advance", {"by": "99999d"})  # 273 years a step
    assert response.status_code == 422 and response.get_json()["errors"][0]["source"]["pointer"] == "/by"
    assert mine.get("/clock").status_code == 200


def test_frozen_at_setting_freezes_the_default_clock_on_start():
    client = create_app(Settings(secret=SECRET, frozen_at="2030-05-05T05:05:05Z")).test_client()
    assert client.get("/_sandbox/clock", headers=_auth()).get_json() == {
        "now": "2030-05-05T05:05:05.000Z", "frozen": True, "own": False}
    assert client.get("/_sandbox/admin/clock", headers=ADMIN).get_json() == {
        "now": "2030-05-05T05:05:05.000Z", "frozen": True, "own": True}


@pytest.mark.parametrize("path", ["/clock", "/clock/freeze", "/clock/advance", "/clock/resume", "/reset",
                                  "/admin/datasets", "/admin/reset", "/admin/clock", "/admin/clock/freeze"])
def test_every_control_route_needs_a_token_and_changes_nothing_without_one(client, headers, path):
    copies = client.get("/api/order_copies", headers=headers).get_json()["meta"]["record_count"]
    _create(client, headers)
    before = client.get("/_sandbox/clock", headers=_auth()).get_json()
    method = client.get if path in ("/clock", "/admin/datasets", "/admin/clock") else client.post
    kwargs = {"json": {"by": "1d"}} if path.endswith("advance") else {}
    for bad in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                {"Authorization": f"Bearer {issue_token('another-secret-long-enough-for-hs256!!')}"}):
        refused = method(f"/_sandbox{path}", headers=bad, **kwargs)
        assert refused.status_code == 401, (path, bad)
        [error] = refused.get_json()["errors"]
        assert "sandbox token" in error["detail"] or "Bearer" in error["detail"]
    assert client.get("/_sandbox/clock", headers=_auth()).get_json()["frozen"] == before["frozen"]
    assert client.get("/api/order_copies", headers=headers).get_json()["meta"]["record_count"] == copies + 1


def test_a_token_signed_with_another_secret_is_told_the_secrets_must_match(client):
    forged = {"Authorization": f"Bearer {issue_token('another-secret-long-enough-for-hs256!!')}"}
    [error] = client.get("/_sandbox/clock", headers=forged).get_json()["errors"]
    assert error["code"] == "INVALID_TOKEN" and "secret" in error["detail"]


def test_one_organizations_clock_and_reset_leave_another_untouched(client):
    a, b = _auth("org-a"), _auth("org-b")
    copy_b = _create(client, {**b, "Accept": JSONAPI})
    client.post("/_sandbox/clock/freeze", json={"at": "2026-06-01T00:00:00Z"}, headers=a)
    client.post("/_sandbox/clock/advance", json={"by": "1h"}, headers=a)
    assert client.get("/_sandbox/clock", headers=a).get_json()["now"] == "2026-06-01T01:00:00.000Z"
    theirs = client.get("/_sandbox/clock", headers=b).get_json()
    assert theirs["frozen"] is False and theirs["own"] is False
    b_before = client.get("/api/order_factories?page[size]=25", headers={**b, "Accept": JSONAPI}).data
    assert client.post("/_sandbox/reset", headers=a).status_code == 204
    assert client.get(f"/api/order_copies/{copy_b}", headers=b).status_code == 200
    assert client.get("/api/order_factories?page[size]=25", headers={**b, "Accept": JSONAPI}).data == b_before
    # and b freezes on its own, at another instant
    client.post("/_sandbox/clock/freeze", json={"at": "2027-01-01T00:00:00Z"}, headers=b)
    assert client.get("/_sandbox/clock", headers=a).get_json()["now"] == "2026-06-01T01:00:00.000Z"


def test_test_and_live_have_their_own_clocks(client):
    test, live = _auth(mode="test"), _auth(mode="live")
    client.post("/_sandbox/clock/freeze", json={"at": "2026-06-01T00:00:00Z"}, headers=live)
    assert client.get("/_sandbox/clock", headers=test).get_json()["frozen"] is False


def test_a_data_sets_clock_moves_its_copies_only(client):
    a, b = {**_auth("org-a"), "Accept": JSONAPI}, {**_auth("org-b"), "Accept": JSONAPI}
    for headers in (a, b):
        client.post("/_sandbox/clock/freeze", json={"at": "2026-06-01T00:00:00Z"}, headers=headers)
    copy_a, copy_b = _create(client, a), _create(client, b)
    client.post("/_sandbox/clock/advance", json={"by": "1m"}, headers=a)
    assert client.get(f"/api/order_copies/{copy_a}", headers=a).get_json()["data"]["attributes"]["status"] != "pending"
    assert client.get(f"/api/order_copies/{copy_b}", headers=b).get_json()["data"]["attributes"]["status"] == "pending"


def test_admin_routes_refuse_a_data_set_token_and_data_set_routes_an_admin_token(client):
    for path in ("/_sandbox/admin/datasets", "/_sandbox/admin/clock"):
        refused = client.get(path, headers=_auth())
        assert refused.status_code == 403
        assert "sandbox token --admin" in refused.get_json()["errors"][0]["detail"]
    assert client.post("/_sandbox/admin/reset", headers=_auth()).status_code == 403
    assert client.get("/_sandbox/clock", headers=ADMIN).status_code == 403
    assert client.post("/_sandbox/reset", headers=ADMIN).status_code == 403
    assert client.get("/api/order_factories", headers=ADMIN).status_code == 401


def test_admin_lists_data_sets_resets_them_all_and_moves_the_default_clock(client):
    a, b = {**_auth("org-a"), "Accept": JSONAPI}, {**_auth("org-b", "live"), "Accept": JSONAPI}
    copies = [_create(client, a), _create(client, b)]
    client.post("/_sandbox/clock/freeze", json={"at": "2026-06-01T00:00:00Z"}, headers=b)
    listed = {d["dataset"]: d for d in client.get("/_sandbox/admin/datasets", headers=ADMIN).get_json()["datasets"]}
    key_a, key_b = f"{organization_id('org-a')}:test", f"{organization_id('org-b')}:live"
    assert listed[key_a]["records"]["order_factories"] == 51 and listed[key_b]["clock"]["own"] is True
    moved = client.post("/_sandbox/admin/clock/freeze", json={"at": "2030-01-01T00:00:00Z"}, headers=ADMIN)
    assert moved.get_json()["now"] == "2030-01-01T00:00:00.000Z"
    # a follows the default clock; b keeps its own
    assert client.get("/_sandbox/clock", headers=a).get_json()["now"] == "2030-01-01T00:00:00.000Z"
    assert client.get("/_sandbox/clock", headers=b).get_json()["now"] == "2026-06-01T00:00:00.000Z"
    assert client.post("/_sandbox/admin/reset", headers=ADMIN).status_code == 204
    assert client.get(f"/api/order_copies/{copies[0]}", headers=a).status_code == 404
    assert client.get(f"/api/order_copies/{copies[1]}", headers=b).status_code == 404


def test_an_over_long_token_lifetime_is_refused(client):
    long_lived = {"Authorization": f"Bearer {issue_token(SECRET, lifetime=14401)}"}
    [error] = client.get("/_sandbox/clock", headers=long_lived).get_json()["errors"]
    assert error["code"] == "INVALID_TOKEN" and "--max-token-lifetime" in error["detail"]
    assert client.get("/api/order_factories", headers=long_lived).status_code == 401
    raised = create_app(Settings(secret=SECRET, max_token_lifetime=86400)).test_client()
    assert raised.get("/_sandbox/clock", headers=long_lived).status_code == 200


def _create(client, headers):
    source = client.get("/api/orders?page[size]=1", headers=headers).get_json()["data"][0]["id"]
    response = client.post("/api/order_copies", json=copy_body(source),
                           headers={**headers, "Content-Type": JSONAPI})
    assert response.status_code == 201
    return response.get_json()["data"]["id"]


def test_reset_with_a_token_resets_that_data_set_only(client, headers):
    live = {**headers, "Authorization": f"Bearer {issue_token(SECRET, mode='live')}"}
    before = client.get("/api/order_factories?page[size]=25", headers=headers).data
    test_copy, live_copy = _create(client, headers), _create(client, live)
    assert client.post("/_sandbox/reset", headers={"Authorization": headers["Authorization"]}).status_code == 204
    assert client.get(f"/api/order_copies/{test_copy}", headers=headers).status_code == 404
    assert client.get("/api/order_factories?page[size]=25", headers=headers).data == before
    assert client.get(f"/api/order_copies/{live_copy}", headers=live).status_code == 200


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


def test_a_scenario_replaces_the_callers_data_set_only(client):
    mine, theirs = _auth("org-a"), _auth("org-b")
    before = client.get("/api/order_factories", headers=theirs).get_json()["meta"]["record_count"]
    assert client.post("/_sandbox/scenario", json={"name": "all-statuses"}, headers=mine).status_code == 204
    listed = client.get("/api/order_factories?page[size]=25&sort=status", headers=mine).get_json()
    assert listed["meta"]["record_count"] == 10
    pairs = {(f["attributes"]["type"], f["attributes"]["status"]) for f in listed["data"]}
    assert len(pairs) == 10  # one per status and kind
    # the outcome source orders come with every scenario, so new copies can be made
    assert client.get("/api/orders?filter[q][reference_eq]=reorder:completes", headers=mine).get_json()["data"]
    assert client.get("/api/order_factories", headers=theirs).get_json()["meta"]["record_count"] == before
    refused = client.post("/_sandbox/scenario", json={"name": "../../etc/passwd"}, headers=mine)
    assert refused.status_code == 422 and "all-statuses" in refused.get_json()["errors"][0]["detail"]
