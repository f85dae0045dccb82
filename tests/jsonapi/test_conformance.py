"""What openapi.yaml promises of an answer, checked: statuses, media types, bodies, complete resources."""
import orjson
import pytest

from sandbox.jsonapi.conformance import Conformance

JSONAPI = {"Content-Type": "application/vnd.api+json"}


@pytest.fixture
def conformance(app):
    return Conformance(app.extensions["spec"].document)


@pytest.fixture
def page(client, headers) -> dict:
    return client.get("/api/order_factories?page[size]=2", headers=headers).get_json()


def test_an_answer_that_keeps_the_contract_has_no_violation(conformance, page):
    assert conformance.violations("GET", "/api/order_factories", {}, 200, JSONAPI, orjson.dumps(page)) == []


def test_routes_match_their_templates_static_ones_first(conformance):
    assert conformance.template("/api/order_copies/abcdefghij") == "/api/order_copies/{id}"
    assert conformance.template("/_sandbox/clock/freeze") == "/_sandbox/clock/freeze"
    assert conformance.template("/api/orders/abcdefghij/relationships/line_items") == \
        "/api/orders/{id}/relationships/{relationship}"
    assert conformance.template("/api/nowhere/at/all") is None


def test_attributes_left_out_without_a_sparse_fieldset_are_a_violation(conformance, page):
    del page["data"][0]["attributes"]["status"]
    [problem] = conformance.violations("GET", "/api/order_factories", {}, 200, JSONAPI, orjson.dumps(page))
    assert problem == (f"GET /api/order_factories 200: order_factories {page['data'][0]['id']} lacks status though "
                       "no fields[order_factories] was asked for")
    asked = {"fields[order_factories]": "reference"}
    assert conformance.violations("GET", "/api/order_factories", asked, 200, JSONAPI, orjson.dumps(page)) == []


def test_a_body_off_its_schema_is_a_violation_with_its_pointer(conformance, page):
    page["data"][1]["attributes"]["errors_count"] = "two"
    [problem] = conformance.violations("GET", "/api/order_factories", {}, 200, JSONAPI, orjson.dumps(page))
    assert problem.startswith("GET /api/order_factories 200: /data/1/attributes/errors_count: ")
    assert conformance.violations("GET", "/api/order_factories", {}, 200, JSONAPI, b"<html>") == [
        "GET /api/order_factories 200: the body is not JSON"]


def test_undeclared_statuses_and_media_types_are_violations(conformance, page):
    body = orjson.dumps(page)
    assert conformance.violations("GET", "/api/order_factories", {}, 203, JSONAPI, body) == [
        "GET /api/order_factories: status 203 is not declared (declared: 200, 400, 401, 406, 429, 503, 500)"]
    assert conformance.violations("GET", "/api/order_factories", {}, 200, {"Content-Type": "application/json"}, body) == [
        "GET /api/order_factories 200: Content-Type application/json is not declared "
        "(declared: application/vnd.api+json)"]


def test_what_the_spec_has_no_operation_for_is_not_checked(conformance):
    assert conformance.violations("GET", "/api/nowhere", {}, 404, JSONAPI, b"{}") == []
    assert conformance.violations("PUT", "/api/orders", {}, 405, JSONAPI, b"{}") == []
