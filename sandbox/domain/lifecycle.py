"""The copy state machine: pending -> in_progress -> completed | failed, or pending -> aborted.

A copy is planned when it is created (when it will start, when it will end); the outcome is decided
from the data at the moment each transition happens, and each transition is dated at the instant it
was due, whoever applies it. `settle` applies what is due at the clock's now: before a data set is
read (so a frozen clock gives the same answers in every worker) and from the scheduler (so copies
move with nobody reading). It looks before it locks: a read with nothing due writes nothing.

Outcomes (documented in the README):
- a recurring copy whose subscription is not active when it is due to start is aborted;
- a source order with an out-of-stock line item gives `line_items` errors;
- with `place_target_order`, a source order that cannot be placed (no customer email) gives
  `{"status": ["cannot transition from draft to placed"]}`;
- errors fail the copy, unless `skip_errors` is true: then it completes, keeping its `errors_log`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from datetime import datetime, timedelta

from sandbox.catalogue import EVENTS, LINE_ITEMS, ORDER_FACTORIES, ORDER_SUBSCRIPTIONS, ORDERS
from sandbox.domain import records
from sandbox.domain.clock import iso, parse_instant
from sandbox.domain.ids import derive_id
from sandbox.store import Store


class MissingRelated(LookupError):
    """A copy names a source order or subscription that the data set does not hold."""

    def __init__(self, relationship: str, id_: str):
        super().__init__(f"The {relationship} {id_!r} could not be found")
        self.relationship = relationship


@dataclass(frozen=True)
class Timing:
    start_after: timedelta
    run_for: timedelta


# called in the write transaction of each event: (scope, data set, topic, resource type, id, instant); webhooks
Notify = Callable[[str, str, str, str, str, str], None]


def _silent(*_args) -> None:
    pass


def new_copy(store: Store, dataset: str, seed: int, kind: str, fields: dict, now: datetime, timing: Timing,
             notify: Notify = _silent) -> dict:
    """A pending copy job planned from `now`, with its `create` event; `fields` are the validated request.
    Returns the record, and as `row` the row as stored (read in the same transaction). Raises
    MissingRelated when the source order or subscription is not in the data set as it is now."""
    start = now + timing.start_after
    end = start + timing.run_for
    with store.write(dataset) as scope:
        for relationship, target, column in (("source_order", ORDERS, "source_order_id"),
                                             ("order_subscription", ORDER_SUBSCRIPTIONS, "order_subscription_id")):
            if column in fields and not store.rows_by(target, scope, [fields[column]]):
                raise MissingRelated(relationship, fields[column])
        record = {
            "id": derive_id(seed, dataset, "copy", store.next_sequence(dataset)),
            "type": kind, "status": "pending",
            "started_at": None, "completed_at": None, "failed_at": None, "errors_log": None, "errors_count": None,
            "place_target_order": False, "reuse_wallet": True,
            "cancel_source_order": False, "apply_promotions": False, "skip_errors": False,
            "ignore_invalid_coupon": False,
            "created_at": iso(now), "updated_at": iso(now),
            "reference": None, "reference_origin": None, "metadata": {},
            "target_order_id": None, "order_subscription_id": None,
            **fields,
            "plan": {"start_at": iso(start), "end_at": iso(end)}, "due_at": iso(start),
        }
        store.insert(ORDER_FACTORIES, scope, record)
        store.insert(EVENTS, scope, records.event(seed, dataset, record, "create", now))
        notify(scope, dataset, f"{kind}.create", kind, record["id"], iso(now))
        record["row"] = store.rows_by(ORDER_FACTORIES, scope, [record["id"]])[0]
    return record


def settle(store: Store, dataset: str, seed: int, now: datetime, scope: str | None = None,
           notify: Notify = _silent) -> int:
    """Apply every transition due at `now`, each at the instant it was due; returns how many.
    Exactly once across threads and workers: the due rows are read again inside the write transaction.
    `scope`, where the caller knows it, saves looking the data set up."""
    if scope is None:
        current = store.dataset(dataset)
        scope = current and current.scope
    if scope is None or not store.has_due(ORDER_FACTORIES, scope, iso(now)):
        return 0
    applied = 0
    with store.write(dataset) as scope:
        while due := store.due(ORDER_FACTORIES, scope, iso(now)):
            for copy in due:
                if copy["status"] == "pending":
                    _start(store, dataset, scope, seed, copy, notify)
                else:
                    _finish(store, dataset, scope, seed, copy, notify)
                applied += 1
    return applied


def _start(store: Store, dataset: str, scope: str, seed: int, copy: dict, notify: Notify) -> None:
    moment = copy["plan"]["start_at"]
    if copy["type"] == "recurring_order_copies" and not _subscription_active(store, scope, copy):
        changes = {"status": "aborted", "updated_at": moment, "due_at": None}
        name = "abort"
    else:
        changes = {"status": "in_progress", "started_at": moment, "updated_at": moment,
                   "due_at": copy["plan"]["end_at"]}
        name = "start"
    store.update(ORDER_FACTORIES, scope, copy["id"], changes)
    store.insert(EVENTS, scope, records.event(seed, dataset, copy, name, parse_instant(moment)))
    notify(scope, dataset, f"{copy['type']}.{name}", copy["type"], copy["id"], moment)


def _finish(store: Store, dataset: str, scope: str, seed: int, copy: dict, notify: Notify) -> None:
    moment = copy["plan"]["end_at"]
    source = store.find(ORDERS, scope, copy["source_order_id"])
    errors = records.copy_errors(source, place=bool(copy["place_target_order"]))
    count = sum(len(messages) for messages in errors.values())
    changes = {"updated_at": moment, "due_at": None, "errors_log": errors or None, "errors_count": count}
    # without a source there is nothing to copy, whatever skip_errors says
    if errors and (not copy["skip_errors"] or source is None):
        changes.update(status="failed", failed_at=moment)
        name = "fail"
    else:
        placed = bool(copy["place_target_order"]) and not errors.get(records.UNPLACEABLE)
        target = records.target_order(source, id_=derive_id(seed, dataset, "target", copy["id"]),
                                      number=str(store.max_number(ORDERS, scope) + 1), moment=moment, placed=placed,
                                      subscription=copy["order_subscription_id"])
        store.insert(ORDERS, scope, target)
        notify(scope, dataset, "orders.create", "orders", target["id"], moment)
        if placed:
            notify(scope, dataset, "orders.place", "orders", target["id"], moment)
        for item in records.line_items(seed, dataset, target):
            store.insert(LINE_ITEMS, scope, item)
        changes.update(status="completed", completed_at=moment, target_order_id=target["id"])
        if copy["cancel_source_order"]:
            store.update(ORDERS, scope, source["id"], {"status": "cancelled", "updated_at": moment})
        name = "complete"
    store.update(ORDER_FACTORIES, scope, copy["id"], changes)
    store.insert(EVENTS, scope, records.event(seed, dataset, copy, name, parse_instant(moment)))
    notify(scope, dataset, f"{copy['type']}.{name}", copy["type"], copy["id"], moment)


def _subscription_active(store: Store, scope: str, copy: dict) -> bool:
    subscription = copy["order_subscription_id"] and store.find(ORDER_SUBSCRIPTIONS, scope, copy["order_subscription_id"])
    return bool(subscription) and subscription["status"] == "active"
