from datetime import datetime, timedelta, timezone

import pytest

from sandbox.catalogue import EVENTS, ORDER_FACTORIES, ORDERS
from sandbox.domain.lifecycle import MissingRelated, Timing, new_copy, settle
from sandbox.store import Query

from ..support import scenario_order, seeded_store


def test_settle_applies_each_due_transition_once(snapshots):
    store = seeded_store(snapshots, "d:test", count=3)
    scope = store.dataset("d:test").scope
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    order_id = store.select(ORDER_FACTORIES, store.dataset("d:test"), Query())[0][0]["source_order_id"]
    copy = new_copy(store, "d:test", 1, "order_copies", {"source_order_id": order_id}, t0,
                    Timing(timedelta(seconds=2), timedelta(seconds=3)))
    assert settle(store, "d:test", 1, t0 + timedelta(seconds=1)) == 0
    assert settle(store, "d:test", 1, t0 + timedelta(seconds=10)) == 2
    assert settle(store, "d:test", 1, t0 + timedelta(seconds=20)) == 0
    assert store.find(ORDER_FACTORIES, scope, copy["id"])["status"] == "completed"
    names = [e["name"] for e in store.find_many(EVENTS, scope, [copy["id"]], by="order_factory_id")]
    assert names == ["order_copies.create", "order_copies.start", "order_copies.complete"]


def test_a_read_with_nothing_due_writes_nothing(snapshots):
    store = seeded_store(snapshots, "d:test", count=3)
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    new_copy(store, "d:test", 1, "order_copies", {"source_order_id": scenario_order(store, "d:test")}, t0,
             Timing(timedelta(seconds=2), timedelta(seconds=3)))
    version = store.dataset("d:test").version
    assert settle(store, "d:test", 1, t0 + timedelta(seconds=1)) == 0
    assert store.dataset("d:test").version == version  # no write transaction was even opened
    assert settle(store, "d:test", 1, t0 + timedelta(seconds=2)) == 1
    assert store.dataset("d:test").version == version + 1


def test_a_copy_of_an_order_the_data_set_does_not_hold_is_refused(snapshots):
    store = seeded_store(snapshots, "d:test", count=1)
    with pytest.raises(MissingRelated) as missing:
        new_copy(store, "d:test", 1, "order_copies", {"source_order_id": "nowhereAAA"}, datetime.now(timezone.utc),
                 Timing(timedelta(seconds=1), timedelta(seconds=1)))
    assert missing.value.relationship == "source_order"


def test_created_ids_depend_on_the_data_set_history_only(snapshots):
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    timing = Timing(timedelta(seconds=2), timedelta(seconds=3))
    ids = []
    for _ in range(2):
        store = seeded_store(snapshots, "d:test", count=1)
        ids.append([new_copy(store, "d:test", 1, "order_copies", {"source_order_id": scenario_order(store, "d:test")}, t0, timing)["id"]
                    for _ in range(3)])
    assert ids[0] == ids[1] and len(set(ids[0])) == 3


def test_a_copy_whose_source_is_gone_fails_even_with_skip_errors(snapshots):
    store = seeded_store(snapshots, "d:test", count=1)
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    source = scenario_order(store, "d:test", "reorder:completes")
    copy = new_copy(store, "d:test", 1, "order_copies", {"source_order_id": source, "skip_errors": True}, t0,
                    Timing(timedelta(seconds=1), timedelta(seconds=1)))
    with store.write("d:test") as scope:
        store.delete(ORDERS, scope, source)
    settle(store, "d:test", 1, t0 + timedelta(seconds=5))
    failed = store.find(ORDER_FACTORIES, store.dataset("d:test").scope, copy["id"])
    assert failed["status"] == "failed" and failed["errors_log"] == {"source_order": ["can't be blank"]}
