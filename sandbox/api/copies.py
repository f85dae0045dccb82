"""/api/order_copies and /api/recurring_order_copies: create a copy job, watch it, update or delete it."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, g
from marshmallow import EXCLUDE

from sandbox.domain import lifecycle
from sandbox.jsonapi import spec
from sandbox.domain.clock import get_clock, iso
from sandbox.jsonapi.documents import resource_document
from sandbox.jsonapi.errors import ApiError, not_found
from sandbox.jsonapi.query import Query
from sandbox.catalogue import ORDER_COPIES, ORDER_SUBSCRIPTIONS, ORDERS, RECURRING_ORDER_COPIES, Resource
from sandbox.jsonapi.schemas import SCHEMAS
from sandbox.store import get_store
from sandbox.api.views import find_or_404, jsonapi, read_only_blueprint

# request body schemas in openapi.yaml, per resource type
_BODIES = {"order_copies": ("OrderCopyCreate", "OrderCopyUpdate"),
           "recurring_order_copies": ("RecurringOrderCopyCreate", "RecurringOrderCopyUpdate")}


def _blueprint(resource: Resource) -> Blueprint:
    bp = read_only_blueprint(resource, related=("source_order", "target_order", "order_subscription", "events"))
    create_schema, update_schema = _BODIES[resource.type]

    @bp.post("")
    def create_copy():
        loaded = _load(resource, spec.read_body(create_schema))
        fields = {name: loaded[name] for name in resource.attributes if name in loaded}
        fields["source_order_id"] = _existing(ORDERS, loaded.get("source_order"), "source_order")
        if loaded.get("order_subscription") is not None:
            fields["order_subscription_id"] = _existing(ORDER_SUBSCRIPTIONS, loaded["order_subscription"],
                                                        "order_subscription")
        settings = current_app.config["SANDBOX"]
        timing = lifecycle.Timing(timedelta(seconds=settings.start_after), timedelta(seconds=settings.run_for))
        record = lifecycle.new_copy(get_store(), g.tenant.key, settings.seed, resource.kinds[0],
                                    fields, get_clock().now(), timing)
        document = resource_document(get_store(), resource, record, g.tenant, Query())
        return jsonapi(document, 201, {"Location": document["data"]["links"]["self"]})

    @bp.patch("/<id>")
    def update_copy(id: str):
        record = find_or_404(resource, id)
        body = spec.read_body(update_schema)
        if body["data"]["id"] != id:
            raise ApiError(409, "CONFLICT", "Id mismatch", f"data.id must be {id!r}, the id in the URL",
                           pointer="/data/id")
        changes = _load(resource, body)
        store = get_store()
        if changes:
            # never earlier than the last change, even under a clock frozen in the past
            changes["updated_at"] = max(record["updated_at"], iso(get_clock().now()))
            store.update(resource, g.tenant.key, id, changes)
        return jsonapi(resource_document(store, resource, find_or_404(resource, id), g.tenant, Query()))

    @bp.delete("/<id>")
    def delete_copy(id: str):
        if not get_store().delete(resource, g.tenant.key, id):
            raise not_found(resource.type, id)
        return jsonapi(None, 204)

    return bp


def _load(resource: Resource, body: dict) -> dict:
    """The attributes and relationship ids of a body the spec already accepted."""
    return SCHEMAS[resource.type]().load(body, unknown=EXCLUDE)


def _existing(target: Resource, id_: str | None, relationship: str) -> str:
    if id_ is None or get_store().find(target, g.tenant.key, id_) is None:
        raise ApiError(404, "RECORD_NOT_FOUND", "Record not found",
                       f"The {relationship} {id_!r} could not be found", pointer=f"/data/relationships/{relationship}")
    return id_


order_copies = _blueprint(ORDER_COPIES)
recurring_order_copies = _blueprint(RECURRING_ORDER_COPIES)
