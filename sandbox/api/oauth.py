"""/oauth/token: access tokens for the API credentials in fixtures/credentials.yaml."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from sandbox.jsonapi import spec
from sandbox.jsonapi.errors import ApiError
from sandbox.security.auth import check_grant, exchange

bp = Blueprint("oauth", __name__)


@bp.before_request
def count_the_caller() -> None:
    limiter = current_app.extensions["ratelimit"]
    if limiter:  # no token yet: callers are told apart by address
        g.rate_headers = limiter.hit(f"oauth:{request.remote_addr}")


@bp.after_request
def rate_headers(response):
    response.headers.update(g.get("rate_headers", {}))
    return response


@bp.post("/oauth/token")
def token():
    """JSON or form body, as the real auth server takes both."""
    if request.mimetype == "application/x-www-form-urlencoded":
        if request.get_data(cache=True).lstrip().startswith(b"{"):
            raise ApiError(400, "BAD_REQUEST", "Bad request",
                           "The body is JSON but Content-Type says application/x-www-form-urlencoded: "
                           "send Content-Type: application/json (or a form body)", pointer="")
        form = request.form.to_dict()
    else:
        form = spec.read_body(None, "application/json")
    check_grant(form)
    spec.check(form, "TokenRequest")
    return jsonify(exchange(current_app.extensions["applications"], current_app.config["SANDBOX"].secret, form))
