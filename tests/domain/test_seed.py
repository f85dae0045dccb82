import re

from sandbox.domain.seed import STATUSES, SeedData


def _factories(seed=1, dataset="org:test", count=50):
    return SeedData(seed, dataset, count).tables()


def test_same_seed_same_records_and_other_seeds_differ():
    assert _factories() == _factories()
    assert _factories(seed=2)["order_factories"] != _factories()["order_factories"]
    assert _factories(dataset="org:live")["order_factories"] != _factories()["order_factories"]


def test_records_depend_on_their_index_not_on_the_count():
    assert _factories(count=50)["order_factories"][:10] == _factories(count=10)["order_factories"]


def test_fifty_records_cover_both_kinds_and_every_status():
    factories = _factories()["order_factories"]
    assert len(factories) == 50
    assert {f["status"] for f in factories} == set(STATUSES)
    assert {f["type"] for f in factories} == {"order_copies", "recurring_order_copies"}
    assert all(re.fullmatch(r"[A-Za-z]{10}", f["id"]) for f in factories)
    assert len({f["id"] for f in factories}) == 50


def test_each_record_is_coherent_with_its_status():
    tables = _factories(count=200)
    orders = {o["id"]: o for o in tables["orders"]}
    subscriptions = {s["id"] for s in tables["order_subscriptions"]}
    for f in tables["order_factories"]:
        assert f["source_order_id"] in orders
        assert f["created_at"] <= f["updated_at"]
        if f["status"] in ("pending", "aborted"):
            assert f["started_at"] is f["completed_at"] is f["failed_at"] is None
        if f["status"] == "completed":
            assert f["started_at"] <= f["completed_at"] == f["updated_at"]
            assert f["failed_at"] is None and f["target_order_id"] in orders
        else:
            assert f["target_order_id"] is None
        if f["status"] == "failed":
            assert f["started_at"] <= f["failed_at"] == f["updated_at"] and f["completed_at"] is None
            assert f["errors_log"] and f["errors_count"] == sum(len(m) for m in f["errors_log"].values())
        if f["type"] == "recurring_order_copies":
            assert f["order_subscription_id"] in subscriptions
        else:
            assert f["order_subscription_id"] is None


def test_every_factory_has_its_events_in_order():
    tables = _factories()
    events = {}
    for e in tables["events"]:
        events.setdefault(e["order_factory_id"], []).append(e)
    expected_last = {"pending": "create", "in_progress": "start", "completed": "complete",
                     "failed": "fail", "aborted": "abort"}
    for f in tables["order_factories"]:
        names = [e["name"] for e in events[f["id"]]]
        assert names[0] == f"{f['type']}.create"
        assert names[-1] == f"{f['type']}.{expected_last[f['status']]}"


def test_a_completed_copys_target_order_copies_the_source_items_and_totals():
    tables = _factories(count=20)
    orders = {o["id"]: o for o in tables["orders"]}
    for f in tables["order_factories"]:
        if f["status"] == "completed":
            source, target = orders[f["source_order_id"]], orders[f["target_order_id"]]
            for attribute in ("line_items", "currency_code", "total_amount_cents", "skus_count", "formatted_total_amount"):
                assert target[attribute] == source[attribute]


def test_records_stream_in_bounded_batches_that_add_up_to_the_tables():
    seed = SeedData(1, "org:test", 3000)
    batches = list(seed.batches(size=500))
    assert max(len(rows) for _, rows in batches) < 600
    joined = {}
    for table, rows in batches:
        joined.setdefault(table, []).extend(rows)
    assert joined == seed.tables()
