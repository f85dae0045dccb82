"""Schemathesis proves that every response conforms to openapi.yaml, with every check on.

The schema loads at module level: `schemathesis.pytest.from_fixture` does not work with pytest 9.2.
"""
import tomllib

import schemathesis
from hypothesis import settings
from schemathesis.config import SchemathesisConfig

from sandbox import create_app
from sandbox.check import CONFIG, keep_case
from sandbox.security.auth import DEFAULT_TENANT, issue_admin_token, issue_token
from sandbox.settings import Settings

SECRET = "contract-secret-long-enough-for-hs256"
app = create_app(Settings(secret=SECRET, seed=3, count=30))
AUTH = {"Authorization": f"Bearer {issue_token(SECRET)}"}
ADMIN = {"Authorization": f"Bearer {issue_admin_token(SECRET)}"}

# the allowances `sandbox check` gives any server; deterministic here: CI runs the same cases as the
# last green run, widen max-examples to explore
config = SchemathesisConfig.from_dict({**tomllib.loads(CONFIG.read_text(encoding="utf-8")),
                                       "generation": {"mode": "all", "max-examples": 40, "deterministic": True}})
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


@schema.hook
def filter_case(ctx, case):
    return keep_case(case, SPEC)


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
