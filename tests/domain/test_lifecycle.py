from datetime import datetime, timedelta, timezone

from sandbox.domain.lifecycle import Timing, copy_errors, new_copy, settle
from sandbox.jsonapi.query import Query
from sandbox.catalogue import EVENTS, ORDER_FACTORIES
from sandbox.store import Store

ORDER = {"customer_email": "a@example.com", "line_items": [
    {"sku_code": "A1", "quantity": 1, "unit_amount_cents": 100, "in_stock": True},
    {"sku_code": "B2", "quantity": 1, "unit_amount_cents": 100, "in_stock": False},
    {"sku_code": "C3", "quantity": 1, "unit_amount_cents": 100, "in_stock": False}]}


def test_copy_errors_name_every_problem_in_the_real_shape():
    assert copy_errors(ORDER, place=False) == {"line_items": ["B2 is out of stock", "C3 is out of stock"]}
    assert copy_errors({**ORDER, "customer_email": ""}, place=True) == {
        "line_items": ["B2 is out of stock", "C3 is out of stock"],
        "status": ["cannot transition from draft to placed"]}
    assert copy_errors({**ORDER, "line_items": []}, place=True) == {}
    assert copy_errors(None, place=False) == {"source_order": ["can't be blank"]}


def test_settle_applies_each_due_transition_once():
    store = Store(seed=1, count=3)
    store.ensure("d:test")
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    order_id = store.select(ORDER_FACTORIES, "d:test", Query())[0][0]["source_order_id"]
    copy = new_copy(store, "d:test", 1, "order_copies", {"source_order_id": order_id}, t0,
                    Timing(timedelta(seconds=2), timedelta(seconds=3)))
    assert settle(store, "d:test", 1, t0 + timedelta(seconds=1)) == 0
    assert settle(store, "d:test", 1, t0 + timedelta(seconds=10)) == 2
    assert settle(store, "d:test", 1, t0 + timedelta(seconds=20)) == 0
    assert store.find(ORDER_FACTORIES, "d:test", copy["id"])["status"] == "completed"
    names = [e["name"] for e in store.find_many(EVENTS, "d:test", [copy["id"]], by="order_factory_id")]
    assert names == ["order_copies.create", "order_copies.start", "order_copies.complete"]


def test_created_ids_depend_on_the_data_set_history_only():
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    timing = Timing(timedelta(seconds=2), timedelta(seconds=3))
    ids = []
    for _ in range(2):
        store = Store(seed=1, count=1)
        store.ensure("d:test")
        ids.append([new_copy(store, "d:test", 1, "order_copies", {"source_order_id": "x"}, t0, timing)["id"]
                    for _ in range(3)])
    assert ids[0] == ids[1] and len(set(ids[0])) == 3


def test_a_copy_whose_source_is_gone_fails_even_with_skip_errors():
    store = Store(seed=1, count=1)
    store.ensure("d:test")
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    copy = new_copy(store, "d:test", 1, "order_copies", {"source_order_id": "goneGoneGo", "skip_errors": True}, t0,
                    Timing(timedelta(seconds=1), timedelta(seconds=1)))
    settle(store, "d:test", 1, t0 + timedelta(seconds=5))
    failed = store.find(ORDER_FACTORIES, "d:test", copy["id"])
    assert failed["status"] == "failed" and failed["errors_log"] == {"source_order": ["can't be blank"]}
