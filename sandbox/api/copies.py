"""/api/order_copies and /api/recurring_order_copies: create a copy job, watch it, update or delete it."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, g, request
from marshmallow import EXCLUDE

from sandbox.api.views import (check_id_in_url, context, deleted_response, document_response, find_row,
                                read_only_blueprint, updated_response)
from sandbox.catalogue import ORDER_COPIES, RECURRING_ORDER_COPIES, Resource
from sandbox.domain import lifecycle
from sandbox.domain.datasets import get_datasets
from sandbox.domain.clock import iso
from sandbox.jsonapi import query, spec
from sandbox.jsonapi.errors import ApiError
from sandbox.jsonapi.schemas import loader
from sandbox.store import get_store

# request body schemas in openapi.yaml, per resource type
_BODIES = {"order_copies": ("OrderCopyCreate", "OrderCopyUpdate"),
           "recurring_order_copies": ("RecurringOrderCopyCreate", "RecurringOrderCopyUpdate")}


def _blueprint(resource: Resource) -> Blueprint:
    bp = read_only_blueprint(resource)
    create_schema, update_schema = _BODIES[resource.type]

    @bp.post("")
    def create_copy():
        q = query.parse(request.args, resource, many=False)  # include and fields, as on a retrieve
        loaded = _load(resource, spec.read_body(create_schema))
        fields = {name: loaded[name] for name in resource.attributes if name in loaded}
        fields["source_order_id"] = loaded["source_order"]
        if loaded.get("order_subscription") is not None:
            fields["order_subscription_id"] = loaded["order_subscription"]
        settings = current_app.config["SANDBOX"]
        timing = lifecycle.Timing(timedelta(seconds=settings.start_after), timedelta(seconds=settings.run_for))
        try:  # the related records are looked up in the same transaction as the write
            record = lifecycle.new_copy(get_store(), g.tenant.key, settings.seed, resource.kinds[0],
                                        fields, g.now, timing, notify=get_datasets().notify)
        except lifecycle.MissingRelated as missing:
            raise ApiError(404, "RECORD_NOT_FOUND", "Record not found", str(missing),
                           pointer=f"/data/relationships/{missing.relationship}") from None
        # the row as the create stored it: a reset right after must not turn this answer into a 404
        return document_response(resource, record["row"], q, status=201,
                                 headers={"Location": f"{context().base_url}/api/{resource.type}/{record['id']}"})

    @bp.patch("/<id>")
    def update_copy(id: str):
        q = query.parse(request.args, resource, many=False)
        record = find_row(resource, id)
        body = spec.read_body(update_schema)
        check_id_in_url(body, id)
        changes = _load(resource, body)
        if changes:
            # never earlier than the last change, even under a clock frozen in the past
            changes["updated_at"] = max(record["updated_at"], iso(g.now))
        return updated_response(resource, id, changes, q)

    @bp.delete("/<id>")
    def delete_copy(id: str):
        notify = get_datasets().notify
        return deleted_response(resource, id, lambda scope: notify(
            scope, g.tenant.key, f"{resource.type}.destroy", resource.type, id, iso(g.now)))

    return bp


def _load(resource: Resource, body: dict) -> dict:
    """The attributes and relationship ids of a body the spec already accepted."""
    return loader(resource.type).load(body, unknown=EXCLUDE)


order_copies = _blueprint(ORDER_COPIES)
recurring_order_copies = _blueprint(RECURRING_ORDER_COPIES)
