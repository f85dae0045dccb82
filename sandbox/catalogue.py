"""The catalogue of resource types: their tables, typed attributes, relationships, sortable and filterable keys.

The store builds its tables from it, the query parser validates against it, and `sandbox spec` renders
the matching parts of openapi.yaml from it, so a column that is not listed here can never reach SQL
and a field added here reaches the contract by regeneration alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

# attribute kinds, which decide how values are stored, compared and parsed from a query string
STRING, DATETIME, INTEGER, BOOLEAN, JSON = "string", "datetime", "integer", "boolean", "json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# how openapi.yaml declares an attribute: by its name where the name says more than its kind...
NAMED_SPECS = {
    "created_at": _ref("Timestamp"), "updated_at": _ref("Timestamp"), "metadata": _ref("Metadata"),
    "errors_log": _ref("ErrorsLog"), "errors_count": {"type": ["integer", "null"], "minimum": 0},
}
# ...else by its kind
KIND_SPECS = {
    STRING: {"type": ["string", "null"]}, DATETIME: _ref("NullableTimestamp"),
    INTEGER: {"type": ["integer", "null"]}, BOOLEAN: {"type": ["boolean", "null"]}, JSON: _ref("Metadata"),
}


@dataclass(frozen=True)
class Relationship:
    name: str
    target: str            # resource type
    many: bool = False
    column: str | None = None   # to-one: the foreign key column on this table
    inverse: str | None = None  # to-many: the column on the target's table that points back here


@dataclass(frozen=True)
class Resource:
    type: str
    table: str
    attributes: dict[str, str]              # public attribute -> kind
    relationships: tuple[Relationship, ...] = ()
    internal: dict[str, str] = field(default_factory=dict)  # stored, never served
    sortable: tuple[str, ...] = ()
    filterable: dict[str, str] = field(default_factory=dict)  # filter key -> kind
    # a view over the table limited to these values of `type` (order_copies over order_factories)
    kinds: tuple[str, ...] = ()
    # extra indexes beyond (dataset, id) and the foreign keys: the sorts and filters worth their
    # insert cost at 100,000 records; other sorts fall back to a sort of the matching rows
    indexes: tuple[tuple[str, ...], ...] = (("created_at",), ("updated_at",))
    # attribute -> its schema in openapi.yaml, where neither its name nor its kind says enough
    specs: dict[str, dict] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The singular CamelCase name openapi.yaml gives its schemas: order_copies -> OrderCopy."""
        words = self.type.split("_")
        words[-1] = words[-1][:-3] + "y" if words[-1].endswith("ies") else words[-1][:-1]
        return "".join(word.title() for word in words)

    def spec(self, attribute: str) -> dict:
        return self.specs.get(attribute) or NAMED_SPECS.get(attribute) or KIND_SPECS[self.attributes[attribute]]

    @cached_property
    def related_filters(self) -> dict[str, tuple[Relationship, str]]:
        """Filters on the attributes of to-one related records, the ransack way: source_order_number ->
        (source_order, number)."""
        found = {}
        for rel in self.relationships:
            target = RESOURCES.get(rel.target)
            if rel.column and target:
                found.update({f"{rel.name}_{name}": (rel, name) for name, kind in target.filterable.items()
                              if name != "id" and kind != JSON})
        return found

    @cached_property
    def filters(self) -> dict[str, str]:
        """Every filter key -> the kind of its values: own attributes, then related ones."""
        related = {key: RESOURCES[rel.target].filterable[name] for key, (rel, name) in self.related_filters.items()}
        return {**self.filterable, **related}

    def filter_column(self, key: str) -> str:
        """The SQL expression a filter key compares: a column here, or a related record's column."""
        if key in self.related_filters:
            rel, name = self.related_filters[key]
            table = RESOURCES[rel.target].table
            return (f'(SELECT related."{name}" FROM "{table}" AS related WHERE related.dataset = '
                    f'"{self.table}".dataset AND related.id = "{self.table}"."{rel.column}")')
        return f'"{key}"'

    @cached_property
    def columns(self) -> dict[str, str]:
        links = {r.column: STRING for r in self.relationships if r.column}
        return {"id": STRING, **self.attributes, **links, **self.internal}

    def relationship(self, name: str) -> Relationship | None:
        return next((r for r in self.relationships if r.name == name), None)


