"""/api/order_factories: the read-only view over every copy job."""
from __future__ import annotations

from flask import Blueprint, g, request

from .. import query
from ..documents import list_document, resource_document
from ..errors import not_found
from ..resources import ORDER_FACTORIES
from ..store import get_store
from .responses import jsonapi

bp = Blueprint("order_factories", __name__, url_prefix="/order_factories")


@bp.get("")
def list_order_factories():
    q = query.parse(request.args, many=True)
    records, total = get_store().page(ORDER_FACTORIES, g.tenant.key, number=q.number, size=q.size)
    return jsonapi(list_document("order_factories", records, g.tenant, total=total, number=q.number, size=q.size))


@bp.get("/<id>")
def retrieve_order_factory(id: str):
    query.parse(request.args, many=False)
    record = get_store().find(ORDER_FACTORIES, g.tenant.key, id)
    if record is None:
        raise not_found("order_factories", id)
    return jsonapi(resource_document("order_factories", record, g.tenant))
