"""The only state: data sets keyed by (organization, mode) in one SQLite file, and the queries that read them.

Every thread of every worker process has its own connection (WAL mode), so readers never wait for
writers or for each other, and no lock in Python stands in the read path. Writes are short IMMEDIATE
transactions. A data set's records live under a *scope* (its key and a generation): seeding or
resetting builds a new generation in small batches while the old one keeps serving, then switches
to it in one transaction, so nobody waits on a seed and nobody sees half of one.

The filter language compiles to parameterised SQL over the columns the catalogue lists: user text
never reaches SQL except as a bound parameter. A query that runs past its time budget is interrupted.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from sandbox.catalogue import BOOLEAN, INTEGER, JSON, RESOURCES, TABLES, Resource

_SQL_TYPES = {INTEGER: "INTEGER", BOOLEAN: "INTEGER"}
BATCH = 2000          # rows per write transaction while seeding, importing or purging
STALE_CLAIM = 300.0   # seconds after which a seeding claim whose builder vanished may be taken over


@dataclass(frozen=True)
class Condition:
    """One filter: `columns` (ORed) `predicate` each of `values`, combined by `combine` (any/all)."""

    columns: tuple[str, ...]
    predicate: str
    values: tuple = ()
    combine: str = "any"


@dataclass(frozen=True)
class Query:
    number: int = 1
    size: int = 10
    sort: tuple[tuple[str, bool], ...] = ()          # (column, descending)
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class DataSet:
    """A data set as one request sees it: where its records are, which version of them, its own clock
    (None: it follows the default), and whether faults are configured for it; all read in one query."""

    key: str
    scope: str
    version: int
    clock: tuple[str | None, int] | None = None
    faults: bool = False


class QueryTimeout(Exception):
    """A read ran past the store's time budget and was interrupted."""


class DataSetLimit(Exception):
    """A new data set would exceed the configured number of data sets."""