_FACTORY_ATTRIBUTES = {
    "type": STRING, "status": STRING,
    "started_at": DATETIME, "completed_at": DATETIME, "failed_at": DATETIME,
    "errors_log": JSON, "errors_count": INTEGER,
    "place_target_order": BOOLEAN, "reuse_wallet": BOOLEAN,
    "created_at": DATETIME, "updated_at": DATETIME,
    "reference": STRING, "reference_origin": STRING, "metadata": JSON,
}
_COPY_OPTIONS = {"cancel_source_order": BOOLEAN, "apply_promotions": BOOLEAN,
                 "skip_errors": BOOLEAN, "ignore_invalid_coupon": BOOLEAN}
# the real API's sort keys (SDK 7.12 types)
_FACTORY_SORTABLE = ("id", "status", "started_at", "completed_at", "failed_at", "errors_count",
                     "created_at", "updated_at", "reference", "reference_origin")
_FACTORY_FILTERABLE = {
    **{key: (STRING if key == "id" else _FACTORY_ATTRIBUTES[key]) for key in _FACTORY_SORTABLE},
    "metadata": JSON,
    # extensions, listed in the README: the kind of copy, the related ids, and two booleans so that the
    # true/false predicates have attributes to work on
    "type": STRING, "source_order_id": STRING, "target_order_id": STRING,
    "place_target_order": BOOLEAN, "reuse_wallet": BOOLEAN,
}
_FACTORY_RELATIONSHIPS = (
    Relationship("source_order", "orders", column="source_order_id"),
    Relationship("target_order", "orders", column="target_order_id"),
    Relationship("events", "events", many=True, inverse="order_factory_id"),
    # the sandbox keeps no event store: the relationship is always empty
    Relationship("event_stores", "event_stores", many=True),
)
# how the lifecycle plans and runs a copy: decided at creation, applied by time
# `plan` holds the transition times; `due_at` is the next one, indexed, null once the copy has ended
_LIFECYCLE = {"plan": JSON, "due_at": DATETIME}
_FACTORY_INTERNAL = {"order_subscription_id": STRING, **_LIFECYCLE, **_COPY_OPTIONS}

_FACTORY_SPECS = {"status": _ref("FactoryStatus"), "type": {"enum": ["order_copies", "recurring_order_copies"]}}

ORDER_FACTORIES = Resource(
    type="order_factories", table="order_factories", specs=_FACTORY_SPECS,
    attributes=_FACTORY_ATTRIBUTES, relationships=_FACTORY_RELATIONSHIPS,
    internal=_FACTORY_INTERNAL, sortable=_FACTORY_SORTABLE, filterable=_FACTORY_FILTERABLE,
    # status with created_at: the list a frontend shows most ("my failed copies, newest first")
    indexes=(("created_at",), ("updated_at",), ("status", "created_at"), ("type", "created_at"),
             ("order_subscription_id",), ("due_at",)),
)
# The two kinds of copy job: views over the order_factories table, one value of `type` each.
_COPY_ATTRIBUTES = _FACTORY_ATTRIBUTES  # `type` too: the official 7.10 schema has it on all three
_COPY_RELATIONSHIPS = (*_FACTORY_RELATIONSHIPS[:2],
                       Relationship("order_subscription", "order_subscriptions", column="order_subscription_id"),
                       *_FACTORY_RELATIONSHIPS[2:])
ORDER_COPIES = Resource(
    type="order_copies", table="order_factories", specs={**_FACTORY_SPECS, "type": {"const": "order_copies"}},
    attributes={**_COPY_ATTRIBUTES, **_COPY_OPTIONS}, relationships=_COPY_RELATIONSHIPS,
    internal=_LIFECYCLE, sortable=_FACTORY_SORTABLE, filterable=_FACTORY_FILTERABLE,
    kinds=("order_copies",),
)
RECURRING_ORDER_COPIES = Resource(
    type="recurring_order_copies", table="order_factories",
    specs={**_FACTORY_SPECS, "type": {"const": "recurring_order_copies"}},
    attributes=_COPY_ATTRIBUTES, relationships=_COPY_RELATIONSHIPS,
    internal={**_LIFECYCLE, **_COPY_OPTIONS}, sortable=_FACTORY_SORTABLE,
    filterable=_FACTORY_FILTERABLE, kinds=("recurring_order_copies",),
)

