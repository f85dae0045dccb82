from sandbox.jsonapi.query import Query
from sandbox.catalogue import ORDER_FACTORIES, ORDERS
from sandbox.store import Store


def test_data_sets_are_seeded_once_and_apart():
    store = Store(seed=1, count=12)
    store.ensure("a:test")
    store.ensure("a:test")
    _, total = store.select(ORDER_FACTORIES, "a:test", Query(number=1, size=25))
    assert total == 12
    assert store.select(ORDER_FACTORIES, "b:test", Query(number=1, size=25)) == ([], 0)


def test_pages_partition_the_records_in_a_stable_order():
    store = Store(seed=1, count=23)
    store.ensure("a:test")
    pages = [store.select(ORDER_FACTORIES, "a:test", Query(number=n, size=10))[0] for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [10, 10, 3, 0]
    ids = [r["id"] for p in pages for r in p]
    assert len(set(ids)) == 23
    created = [r["created_at"] for p in pages for r in p]
    assert created == sorted(created)


def test_records_round_trip_with_their_types():
    store = Store(seed=1, count=5)
    store.ensure("a:test")
    factory = store.select(ORDER_FACTORIES, "a:test", Query(number=1, size=1))[0][0]
    assert store.find(ORDER_FACTORIES, "a:test", factory["id"]) == factory
    assert isinstance(factory["reuse_wallet"], bool) and isinstance(factory["metadata"], dict)
    order = store.find(ORDERS, "a:test", factory["source_order_id"])
    assert isinstance(order["line_items"], list) and order["number"] > 0
    assert store.find(ORDERS, "b:test", factory["source_order_id"]) is None


def test_settings_persist_in_a_shared_file(tmp_path):
    path = str(tmp_path / "state.sqlite3")
    Store(path).set_setting("clock.frozen_at", "2026-01-01T00:00:00.000Z")
    assert Store(path).get_setting("clock.frozen_at") == "2026-01-01T00:00:00.000Z"


def test_reset_restores_the_seed():
    store = Store(seed=1, count=5)
    store.ensure("a:test")
    before = store.select(ORDER_FACTORIES, "a:test", Query(number=1, size=25))
    with store.transaction() as db:
        db.execute("DELETE FROM order_factories WHERE dataset = 'a:test'")
    store.reset("a:test")
    assert store.select(ORDER_FACTORIES, "a:test", Query(number=1, size=25)) == before
