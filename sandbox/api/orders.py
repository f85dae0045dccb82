"""/api/orders: enough of orders to be the source and target of copies."""
from __future__ import annotations

from flask import Blueprint

from ..resources import ORDERS
from .views import related_response, retrieve_response

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("/<id>")
def retrieve_order(id: str):
    return retrieve_response(ORDERS, id)


@bp.get("/<id>/order_factories")
def order_factories_of_order(id: str):
    return related_response(ORDERS, id, "order_factories")
