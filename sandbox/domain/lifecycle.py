"""The copy state machine: pending -> in_progress -> completed | failed, or pending -> aborted.

A copy is planned when it is created (when it will start, when it will end); the outcome is decided
from the data at the moment each transition happens. Nothing runs in the background: `settle` applies
every transition that is due at the clock's now, in one transaction, before a data set is read or
written, so a frozen clock gives the same results in any process.

Outcomes (documented in the README):
- a recurring copy whose subscription is not active when it is due to start is aborted;
- a source order with an out-of-stock line item gives `line_items` errors;
- with `place_target_order`, a source order that cannot be placed (no customer email) gives
  `{"status": ["cannot transition from draft to placed"]}`;
- errors fail the copy, unless `skip_errors` is true: then it completes, keeping its `errors_log`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.domain.clock import iso, parse_instant
from sandbox.domain.ids import derive_id
from sandbox.catalogue import EVENTS, ORDER_FACTORIES, ORDER_SUBSCRIPTIONS, ORDERS
from sandbox.domain.seed import FAILURES, OUT_OF_STOCK, UNPLACEABLE, SeedData, with_items
from sandbox.store import Store


@dataclass(frozen=True)
class Timing:
    start_after: timedelta
    run_for: timedelta


def new_copy(store: Store, dataset: str, seed: int, kind: str, fields: dict, now: datetime, timing: Timing) -> dict:
    """A pending copy job planned from `now`, with its `create` event; `fields` are the validated request."""
    start = now + timing.start_after
    end = start + timing.run_for
    record = {
        "id": derive_id(seed, dataset, "copy", store.next_sequence(dataset)),
        "type": kind, "status": "pending",
        "started_at": None, "completed_at": None, "failed_at": None, "errors_log": None, "errors_count": None,
        "place_target_order": False, "reuse_wallet": True,
        "cancel_source_order": False, "apply_promotions": False, "skip_errors": False, "ignore_invalid_coupon": False,
        "created_at": iso(now), "updated_at": iso(now),
        "reference": None, "reference_origin": None, "metadata": {},
        "target_order_id": None, "order_subscription_id": None,
        **fields,
        "plan": {"start_at": iso(start), "end_at": iso(end)}, "due_at": iso(start),
    }
    with store.transaction():
        store.insert(ORDER_FACTORIES, dataset, record)
        _record_event(store, dataset, seed, record, "create", now)
    return record


def settle(store: Store, dataset: str, seed: int, now: datetime) -> int:
    """Apply every transition due at `now`, each at the instant it was due; returns how many."""
    applied = 0
    with store.transaction():
        while due := store.due(ORDER_FACTORIES, dataset, iso(now)):
            for copy in due:
                if copy["status"] == "pending":
                    _start(store, dataset, seed, copy)
                else:
                    _finish(store, dataset, seed, copy)
                applied += 1
    return applied


def _start(store: Store, dataset: str, seed: int, copy: dict) -> None:
    moment = copy["plan"]["start_at"]
    if copy["type"] == "recurring_order_copies" and not _subscription_active(store, dataset, copy):
        changes = {"status": "aborted", "updated_at": moment, "due_at": None}
        name = "abort"
    else:
        changes = {"status": "in_progress", "started_at": moment, "updated_at": moment,
                   "due_at": copy["plan"]["end_at"]}
        name = "start"
    store.update(ORDER_FACTORIES, dataset, copy["id"], changes)
    _record_event(store, dataset, seed, copy, name, parse_instant(moment))


def _finish(store: Store, dataset: str, seed: int, copy: dict) -> None:
    moment = copy["plan"]["end_at"]
    source = store.find(ORDERS, dataset, copy["source_order_id"])
    errors = copy_errors(source, place=bool(copy["place_target_order"]))
    count = sum(len(messages) for messages in errors.values())
    changes = {"updated_at": moment, "due_at": None, "errors_log": errors or None, "errors_count": count}
    # without a source there is nothing to copy, whatever skip_errors says
    if errors and (not copy["skip_errors"] or source is None):
        changes.update(status="failed", failed_at=moment)
        name = "fail"
    else:
        target = _target_order(store, dataset, seed, copy, source, moment, placed=not errors.get(UNPLACEABLE))
        store.insert(ORDERS, dataset, target)
        changes.update(status="completed", completed_at=moment, target_order_id=target["id"])
        if copy["cancel_source_order"] and source:
            store.update(ORDERS, dataset, source["id"], {"status": "cancelled", "updated_at": moment})
        name = "complete"
    store.update(ORDER_FACTORIES, dataset, copy["id"], changes)
    _record_event(store, dataset, seed, copy, name, parse_instant(moment))


def copy_errors(source: dict | None, *, place: bool) -> dict[str, list[str]]:
    """What goes wrong when copying `source`: attribute -> messages, the real API's errors_log shape."""
    if source is None:  # deleted since the copy was created
        return {"source_order": ["can't be blank"]}
    errors: dict[str, list[str]] = {}
    missing = [item["sku_code"] for item in source["line_items"] or [] if not item.get("in_stock", True)]
    if missing:
        errors[OUT_OF_STOCK] = [FAILURES[OUT_OF_STOCK].format(sku=sku) for sku in missing]
    if place and not source["customer_email"]:
        errors[UNPLACEABLE] = [FAILURES[UNPLACEABLE]]
    return errors


def _subscription_active(store: Store, dataset: str, copy: dict) -> bool:
    subscription = copy["order_subscription_id"] and store.find(ORDER_SUBSCRIPTIONS, dataset, copy["order_subscription_id"])
    return bool(subscription) and subscription["status"] == "active"


def _target_order(store: Store, dataset: str, seed: int, copy: dict, source: dict, moment: str, *, placed: bool) -> dict:
    """The new order: the source's in-stock items, placed when asked and possible, else a draft."""
    items = [item for item in source["line_items"] or [] if item.get("in_stock", True)]
    placed = placed and bool(copy["place_target_order"])
    return {
        **source,
        "id": derive_id(seed, dataset, "target", copy["id"]),
        "number": store.max_value(ORDERS, dataset, "number") + 1,
        "status": "placed" if placed else "draft",
        "payment_status": "authorized" if placed else "unpaid", "fulfillment_status": "unfulfilled",
        **with_items(items, source["currency_code"]),
        "placed_at": moment if placed else None, "created_at": moment, "updated_at": moment,
        "reference": None, "reference_origin": None, "metadata": {},
    }


def _record_event(store: Store, dataset: str, seed: int, copy: dict, name: str, moment: datetime) -> None:
    store.insert(EVENTS, dataset, SeedData(seed, dataset, 0).event(copy, name, moment))
