import sqlite3
import threading

from sandbox.catalogue import ORDER_FACTORIES
from sandbox.domain import scenarios, snapshot
from sandbox.domain.snapshot import Recipe
from sandbox.store import Query, Store

from ..support import seeded_store


def _ids(store, key):
    rows, _ = store.select(ORDER_FACTORIES, store.dataset(key), Query(size=25))
    return [row["id"] for row in rows]


def test_a_snapshot_is_built_once_and_rebuilt_when_its_key_changes(tmp_path, monkeypatch):
    folder = snapshot.directory(str(tmp_path))
    first = snapshot.snapshot(folder, Recipe(1, 20), "a:test")
    built = first.stat().st_ino
    assert snapshot.snapshot(folder, Recipe(1, 20), "a:test").stat().st_ino == built  # reused, not rebuilt
    for recipe, dataset in ((Recipe(2, 20), "a:test"), (Recipe(1, 21), "a:test"), (Recipe(1, 20), "b:test"),
                            (Recipe(1, 20, scenarios.load("all-statuses", 1)), "a:test")):
        assert snapshot.snapshot(folder, recipe, dataset) != first
    monkeypatch.setattr(snapshot, "code_version", lambda: "another version of the code")
    rebuilt = snapshot.snapshot(folder, Recipe(1, 20), "a:test")
    assert rebuilt != first and rebuilt.exists()


def test_a_new_state_copied_from_a_snapshot_equals_one_seeded_by_import(tmp_path):
    folder = snapshot.directory(str(tmp_path / "snapshots"))
    copied = Store(str(tmp_path / "state.sqlite3"), template=str(snapshot.snapshot(folder, Recipe(3, 40), "a:test")))
    imported = seeded_store(folder, "a:test", seed=3, count=40)
    assert _ids(copied, "a:test") == _ids(imported, "a:test") and len(_ids(copied, "a:test")) == 25


def test_reset_is_atomic_for_readers(snapshots):
    store = seeded_store(snapshots, "a:test", count=3000)  # several import batches
    with store.write("a:test") as scope:
        store.delete(ORDER_FACTORIES, scope, _ids(store, "a:test")[0])
    seen, done = set(), threading.Event()

    def read():
        while not done.is_set():
            seen.add(store.select(ORDER_FACTORIES, store.dataset("a:test"), Query())[1])

    reader = threading.Thread(target=read)
    reader.start()
    snapshot.reset(store, "a:test", Recipe(1, 3000), folder=snapshot.directory(str(snapshots)))
    done.set()
    reader.join()
    assert seen <= {2999, 3000} and store.select(ORDER_FACTORIES, store.dataset("a:test"), Query())[1] == 3000
    # the generation before is kept until the next reset (a request that began on it ends on it), then goes
    remaining = "SELECT COUNT(*) FROM order_factories WHERE dataset = 'a:test#1'"
    assert store.connection().execute(remaining).fetchone()[0] == 2999
    snapshot.reset(store, "a:test", Recipe(1, 3000), folder=snapshot.directory(str(snapshots)))
    assert store.connection().execute(remaining).fetchone()[0] == 0


def test_replace_holds_exactly_the_given_records(snapshots):
    store = seeded_store(snapshots, "a:test")
    record = {column: None for column in ORDER_FACTORIES.columns}
    record.update(id="fixtureAAA", type="order_copies", status="pending", created_at="2026-01-01T00:00:00.000Z")
    snapshot.replace(store, "a:test", {"order_factories": [record]})
    assert _ids(store, "a:test") == ["fixtureAAA"]


def test_a_snapshot_built_in_slices_holds_the_same_rows_in_the_same_order(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "PARALLEL_FROM", 10)
    one, sliced = tmp_path / "one.sqlite3", tmp_path / "sliced.sqlite3"
    snapshot.build(one, Recipe(1, 40), "a:test")
    snapshot.build(sliced, Recipe(1, 40), "a:test", parallel=True)
    for table in ("orders", "line_items", "order_factories", "events", "order_subscriptions"):
        rows = [sqlite3.connect(path).execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
                for path in (one, sliced)]
        assert rows[0] == rows[1] and rows[0], table
