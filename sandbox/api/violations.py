"""`sandbox serve --validate-responses`: every answer checked against openapi.yaml as it leaves.

A frontend's CI that runs against the sandbox then notices a sandbox that breaks its own contract,
instead of coding around the bug: each violation is logged, marked on the response with a
`Sandbox-Contract-Violation` header, and kept in the store (so every worker's are listed) for
`GET /_sandbox/violations`, the newest `KEPT` per data set.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import current_app, g, request

from sandbox.domain.clock import iso
from sandbox.jsonapi.conformance import Conformance
from sandbox.store import Store, get_store

HEADER = "Sandbox-Contract-Violation"
KEPT = 500


def init_app(app) -> None:
    if app.config["SANDBOX"].validate_responses:
        app.extensions["conformance"] = Conformance(app.extensions["spec"].document)
        app.after_request(_validate)


def _validate(response):
    if response.direct_passthrough:
        return response
    problems = current_app.extensions["conformance"].violations(
        request.method, request.path, request.args, response.status_code, response.headers, response.get_data())
    if problems:
        current_app.logger.warning("contract violation: %s", "; ".join(problems))
        caller = g.get("tenant") or g.get("caller")
        record(get_store(), getattr(caller, "key", None), request.method, request.path,
               request.query_string.decode("latin-1"), response.status_code, problems)
        summary = f"{len(problems)} violation(s) of openapi.yaml, see GET /_sandbox/violations: {problems[0]}"
        response.headers[HEADER] = summary.encode("ascii", "replace").decode()[:500]
    return response


def record(store: Store, dataset: str | None, method: str, path: str, query: str, status: int,
           problems: list[str]) -> None:
    with store.transaction() as db:
        db.execute("INSERT INTO violations (dataset, at, method, path, query, status, messages) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (dataset, iso(datetime.now(timezone.utc)), method, path, query,
                                                    status, json.dumps(problems)))
        db.execute("DELETE FROM violations WHERE dataset IS ? AND rowid NOT IN (SELECT rowid FROM violations "
                   "WHERE dataset IS ? ORDER BY rowid DESC LIMIT ?)", (dataset, dataset, KEPT))


def listed(store: Store, dataset: str) -> list[dict]:
    """The data set's violations, newest first."""
    rows = store.connection().execute(
        "SELECT at, method, path, query, status, messages FROM violations WHERE dataset = ? ORDER BY rowid DESC",
        (dataset,)).fetchall()
    return [{"at": row["at"], "method": row["method"], "path": row["path"], "query": row["query"],
             "status": row["status"], "messages": json.loads(row["messages"])} for row in rows]


def clear(store: Store, dataset: str) -> None:
    with store.transaction() as db:
        db.execute("DELETE FROM violations WHERE dataset = ?", (dataset,))
