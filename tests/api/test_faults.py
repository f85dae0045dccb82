"""Faults on demand: per request (Sandbox-Fault) and per data set (/_sandbox/faults), reproducible by seed,
limited to the statuses each route declares, and answered as the spec says."""
import jsonschema
import pytest

from sandbox.api.faults import HEADER_PATTERN

from ..support import JSONAPI, copy_body

SPEC_PATTERN = r"^ *(?:status *= *[45][0-9]{2}|latency *= *[0-9]{1,4}(?:ms|s)?) *(?:, *(?:status *= *[45][0-9]{2}|latency *= *[0-9]{1,4}(?:ms|s)?) *)?$"


def _error_document(app, response):
    components = app.extensions["spec"].document["components"]
    jsonschema.validate(response.get_json(), {"$ref": "#/components/schemas/ErrorDocument", "components": components})
    return response.get_json()["errors"][0]


def test_the_header_pattern_is_the_specs(app):
    declared = app.extensions["spec"].document["components"]["parameters"]["sandboxFault"]["schema"]["pattern"]
    assert declared == f"^{HEADER_PATTERN}$" == SPEC_PATTERN


def test_a_request_asks_for_its_fault(app, client, headers):
    before = client.get("/api/order_copies", headers=headers).get_json()["meta"]["record_count"]
    source = client.get("/api/orders?page[size]=1", headers=headers).get_json()["data"][0]["id"]
    faulted = client.post("/api/order_copies", json=copy_body(source),
                          headers={**headers, "Content-Type": JSONAPI, "Sandbox-Fault": "status=503, latency=50ms"})
    assert faulted.status_code == 503 and faulted.content_type == JSONAPI
    error = _error_document(app, faulted)
    assert error["meta"] == {"injected": True} and "Injected by the sandbox" in error["detail"]
    assert client.get("/api/order_copies", headers=headers).get_json()["meta"]["record_count"] == before  # nothing written
    assert client.get("/api/orders", headers={**headers, "Sandbox-Fault": "status=500"}).status_code == 500


@pytest.mark.parametrize("value", ["status=418", "status=200", "latency=forever", "status=503,status=500", "oops"])
def test_a_fault_the_route_does_not_declare_or_cannot_read_is_a_400(app, client, headers, value):
    response = client.get("/api/orders", headers={**headers, "Sandbox-Fault": value})
    assert response.status_code == 400 and "Sandbox-Fault" in _error_document(app, response)["detail"]


def test_configured_faults_are_reproducible_by_seed_and_limited_to_declared_statuses(client, headers):
    auth = {"Authorization": headers["Authorization"]}
    config = {"routes": ["GET /api/orders"], "probability": 0.5, "status": 503, "seed": 7}

    def run():
        assert client.put("/_sandbox/faults", json=config, headers=auth).status_code == 200
        return [client.get("/api/orders", headers=headers).status_code for _ in range(30)]

    first, second = run(), run()
    assert first == second and {200, 503} == set(first)  # the same seed, the same faults
    config["seed"] = 8
    assert run() != first
    assert client.get("/api/order_factories", headers=headers).status_code == 200  # routes not matched
    # a status a route never declares is not injected there
    client.put("/_sandbox/faults", json={"status": 415, "probability": 1}, headers=auth)
    assert client.get("/api/orders", headers=headers).status_code == 200
    assert client.get("/_sandbox/faults", headers=auth).get_json() == {"status": 415, "probability": 1}
    assert client.delete("/_sandbox/faults", headers=auth).status_code == 204
    assert client.get("/_sandbox/faults", headers=auth).get_json() == {}


def test_bad_fault_configurations_say_what_to_send(client, headers):
    auth = {"Authorization": headers["Authorization"]}
    for body, pointer in (({"routes": "GET /api/orders", "status": 503}, "/routes"), ({"latency_ms": 90000}, "/latency_ms"),
                          ({"probability": 0.5}, ""), ({"status": 200}, "/status")):
        response = client.put("/_sandbox/faults", json=body, headers=auth)
        assert response.status_code == 422, body
        assert response.get_json()["errors"][0]["source"]["pointer"] == pointer


def test_browsers_may_send_the_fault_header(client):
    preflight = client.options("/api/orders", headers={"Origin": "http://localhost:3000",
                                                       "Access-Control-Request-Headers": "sandbox-fault"})
    assert "Sandbox-Fault" in preflight.headers["Access-Control-Allow-Headers"]