class BoundedCache:
    """A dict that forgets its oldest entries past `size`; safe to share between threads."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()

    def get(self, key):
        return self._items.get(key)

    def put(self, key, value) -> None:
        self._items[key] = value
        while len(self._items) > self.size:
            try:
                self._items.popitem(last=False)
            except KeyError:  # another thread emptied it first
                break


def temporary_path() -> str:
    """A state file for this run only; the Store that made it removes it."""
    handle, path = tempfile.mkstemp(prefix="order-factory-sandbox-", suffix=".sqlite3")
    os.close(handle)
    os.unlink(path)
    return path


def _remove_files(path: str, owner: int) -> None:
    # workers inherit the Store from the process that made the file: only that process removes it
    if os.getpid() != owner:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


class Store:
    def __init__(self, path: str | None = None, *, query_budget: float = 2.0, template: str | None = None):
        """`path` None or ":memory:": a file made for this Store and removed with it (or at exit).
        A state file that does not exist yet starts as a copy of `template`, if given."""
        if not path or path == ":memory:":
            path = temporary_path()
            weakref.finalize(self, _remove_files, path, os.getpid())
        if template and not os.path.exists(path):
            shutil.copyfile(template, path)
        self.path = path
        self.query_budget = query_budget
        self._local = threading.local()
        self._counts = BoundedCache(4096)
        with self.transaction() as db:
            create_tables(db)

    # --- connections and transactions ----------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (a forked worker opens its own)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.db, local.pid, local.depth, local.deadline = connect(self.path), os.getpid(), 0, None
            local.db.set_progress_handler(self._over_budget, 1000)
        return local.db

    def _over_budget(self) -> int:
        deadline = self._local.deadline
        return int(deadline is not None and time.monotonic() > deadline)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing; IMMEDIATE so that writers in other threads and processes wait rather than fail.
        Nested calls join the outermost transaction."""
        db, local = self.connection(), self._local
        if local.depth:
            local.depth += 1
            try:
                yield db
            finally:
                local.depth -= 1
            return
        db.execute("BEGIN IMMEDIATE")
        local.depth = 1
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")
        finally:
            local.depth = 0

    @contextmanager
    def write(self, key: str) -> Iterator[str]:
        """A write transaction on data set `key`: yields its current scope, and marks the data set changed."""
        with self.transaction() as db:
            row = db.execute("SELECT scope FROM datasets WHERE dataset = ?", (key,)).fetchone()
            if row is None or row[0] is None:
                raise LookupError(f"data set {key!r} is not seeded")
            yield row[0]
            db.execute("UPDATE datasets SET version = version + 1 WHERE dataset = ?", (key,))

    @contextmanager
    def _budget(self) -> Iterator[None]:
        """Reads inside run under the time budget; an interrupted one raises QueryTimeout."""
        local = self._local
        self.connection()
        local.deadline = time.monotonic() + self.query_budget if self.query_budget else None
        try:
            yield
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise QueryTimeout(str(error)) from None
            raise
        finally:
            local.deadline = None

    # --- data sets -----------------------------------------------------------------------------

    def dataset(self, key: str) -> DataSet | None:
        row = self.connection().execute(
            "SELECT scope, version, clock_frozen_at, clock_offset_ms, "
            "EXISTS (SELECT 1 FROM faults WHERE faults.dataset = datasets.dataset) FROM datasets WHERE dataset = ?",
            (key,)).fetchone()
        if not row or not row[0]:
            return None
        return DataSet(key, row[0], row[1], None if row[3] is None else (row[2], row[3]), bool(row[4]))

    def datasets(self) -> list[str]:
        rows = self.connection().execute("SELECT dataset FROM datasets WHERE scope IS NOT NULL ORDER BY dataset")
        return [row[0] for row in rows]

    def claim(self, key: str, *, limit: int = 0) -> str | None:
        """Start building a new generation of data set `key`: its scope, or None while another builder
        (in any thread or worker) holds the claim. Raises DataSetLimit past `limit` data sets."""
        with self.transaction() as db:
            row = db.execute("SELECT generation, seeding_since FROM datasets WHERE dataset = ?", (key,)).fetchone()
            now = time.time()
            if row is None:
                if limit and db.execute("SELECT COUNT(*) FROM datasets").fetchone()[0] >= limit:
                    raise DataSetLimit(key)
                db.execute("INSERT INTO datasets (dataset, generation, seeding_since) VALUES (?, 1, ?)", (key, now))
                return f"{key}#1"
            if row["seeding_since"] is not None and now - row["seeding_since"] < STALE_CLAIM:
                return None
            generation = row["generation"] + 1
            db.execute("UPDATE datasets SET generation = ?, seeding_since = ? WHERE dataset = ?", (generation, now, key))
            return f"{key}#{generation}"

    def install(self, key: str, scope: str) -> str | None:
        """Make `scope` the data set's records in one step; returns the scope that is now garbage.
        The scope it replaces is kept until the next install, so a request that began on it ends on it."""
        generation = int(scope.rsplit("#", 1)[1])
        with self.transaction() as db:
            row = db.execute("SELECT scope, generation, retired FROM datasets WHERE dataset = ?", (key,)).fetchone()
            if row is None or row["generation"] != generation:  # a newer builder took the claim over
                return scope
            db.execute("UPDATE datasets SET scope = ?, retired = ?, seeding_since = NULL, version = version + 1 "
                       "WHERE dataset = ?", (scope, row["scope"], key))
            return row["retired"]

    def release(self, key: str) -> None:
        """Give a claim up (the build failed): the next request builds again."""
        with self.transaction() as db:
            db.execute("UPDATE datasets SET seeding_since = NULL WHERE dataset = ?", (key,))
            db.execute("DELETE FROM datasets WHERE dataset = ? AND scope IS NULL", (key,))

    def purge(self, scope: str) -> None:
        """Delete a scope's records in small transactions, so other writers get their turn between them."""
        for table in TABLES:
            while True:
                with self.transaction() as db:
                    deleted = db.execute(f'DELETE FROM "{table}" WHERE rowid IN '
                                         f'(SELECT rowid FROM "{table}" WHERE dataset = ? LIMIT {BATCH})',
                                         (scope,)).rowcount
                if deleted < BATCH:
                    break

    def next_sequence(self, key: str) -> int:
        """A per-data-set counter for the ids of created records; it survives resets, so no id comes back."""
        with self.transaction() as db:
            db.execute("UPDATE datasets SET sequence = sequence + 1 WHERE dataset = ?", (key,))
            return db.execute("SELECT sequence FROM datasets WHERE dataset = ?", (key,)).fetchone()[0]

    def insert_batches(self, scope: str, batches: Iterable[tuple[str, list[dict]]]) -> None:
        """Bulk rows into a scope under construction, one short transaction per batch."""
        for table, rows in batches:
            with self.transaction() as db:
                insert_rows(db, TABLES[table], scope, rows)

    def import_scope(self, snapshot: str, source: str, scope: str) -> None:
        """Copy scope `source` of another state file (a snapshot) into `scope` here, in batches."""
        db = self.connection()
        db.execute("ATTACH DATABASE ? AS snapshot", (f"file:{snapshot}?mode=ro",))
        try:
            for table, resource in TABLES.items():
                names = ", ".join(f'"{n}"' for n in resource.columns)
                last = db.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM snapshot."{table}"').fetchone()[0]
                for low in range(0, last, BATCH):
                    with self.transaction():
                        db.execute(f'INSERT INTO main."{table}" (dataset, {names}) SELECT ?, {names} '
                                   f'FROM snapshot."{table}" WHERE dataset = ? AND rowid > ? AND rowid <= ?',
                                   (scope, source, low, low + BATCH))
        finally:
            db.execute("DETACH DATABASE snapshot")

    # --- settings and clocks (kept here, so every worker agrees) -----------------------------------

    def read_clock(self, key: str | None) -> tuple[str | None, int] | None:
        """The default clock (`key` None) or a data set's own one: (frozen instant, offset in ms);
        None for a data set that follows the default."""
        if key is None:
            values = self.get_settings("clock.frozen_at", "clock.offset_ms")
            return values["clock.frozen_at"], int(values["clock.offset_ms"] or 0)
        row = self.connection().execute("SELECT clock_frozen_at, clock_offset_ms FROM datasets WHERE dataset = ?",
                                        (key,)).fetchone()
        return (row[0], row[1]) if row and row[1] is not None else None

    def write_clock(self, key: str | None, frozen_at: str | None, offset_ms: int | None) -> None:
        """Set a clock; a data set given no offset follows the default clock again."""
        if key is None:
            with self.transaction():
                self.set_setting("clock.frozen_at", frozen_at)
                self.set_setting("clock.offset_ms", str(offset_ms or 0))
            return
        with self.transaction() as db:
            db.execute("UPDATE datasets SET clock_frozen_at = ?, clock_offset_ms = ? WHERE dataset = ?",
                       (frozen_at, offset_ms, key))

    def datasets_with_pending(self, resource: Resource) -> list[str]:
        """The keys of data sets (current generations only) with a copy that has a transition ahead."""
        rows = self.connection().execute(
            f'SELECT DISTINCT d.dataset FROM "{resource.table}" t JOIN datasets d ON d.scope = t.dataset '
            "WHERE t.due_at IS NOT NULL ORDER BY d.dataset")
        return [row[0] for row in rows]

    def counts(self, key: str) -> dict[str, int]:
        """How many records of each table a data set holds."""
        scope = self.dataset(key).scope
        db = self.connection()
        return {table: db.execute(f'SELECT COUNT(*) FROM "{table}" WHERE dataset = ?', (scope,)).fetchone()[0]
                for table in TABLES}

    def get_settings(self, *names: str) -> dict[str, str | None]:
        marks = ", ".join("?" * len(names))
        rows = self.connection().execute(f"SELECT name, value FROM settings WHERE name IN ({marks})", names)
        return {**dict.fromkeys(names), **dict(rows.fetchall())}

    def get_setting(self, name: str) -> str | None:
        return self.get_settings(name)[name]

    def set_setting(self, name: str, value: str | None) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO settings (name, value) VALUES (?, ?) "
                       "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))

    # --- records -------------------------------------------------------------------------------

    def find(self, resource: Resource, scope: str, id_: str) -> dict | None:
        found = self.find_many(resource, scope, [id_])
        return found[0] if found else None

    def find_many(self, resource: Resource, scope: str, ids: list[str], *, by: str = "id") -> list[dict]:
        return [decode(resource, row) for row in self.rows_by(resource, scope, ids, by=by)]

    def rows_by(self, resource: Resource, scope: str, ids: list[str], *, by: str = "id") -> list[sqlite3.Row]:
        """Rows whose column `by` is one of `ids`, in the resource's default order."""
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        # sorted here, not in SQL: an ORDER BY would tempt SQLite to walk the created_at index
        # over the whole data set instead of looking the few ids up
        sql = f'SELECT * FROM "{resource.table}" WHERE dataset = ? AND "{by}" IN ({marks}) {_kind_filter(resource)}'
        with self._budget():
            rows = self.connection().execute(sql, (scope, *ids, *resource.kinds)).fetchall()
        return sorted(rows, key=lambda r: (r["created_at"], r["id"]))

    def select(self, resource: Resource, dataset: DataSet, query: Query, scope: tuple[str, str] | None = None
               ) -> tuple[list[sqlite3.Row], int]:
        """One page of the rows that match the query (and `scope`: column, value), and how many match in all.
        The count is remembered until the data set changes."""
        where, params = ["dataset = ?"], [dataset.scope]
        if resource.kinds:
            where.append(f'"type" IN ({", ".join("?" * len(resource.kinds))})')
            params += resource.kinds
        if scope:
            where.append(f'"{scope[0]}" = ?')
            params.append(scope[1])
        for condition in query.conditions:
            sql, values = _compile(condition, resource)
            where.append(sql)
            params += values
        clause = " AND ".join(where)
        keys = [*query.sort] or [("created_at", False)]
        # ties break on id, in the last key's direction, so that one index serves the whole ORDER BY
        keys.append(("id", keys[-1][1]))
        order = ", ".join(f'"{column}" {"DESC" if descending else "ASC"}' for column, descending in keys)
        db = self.connection()
        count_key = (dataset.scope, dataset.version, resource.table, clause, tuple(params))
        with self._budget():
            total = self._counts.get(count_key)
            if total is None:
                total = db.execute(f'SELECT COUNT(*) FROM "{resource.table}" WHERE {clause}', params).fetchone()[0]
                self._counts.put(count_key, total)
            rows = db.execute(f'SELECT * FROM "{resource.table}" WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?',
                              [*params, query.size, (query.number - 1) * query.size]).fetchall() if total else []
        return rows, total

    def included(self, resource: Resource, scope: str, rows: list[sqlite3.Row], include: tuple[str, ...]
                 ) -> tuple[list[dict], list[tuple[Resource, sqlite3.Row, dict]]]:
        """What `include` adds to `rows` (dotted paths nest): per row, the linkage of each included
        relationship (an id, a list of ids, or None); and the included rows, each once, with the linkage
        a nested include asks of them. One query per relationship."""
        tree: dict = {}
        for path in include:
            node = tree
            for name in path.split("."):
                node = node.setdefault(name, {})
        found: dict = {}
        return self._walk(resource, scope, rows, tree, found), list(found.values())

    def _walk(self, resource: Resource, scope: str, rows: list[sqlite3.Row], tree: dict, found: dict) -> list[dict]:
        linkage: list[dict] = [{} for _ in rows]
        for name, subtree in tree.items():
            rel = resource.relationship(name)
            target = RESOURCES.get(rel.target)
            if rel.column:
                by_id = {row["id"]: row for row in self.rows_by(target, scope, sorted({r[rel.column] for r in rows
                                                                                       if r[rel.column]}))}
                for n, row in enumerate(rows):
                    linkage[n][name] = row[rel.column] if row[rel.column] in by_id else None
                matches = [by_id[row[rel.column]] for row in rows if row[rel.column] in by_id]
            elif rel.inverse:
                matches = self.rows_by(target, scope, [row["id"] for row in rows], by=rel.inverse)
                grouped: dict[str, list[str]] = {}
                for match in matches:
                    grouped.setdefault(match[rel.inverse], []).append(match["id"])
                for n, row in enumerate(rows):
                    linkage[n][name] = grouped.get(row["id"], [])
            else:  # event stores; an event's webhooks: kept nowhere
                matches = []
                for n in range(len(rows)):
                    linkage[n][name] = []
            for match in matches:
                found.setdefault((target.type, match["id"]), (target, match, {}))
            if subtree and matches:
                unique = list({match["id"]: match for match in matches}.values())
                for match, nested in zip(unique, self._walk(target, scope, unique, subtree, found)):
                    found[(target.type, match["id"])][2].update(nested)
        return linkage

    def insert(self, resource: Resource, scope: str, record: dict) -> None:
        with self.transaction() as db:
            insert_rows(db, TABLES[resource.table], scope, [record])

    def update(self, resource: Resource, scope: str, id_: str, changes: dict) -> None:
        columns = TABLES[resource.table].columns
        encoded = [(name, _encoder(columns[name])(value)) for name, value in changes.items()]
        assignments = ", ".join(f'"{name}" = ?' for name, _ in encoded)
        with self.transaction() as db:
            db.execute(f'UPDATE "{resource.table}" SET {assignments} WHERE dataset = ? AND id = ?',
                       [v for _, v in encoded] + [scope, id_])

    def delete(self, resource: Resource, scope: str, id_: str) -> bool:
        with self.transaction() as db:
            return db.execute(f'DELETE FROM "{resource.table}" WHERE dataset = ? AND id = ? {_kind_filter(resource)}',
                              (scope, id_, *resource.kinds)).rowcount > 0

    def due(self, resource: Resource, scope: str, now: str) -> list[dict]:
        """Copy jobs whose next transition is due at `now`, the earliest first."""
        rows = self.connection().execute(f'SELECT * FROM "{resource.table}" WHERE dataset = ? AND due_at <= ? '
                                         "ORDER BY due_at, id", (scope, now)).fetchall()
        return [decode(resource, row) for row in rows]

    def has_due(self, resource: Resource, scope: str, now: str) -> bool:
        """Whether anything is due: one index probe, no lock."""
        return self.connection().execute(f'SELECT 1 FROM "{resource.table}" WHERE dataset = ? AND due_at <= ? LIMIT 1',
                                         (scope, now)).fetchone() is not None

    def max_number(self, resource: Resource, scope: str) -> int:
        """The highest `number` in a data set, read as a whole number (numbers are strings, as the real API's)."""
        return self.connection().execute(f'SELECT COALESCE(MAX(CAST("number" AS INTEGER)), 0) FROM '
                                         f'"{resource.table}" WHERE dataset = ?', (scope,)).fetchone()[0]


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.create_function("jcontains", 2, _json_contains, deterministic=True)
    db.execute("PRAGMA journal_mode=WAL")
    # the state is a sandbox's: losing the last transactions to a power cut is fine, fsync waits are not
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def create_tables(db: sqlite3.Connection, *, indexes: bool = True) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT)")
    # scope: where the current records are (null until the first seed is installed);
    # generation: the newest scope claimed; retired: the scope before this one, purged at the next install;
    # version: bumped by every write, keys the count cache;
    # clock_*: the data set's own clock once it was moved (null: it follows the default clock)
    db.execute("CREATE TABLE IF NOT EXISTS datasets (dataset TEXT PRIMARY KEY, scope TEXT UNIQUE, "
               "generation INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 0, "
               "sequence INTEGER NOT NULL DEFAULT 0, seeding_since REAL, retired TEXT, "
               "clock_frozen_at TEXT, clock_offset_ms INTEGER)")
    # the request journal (domain/journal.py) and the faults each data set asked for (api/faults.py)
    db.execute("CREATE TABLE IF NOT EXISTS journal (dataset TEXT NOT NULL, at TEXT, method TEXT, path TEXT, "
               "query TEXT, status INTEGER, duration_ms REAL, body TEXT)")
    db.execute("CREATE INDEX IF NOT EXISTS journal_dataset ON journal (dataset)")
    db.execute("CREATE TABLE IF NOT EXISTS faults (dataset TEXT PRIMARY KEY, config TEXT NOT NULL, "
               "drawn INTEGER NOT NULL DEFAULT 0)")
    # answers that broke openapi.yaml, with --validate-responses (api/violations.py)
    db.execute("CREATE TABLE IF NOT EXISTS violations (dataset TEXT, at TEXT, method TEXT, path TEXT, query TEXT, "
               "status INTEGER, messages TEXT)")
    # webhook deliveries (api/webhooks.py): one row per event and webhook until it succeeds or is given up,
    # claimed by the worker that sends each attempt; AUTOINCREMENT because callback ids derive from the
    # delivery's id, so a finished delivery's id must never come back
    db.execute("CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT, dataset TEXT NOT NULL, scope TEXT, "
               "webhook_id TEXT, topic TEXT, payload TEXT, attempt INTEGER NOT NULL DEFAULT 0, due_at TEXT, "
               "claimed_until REAL)")
    db.execute("CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (dataset, due_at)")
    for resource in TABLES.values():
        columns = ", ".join(f'"{name}" {_SQL_TYPES.get(kind, "TEXT")}' for name, kind in resource.columns.items())
        db.execute(f'CREATE TABLE IF NOT EXISTS "{resource.table}" (dataset TEXT NOT NULL, {columns})')
    if indexes:
        create_indexes(db)


