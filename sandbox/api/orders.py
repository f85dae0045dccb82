"""/api/orders: enough of orders to be the source and target of copies."""
from __future__ import annotations

from flask import Blueprint

from ..resources import ORDERS
from .views import list_response, related_response, retrieve_response

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("")
def list_orders():
    return list_response(ORDERS)


@bp.get("/<id>")
def retrieve_order(id: str):
    return retrieve_response(ORDERS, id)


@bp.get("/<id>/<any(order_factories, order_copies, recurring_order_copies):relationship>")
def related_to_order(id: str, relationship: str):
    return related_response(ORDERS, id, relationship)
