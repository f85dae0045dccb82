"""Schemathesis proves that every response conforms to openapi.yaml, with every check on.

The schema loads at module level: `schemathesis.pytest.from_fixture` does not work with pytest 9.2.
"""
import schemathesis
from schemathesis.config import SchemathesisConfig

from sandbox import create_app
from sandbox.auth import issue_token
from sandbox.settings import Settings

SECRET = "contract-secret-long-enough-for-hs256"
app = create_app(Settings(secret=SECRET, seed=3, count=30))

AUTH = {"Authorization": f"Bearer {issue_token(SECRET)}"}
config = SchemathesisConfig.from_dict({
    "headers": AUTH,
    "generation": {"mode": "all", "max-examples": 40},
    "checks": {
        # a schema-valid request must succeed: a 401 here would mean the token was refused
        "positive_data_acceptance": {"expected-statuses": ["2xx", "404"]},
    },
})
schema = schemathesis.openapi.from_wsgi("/openapi.yaml", app, config=config)


@schema.parametrize()
def test_every_response_conforms(case):
    case.call_and_validate()


def test_the_suite_reaches_real_data():
    """Guard against a green run made only of refusals: the same token reads real records."""
    response = app.test_client().get("/api/order_factories", headers=AUTH)
    assert response.status_code == 200
    assert len(response.get_json()["data"]) == 10
