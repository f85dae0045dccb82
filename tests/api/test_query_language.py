"""The query language end to end, against six hand-picked copy jobs (tests/data/query_set.yaml)."""
from pathlib import Path
from urllib.parse import quote

import pytest

from sandbox import create_app
from sandbox.security.auth import DEFAULT_TENANT
from sandbox.settings import Settings
from sandbox.domain.seed import load_fixture

from ..support import JSONAPI, SECRET, copy_body

DATA = Path(__file__).parent.parent / "data" / "query_set.yaml"
A, B, C, D, E, F = (letter * 10 for letter in "abcdef")


@pytest.fixture
def api(app, client, headers):
    app.extensions["datasets"].replace(DEFAULT_TENANT.key, load_fixture(DATA))

    def get(path, status=200):
        response = client.get(path, headers=headers)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    return get


def ids(api, query):
    return [r["id"] for r in api(f"/api/order_factories?page[size]=25&{query}")["data"]]


def q(key, value):
    return f"filter[q][{key}]={quote(value)}"


@pytest.mark.parametrize("key, value, expected", [
    ("status_eq", "failed", [D, F]),
    ("status_not_eq", "failed", [A, B, C, E]),
    ("reference_eq_or_null", "REORDER-1", [A, D]),
    ("reference_origin_not_eq_or_null", "storefront", [B, C, E, F]),
    ("errors_count_lt", "2", [C]),
    ("errors_count_lteq", "2", [C, D]),
    ("errors_count_gt", "0", [D, F]),
    ("errors_count_gteq", "5", [F]),
    ("reference_matches", "REORDER-_", [A, B, F]),       # LIKE, case-insensitive like ILIKE
    ("reference_does_not_match", "%-%", [C, E]),
    ("reference_start", "reorder", [A, B, F]),
    ("reference_not_start", "REORDER", [C, E]),
    ("reference_end", "%", [C]),                          # % is literal, not a wildcard
    ("reference_not_end", "-1", [B, C, E, F]),
    ("reference_cont", "_5", [C]),                        # _ is literal too
    ("reference_not_cont", "order", [C, E]),
    ("status_in", "pending,aborted", [A, E]),
    ("status_not_in", "pending,aborted,failed", [B, C]),
    ("errors_count_in", "0,5", [C, F]),
    ("reference_present", "true", [A, B, C, F]),
    ("reference_present", "false", [D, E]),
    ("reference_blank", "true", [D, E]),
    ("reference_blank", "0", [A, B, C, F]),
    ("started_at_null", "true", [A, E]),
    ("started_at_null", "false", [B, C, D, F]),
    ("started_at_not_null", "1", [B, C, D, F]),
    ("reuse_wallet_true", "true", [A, B, F]),
    ("reuse_wallet_false", "true", [C, D]),
    ("reuse_wallet_true", "false", [C, D, E]),           # not true: false or null
    ("place_target_order_eq", "false", [B, D, F]),
    ("status_eq_any", "pending,completed", [A, C]),
    ("reference_start_any", "REORDER-1,promo", [A, C]),
    ("reference_cont_all", "re,der,6", [F]),
    ("reference_not_eq_all", "REORDER-1,REORDER-2", [C, E, F]),
    ("errors_count_gt_all", "1,3", [F]),
    ("reference_or_reference_origin_cont", "store", [A, D]),
    ("status_or_type_eq", "recurring_order_copies", [C, E]),
    ("failed_at_or_completed_at_null", "false", [C, D, F]),
    ("created_at_gt", "2025-01-04T12:00:00Z", [E, F]),
    ("created_at_gteq", "2025-01-04T13:00:00+01:00", [D, E, F]),  # the same instant as 12:00Z
    ("created_at_lt", "2025-01-02", [A]),
    ("created_at_eq", "2025-01-03T00:00:00.000Z", [C]),
    ("created_at_in", "2025-01-01,2025-01-05T01:00:00+01:00", [A, E]),
    ("failed_at_lteq_any", "2025-01-04T12:10:00Z,2024-01-01", [D]),
    ("metadata_jcont", '{"channel":"web"}', [A, D, F]),
    ("metadata_jcont", '{"channel":"web","priority":2}', [D]),
    ("metadata_jcont", '{"priority":"2"}', []),           # types matter, as in jsonb containment
    ("metadata_jcont", "{}", [A, B, C, D, F]),
    ("metadata_null", "true", [E]),
    ("source_order_id_eq", "ordersTwoB", [C, D]),
    ("target_order_id_eq", "ordersNine", [C]),
    ("id_eq", C, [C]),
])
def test_each_predicate(api, key, value, expected):
    assert ids(api, q(key, value)) == expected


