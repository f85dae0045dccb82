import sqlite3
import time
from datetime import datetime, timedelta, timezone

from sandbox.catalogue import EVENTS, ORDER_FACTORIES
from sandbox.domain.clock import Clock
from sandbox.domain.lifecycle import Timing, new_copy
from sandbox.domain.scheduler import Scheduler

from ..support import copy_body, scenario_order, seeded_store

T0 = datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_the_scheduler_moves_copies_with_nobody_reading(snapshots):
    store = seeded_store(snapshots, "a:test", "b:test", count=3)
    clock = Clock(store)  # the default clock, which both data sets follow
    clock.freeze(T0)
    timing = Timing(timedelta(seconds=2), timedelta(seconds=3))
    copies = {key: new_copy(store, key, 1, "order_copies", {"source_order_id": scenario_order(store, key)}, T0, timing)
              for key in ("a:test", "b:test")}
    scheduler = Scheduler(store, seed=1)
    assert scheduler.run_once() == 0
    clock.advance(timedelta(seconds=2))
    assert scheduler.run_once() == 2  # one start in each data set
    clock.advance(timedelta(seconds=10))
    assert scheduler.run_once() == 2 and scheduler.run_once() == 0
    for key, copy in copies.items():
        scope = store.dataset(key).scope
        moved = store.find(ORDER_FACTORIES, scope, copy["id"])
        # out of stock: the copy fails, at the instant it was due, not when the scheduler ran
        assert (moved["status"], moved["failed_at"]) == ("failed", "2026-06-01T00:00:05.000Z")
        assert [e["name"] for e in store.find_many(EVENTS, scope, [copy["id"]], by="order_factory_id")] == [
            "order_copies.create", "order_copies.start", "order_copies.fail"]


def test_the_scheduler_goes_by_each_data_sets_own_clock(snapshots):
    store = seeded_store(snapshots, "a:test", "b:test", count=3)
    for key in ("a:test", "b:test"):
        Clock(store, key).freeze(T0)
        new_copy(store, key, 1, "order_copies", {"source_order_id": scenario_order(store, key)}, T0,
                 Timing(timedelta(seconds=2), timedelta(seconds=3)))
    Clock(store, "a:test").advance(timedelta(seconds=2))
    assert Scheduler(store, seed=1).run_once() == 1  # a's copy starts; b's clock has not moved


def test_a_running_scheduler_follows_real_time(snapshots):
    store = seeded_store(snapshots, "a:test", count=3)
    copy = new_copy(store, "a:test", 1, "order_copies", {"source_order_id": scenario_order(store, "a:test")},
                    datetime.now(timezone.utc),
                    Timing(timedelta(seconds=0.1), timedelta(seconds=0.1)))
    scheduler = Scheduler(store, seed=1, interval=0.02).start()
    try:
        deadline = time.monotonic() + 10
        while store.find(ORDER_FACTORIES, store.dataset("a:test").scope, copy["id"])["status"] != "failed":
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        scheduler.stop()


def test_two_workers_move_a_copy_once_with_no_request_in_between(serve, tmp_path):
    state = tmp_path / "state.sqlite3"
    served = serve("--workers", "2", "--db", str(state), "--start-after", "0.2", "--run-for", "0.2")
    status, orders = served.request("GET", "/api/orders?filter[q][reference_eq]=reorder:completes"
                                           "&filter[q][reference_origin_eq]=sandbox")
    status, created = served.request("POST", "/api/order_copies", copy_body(orders["data"][0]["id"]))
    assert status == 201
    copy = created["data"]["id"]
    db = sqlite3.connect(state)
    deadline = time.monotonic() + 15
    while db.execute("SELECT status FROM order_factories WHERE id = ?", (copy,)).fetchone()[0] != "completed":
        assert time.monotonic() < deadline, "the copy did not move without requests"
        time.sleep(0.05)
    time.sleep(0.5)  # both workers' schedulers have had more passes meanwhile
    events = db.execute("SELECT name FROM events WHERE order_factory_id = ? ORDER BY created_at", (copy,)).fetchall()
    assert [name for (name,) in events] == ["order_copies.create", "order_copies.start", "order_copies.complete"]
    targets = db.execute("SELECT COUNT(*) FROM orders WHERE created_at = "
                         "(SELECT completed_at FROM order_factories WHERE id = ?)", (copy,)).fetchone()[0]
    assert targets == 1