def create_indexes(db: sqlite3.Connection) -> None:
    for resource in TABLES.values():
        db.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "{resource.table}_id" ON "{resource.table}" (dataset, id)')
        foreign_keys = tuple((r.column,) for r in resource.relationships if r.column)
        for columns in {*resource.indexes, *foreign_keys}:
            name = f'{resource.table}_{"_".join(columns)}'
            quoted = ", ".join(f'"{c}"' for c in columns)
            db.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{resource.table}" (dataset, {quoted}, id)')
    # the scheduler's scan across data sets: only copies that still have a transition ahead
    db.execute('CREATE INDEX IF NOT EXISTS "order_factories_pending" ON "order_factories" (due_at) '
               "WHERE due_at IS NOT NULL")


def insert_rows(db: sqlite3.Connection, resource: Resource, scope: str, rows: list[dict]) -> None:
    if not rows:
        return
    names = list(resource.columns)
    # only JSON and booleans need encoding; the rest goes to SQLite as it is (seeding: millions of values)
    pairs = [(name, _encoder(kind) if kind in (JSON, BOOLEAN) else None) for name, kind in resource.columns.items()]
    quoted = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{resource.table}" (dataset, {quoted}) VALUES (?, {", ".join("?" * len(names))})'

    def values(row: dict) -> list:
        get = row.get
        return [scope, *[get(name) if encode is None else encode(get(name)) for name, encode in pairs]]

    db.executemany(sql, map(values, rows))


