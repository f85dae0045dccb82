"""Schemathesis proves that every response conforms to openapi.yaml, with every check on.

The schema loads at module level: `schemathesis.pytest.from_fixture` does not work with pytest 9.2.
"""
import re

import jsonschema
import schemathesis
from hypothesis import settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from sandbox import create_app
from sandbox.security.auth import DEFAULT_TENANT, issue_admin_token, issue_token
from sandbox.settings import Settings

SECRET = "contract-secret-long-enough-for-hs256"
app = create_app(Settings(secret=SECRET, seed=3, count=30))
AUTH = {"Authorization": f"Bearer {issue_token(SECRET)}"}
ADMIN = {"Authorization": f"Bearer {issue_admin_token(SECRET)}"}

config = SchemathesisConfig.from_dict({
    # deterministic: CI runs the same cases as the last green run here; widen max-examples to explore
    "generation": {"mode": "all", "max-examples": 40, "deterministic": True},
    "checks": {
        # a schema-valid request must succeed: a 401 here would mean the token was refused
        "positive_data_acceptance": {"expected-statuses": ["2xx", "404"]},
    },
    "operations": [{
        # well-formed credentials that no application has are refused, as the real auth server does
        "include-operation-id": "issueToken",
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401"]}},
    }, {
        # a schema cannot say which hosts the sandbox calls (loopback unless --webhook-hosts), nor which
        # include paths a topic's resource has: a well-formed webhook may still be refused with 422
        "include-operation-id": ["createWebhook", "updateWebhook"],
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "404", "400", "422"]}},
    }, {
        # a schema cannot tie data.id to the id in the path: a body naming another record is refused
        # with 400 KEY_NOT_INCLUDED_IN_URL, as the real API does
        "include-operation-id": ["updateOrderCopy", "updateRecurringOrderCopy"],
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "404", "400"]}},
    }],
})
schema = schemathesis.openapi.from_wsgi("/openapi.yaml", app, config=config)


class _Bearer:
    token = ""

    def get(self, case, context):
        return self.token

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.auth().skip_for(path_regex="^/_sandbox/admin")
class DataSetToken(_Bearer):
    """Every route but the admin ones acts for one data set."""
    token = AUTH["Authorization"].split()[1]


@schema.auth().apply_to(path_regex="^/_sandbox/admin")
class AdminToken(_Bearer):
    """The whole-sandbox routes take an admin token."""
    token = ADMIN["Authorization"].split()[1]
SPEC = app.extensions["spec"].document


def _wire(value):
    """What a query value becomes on the wire: strings; None and empty containers vanish."""
    if isinstance(value, dict):
        wired = {k: _wire(v) for k, v in value.items()}
        wired = {k: v for k, v in wired.items() if v is not None}
        return wired or None
    if isinstance(value, list):
        wired = [w for w in map(_wire, value) if w is not None]
        return wired or None
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def _typed(value, schema: dict):
    """A wire string read as its declared type, where the schema declares an integer (page[...])."""
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {k: _typed(v, properties.get(k, {})) for k, v in value.items()}
    if schema.get("type") == "integer" and isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return value


def _query_schemas(case) -> dict:
    operation = SPEC["paths"][case.operation.path]
    parameters = [*operation.get("parameters", []), *operation[case.method.lower()].get("parameters", [])]
    resolved = [SPEC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                for p in parameters]
    return {p["name"]: p["schema"] for p in resolved if p["in"] == "query"}


def _nested(query: dict) -> dict:
    """`{"filter[q][a]": v}` (as some phases hand the query over) -> `{"filter": {"q": {"a": v}}}`."""
    conflicting = {"": "a key that is both a value and an object"}  # valid nowhere: the case is kept
    nested: dict = {}
    for key, value in query.items():
        *path, last = key.replace("]", "").split("[")
        node = nested
        for part in path:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                return conflicting
        if last in node:
            return conflicting
        node[last] = value
    return nested


def _valid_on_the_wire(case) -> bool:
    schemas = _query_schemas(case)
    wired = {k: w for k, w in ((k, _wire(v)) for k, v in _nested(case.query or {}).items()) if w is not None}
    return all(name in schemas and jsonschema.Draft202012Validator(
        {**schemas[name], "components": SPEC["components"]}).is_valid(_typed(value, schemas[name]))
        for name, value in wired.items())


def _negative_locations(case) -> set:
    """Where a negative case breaks the schema: fuzzing records it per component, coverage per case."""
    meta = case.meta
    locations = {location for location, info in meta.components.items() if info.mode == GenerationMode.NEGATIVE}
    location = getattr(meta.phase.data, "parameter_location", None)
    return locations | ({location} if location else set())


@schema.hook
def filter_case(ctx, case):
    """Keep a negative case only if what reaches the sandbox is invalid.

    A query string carries only strings: `true` sent for an enum of "true"/"false", or an empty
    object that expands to no key at all, is valid once on the wire, whatever the generator meant.
    """
    if case.meta is None or case.meta.generation.mode != GenerationMode.NEGATIVE:
        return True
    if case.method.lower() not in SPEC["paths"].get(case.operation.path, {}):
        return True
    return _negative_locations(case) != {ParameterLocation.QUERY} or not _valid_on_the_wire(case)


def _clock_from_real_time(case):
    """Each clock call starts from real time: the generator's jumps (up to centuries) would
    otherwise add up past the last instant the clock can show, and valid calls would be refused."""
    if "/clock" in case.operation.path:
        store = app.extensions["store"]
        store.write_clock(None, None, 0)
        if store.dataset(DEFAULT_TENANT.key):
            store.write_clock(DEFAULT_TENANT.key, None, None)


def _no_faults_on_request(case):
    """The Sandbox-Fault header makes a request fail on purpose, with a declared status; tests/api/
    test_faults.py checks those answers against the spec. Generated requests go without it, or every
    injected 500 would read as the sandbox failing."""
    if case.headers:
        case.headers.pop("Sandbox-Fault", None)


@schema.parametrize()
def test_every_response_conforms(case):
    _clock_from_real_time(case)
    _no_faults_on_request(case)
    case.call_and_validate()


class Workflows(schema.as_state_machine()):
    """Chains of calls along the spec's links: list orders -> copy one -> retrieve, update, delete."""

    def setup(self):
        # every scenario starts from the seed, or Hypothesis sees a different world each replay
        assert app.test_client().post("/_sandbox/reset", headers=AUTH).status_code == 204

    def before_call(self, case):
        _clock_from_real_time(case)
        _no_faults_on_request(case)
    

Workflows.TestCase.settings = settings(max_examples=30, stateful_step_count=6, deadline=None, derandomize=True)
TestWorkflows = Workflows.TestCase


def test_the_suite_reaches_real_data():
    """Guard against a green run made only of refusals: the same token reads real records."""
    client = app.test_client()
    assert len(client.get("/api/order_factories", headers=AUTH).get_json()["data"]) == 10
    order = client.get("/api/orders?page[size]=1", headers=AUTH).get_json()["data"][0]
    body = {"data": {"type": "order_copies",
                     "relationships": {"source_order": {"data": {"type": "orders", "id": order["id"]}}}}}
    created = client.post("/api/order_copies", json=body, headers={**AUTH, "Content-Type": "application/vnd.api+json"})
    assert created.status_code == 201
