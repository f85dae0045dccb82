"""/api/orders: enough of orders to be the source and target of copies."""
from __future__ import annotations

from flask import Blueprint, g, request

from .. import query
from ..documents import resource_document
from ..errors import not_found
from ..resources import ORDERS
from ..store import get_store
from .responses import jsonapi

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("/<id>")
def retrieve_order(id: str):
    query.parse(request.args, many=False)
    record = get_store().find(ORDERS, g.tenant.key, id)
    if record is None:
        raise not_found("orders", id)
    return jsonapi(resource_document("orders", record, g.tenant))
