"""The marshmallow-jsonapi schemas serve exactly what openapi.yaml declares for each type."""
import pytest
import yaml

from sandbox.catalogue import RESOURCES
from sandbox.jsonapi.schemas import SCHEMAS
from sandbox.settings import ROOT

COMPONENTS = yaml.safe_load((ROOT / "openapi.yaml").read_text())["components"]["schemas"]


@pytest.mark.parametrize("resource_type", sorted(RESOURCES))
def test_attributes_and_relationships_match_the_spec(resource_type):
    declared = COMPONENTS[RESOURCES[resource_type].name]["properties"]
    attributes = COMPONENTS[declared["attributes"]["$ref"].rsplit("/", 1)[1]]["properties"]
    relationships = declared.get("relationships", {}).get("properties", {})
    assert set(RESOURCES[resource_type].attributes) == set(attributes)
    assert {r.name for r in RESOURCES[resource_type].relationships} == set(relationships)


def test_without_sparse_fieldsets_every_attribute_is_served(client, headers):
    record = client.get("/api/order_factories?page[size]=1", headers=headers).get_json()["data"][0]
    declared = COMPONENTS["OrderFactoryAttributes"]["properties"]
    assert set(record["attributes"]) == set(declared)
    assert set(record["relationships"]) == set(COMPONENTS["OrderFactory"]["properties"]["relationships"]["properties"])


def test_links_are_absolute_and_follow_the_request_host(app, headers):
    client = app.test_client()
    record = client.get("/api/orders?page[size]=1", headers=headers, base_url="http://sandbox.test:9000").get_json()
    assert record["data"][0]["links"]["self"].startswith("http://sandbox.test:9000/api/orders/")
    assert set(SCHEMAS) == set(RESOURCES)
