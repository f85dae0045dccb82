"""Deterministic seed data: orders, subscriptions, copy jobs in every status, and their events.

Every record derives from (seed, data set, record index) alone, so the same settings give the same bytes
in any process and in any order of requests. Faker fills small pools of names once per seed; each copy
job then draws itself, its orders and its events from one keyed random generator. Records come out in
batches, so a data set of any size is seeded without holding it in memory.
"""
from __future__ import annotations

import functools
import hashlib
import random
from datetime import datetime, timedelta, timezone
from typing import Iterator

import yaml
from faker import Faker

from sandbox.catalogue import RESOURCES
from sandbox.settings import DATA
from sandbox.domain.clock import iso
from sandbox.domain.ids import derive_id
from sandbox.domain.records import (CURRENCIES, FAILURE_REFERENCES, FAILURES, OUT_OF_STOCK, UNPLACEABLE, event,
                                    line_items, with_items)

OUTCOMES = DATA / "fixtures" / "outcomes.yaml"
# Seeded records are dated before this instant, so they never move under any clock.
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
STATUSES = ("pending", "in_progress", "completed", "failed", "aborted")
TABLES = ("orders", "line_items", "order_subscriptions", "order_factories", "events")


def keyed_random(*key: object) -> random.Random:
    digest = hashlib.blake2b(":".join(map(str, key)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


@functools.lru_cache(maxsize=8)
def _pools(seed: int) -> dict[str, tuple[str, ...]]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return {
        "first": tuple(fake.unique.first_name().lower() for _ in range(120)),
        "last": tuple(fake.unique.last_name().lower() for _ in range(120)),
        "domain": tuple(fake.unique.safe_domain_name() for _ in range(3)),
        "product": tuple(fake.unique.word().upper() for _ in range(200)),
    }


class SeedData:
    """The seed records of one data set (an organization in one mode)."""

    def __init__(self, seed: int, dataset: str, count: int):
        self.seed, self.dataset, self.count = seed, dataset, count
        self.pools = _pools(seed)

    def rng(self, *key: object) -> random.Random:
        return keyed_random(self.seed, self.dataset, *key)

    def id(self, *key: object) -> str:
        return derive_id(self.seed, self.dataset, *key)

    def batches(self, size: int = 2000, part: tuple[int, int] = (0, 1)) -> Iterator[tuple[str, list[dict]]]:
        """(table, records) in batches of about `size`: the outcome source orders first, then every copy
        job. `part` (n, of): only the n-th of `of` slices of the copy jobs (the outcomes come with the first),
        so that processes can share the work."""
        n, of = part
        tables: dict[str, list[dict]] = {table: [] for table in TABLES}
        if n == 0:
            self._outcomes(tables)
        for index in range(n * self.count // of, (n + 1) * self.count // of):
            self._factory(index, tables)
            if max(len(rows) for rows in tables.values()) >= size:
                yield from ((table, rows) for table, rows in tables.items() if rows)
                tables = {table: [] for table in TABLES}
        yield from ((table, rows) for table, rows in tables.items() if rows)

    def tables(self) -> dict[str, list[dict]]:
        """Every record at once, table by table (for tests and small data sets)."""
        tables: dict[str, list[dict]] = {table: [] for table in TABLES}
        for table, rows in self.batches():
            tables[table] += rows
        return tables

    def _outcomes(self, tables: dict[str, list[dict]]) -> None:
        """The hand-picked source orders and subscriptions of fixtures/outcomes.yaml."""
        orders = {}
        for number, spec in enumerate(_outcomes_file()["orders"], start=10):
            created = EPOCH - timedelta(days=1, hours=number)
            order = self.order(self.rng("order", spec["key"]), f"scenario:{spec['key']}", number, created)
            items = [dict(item) for item in spec["line_items"]]
            order.update(reference=spec["reference"], reference_origin="sandbox", customer_email=spec["customer_email"],
                         currency_code=spec["currency_code"], **with_items(items, spec["currency_code"]))
            orders[spec["key"]] = order
            self._add_order(tables, order)
        for number, spec in enumerate(_outcomes_file()["order_subscriptions"], start=10):
            source = orders[spec["source_order"]]
            rng = self.rng("subscription", spec["key"])
            subscription = self.subscription(rng, f"scenario:{spec['key']}", number, source, EPOCH - timedelta(days=1))
            subscription.update(status=spec["status"], reference=spec["reference"], reference_origin="sandbox")
            tables["order_subscriptions"].append(subscription)

    # --- records -------------------------------------------------------------------------------

    def _add_order(self, tables: dict[str, list[dict]], order: dict) -> None:
        tables["orders"].append(order)
        tables["line_items"] += line_items(self.seed, self.dataset, order)

    def order(self, rng: random.Random, key: str, number: int, created: datetime, *, status: str = "placed",
              failure: str | None = None) -> dict:
        """An order with 1 to 4 line items; `failure` plants the reason a copy of it will fail."""
        currency = rng.choice(sorted(CURRENCIES))
        products = self.pools["product"]
        items = [{"sku_code": f"{rng.choice(products)}{rng.randint(100, 999)}", "quantity": rng.randint(1, 3),
                  "unit_amount_cents": rng.randrange(500, 15000, 100),
                  "in_stock": not (failure == OUT_OF_STOCK and n == 0)}
                 for n in range(rng.randint(1, 4))]
        placed = status not in ("draft", "pending")
        email = f"{rng.choice(self.pools['first'])}.{rng.choice(self.pools['last'])}@{rng.choice(self.pools['domain'])}"
        return {
            "id": self.id("order", key), "number": str(number), "status": status,
            "payment_status": "authorized" if placed else "unpaid",
            "fulfillment_status": "unfulfilled", "currency_code": currency,
            # an order with no customer cannot be placed: the planted reason for "draft to placed"
            "customer_email": None if failure == UNPLACEABLE else email,
            **with_items(items, currency),
            "placed_at": iso(created) if placed else None,
            "created_at": iso(created), "updated_at": iso(created),
            "reference": FAILURE_REFERENCES.get(failure), "reference_origin": None, "metadata": {},
            "order_subscription_id": None,
        }

    def _factory(self, index: int, tables: dict[str, list[dict]]) -> None:
        rng = self.rng("factory", index)
        # statuses cycle so that any count of five or more shows all of them
        status = STATUSES[index % len(STATUSES)]
        recurring = rng.random() < 0.3
        created = EPOCH - timedelta(days=rng.randint(1, 90), seconds=rng.randint(0, 86399),
                                    milliseconds=rng.randint(0, 999))
        failure = rng.choice(sorted(FAILURES)) if status == "failed" else None
        source = self.order(rng, f"source:{index}", 20000 + 2 * index, created - timedelta(days=rng.randint(1, 30)),
                            failure=failure)
        self._add_order(tables, source)

        started = completed = failed = target_id = subscription_id = None
        errors_log = errors_count = None
        if status in ("in_progress", "completed", "failed"):
            started = created + timedelta(seconds=rng.randint(1, 120), milliseconds=rng.randint(0, 999))
        subscription = self.subscription(rng, str(index), 5000 + index, source, created) if recurring else None
        if status == "completed":
            completed = started + timedelta(seconds=rng.randint(1, 300), milliseconds=rng.randint(0, 999))
            target = self.order(rng, f"target:{index}", 20001 + 2 * index, completed)
            # a copy: the source's items, currency and totals; a recurring copy's belongs to its subscription
            target.update(currency_code=source["currency_code"], order_subscription_id=subscription and subscription["id"],
                          **with_items(source["line_items"], source["currency_code"]))
            self._add_order(tables, target)
            target_id, errors_count = target["id"], 0
        if status == "failed":
            failed = started + timedelta(seconds=rng.randint(1, 300), milliseconds=rng.randint(0, 999))
            sku = source["line_items"][0]["sku_code"]
            errors_log = {failure: [FAILURES[failure].format(sku=sku)]}
            errors_count = 1
        if subscription:
            tables["order_subscriptions"].append(subscription)
            subscription_id = subscription["id"]
        updated = max(t for t in (created, started, completed, failed) if t is not None)
        factory = {
            "id": self.id("factory", index),
            "type": "recurring_order_copies" if recurring else "order_copies",
            "status": status,
            "started_at": started and iso(started), "completed_at": completed and iso(completed),
            "failed_at": failed and iso(failed),
            "errors_log": errors_log, "errors_count": errors_count,
            # an unplaceable source order fails a copy only when the copy places its target
            "place_target_order": failure == UNPLACEABLE or rng.random() < 0.5, "reuse_wallet": rng.random() < 0.8,
            "created_at": iso(created), "updated_at": iso(updated),
            "reference": f"REORDER-{1000 + index}" if rng.random() < 0.5 else None,
            "reference_origin": rng.choice(("storefront", "backoffice", None)),
            "metadata": rng.choice(({}, {"channel": "web"}, {"channel": "app", "priority": index % 3})),
            "source_order_id": source["id"], "target_order_id": target_id,
            "order_subscription_id": subscription_id, "plan": None,
            "cancel_source_order": False if recurring else rng.random() < 0.2,
            "apply_promotions": False if recurring else rng.random() < 0.3,
            "skip_errors": False, "ignore_invalid_coupon": False,
        }
        tables["order_factories"].append(factory)
        transitions = [("create", created), ("start", started), ("complete", completed), ("fail", failed)]
        if status == "aborted":
            transitions.append(("abort", created + timedelta(seconds=rng.randint(1, 60))))
        for name, moment in transitions:
            if moment is not None:
                tables["events"].append(event(self.seed, self.dataset, factory, name, moment))

    def subscription(self, rng: random.Random, key: str, number: int, source: dict, created: datetime) -> dict:
        starts = created - timedelta(days=rng.randint(1, 30))
        return {
            "id": self.id("subscription", key), "number": str(number),
            "status": rng.choice(("active", "active", "active", "inactive")),
            "frequency": rng.choice(("hourly", "daily", "weekly", "monthly")),
            "starts_at": iso(starts), "expires_at": None, "next_run_at": iso(created + timedelta(days=1)),
            "last_run_at": iso(created), "occurrencies": rng.randint(1, 12), "errors_count": 0,
            "succeeded_on_last_run": True,
            "created_at": iso(starts), "updated_at": iso(created),
            "reference": None, "reference_origin": None, "metadata": {},
            "source_order_id": source["id"],
        }


@functools.lru_cache(maxsize=1)
def _outcomes_file() -> dict:
    with open(OUTCOMES, encoding="utf-8") as file:
        return yaml.safe_load(file)


def load_fixture(path) -> dict[str, list[dict]]:
    """Hand-picked records from a YAML file: table -> records; unlisted columns are null,
    `updated_at` defaults to `created_at`."""
    with open(path, encoding="utf-8") as file:
        data = yaml.safe_load(file) or {}
    tables = {}
    for table, records in data.items():
        columns = RESOURCES[table].columns
        tables[table] = [{**{c: None for c in columns}, "updated_at": r.get("created_at"), **r} for r in records]
    return tables
