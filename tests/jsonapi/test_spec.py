"""openapi.yaml itself: every reference resolves, and request bodies are checked against it."""
import re

from sandbox.settings import ROOT

TEXT = (ROOT / "openapi.yaml").read_text()


def test_every_reference_resolves(app):
    document = app.extensions["spec"].document
    refs = set(re.findall(r'"#/components/(\w+)/(\w+)"', TEXT))
    assert refs and [ref for ref in refs if ref[1] not in document["components"].get(ref[0], {})] == []


def test_the_served_spec_is_the_file(client):
    response = client.get("/openapi.yaml")
    assert response.status_code == 200 and response.get_data(as_text=True) == TEXT


def test_every_operation_has_a_unique_id_and_declares_its_errors(app):
    document = app.extensions["spec"].document
    ids = [op["operationId"] for path in document["paths"].values() for m, op in path.items() if m != "parameters"]
    assert len(ids) == len(set(ids))
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or not path.startswith("/api/"):
                continue
            assert {"401", "406", "429"} <= set(operation["responses"]), (method, path)
