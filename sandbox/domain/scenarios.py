"""Named scenarios: the records a data set starts from, as YAML in fixtures/scenarios/ (or any path).

A scenario lists records per table; `generated: true` adds the records that --seed and --count generate.
Every data set also holds the hand-picked source orders of fixtures/outcomes.yaml. Records are checked
as the API checks its input, against the same schemas (openapi.yaml, rendered from the catalogue), and
their relationships must name records the scenario holds: a mistake is one message naming the file,
the record and the field.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from sandbox.catalogue import DATETIME, TABLES
from sandbox.domain import records
from sandbox.domain.clock import iso, parse_instant
from sandbox.settings import DATA

FOLDER = DATA / "fixtures" / "scenarios"
# tables a scenario may fill, in the order their records may refer to each other
ORDER = ("orders", "order_subscriptions", "order_factories", "events")


@dataclass(frozen=True)
class Scenario:
    name: str
    generated: bool
    tables: dict  # table -> records, complete and checked
    digest: str   # keys the snapshot: a changed file seeds anew


def names() -> list[str]:
    return sorted(path.stem for path in FOLDER.glob("*.yaml"))


def path_of(name_or_path: str) -> Path:
    candidate = FOLDER / f"{name_or_path}.yaml"
    if candidate.exists():
        return candidate
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    raise ValueError(f"no scenario {name_or_path!r}: give one of {', '.join(names())}, or a path to a YAML file")


@functools.lru_cache(maxsize=32)
def _load(path: Path, modified: float, seed: int) -> Scenario:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a scenario is a mapping of table names to lists of records")
    unknown = set(data) - {"generated", *ORDER}
    if unknown:
        raise ValueError(f"{path}: {', '.join(sorted(unknown))}: not a table a scenario fills "
                         f"(tables: {', '.join(ORDER)}; and generated: true|false)")
    if not isinstance(data.get("generated", False), bool):
        raise ValueError(f"{path}: generated: must be true or false")
    tables = {table: [_record(path, table, n, raw) for n, raw in enumerate(data.get(table) or [])] for table in ORDER}
    _check_links(path, tables)
    _complete(tables, seed)
    _check_completed(path, tables)
    return Scenario(path.stem, data.get("generated", False), tables, hashlib.blake2b(text.encode(), digest_size=8).hexdigest())


def load(name_or_path: str, seed: int) -> Scenario:
    """The scenario, checked; ValueError names the file, the record and the field of any mistake."""
    path = path_of(name_or_path)
    return _load(path, path.stat().st_mtime, seed)


@functools.lru_cache(maxsize=1)
def _validators() -> dict:
    document = yaml.safe_load((DATA / "openapi.yaml").read_text(encoding="utf-8"))
    return {table: Draft202012Validator({"$ref": f"#/components/schemas/{TABLES[table].name}Attributes",
                                         "components": document["components"]}) for table in ORDER}


def _record(path: Path, table: str, index: int, raw) -> dict:
    where = f"{path}: {table}[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: a record is a mapping of fields to values")
    where += f" (id {raw.get('id')})" if raw.get("id") else ""
    resource = TABLES[table]
    columns = resource.columns
    for field in raw:
        if field not in columns:
            raise ValueError(f"{where}: {field}: not a field of {table} (fields: {', '.join(columns)})")
    for required in ("id", "created_at"):
        if not raw.get(required):
            raise ValueError(f"{where}: {required}: can't be blank")
    if not re.fullmatch(r"[A-Za-z]{10}", str(raw["id"])):
        raise ValueError(f"{where}: id: {raw['id']!r} is not ten ASCII letters, as the real API's ids are")
    record = {name: None for name in columns}
    record.update(raw)
    for name, kind in columns.items():
        if kind == DATETIME and record[name] is not None:
            try:
                record[name] = iso(parse_instant(str(record[name])))
            except ValueError:
                raise ValueError(f"{where}: {name}: {record[name]!r} is not an ISO-8601 instant") from None
    _check_attributes(where, table, {k: v for k, v in record.items() if k in resource.attributes and k in raw})
    record["updated_at"] = record["updated_at"] or record["created_at"]
    return record


_LINKS = {"order_factories": {"source_order_id": "orders", "target_order_id": "orders",
                              "order_subscription_id": "order_subscriptions"},
          "order_subscriptions": {"source_order_id": "orders"}, "orders": {"order_subscription_id": "order_subscriptions"},
          "events": {"order_factory_id": "order_factories"}}


def _check_attributes(where: str, table: str, attributes: dict) -> None:
    for error in _validators()[table].iter_errors(attributes):
        field = error.absolute_path[0] if error.absolute_path else ""
        raise ValueError(f"{where}: {field}: {error.message}")


def _check_completed(path: Path, tables: dict) -> None:
    """What a left-out field became must meet the schema too: it is what the API will answer."""
    for table in ORDER:
        attributes = TABLES[table].attributes
        for n, record in enumerate(tables[table]):
            _check_attributes(f"{path}: {table}[{n}] (id {record['id']}), once completed", table,
                              {k: v for k, v in record.items() if k in attributes})


def _check_links(path: Path, tables: dict) -> None:
    ids = {table: {r["id"] for r in rows} for table, rows in tables.items()}
    for table, links in _LINKS.items():
        for n, record in enumerate(tables[table]):
            for column, target in links.items():
                if record.get(column) and record[column] not in ids[target]:
                    raise ValueError(f"{path}: {table}[{n}] (id {record['id']}): {column}: no {target} record "
                                     f"{record[column]!r} in the scenario")
        if table == "order_factories":
            for n, record in enumerate(tables[table]):
                if not record.get("source_order_id"):
                    raise ValueError(f"{path}: order_factories[{n}] (id {record['id']}): source_order_id: can't be blank")


def _complete(tables: dict, seed: int) -> None:
    """What a scenario may leave out: an order's totals and line items records, a copy's options and events."""
    for order in tables["orders"]:
        order["line_items"] = order["line_items"] or []
        order.update(records.with_items(order["line_items"], order["currency_code"] or "EUR"))
        order["currency_code"] = order["currency_code"] or "EUR"
        order["payment_status"] = order["payment_status"] or ("unpaid" if order["status"] in ("draft", "pending")
                                                              else "authorized")
        order["fulfillment_status"] = order["fulfillment_status"] or "unfulfilled"
        order["metadata"] = order["metadata"] if order["metadata"] is not None else {}
    tables["line_items"] = [item for order in tables["orders"] for item in records.line_items(seed, "scenario", order)]
    for factory in tables["order_factories"]:
        for option, default in (("reuse_wallet", True), ("place_target_order", False), ("cancel_source_order", False),
                                ("apply_promotions", False), ("skip_errors", False), ("ignore_invalid_coupon", False)):
            if factory[option] is None:
                factory[option] = default
        factory["metadata"] = factory["metadata"] if factory["metadata"] is not None else {}
    recorded = {event["order_factory_id"] for event in tables["events"]}
    for factory in tables["order_factories"]:
        if factory["id"] in recorded:
            continue
        aborted = factory["status"] == "aborted" and factory["updated_at"]
        for name, moment in (("create", factory["created_at"]), ("start", factory["started_at"]),
                             ("complete", factory["completed_at"]), ("fail", factory["failed_at"]),
                             ("abort", aborted)):
            if moment:
                tables["events"].append(records.event(seed, "scenario", factory, name, parse_instant(moment)))