def test_filters_and_together_and_ids_filter(api):
    assert ids(api, q("status_eq", "failed") + "&" + q("errors_count_gt", "2")) == [F]
    assert ids(api, f"filter[ids]={A},{C},nonexistent") == [A, C]
    assert ids(api, f"filter[ids]={A},{C}&" + q("status_eq", "pending")) == [A]


def test_sorting(api):
    assert ids(api, "sort=-created_at") == [F, E, D, C, B, A]
    assert ids(api, "sort=status,-created_at") == [E, C, F, D, B, A]
    # ties break on id, in the direction of the last key
    assert ids(api, "sort=reference_origin") == [C, E, F, B, A, D]
    assert ids(api, "sort=-reference_origin") == [D, A, B, F, E, C]
    # the real API's sort keys only: the kind of copy is not one
    assert api("/api/order_factories?sort=type", status=400)["errors"][0]["code"] == "INVALID_SORT_CRITERIA"
    # SQLite orders nulls first ascending
    assert ids(api, "sort=errors_count,id") == [A, B, E, C, D, F]


def test_sparse_fieldsets_and_includes(api):
    body = api(f"/api/order_factories/{C}?include=source_order,target_order,events"
               "&fields[order_factories]=status,source_order,target_order,events&fields[orders]=number")
    data = body["data"]
    assert data["attributes"] == {"status": "completed"}
    assert data["relationships"]["source_order"]["data"] == {"type": "orders", "id": "ordersTwoB"}
    assert data["relationships"]["target_order"]["data"] == {"type": "orders", "id": "ordersNine"}
    assert [e["id"] for e in data["relationships"]["events"]["data"]] == ["eventsCcc1", "eventsCcc2", "eventsCcc3"]
    included = {(r["type"], r["id"]): r for r in body["included"]}
    assert set(included) == {("orders", "ordersTwoB"), ("orders", "ordersNine"), ("events", "eventsCcc1"),
                             ("events", "eventsCcc2"), ("events", "eventsCcc3")}
    assert included[("orders", "ordersNine")]["attributes"] == {"number": "9"}
    assert included[("events", "eventsCcc2")]["attributes"]["name"] == "recurring_order_copies.start"


def test_included_resources_appear_once_and_empty_links_are_null(api):
    body = api("/api/order_factories?include=source_order,target_order&filter[q][source_order_id_eq]=ordersOneA")
    assert [r["id"] for r in body["included"]] == ["ordersOneA"]
    assert all(r["relationships"]["target_order"]["data"] is None for r in body["data"])
    no_include = api(f"/api/order_factories/{A}")["data"]
    assert "data" not in no_include["relationships"]["source_order"]


