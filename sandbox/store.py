"""The only state: data sets keyed by (organization, mode) in SQLite, and the queries that read them.

One connection serves the process; a lock serialises its use, and transactions keep concurrent writers
whole. With a file path several worker processes share the same data (WAL mode). The filter language
compiles to parameterised SQL over the columns the resource catalogue lists: user text never reaches
SQL except as a bound parameter.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterator

from sandbox.jsonapi.query import Condition, Query
from sandbox.catalogue import BOOLEAN, INTEGER, JSON, TABLES, Resource
from sandbox.domain.seed import SeedData

_SQL_TYPES = {INTEGER: "INTEGER", BOOLEAN: "INTEGER"}


class Store:
    def __init__(self, path: str = ":memory:", *, seed: int = 1, count: int = 50):
        self.seed, self.count = seed, count
        self._lock = threading.RLock()
        self._depth = 0  # nested transaction() calls join the outermost one
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.create_function("jcontains", 2, _json_contains, deterministic=True)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._create_tables()

    # --- schema and data sets ------------------------------------------------------------------

    def _create_tables(self) -> None:
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS datasets (dataset TEXT PRIMARY KEY, sequence INTEGER NOT NULL)")
            for resource in TABLES.values():
                columns = ", ".join(f'"{name}" {_SQL_TYPES.get(kind, "TEXT")}'
                                    for name, kind in resource.columns.items())
                db.execute(f'CREATE TABLE IF NOT EXISTS "{resource.table}" '
                           f"(dataset TEXT NOT NULL, {columns}, PRIMARY KEY (dataset, id))")
                foreign_keys = tuple((r.column,) for r in resource.relationships if r.column)
                for columns in {*resource.indexes, *foreign_keys}:
                    name = f'{resource.table}_{"_".join(columns)}'
                    quoted = ", ".join(f'"{c}"' for c in columns)
                    db.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{resource.table}" (dataset, {quoted}, id)')

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing; IMMEDIATE so that writers in other processes wait rather than fail."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def ensure(self, dataset: str) -> None:
        """Seed a data set the first time anything asks for it."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM datasets WHERE dataset = ?", (dataset,)).fetchone():
                return
            for table, rows in SeedData(self.seed, dataset, self.count).tables().items():
                self._insert_rows(db, TABLES[table], dataset, rows)
            db.execute("INSERT INTO datasets (dataset, sequence) VALUES (?, 0)", (dataset,))

    def replace(self, dataset: str, tables: dict[str, list[dict]]) -> None:
        """Make a data set hold exactly these records (a fixture or scenario) instead of its seed."""
        with self.transaction() as db:
            self._clear(db, dataset)
            for table, rows in tables.items():
                self._insert_rows(db, TABLES[table], dataset, rows)
            db.execute("INSERT INTO datasets (dataset, sequence) VALUES (?, 0)", (dataset,))

    def reset(self, dataset: str) -> None:
        """Back to the seed: drop what the data set holds; the next access seeds it again."""
        with self.transaction() as db:
            self._clear(db, dataset)
        self.ensure(dataset)

    def datasets(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT dataset FROM datasets ORDER BY dataset")]

    @staticmethod
    def _clear(db: sqlite3.Connection, dataset: str) -> None:
        for table in TABLES:
            db.execute(f'DELETE FROM "{table}" WHERE dataset = ?', (dataset,))
        db.execute("DELETE FROM datasets WHERE dataset = ?", (dataset,))

    def next_sequence(self, dataset: str) -> int:
        """A per-data-set counter, so ids of created records depend only on the data set's own history."""
        with self.transaction() as db:
            db.execute("UPDATE datasets SET sequence = sequence + 1 WHERE dataset = ?", (dataset,))
            return db.execute("SELECT sequence FROM datasets WHERE dataset = ?", (dataset,)).fetchone()[0]

    # --- settings (the clock lives here, so every worker agrees) ---------------------------------

    def get_setting(self, name: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_setting(self, name: str, value: str | None) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO settings (name, value) VALUES (?, ?) "
                       "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))

    # --- records -------------------------------------------------------------------------------

    def find(self, resource: Resource, dataset: str, id_: str) -> dict | None:
        found = self.find_many(resource, dataset, [id_])
        return found[0] if found else None

    def find_many(self, resource: Resource, dataset: str, ids: list[str], *, by: str = "id") -> list[dict]:
        """Records whose column `by` is one of `ids`, in the resource's default order."""
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        # sorted here, not in SQL: an ORDER BY would tempt SQLite to walk the created_at index
        # over the whole data set instead of looking the few ids up
        sql = f'SELECT * FROM "{resource.table}" WHERE dataset = ? AND "{by}" IN ({marks}) {self._kind_filter(resource)}'
        with self._lock:
            rows = self._db.execute(sql, (dataset, *ids, *resource.kinds)).fetchall()
        records = [self._decode(resource, row) for row in rows]
        return sorted(records, key=lambda r: (r["created_at"], r["id"]))

    def select(self, resource: Resource, dataset: str, query: Query, scope: tuple[str, str] | None = None
               ) -> tuple[list[dict], int]:
        """One page of the records that match the query (and `scope`: column, value), and how many match in all."""
        where, params = [f"dataset = ?"], [dataset]
        if resource.kinds:
            where.append(f'"type" IN ({", ".join("?" * len(resource.kinds))})')
            params += resource.kinds
        if scope:
            where.append(f'"{scope[0]}" = ?')
            params.append(scope[1])
        for condition in query.conditions:
            sql, values = _compile(condition)
            where.append(sql)
            params += values
        clause = " AND ".join(where)
        keys = [*query.sort] or [("created_at", False)]
        # ties break on id, in the last key's direction, so that one index serves the whole ORDER BY
        keys.append(("id", keys[-1][1]))
        order = ", ".join(f'"{column}" {"DESC" if descending else "ASC"}' for column, descending in keys)
        with self._lock:
            total = self._db.execute(f'SELECT COUNT(*) FROM "{resource.table}" WHERE {clause}', params).fetchone()[0]
            rows = self._db.execute(f'SELECT * FROM "{resource.table}" WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?',
                                    [*params, query.size, (query.number - 1) * query.size]).fetchall()
        return [self._decode(resource, row) for row in rows], total

    def insert(self, resource: Resource, dataset: str, record: dict) -> None:
        with self.transaction() as db:
            self._insert_rows(db, TABLES[resource.table], dataset, [record])

    def update(self, resource: Resource, dataset: str, id_: str, changes: dict) -> None:
        columns = TABLES[resource.table].columns
        encoded = [(name, _encoder(columns[name])(value)) for name, value in changes.items()]
        with self.transaction() as db:
            db.execute(f'UPDATE "{resource.table}" SET {", ".join(f"{chr(34)}{n}{chr(34)} = ?" for n, _ in encoded)} '
                       "WHERE dataset = ? AND id = ?", [v for _, v in encoded] + [dataset, id_])

    def delete(self, resource: Resource, dataset: str, id_: str) -> bool:
        with self.transaction() as db:
            return db.execute(f'DELETE FROM "{resource.table}" WHERE dataset = ? AND id = ?', (dataset, id_)).rowcount > 0

    def due(self, resource: Resource, dataset: str, now: str) -> list[dict]:
        """Copy jobs whose next transition is due at `now`, the earliest first."""
        with self._lock:
            rows = self._db.execute(f'SELECT * FROM "{resource.table}" WHERE dataset = ? AND due_at <= ? '
                                    "ORDER BY due_at, id", (dataset, now)).fetchall()
        return [self._decode(resource, row) for row in rows]

    def max_value(self, resource: Resource, dataset: str, column: str) -> int:
        with self._lock:
            return self._db.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{resource.table}" WHERE dataset = ?',
                                    (dataset,)).fetchone()[0]

    # --- encoding ------------------------------------------------------------------------------

    @staticmethod
    def _kind_filter(resource: Resource) -> str:
        return f'AND "type" IN ({", ".join("?" * len(resource.kinds))})' if resource.kinds else ""

    @staticmethod
    def _insert_rows(db: sqlite3.Connection, resource: Resource, dataset: str, rows: list[dict]) -> None:
        if not rows:
            return
        names = list(resource.columns)
        encoders = [_encoder(resource.columns[name]) for name in names]
        sql = (f'INSERT INTO "{resource.table}" (dataset, {", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
               f'VALUES (?, {", ".join("?" * len(names))})')
        db.executemany(sql, ([dataset, *(enc(row.get(n)) for n, enc in zip(names, encoders))] for row in rows))

    @staticmethod
    def _decode(resource: Resource, row: sqlite3.Row) -> dict:
        record = {}
        for name, kind in resource.columns.items():
            value = row[name]
            if value is not None and kind == JSON:
                value = json.loads(value)
            elif value is not None and kind == BOOLEAN:
                value = bool(value)
            record[name] = value
        return record


# predicate -> SQL over one column `c` and one bound value; ransack's meanings, SQLite's syntax
_COMPARE = {
    "eq": "{c} = ?", "not_eq": "{c} != ?", "lt": "{c} < ?", "lteq": "{c} <= ?", "gt": "{c} > ?", "gteq": "{c} >= ?",
    "eq_or_null": "({c} = ? OR {c} IS NULL)", "not_eq_or_null": "({c} != ? OR {c} IS NULL)",
    "matches": "{c} LIKE ?", "does_not_match": "{c} NOT LIKE ?",
    "start": "{c} LIKE ? ESCAPE '\\'", "not_start": "{c} NOT LIKE ? ESCAPE '\\'",
    "end": "{c} LIKE ? ESCAPE '\\'", "not_end": "{c} NOT LIKE ? ESCAPE '\\'",
    "cont": "{c} LIKE ? ESCAPE '\\'", "not_cont": "{c} NOT LIKE ? ESCAPE '\\'",
    "jcont": "jcontains({c}, ?)",
}
_LIKE = {"start": "{}%", "not_start": "{}%", "end": "%{}", "not_end": "%{}", "cont": "%{}%", "not_cont": "%{}%"}
# (predicate, flag) -> SQL: null/present/blank/true/false take true or false
_FLAGS = {
    ("null", True): "{c} IS NULL", ("null", False): "{c} IS NOT NULL",
    ("not_null", True): "{c} IS NOT NULL", ("not_null", False): "{c} IS NULL",
    ("present", True): "({c} IS NOT NULL AND {c} != '')", ("present", False): "({c} IS NULL OR {c} = '')",
    ("blank", True): "({c} IS NULL OR {c} = '')", ("blank", False): "({c} IS NOT NULL AND {c} != '')",
    ("true", True): "{c} = 1", ("true", False): "{c} IS NOT 1",
    ("false", True): "{c} = 0", ("false", False): "{c} IS NOT 0",
}


def _compile(condition: Condition) -> tuple[str, list]:
    """A condition as SQL over whitelisted columns, with every user value bound as a parameter."""
    parts, params = [], []
    for column in condition.columns:
        c = f'"{column}"'
        if (condition.predicate, True) in _FLAGS:
            parts.append(_FLAGS[(condition.predicate, condition.values[0])].format(c=c))
            continue
        if condition.predicate in ("in", "not_in"):
            marks = ", ".join("?" * len(condition.values))
            parts.append(f"{c} {'NOT IN' if condition.predicate == 'not_in' else 'IN'} ({marks})")
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
    """Postgres's jsonb @> for a flat object: every key of the needle is in the document with that value."""
    if document is None:
        return False
    stored, wanted = json.loads(document), json.loads(needle)
    return isinstance(stored, dict) and all(k in stored and stored[k] == v and type(stored[k]) is type(v)
                                            for k, v in wanted.items())


def _encoder(kind: str):
    if kind == JSON:
        return lambda v: None if v is None else json.dumps(v, separators=(",", ":"))
    if kind == BOOLEAN:
        return lambda v: None if v is None else int(v)
    return lambda v: v


def init_app(app) -> None:
    settings = app.config["SANDBOX"]
    app.extensions["store"] = Store(settings.db, seed=settings.seed, count=settings.count)


def get_store() -> Store:
    from flask import current_app
    return current_app.extensions["store"]
