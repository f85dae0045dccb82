"""The request journal: each data set's recent requests, so a test can assert what a frontend sent.

Requests are buffered in each worker and written in one transaction per flush (every scheduler pass,
0.1 s), so recording costs a request no write of its own; a reader flushes its own worker first and
waits one more pass for the others. Workers flush at their own pace, so entries are ordered by the
instant each answer was given, not by when they were written. Each data set keeps its newest `size`.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone

from sandbox.domain.clock import iso
from sandbox.store import Store

FLUSH_INTERVAL = 0.1
MAX_BODY = 4096  # characters of a write's body kept


class Journal:
    def __init__(self, store: Store, size: int):
        self.store, self.size = store, size
        self._pending: list[tuple] = []
        self._lock = threading.Lock()

    def record(self, dataset: str, method: str, path: str, query: str, status: int, duration_ms: float,
               body: str | None) -> None:
        if not self.size:
            return
        entry = (dataset, iso(datetime.now(timezone.utc)), method, path, query, status, round(duration_ms, 3),
                 body[:MAX_BODY] if body else None)
        with self._lock:
            self._pending.append(entry)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if not pending:
            return
        with self.store.transaction() as db:
            db.executemany("INSERT INTO journal (dataset, at, method, path, query, status, duration_ms, body) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", pending)
            for dataset in {entry[0] for entry in pending}:
                db.execute("DELETE FROM journal WHERE dataset = ? AND rowid NOT IN (SELECT rowid FROM journal "
                           "WHERE dataset = ? ORDER BY at DESC, rowid DESC LIMIT ?)", (dataset, dataset, self.size))

    def entries(self, dataset: str, *, method: str | None = None, path: str | None = None,
                status: int | None = None, limit: int = 100) -> list[dict]:
        """Newest first; `path` matches a prefix."""
        self.flush()
        time.sleep(FLUSH_INTERVAL * 1.5)  # the other workers' next flush
        where, params = ["dataset = ?"], [dataset]
        if method:
            where.append("method = ?")
            params.append(method)
        if path:
            where.append("substr(path, 1, length(?)) = ?")
            params += [path, path]
        if status:
            where.append("status = ?")
            params.append(status)
        rows = self.store.connection().execute(
            f"SELECT at, method, path, query, status, duration_ms, body FROM journal WHERE {' AND '.join(where)} "
            "ORDER BY at DESC, rowid DESC LIMIT ?", [*params, limit]).fetchall()
        return [{"at": row["at"], "method": row["method"], "path": row["path"], "query": row["query"],
                 "status": row["status"], "duration_ms": row["duration_ms"],
                 "body": _parsed(row["body"])} for row in rows]

    def clear(self, dataset: str) -> None:
        self.flush()
        with self.store.transaction() as db:
            db.execute("DELETE FROM journal WHERE dataset = ?", (dataset,))


def _parsed(body: str | None):
    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body
