"""Faults on demand, for testing a frontend's error handling.

Per request, a `Sandbox-Fault: status=503, latency=300ms` header; per data set, a configuration at
/_sandbox/faults (which routes, by prefix; how likely; which status; what latency; a seed). Whether the n-th
matching request of a data set is faulted follows from (seed, n) alone, so a failing run replays with
the same seed. Only a status the route declares in openapi.yaml is injected, as a JSON:API error that
says it was injected; a faulted request runs nothing else, so a faulted write writes nothing.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass

from flask import current_app, request

from sandbox.domain.clock import parse_duration
from sandbox.jsonapi.errors import STATUS_CODES, ApiError
from sandbox.store import Store

HEADER = "Sandbox-Fault"
MAX_LATENCY = 30.0  # seconds
# what the header takes; openapi.yaml declares the same pattern
_ONE = r"(?:status *= *[45][0-9]{2}|latency *= *[0-9]{1,4}(?:ms|s)?)"
HEADER_PATTERN = rf" *{_ONE} *(?:, *{_ONE} *)?"
_PART = re.compile(r" *(status|latency) *= *([^, ]+) *")


@dataclass(frozen=True)
class Fault:
    status: int | None = None
    latency: float = 0.0  # seconds


def parse_header(value: str) -> Fault:
    if not re.fullmatch(HEADER_PATTERN, value):
        raise _bad_header(value)
    values = {}
    for part in value.split(","):
        match = _PART.fullmatch(part)
        if not match or match.group(1) in values:
            raise _bad_header(value)
        values[match.group(1)] = match.group(2)
    try:
        status = int(values["status"]) if "status" in values else None
        latency = parse_duration(values["latency"]).total_seconds() if "latency" in values else 0.0
    except ValueError:
        raise _bad_header(value) from None
    if (status is not None and not 400 <= status <= 599) or latency > MAX_LATENCY:
        raise _bad_header(value)
    return Fault(status, latency)


def _bad_header(value: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", "Bad request",
                    f"{HEADER}: {value!r} is not a fault; send e.g. `status=503`, `latency=300ms` or both, "
                    f"comma-separated (a status from 400 to 599, a latency of at most {MAX_LATENCY:g}s)")


def declared(method: str) -> set[str]:
    """The statuses openapi.yaml declares for the route this request matched."""
    rule = request.url_rule.rule if request.url_rule else ""
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
    if "<any(" in rule:
        name = (request.view_args or {}).get("relationship", "")
        path = re.sub(r"<any\([^)]*\):relationship>", "{relationship}" if "/relationships/" in rule else name, rule)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    operation = current_app.extensions["spec"].document["paths"].get(path, {}).get(method.lower(), {})
    return set(operation.get("responses", {}))


def drawn(store: Store, dataset: str, config: dict) -> Fault | None:
    """The configured fault for this request, if its route matches and its draw falls within the odds."""
    routes = config.get("routes") or [""]
    if not any(f"{request.method} {request.path}".startswith(r) or request.path.startswith(r) for r in routes):
        return None
    with store.transaction() as db:
        n = db.execute("UPDATE faults SET drawn = drawn + 1 WHERE dataset = ? RETURNING drawn", (dataset,)).fetchone()[0]
    digest = hashlib.blake2b(f"{config.get('seed', 0)}:{n}".encode(), digest_size=8).digest()
    if int.from_bytes(digest, "big") / 2 ** 64 >= config.get("probability", 1.0):
        return None
    return Fault(config.get("status"), config.get("latency_ms", 0) / 1000)


def inject(store: Store, dataset: str, configured: bool) -> None:
    """Before a /api route runs: the fault this request asks for or draws, if any (`configured`: whether
    the data set has a fault configuration at all; without one, and without the header, nothing to do)."""
    header = request.headers.get(HEADER)
    if header is None and not configured:
        return
    if header is not None:
        fault, source = parse_header(header), f"the {HEADER} header"
        if fault.status is not None and str(fault.status) not in declared(request.method):
            raise ApiError(400, "BAD_REQUEST", "Bad request",
                           f"{HEADER}: this route does not declare {fault.status} in openapi.yaml; it declares "
                           f"{', '.join(sorted(declared(request.method)))}")
    else:
        row = store.connection().execute("SELECT config FROM faults WHERE dataset = ?", (dataset,)).fetchone()
        fault = row and drawn(store, dataset, json.loads(row[0]))
        source = "/_sandbox/faults"
        if not fault:
            return
        if fault.status is not None and str(fault.status) not in declared(request.method):
            fault = Fault(None, fault.latency)  # a status this route never answers is not injected here
    time.sleep(fault.latency)
    if fault.status is not None:
        code, title = STATUS_CODES.get(fault.status, ("INJECTED_FAULT", "Injected fault"))
        raise ApiError(fault.status, code, title, f"Injected by the sandbox ({source}); no record was read or written",
                       meta={"injected": True})


def configure(store: Store, dataset: str, config: dict | None) -> None:
    with store.transaction() as db:
        if config is None:
            db.execute("DELETE FROM faults WHERE dataset = ?", (dataset,))
        else:
            db.execute("INSERT INTO faults (dataset, config) VALUES (?, ?) ON CONFLICT(dataset) DO UPDATE SET "
                       "config = excluded.config, drawn = 0", (dataset, json.dumps(config)))


def configured(store: Store, dataset: str) -> dict:
    row = store.connection().execute("SELECT config FROM faults WHERE dataset = ?", (dataset,)).fetchone()
    return json.loads(row[0]) if row else {}