def decode(resource: Resource, row: sqlite3.Row) -> dict:
    record = {}
    for name, kind in resource.columns.items():
        value = row[name]
        if value is not None and kind == JSON:
            value = json.loads(value)
        elif value is not None and kind == BOOLEAN:
            value = bool(value)
        record[name] = value
    return record


def _kind_filter(resource: Resource) -> str:
    return f'AND "type" IN ({", ".join("?" * len(resource.kinds))})' if resource.kinds else ""


# predicate -> SQL over one column `c` and one bound value; ransack's meanings, SQLite's syntax
_COMPARE = {
    "eq": "{c} = ?", "not_eq": "{c} != ?", "lt": "{c} < ?", "lteq": "{c} <= ?", "gt": "{c} > ?", "gteq": "{c} >= ?",
    "eq_or_null": "({c} = ? OR {c} IS NULL)", "not_eq_or_null": "({c} != ? OR {c} IS NULL)",
    "matches": "{c} LIKE ?", "does_not_match": "{c} NOT LIKE ?",
    "start": "{c} LIKE ? ESCAPE '\\'", "not_start": "{c} NOT LIKE ? ESCAPE '\\'",
    "end": "{c} LIKE ? ESCAPE '\\'", "not_end": "{c} NOT LIKE ? ESCAPE '\\'",
    "cont": "{c} LIKE ? ESCAPE '\\'", "not_cont": "{c} NOT LIKE ? ESCAPE '\\'",
    "i_cont": "{c} LIKE ? ESCAPE '\\'", "not_i_cont": "{c} NOT LIKE ? ESCAPE '\\'",
    "jcont": "jcontains({c}, ?)",
}
_LIKE = {"start": "{}%", "not_start": "{}%", "end": "%{}", "not_end": "%{}", "cont": "%{}%", "not_cont": "%{}%",
         "i_cont": "%{}%", "not_i_cont": "%{}%"}