def test_related_routes(api):
    assert api(f"/api/order_factories/{C}/source_order")["data"]["id"] == "ordersTwoB"
    assert api(f"/api/order_factories/{C}/target_order")["data"]["id"] == "ordersNine"
    assert api(f"/api/order_factories/{A}/target_order")["data"] is None
    events = api(f"/api/order_factories/{C}/events?sort=-created_at&page[size]=2")
    assert [e["id"] for e in events["data"]] == ["eventsCcc3", "eventsCcc2"]
    assert events["meta"] == {"record_count": 3, "page_count": 2}
    of_order = api("/api/orders/ordersThre/order_factories?" + q("status_eq", "failed"))
    assert [r["id"] for r in of_order["data"]] == [F]
    assert api("/api/orders/ordersNine?include=order_factories")["data"]["relationships"]["order_factories"]["data"] == []
    api("/api/order_factories/missingone/events", status=404)
    api("/api/orders/missingone/order_factories", status=404)


def _links(api, query):
    return api(f"/api/order_factories?{query}")


def test_link_arithmetic_at_the_edges(api):
    first = _links(api, "page[size]=4&sort=-created_at")
    assert first["meta"] == {"record_count": 6, "page_count": 2}
    assert set(first["links"]) == {"first", "next", "last"}
    assert first["links"]["next"].endswith("?sort=-created_at&page[number]=2&page[size]=4")
    last = _links(api, "page[size]=4&page[number]=2&sort=-created_at")
    assert set(last["links"]) == {"first", "prev", "last"} and len(last["data"]) == 2
    assert last["links"]["prev"].endswith("page[number]=1&page[size]=4")
    assert last["links"]["last"] == first["links"]["last"]
    exact = _links(api, "page[size]=3&page[number]=2")
    assert "next" not in exact["links"] and exact["meta"]["page_count"] == 2
    beyond = _links(api, "page[size]=4&page[number]=9")
    assert beyond["data"] == [] and "next" not in beyond["links"]
    assert beyond["links"]["prev"].endswith("page[number]=2&page[size]=4")
    empty = _links(api, q("status_eq", "nope"))
    assert empty["meta"] == {"record_count": 0, "page_count": 0} and empty["data"] == []
    assert set(empty["links"]) == {"first", "last"} and empty["links"]["last"].endswith("page[number]=1&page[size]=10")
    # links keep the filter, percent-encoded where it must be
    kept = _links(api, "page[size]=1&" + q("reference_cont", "50%"))
    assert "filter[q][reference_cont]=50%25" in kept["links"]["first"]


@pytest.mark.parametrize("query, code, parameter", [
    ("filter[q][nope_eq]=1", "FILTER_NOT_ALLOWED", "filter[q][nope_eq]"),
    ("filter[q][status_foo]=1", "FILTER_NOT_ALLOWED", "filter[q][status_foo]"),
    ("filter[q][errors_count_cont]=1", "FILTER_NOT_ALLOWED", "filter[q][errors_count_cont]"),
    ("filter[q][status_or_errors_count_eq]=1", "FILTER_NOT_ALLOWED", "filter[q][status_or_errors_count_eq]"),
    ("filter[q][status_in_any]=a", "FILTER_NOT_ALLOWED", "filter[q][status_in_any]"),
    ("filter[q][errors_log_eq]=a", "FILTER_NOT_ALLOWED", "filter[q][errors_log_eq]"),
    ("filter[q][errors_count_gt]=abc", "INVALID_FILTER_VALUE", "filter[q][errors_count_gt]"),
    ("filter[q][created_at_gt]=2025-02-30", "INVALID_FILTER_VALUE", "filter[q][created_at_gt]"),
    ("filter[q][created_at_gt]=yesterday", "INVALID_FILTER_VALUE", "filter[q][created_at_gt]"),
    ("filter[q][metadata_jcont]={bad", "INVALID_FILTER_VALUE", "filter[q][metadata_jcont]"),
    ("filter[q][metadata_jcont]=[1]", "INVALID_FILTER_VALUE", "filter[q][metadata_jcont]"),
    ("filter[q][started_at_null]=maybe", "INVALID_FILTER_VALUE", "filter[q][started_at_null]"),
    ("filter[q][status_eq]=", "INVALID_FILTER_VALUE", "filter[q][status_eq]"),
    ("filter[q][status_in]=a,,b", "INVALID_FILTER_VALUE", "filter[q][status_in]"),
    ("filter[ids]=", "INVALID_FILTER_VALUE", "filter[ids]"),
    ("sort=nope", "INVALID_SORT_CRITERIA", "sort"),
    ("sort=-status,", "INVALID_SORT_CRITERIA", "sort"),
    ("sort=metadata", "INVALID_SORT_CRITERIA", "sort"),
    ("fields[order_factories]=nope", "INVALID_FIELD", "fields[order_factories]"),
    ("fields[nope]=status", "INVALID_FIELD", "fields[nope]"),
    ("include=nope", "INVALID_INCLUDE", "include"),
    ("include=source_order,", "INVALID_INCLUDE", "include"),
    ("page[size]=0", "INVALID_PAGE_VALUE", "page[size]"),
    ("page[size]=26", "INVALID_PAGE_VALUE", "page[size]"),
    ("page[size]=x", "INVALID_PAGE_VALUE", "page[size]"),
    ("filter[x]=1", "PARAM_NOT_ALLOWED", "filter[x]"),
    ("page[size]=1&page[size]=2", "PARAM_NOT_ALLOWED", "page[size]"),
])
def test_each_bad_input_is_a_400_naming_its_parameter(api, query, code, parameter):
    [error] = api(f"/api/order_factories?{query}", status=400)["errors"]
    assert (error["code"], error["status"], error["source"]) == (code, "400", {"parameter": parameter})


