import gc
import sqlite3
import threading

import pytest

from sandbox.catalogue import ORDER_FACTORIES, ORDERS
from sandbox.store import Condition, DataSetLimit, Query, QueryTimeout, Store, decode

from .support import seeded_store


def _page(store, key, **query):
    rows, total = store.select(ORDER_FACTORIES, store.dataset(key), Query(**query))
    return [decode(ORDER_FACTORIES, row) for row in rows], total


def test_data_sets_are_seeded_once_and_apart(snapshots):
    store = seeded_store(snapshots, "a:test", count=12)
    assert _page(store, "a:test", size=25)[1] == 12
    assert store.dataset("b:test") is None
    assert store.claim("a:test") == "a:test#2"  # a new generation; the seeded one stays current
    assert store.dataset("a:test").scope == "a:test#1"


def test_pages_partition_the_records_in_a_stable_order(snapshots):
    store = seeded_store(snapshots, "a:test", count=23)
    pages = [_page(store, "a:test", number=n, size=10)[0] for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [10, 10, 3, 0]
    ids = [r["id"] for p in pages for r in p]
    assert len(set(ids)) == 23
    created = [r["created_at"] for p in pages for r in p]
    assert created == sorted(created)


def test_records_round_trip_with_their_types(snapshots):
    store = seeded_store(snapshots, "a:test", "b:test")
    scope = store.dataset("a:test").scope
    factory = _page(store, "a:test", size=1)[0][0]
    assert store.find(ORDER_FACTORIES, scope, factory["id"]) == factory
    assert isinstance(factory["reuse_wallet"], bool) and isinstance(factory["metadata"], dict)
    order = store.find(ORDERS, scope, factory["source_order_id"])
    assert isinstance(order["line_items"], list) and order["number"].isdigit()
    # the same seed gives b its own records, under other ids
    assert store.find(ORDERS, store.dataset("b:test").scope, factory["source_order_id"]) is None


def test_settings_persist_in_a_shared_file(tmp_path):
    path = str(tmp_path / "state.sqlite3")
    Store(path).set_setting("clock.frozen_at", "2026-01-01T00:00:00.000Z")
    assert Store(path).get_setting("clock.frozen_at") == "2026-01-01T00:00:00.000Z"


def test_a_store_without_a_path_removes_its_file_when_it_goes():
    store = Store()
    path = store.path
    store.set_setting("x", "1")
    assert sqlite3.connect(path).execute("SELECT value FROM settings").fetchone() == ("1",)
    del store
    gc.collect()  # the connection's progress handler refers back to the store
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("SELECT 1 FROM settings")


def test_every_write_changes_the_version_and_the_count_follows(snapshots):
    store = seeded_store(snapshots, "a:test", count=5)
    before = store.dataset("a:test")
    assert _page(store, "a:test")[1] == 5
    with store.write("a:test") as scope:
        store.delete(ORDER_FACTORIES, scope, _page(store, "a:test")[0][0]["id"])
    after = store.dataset("a:test")
    assert after.version == before.version + 1
    assert _page(store, "a:test")[1] == 4


def test_a_read_that_runs_past_the_budget_is_stopped(snapshots):
    store = seeded_store(snapshots, "a:test", count=200, query_budget=1e-9)
    # a full scan with a Python function per row: far more than 1,000 steps past a deadline of ~0
    slow = Query(conditions=(Condition(("metadata",), "jcont", ({"channel": "web"},)),))
    with pytest.raises(QueryTimeout):
        store.select(ORDER_FACTORIES, store.dataset("a:test"), slow)
    store.query_budget = 0  # no budget: the same query answers
    assert store.select(ORDER_FACTORIES, store.dataset("a:test"), slow)[1] > 0


def test_the_data_set_bound_counts_data_sets(snapshots):
    store = seeded_store(snapshots, "a:test")
    assert store.claim("b:test", limit=2) == "b:test#1"
    with pytest.raises(DataSetLimit):
        store.claim("c:test", limit=2)
    assert store.claim("a:test", limit=2) == "a:test#2"  # a known data set is never refused


def test_reads_in_threads_never_wait_for_a_writer(snapshots):
    store = seeded_store(snapshots, "a:test", count=5)
    seen = []
    with store.transaction():  # a writer holds the write lock...
        reader = threading.Thread(target=lambda: seen.append(_page(store, "a:test")[1]))
        reader.start()
        reader.join(timeout=5)  # ...and a reader in another thread still answers
    assert seen == [5]
