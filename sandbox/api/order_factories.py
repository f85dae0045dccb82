"""/api/order_factories: the read-only view over every copy job, and its related records."""
from __future__ import annotations

from flask import Blueprint

from ..resources import ORDER_FACTORIES
from .views import list_response, related_response, retrieve_response

bp = Blueprint("order_factories", __name__, url_prefix="/order_factories")


@bp.get("")
def list_order_factories():
    return list_response(ORDER_FACTORIES)


@bp.get("/<id>")
def retrieve_order_factory(id: str):
    return retrieve_response(ORDER_FACTORIES, id)


@bp.get("/<id>/<any(source_order, target_order, events):relationship>")
def related_to_order_factory(id: str, relationship: str):
    return related_response(ORDER_FACTORIES, id, relationship)