# (predicate, flag) -> SQL: null/present/blank/true/false take true or false
_FLAGS = {
    ("null", True): "{c} IS NULL", ("null", False): "{c} IS NOT NULL",
    ("not_null", True): "{c} IS NOT NULL", ("not_null", False): "{c} IS NULL",
    ("present", True): "({c} IS NOT NULL AND {c} != '')", ("present", False): "({c} IS NULL OR {c} = '')",
    ("blank", True): "({c} IS NULL OR {c} = '')", ("blank", False): "({c} IS NOT NULL AND {c} != '')",
    ("true", True): "{c} = 1", ("true", False): "{c} IS NOT 1",
    ("false", True): "{c} = 0", ("false", False): "{c} IS NOT 0",
}


def _compile(condition: Condition, resource: Resource) -> tuple[str, list]:
    """A condition as SQL over whitelisted columns, with every user value bound as a parameter."""
    parts, params = [], []
    for column in condition.columns:
        c = resource.filter_column(column)
        if (condition.predicate, True) in _FLAGS:
            parts.append(_FLAGS[(condition.predicate, condition.values[0])].format(c=c))
            continue
        if condition.predicate in ("in", "not_in", "in_or_null", "not_in_or_null"):
            marks = ", ".join("?" * len(condition.values))
            test = f"{c} {'NOT IN' if condition.predicate.startswith('not_in') else 'IN'} ({marks})"
            parts.append(f"({test} OR {c} IS NULL)" if condition.predicate.endswith("_or_null") else test)
            params += condition.values
            continue
        each = []
        for value in condition.values:
            if condition.predicate in _LIKE:
                value = _LIKE[condition.predicate].format(_escape_like(value))
            elif condition.predicate == "jcont":
                value = json.dumps(value)
            elif isinstance(value, bool):
                value = int(value)
            each.append(_COMPARE[condition.predicate].format(c=c))
            params.append(value)
        joiner = " AND " if condition.combine == "all" else " OR "
        parts.append(f"({joiner.join(each)})")
    return f"({' OR '.join(parts)})", params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _json_contains(document: str | None, needle: str) -> bool:
    """Postgres's jsonb @>: the document holds every key of the needle with a value that contains its value."""
    return document is not None and _contains(json.loads(document), json.loads(needle))


def _contains(stored, wanted) -> bool:
    if isinstance(wanted, dict):
        return isinstance(stored, dict) and all(k in stored and _contains(stored[k], v) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(stored, list) and all(any(_contains(s, w) for s in stored) for w in wanted)
    return type(stored) is type(wanted) and stored == wanted


def _encoder(kind: str):
    if kind == JSON:
        return lambda v: None if v is None else json.dumps(v, separators=(",", ":"))
    if kind == BOOLEAN:
        return lambda v: None if v is None else int(v)
    return lambda v: v


def get_store() -> Store:
    from flask import current_app
    return current_app.extensions["store"]
