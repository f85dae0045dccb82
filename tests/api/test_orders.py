"""Orders, their line items and subscriptions, and events, as the official schemas have them."""
import re

from ..support import JSONAPI, copy_body


def test_orders_have_string_numbers_and_their_line_items(client, headers):
    orders = client.get("/api/orders?include=line_items&page[size]=5", headers=headers).get_json()
    order = orders["data"][0]
    assert re.fullmatch(r"[0-9]+", order["attributes"]["number"])
    items = [r for r in orders["included"] if r["type"] == "line_items"]
    mine = [i for i in items if i["id"] in {x["id"] for x in order["relationships"]["line_items"]["data"]}]
    assert mine and all(i["relationships"]["order"]["links"]["related"].endswith(f"/api/line_items/{i['id']}/order")
                        for i in mine)
    item = mine[0]["attributes"]
    assert item["total_amount_cents"] == item["quantity"] * item["unit_amount_cents"]
    assert item["formatted_total_amount"].endswith(f"{item['total_amount_cents'] % 100:02d}")
    listed = client.get(f"/api/orders/{order['id']}/line_items", headers=headers).get_json()
    assert [i["id"] for i in listed["data"]] == [i["id"] for i in order["relationships"]["line_items"]["data"]]
    assert client.get(f"/api/line_items/{mine[0]['id']}/order", headers=headers).get_json()["data"]["id"] == order["id"]
    assert client.get("/api/line_items?filter[q][sku_code_start]=MUG&sort=-quantity", headers=headers).status_code == 200


def test_an_order_without_an_email_has_a_null_one(client, headers):
    found = client.get("/api/orders?filter[q][reference_eq]=reorder:cannot_be_placed"
                       "&filter[q][reference_origin_eq]=sandbox", headers=headers).get_json()["data"][0]
    assert found["attributes"]["customer_email"] is None


def test_subscriptions_have_their_run_attributes_and_orders(client, headers):
    subscription = client.get("/api/order_subscriptions?include=orders&page[size]=25", headers=headers).get_json()
    attributes = subscription["data"][0]["attributes"]
    assert {"last_run_at", "succeeded_on_last_run", "errors_count"} <= set(attributes)
    assert re.fullmatch(r"[0-9]+", attributes["number"])
    # the target orders of completed recurring copies belong to their subscription
    owned = [s for s in subscription["data"] if s["relationships"]["orders"]["data"]]
    assert owned
    order = owned[0]["relationships"]["orders"]["data"][0]["id"]
    assert client.get(f"/api/orders/{order}/order_subscription", headers=headers).get_json()["data"]["id"] == owned[0]["id"]


def test_events_are_listable_with_filters_sorts_and_their_relationships(client, headers):
    events = client.get("/api/events?filter[q][name_end]=.complete&sort=-created_at&page[size]=25",
                        headers=headers).get_json()
    assert events["data"] and all(e["attributes"]["name"].endswith(".complete") for e in events["data"])
    created = [e["attributes"]["created_at"] for e in events["data"]]
    assert created == sorted(created, reverse=True)
    event = events["data"][0]
    assert set(event["relationships"]) == {"webhooks", "last_event_callbacks"}
    empty = client.get(f"/api/events/{event['id']}/webhooks", headers=headers).get_json()
    assert empty["data"] == [] and empty["meta"] == {"record_count": 0, "page_count": 0}


def test_every_resource_carries_a_trace_id(client, headers):
    factory = client.get("/api/order_factories?page[size]=1&include=source_order", headers=headers).get_json()
    for resource in (factory["data"][0], factory["included"][0]):
        assert re.fullmatch(r"[0-9a-f]{32}", resource["meta"]["trace_id"])
    again = client.get(f"/api/order_factories/{factory['data'][0]['id']}", headers=headers).get_json()
    assert again["data"]["meta"]["trace_id"] == factory["data"][0]["meta"]["trace_id"]


def test_copies_carry_their_type_as_an_attribute(client, headers):
    source = client.get("/api/orders?page[size]=1", headers=headers).get_json()["data"][0]["id"]
    created = client.post("/api/order_copies", json=copy_body(source), headers={**headers, "Content-Type": JSONAPI})
    assert created.get_json()["data"]["attributes"]["type"] == "order_copies"
    recurring = client.get("/api/recurring_order_copies?page[size]=1", headers=headers).get_json()["data"][0]
    assert recurring["attributes"]["type"] == "recurring_order_copies"


def test_event_stores_and_linkage_routes_answer_what_links_point_at(client, headers):
    factory = client.get("/api/order_factories?filter[q][status_eq]=completed&page[size]=1",
                         headers=headers).get_json()["data"][0]
    stores = client.get(f"/api/order_factories/{factory['id']}/event_stores", headers=headers)
    assert stores.status_code == 200 and stores.get_json()["data"] == []
    for name, relationship in factory["relationships"].items():
        linkage = client.get(relationship["links"]["self"], headers=headers)
        assert linkage.status_code == 200, name
        body = linkage.get_json()
        assert body["links"]["related"] == relationship["links"]["related"]
        if name == "target_order":
            assert body["data"]["type"] == "orders"
        if name == "events":
            assert [e["type"] for e in body["data"]] == ["events"] * len(body["data"]) and body["data"]
    assert client.get(f"/api/order_factories/{factory['id']}/relationships/nope", headers=headers).status_code == 404


def test_the_order_statuses_are_the_official_schemas(app):
    declared = app.extensions["spec"].document["components"]["schemas"]["OrderAttributes"]["properties"]["status"]
    assert declared["enum"] == ["draft", "pending", "placing", "placed", "editing", "approved", "cancelled"]