def test_several_mistakes_are_all_reported(api):
    errors = api("/api/order_factories?sort=nope&include=nope&page[size]=99&filter[q][nope_eq]=1", status=400)["errors"]
    assert sorted(e["code"] for e in errors) == ["FILTER_NOT_ALLOWED", "INVALID_INCLUDE", "INVALID_PAGE_VALUE",
                                                 "INVALID_SORT_CRITERIA"]


def test_hostile_values_are_only_data(api):
    for value in ("'; DROP TABLE order_factories; --", '" OR 1=1 --', "%", "\\", "\u0000x"):
        assert ids(api, q("reference_eq", value)) == []
    assert len(ids(api, "")) == 6


def test_the_largest_filters_allowed_still_answer(api):
    import itertools
    values = ",".join(f"v{n}" for n in range(100))
    chains = ["_or_".join(p) for p in itertools.permutations(["id", "type", "status", "reference", "reference_origin"])]
    largest = "&".join(f"filter[q][{chain}_cont_any]={values}" for chain in chains[:20])
    assert ids(api, largest + f"&filter[ids]={values}") == []
    too_many = "&".join(f"filter[q][{chain}_cont_any]=x" for chain in chains[:21])
    [error] = api(f"/api/order_factories?{too_many}", status=400)["errors"]
    assert (error["code"], error["source"]) == ("FILTER_NOT_ALLOWED", {"parameter": "filter[q]"})
    long_list = ",".join(["x"] * 101)
    assert api(f"/api/order_factories?filter[ids]={long_list}", status=400)["errors"][0]["code"] == "INVALID_FILTER_VALUE"


def test_a_filter_value_past_the_like_bound_is_refused(client, headers):
    too_long = "a" * 4097
    response = client.get(f"/api/order_factories?filter[q][reference_cont]={too_long}", headers=headers)
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["code"] == "INVALID_FILTER_VALUE" and error["source"]["parameter"] == "filter[q][reference_cont]"
    # the longest value allowed, in four-byte characters and escaped, still fits SQLite's LIKE
    widest = quote("\U0001F600%" * 2048)
    assert client.get(f"/api/order_factories?filter[q][reference_cont]={widest}", headers=headers).status_code == 200


