"""The /api blueprint: content negotiation, authentication and the data set's state for every resource route."""
from __future__ import annotations

from flask import Blueprint, current_app, g, request

import time

from sandbox.api import copies, faults, webhooks
from sandbox.api.views import read_only_blueprint
from sandbox.catalogue import EVENTS, LINE_ITEMS, ORDER_FACTORIES, ORDER_SUBSCRIPTIONS, ORDERS
from sandbox.domain.datasets import get_datasets
from sandbox.jsonapi.errors import JSONAPI, ApiError
from sandbox.security.auth import authenticate
from sandbox.security.cors import is_preflight
from sandbox.store import get_store

bp = Blueprint("api", __name__, url_prefix="/api")
# the families the API only reads, and the two kinds of copy job
for family in (*(read_only_blueprint(r) for r in (ORDER_FACTORIES, ORDERS, LINE_ITEMS, ORDER_SUBSCRIPTIONS, EVENTS)),
               copies.order_copies, copies.recurring_order_copies, webhooks.webhooks, webhooks.event_callbacks):
    bp.register_blueprint(family)


@bp.before_request
def negotiate_authenticate_settle() -> None:
    g.started = time.perf_counter()
    if is_preflight():  # answered by Flask with Allow, and by cors.py with the CORS headers
        return
    if request.headers.get("Accept") and request.accept_mimetypes.best_match([JSONAPI]) is None:
        raise ApiError(406, "NOT_ACCEPTABLE", "Not acceptable",
                       f"This API answers {JSONAPI}; the Accept header does not allow it")
    settings = current_app.config["SANDBOX"]
    g.tenant = authenticate(settings.secret, settings.max_token_lifetime)
    limiter = current_app.extensions["ratelimit"]
    if limiter:
        g.rate_headers = limiter.hit(g.tenant.key)
    # seeded on first use; copies move on by time alone, so what is due is applied before anything reads
    g.dataset, g.now = get_datasets().open(g.tenant.key)
    faults.inject(get_store(), g.tenant.key, g.dataset.faults)


@bp.after_request
def rate_headers_and_journal(response):
    response.headers.update(g.get("rate_headers", {}))
    if "tenant" in g:  # a request that named its data set goes into that data set's journal
        body = request.get_data(as_text=True) if request.method in ("POST", "PATCH", "PUT") else None
        current_app.extensions["journal"].record(
            g.tenant.key, request.method, request.path, request.query_string.decode("latin-1"), response.status_code,
            (time.perf_counter() - g.started) * 1000, body)
    return response
