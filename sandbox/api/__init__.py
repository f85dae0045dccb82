"""The /api blueprint: content negotiation and authentication for every resource route."""
from __future__ import annotations

from flask import Blueprint, current_app, g, request

from ..auth import authenticate
from ..errors import JSONAPI, ApiError
from ..store import get_store
from . import events, order_factories, orders

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_blueprint(order_factories.bp)
bp.register_blueprint(orders.bp)
bp.register_blueprint(events.bp)


@bp.before_request
def negotiate_and_authenticate() -> None:
    if request.headers.get("Accept") and request.accept_mimetypes.best_match([JSONAPI]) is None:
        raise ApiError(406, "NOT_ACCEPTABLE", "Not acceptable",
                       f"This API answers {JSONAPI}; the Accept header does not allow it")
    g.tenant = authenticate(current_app.config["SANDBOX"].secret)
    get_store().ensure(g.tenant.key)
