"""--validate-responses: an answer that breaks openapi.yaml is marked, logged and listed for its data set."""
import logging

import pytest

from sandbox import create_app
from sandbox.api.violations import HEADER
from sandbox.security.auth import issue_token
from sandbox.settings import Settings

from ..support import JSONAPI, SECRET, break_view


@pytest.fixture
def validating():
    return create_app(Settings(secret=SECRET, count=5, validate_responses=True))


def _status_becomes_a_number(document, response):
    for resource in document["data"]:
        resource["attributes"]["status"] = 3


def test_a_violation_is_marked_logged_and_listed_for_its_data_set(validating, headers, caplog):
    break_view(validating, "/api/order_factories", _status_becomes_a_number)
    client = validating.test_client()
    auth = {"Authorization": headers["Authorization"]}
    with caplog.at_level(logging.WARNING):
        answer = client.get("/api/order_factories?page[size]=2", headers=headers)
    assert answer.status_code == 200
    assert "/data/0/attributes/status: 3 is not one of" in answer.headers[HEADER]
    assert "contract violation" in caplog.text
    listed = client.get("/_sandbox/violations", headers=auth).get_json()
    assert listed["validating"] is True and listed["count"] == 1
    [violation] = listed["violations"]
    assert (violation["method"], violation["path"], violation["query"], violation["status"]) == (
        "GET", "/api/order_factories", "page[size]=2", 200)
    assert any("/data/1/attributes/status" in message for message in violation["messages"])
    other = {"Authorization": f"Bearer {issue_token(SECRET, organization='someone-else')}"}
    assert client.get("/_sandbox/violations", headers=other).get_json()["violations"] == []
    assert client.delete("/_sandbox/violations", headers=auth).status_code == 204
    assert client.get("/_sandbox/violations", headers=auth).get_json()["count"] == 0


def test_answers_that_keep_the_contract_pass_unmarked(validating, headers):
    client = validating.test_client()
    for path in ("/api/order_factories?include=source_order", "/api/orders/nope", "/api/nowhere", "/healthz",
                 "/api/order_factories?fields[order_factories]=status", "/_sandbox/clock"):
        assert HEADER not in client.get(path, headers=headers).headers, path
    assert client.post("/api/order_copies", data="{", headers={**headers, "Content-Type": JSONAPI}).status_code == 400
    assert client.get("/_sandbox/violations", headers=headers).get_json() == {
        "validating": True, "count": 0, "violations": []}


def _teapot(document, response):
    del document["data"][0]["attributes"]["number"]
    response.status_code, response.mimetype = 418, "application/json"


def test_an_undeclared_status_is_a_violation(validating, headers):
    break_view(validating, "/api/orders", _teapot)
    client = validating.test_client()
    marked = client.get("/api/orders", headers=headers).headers[HEADER]
    assert marked.startswith("1 violation(s) of openapi.yaml") and "status 418 is not declared" in marked


def test_without_the_option_nothing_is_checked(client, headers):
    assert client.get("/_sandbox/violations", headers=headers).get_json() == {
        "validating": False, "count": 0, "violations": []}
