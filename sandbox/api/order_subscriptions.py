"""/api/order_subscriptions: enough of subscriptions for recurring copies to point at."""
from __future__ import annotations

from flask import Blueprint

from ..resources import ORDER_SUBSCRIPTIONS
from .views import list_response, related_response, retrieve_response

bp = Blueprint("order_subscriptions", __name__, url_prefix="/order_subscriptions")


@bp.get("")
def list_order_subscriptions():
    return list_response(ORDER_SUBSCRIPTIONS)


@bp.get("/<id>")
def retrieve_order_subscription(id: str):
    return retrieve_response(ORDER_SUBSCRIPTIONS, id)


@bp.get("/<id>/<any(source_order, order_factories, recurring_order_copies):relationship>")
def related_to_order_subscription(id: str, relationship: str):
    return related_response(ORDER_SUBSCRIPTIONS, id, relationship)
