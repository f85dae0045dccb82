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


def test_every_route_the_sandbox_serves_is_declared(app):
    declared = {(path, method) for path, item in app.extensions["spec"].document["paths"].items()
                for method in item if method != "parameters"}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        paths = [re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)]
        choices = re.search(r"<any\(([^)]*)\):\w+>", rule.rule)
        if choices and "/relationships/" in rule.rule:  # one path, the relationship a parameter
            paths = [re.sub(r"<any\([^)]*\):(\w+)>", r"{\1}", re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))]
        elif choices:  # one path per relationship name
            paths = [re.sub(r"<any\([^)]*\):\w+>", name.strip(), paths[0]) for name in choices.group(1).split(",")]
            paths = [re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", p) for p in paths]
        served |= {(path, method.lower()) for path in paths for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served - declared == set()
