"""The shipped scenarios check out, their comments' queries work, and a mistake names file, record and field."""
import re

import pytest

from sandbox import create_app
from sandbox.domain import scenarios
from sandbox.settings import DATA, Settings

from ..support import SECRET


@pytest.mark.parametrize("name", scenarios.names())
def test_every_query_a_scenario_suggests_answers_records(name, headers):
    client = create_app(Settings(secret=SECRET, count=20, fixtures=name)).test_client()
    text = (DATA / "fixtures" / "scenarios" / f"{name}.yaml").read_text()
    queries = re.findall(r"^#\s+GET (\S+)$", text, re.M)
    assert queries
    for query in queries:
        response = client.get(query, headers=headers)
        assert response.status_code == 200 and response.get_json()["data"], query


def test_the_outcome_orders_query_in_their_file_works(client, headers):
    text = (DATA / "fixtures" / "outcomes.yaml").read_text()
    for query in re.findall(r"^#\s+GET (\S+)$", text, re.M):
        assert client.get(query, headers=headers).get_json()["data"], query


@pytest.mark.parametrize("body, expected", [
    ("orders: [{id: orderAAAAA, number: 7, created_at: '2026-01-01'}]", "orders[0] (id orderAAAAA): number"),
    ("orders: [{id: short, created_at: '2026-01-01'}]", "orders[0] (id short): id"),
    ("order_factories: [{id: copyAAAAAA, type: order_copies, status: pending, created_at: '2026-01-01', "
     "source_order_id: missingAAA}]", "order_factories[0] (id copyAAAAAA): source_order_id: no orders record"),
    ("orders: [{id: orderAAAAA, created_at: 'yesterday'}]", "created_at: 'yesterday' is not an ISO-8601 instant"),
    ("orders: [{id: orderAAAAA, colour: red, created_at: '2026-01-01'}]", "colour: not a field of orders"),
    ("customers: []", "customers: not a table a scenario fills"),
])
def test_a_mistake_names_the_file_the_record_and_the_field(tmp_path, body, expected):
    path = tmp_path / "mine.yaml"
    path.write_text(body)
    with pytest.raises(ValueError) as caught:
        scenarios.load(str(path), 1)
    assert str(path) in str(caught.value) and expected in str(caught.value)