ORDERS = Resource(
    type="orders", table="orders",
    specs={
        "number": {"type": "string", "pattern": "^[0-9]+$"},
        "status": {"enum": ["draft", "pending", "placing", "placed", "editing", "approved", "cancelled"]},
        "payment_status": {"enum": ["unpaid", "authorized", "partially_authorized", "paid", "partially_paid", "voided",
                                    "partially_voided", "refunded", "partially_refunded", "free"]},
        "fulfillment_status": {"enum": ["unfulfilled", "in_progress", "fulfilled", "not_required"]},
        "currency_code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "customer_email": {"type": ["string", "null"]},
        "skus_count": {"type": "integer", "minimum": 0}, "total_amount_cents": {"type": "integer", "minimum": 0},
        "formatted_total_amount": {"type": "string"},
    },
    attributes={
        "number": STRING, "status": STRING, "payment_status": STRING, "fulfillment_status": STRING,
        "currency_code": STRING, "customer_email": STRING, "skus_count": INTEGER,
        "total_amount_cents": INTEGER, "formatted_total_amount": STRING, "placed_at": DATETIME,
        "created_at": DATETIME, "updated_at": DATETIME,
        "reference": STRING, "reference_origin": STRING, "metadata": JSON,
    },
    relationships=(Relationship("line_items", "line_items", many=True, inverse="order_id"),
                   # the subscription that made the order (target orders of recurring copies)
                   Relationship("order_subscription", "order_subscriptions", column="order_subscription_id"),
                   Relationship("order_factories", "order_factories", many=True, inverse="source_order_id"),
                   Relationship("order_copies", "order_copies", many=True, inverse="source_order_id"),
                   Relationship("recurring_order_copies", "recurring_order_copies", many=True,
                                inverse="source_order_id")),
    # the items as the copy rules read them (in_stock included); the line_items table serves them
    internal={"line_items": JSON},
    sortable=("id", "number", "status", "created_at", "updated_at", "reference"),
    indexes=(("created_at",), ("updated_at",)),
    filterable={"id": STRING, "number": STRING, "status": STRING, "customer_email": STRING, "reference": STRING,
                "reference_origin": STRING, "created_at": DATETIME, "updated_at": DATETIME, "metadata": JSON},
)

ORDER_SUBSCRIPTIONS = Resource(
    type="order_subscriptions", table="order_subscriptions",
    specs={"number": {"type": "string", "pattern": "^[0-9]+$"},
           "status": {"enum": ["draft", "inactive", "active", "running", "cancelled"]},
           "frequency": {"type": "string"}, "occurrencies": {"type": ["integer", "null"], "minimum": 0}},
    attributes={
        "number": STRING, "status": STRING, "frequency": STRING,
        "starts_at": DATETIME, "expires_at": DATETIME, "next_run_at": DATETIME, "last_run_at": DATETIME,
        "occurrencies": INTEGER, "errors_count": INTEGER, "succeeded_on_last_run": BOOLEAN,
        "created_at": DATETIME, "updated_at": DATETIME,
        "reference": STRING, "reference_origin": STRING, "metadata": JSON,
    },
    relationships=(Relationship("source_order", "orders", column="source_order_id"),
                   Relationship("orders", "orders", many=True, inverse="order_subscription_id"),
                   Relationship("order_factories", "order_factories", many=True, inverse="order_subscription_id"),
                   Relationship("recurring_order_copies", "recurring_order_copies", many=True,
                                inverse="order_subscription_id")),
    sortable=("id", "number", "status", "created_at", "updated_at"),
    filterable={"id": STRING, "number": STRING, "status": STRING, "frequency": STRING, "reference": STRING,
                "reference_origin": STRING, "created_at": DATETIME, "updated_at": DATETIME, "metadata": JSON},
)

