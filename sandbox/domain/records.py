"""Record builders that seeding and the lifecycle share: an order's items and totals, copy failures,
target orders and events. Seeding decides which records exist; these decide what they look like.
"""
from __future__ import annotations

from datetime import datetime

from sandbox.domain.clock import iso
from sandbox.domain.ids import derive_id

CURRENCIES = {"EUR": "€", "USD": "$", "GBP": "£"}
OUT_OF_STOCK = "line_items"
UNPLACEABLE = "status"
FAILURES = {
    OUT_OF_STOCK: "{sku} is out of stock",
    UNPLACEABLE: "cannot transition from draft to placed",
}
# the reference that marks a source order planted with each failure (fixtures/outcomes.yaml uses them too)
FAILURE_REFERENCES = {OUT_OF_STOCK: "reorder:out_of_stock", UNPLACEABLE: "reorder:cannot_be_placed"}


def with_items(items: list[dict], currency: str) -> dict:
    """An order's line items and the attributes that follow from them."""
    total = sum(i["quantity"] * i["unit_amount_cents"] for i in items)
    return {"line_items": items, "skus_count": sum(i["quantity"] for i in items),
            "total_amount_cents": total, "formatted_total_amount": money(currency, total)}


def money(currency: str, cents: int) -> str:
    return f"{CURRENCIES[currency]}{cents // 100:,}.{cents % 100:02d}"


def line_items(seed: int, dataset: str, order: dict) -> list[dict]:
    """An order's items as line_items records (the order keeps them too, for the copy rules)."""
    currency, moment = order["currency_code"], order["created_at"]
    return [{
        "id": derive_id(seed, dataset, "line_item", order["id"], n), "order_id": order["id"],
        "sku_code": item["sku_code"], "name": item.get("name") or item["sku_code"].rstrip("0123456789").title(),
        "quantity": item["quantity"], "unit_amount_cents": item["unit_amount_cents"],
        "total_amount_cents": item["quantity"] * item["unit_amount_cents"],
        "formatted_unit_amount": money(currency, item["unit_amount_cents"]),
        "formatted_total_amount": money(currency, item["quantity"] * item["unit_amount_cents"]),
        "created_at": moment, "updated_at": moment, "reference": None, "reference_origin": None, "metadata": {},
    } for n, item in enumerate(order["line_items"] or [])]


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


def target_order(source: dict, *, id_: str, number: str, moment: str, placed: bool,
                 subscription: str | None = None) -> dict:
    """The order a copy makes: the source's in-stock items, placed or a draft; a recurring copy's
    order belongs to its subscription."""
    items = [item for item in source["line_items"] or [] if item.get("in_stock", True)]
    return {
        **source,
        "id": id_, "number": number, "order_subscription_id": subscription,
        "status": "placed" if placed else "draft",
        "payment_status": "authorized" if placed else "unpaid", "fulfillment_status": "unfulfilled",
        **with_items(items, source["currency_code"]),
        "placed_at": moment if placed else None, "created_at": moment, "updated_at": moment,
        "reference": None, "reference_origin": None, "metadata": {},
    }


def event(seed: int, dataset: str, factory: dict, name: str, moment: datetime) -> dict:
    """The record of one transition of a copy job: `<type>.<name>` at `moment`."""
    return {
        "id": derive_id(seed, dataset, "event", factory["id"], name), "name": f"{factory['type']}.{name}",
        "created_at": iso(moment), "updated_at": iso(moment),
        "reference": None, "reference_origin": None, "metadata": {},
        "order_factory_id": factory["id"],
    }