def test_a_query_past_the_time_budget_is_stopped_with_advice(headers):
    client = create_app(Settings(secret=SECRET, count=300, query_budget=1e-9)).test_client()
    heavy = "&".join(f"filter[q][{key}_cont_any]=x,y,z" for key in ("reference", "reference_origin", "status"))
    response = client.get(f"/api/order_factories?{heavy}&filter[q][metadata_jcont]=%7B%22a%22:1%7D", headers=headers)
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["code"] == "QUERY_TOO_EXPENSIVE" and "narrow" in error["detail"]
    assert client.get("/healthz").status_code == 200


def test_filters_on_related_records_the_ransack_way(client, headers):
    def listed(query):
        response = client.get(f"/api/order_factories?page[size]=25&{query}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["data"]

    source = client.get("/api/orders?filter[q][reference_eq]=reorder:out_of_stock&filter[q][reference_origin_eq]=sandbox",
                        headers=headers).get_json()["data"][0]
    copy = client.post("/api/order_copies", json=copy_body(source["id"]), headers={**headers, "Content-Type": JSONAPI})
    assert copy.status_code == 201
    by_number = listed(f"filter[q][source_order_number_eq]={source['attributes']['number']}")
    assert [f["id"] for f in by_number] == [copy.get_json()["data"]["id"]]
    included = {o["id"]: o for o in client.get("/api/order_factories?page[size]=25&include=source_order"
                                               "&filter[q][source_order_reference_start]=reorder:",
                                               headers=headers).get_json()["included"]}
    assert included and all(o["attributes"]["reference"].startswith("reorder:") for o in included.values())
    everything = client.get("/api/recurring_order_copies?page[size]=25&include=order_subscription",
                            headers=headers).get_json()
    status = {s["id"]: s["attributes"]["status"] for s in everything["included"]}
    expected = [c["id"] for c in everything["data"]
                if status.get((c["relationships"]["order_subscription"]["data"] or {}).get("id")) == "active"]
    active = client.get("/api/recurring_order_copies?page[size]=25&filter[q][order_subscription_status_eq]=active",
                        headers=headers).get_json()
    assert expected and [c["id"] for c in active["data"]] == expected


def test_in_or_null_and_not_in_or_null(api):
    assert ids(api, "filter[q][reference_origin_in_or_null]=api") == [C, E, F]
    assert ids(api, "filter[q][reference_origin_not_in_or_null]=storefront,api") == [B, C, E]


def test_nested_includes_follow_dotted_paths(client, headers):
    body = client.get("/api/order_factories?page[size]=3&include=source_order.line_items", headers=headers).get_json()
    orders = [r for r in body["included"] if r["type"] == "orders"]
    items = {r["id"] for r in body["included"] if r["type"] == "line_items"}
    assert orders and all(o["relationships"]["line_items"]["data"] for o in orders)
    assert {i["id"] for o in orders for i in o["relationships"]["line_items"]["data"]} == items
    assert "data" not in body["data"][0]["relationships"]["events"]  # only what was asked is included
    too_deep = client.get("/api/order_factories?include=source_order.line_items.order", headers=headers)
    assert too_deep.status_code == 400 and too_deep.get_json()["errors"][0]["code"] == "INVALID_INCLUDE"


def test_metadata_jcont_takes_json_with_whitespace(api):
    assert ids(api, "filter[q][metadata_jcont]=" + quote('{"channel": "web"}')) == \
        ids(api, "filter[q][metadata_jcont]=" + quote('{"channel":"web"}')) != []
    assert ids(api, "filter[q][metadata_jcont]=" + quote(' {\n "channel" : "app" ,"priority": 1 } ')) == [B]


def test_i_cont_ignores_case_like_every_text_match(api):
    assert ids(api, "filter[q][reference_i_cont]=reorder") == ids(api, "filter[q][reference_cont]=REORDER") != []
    assert ids(api, "filter[q][reference_not_i_cont_all]=reorder,promo") == \
        ids(api, "filter[q][reference_not_cont_all]=reorder,promo")