LINE_ITEMS = Resource(
    type="line_items", table="line_items",
    specs={"quantity": {"type": "integer", "minimum": 1},
           "unit_amount_cents": {"type": "integer", "minimum": 0}, "total_amount_cents": {"type": "integer", "minimum": 0},
           "sku_code": {"type": "string"}, "name": {"type": "string"},
           "formatted_unit_amount": {"type": "string"}, "formatted_total_amount": {"type": "string"}},
    attributes={"sku_code": STRING, "name": STRING, "quantity": INTEGER, "unit_amount_cents": INTEGER,
                "total_amount_cents": INTEGER, "formatted_unit_amount": STRING, "formatted_total_amount": STRING,
                "created_at": DATETIME, "updated_at": DATETIME,
                "reference": STRING, "reference_origin": STRING, "metadata": JSON},
    relationships=(Relationship("order", "orders", column="order_id"),),
    sortable=("id", "sku_code", "quantity", "created_at", "updated_at"),
    filterable={"id": STRING, "sku_code": STRING, "name": STRING, "quantity": INTEGER, "created_at": DATETIME,
                "updated_at": DATETIME, "reference": STRING, "reference_origin": STRING, "metadata": JSON},
    indexes=(("created_at",),),
)

EVENTS = Resource(
    type="events", table="events",
    specs={"name": {"type": "string",
                    "pattern": "^(order_copies|recurring_order_copies)\\.(create|start|complete|fail|abort)$"}},
    attributes={"name": STRING, "created_at": DATETIME, "updated_at": DATETIME,
                "reference": STRING, "reference_origin": STRING, "metadata": JSON},
    # the official schema's relationships; the sandbox keeps no webhooks yet, so both are empty
    relationships=(Relationship("webhooks", "webhooks", many=True),
                   Relationship("last_event_callbacks", "event_callbacks", many=True)),
    # the copy job whose transition this event records
    internal={"order_factory_id": STRING},
    indexes=(("order_factory_id", "created_at"),),
    sortable=("id", "name", "created_at", "updated_at"),
    filterable={"id": STRING, "name": STRING, "created_at": DATETIME, "updated_at": DATETIME},
)

WEBHOOKS = Resource(
    type="webhooks", table="webhooks",
    specs={"topic": {"type": "string"}, "callback_url": {"type": "string"}, "name": {"type": ["string", "null"]},
           "include_resources": {"type": ["array", "null"], "items": {"type": "string"}},
           "circuit_state": {"enum": ["closed", "open"]}, "circuit_failure_count": {"type": "integer", "minimum": 0},
           "shared_secret": {"type": "string"}},
    attributes={"name": STRING, "topic": STRING, "callback_url": STRING, "include_resources": JSON,
                "circuit_state": STRING, "circuit_failure_count": INTEGER, "shared_secret": STRING,
                "disabled_at": DATETIME, "created_at": DATETIME, "updated_at": DATETIME,
                "reference": STRING, "reference_origin": STRING, "metadata": JSON},
    relationships=(Relationship("last_event_callbacks", "event_callbacks", many=True, inverse="webhook_id"),),
    sortable=("id", "name", "topic", "created_at", "updated_at"),
    filterable={"id": STRING, "name": STRING, "topic": STRING, "callback_url": STRING, "circuit_state": STRING,
                "created_at": DATETIME, "updated_at": DATETIME, "reference": STRING, "reference_origin": STRING,
                "metadata": JSON},
)

EVENT_CALLBACKS = Resource(
    type="event_callbacks", table="event_callbacks",
    specs={"callback_url": {"type": "string"}, "payload": {"type": ["object", "null"]},
           "response_code": {"type": ["integer", "null"]}, "response_message": {"type": ["string", "null"]}},
    attributes={"callback_url": STRING, "payload": JSON, "response_code": INTEGER, "response_message": STRING,
                "created_at": DATETIME, "updated_at": DATETIME},
    relationships=(Relationship("webhook", "webhooks", column="webhook_id"),),
    sortable=("id", "response_code", "created_at", "updated_at"),
    filterable={"id": STRING, "callback_url": STRING, "response_code": INTEGER, "created_at": DATETIME,
                "updated_at": DATETIME},
    indexes=(("created_at",), ("webhook_id", "created_at")),
)

RESOURCES = {r.type: r for r in (ORDER_FACTORIES, ORDER_COPIES, RECURRING_ORDER_COPIES, ORDERS, LINE_ITEMS,
                                  ORDER_SUBSCRIPTIONS, EVENTS, WEBHOOKS, EVENT_CALLBACKS)}
# each table as its widest resource sees it: the views over order_factories hold no other columns
TABLES = {r.table: r for r in reversed(RESOURCES.values())}
