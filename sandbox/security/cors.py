"""CORS for browser frontends on other origins (localhost:3000), and nothing for anyone else.

Allowed: http://localhost, http://127.0.0.1 and http://[::1] on any port, plus `--cors-origins`
(or "*"). An allowed origin gets the Access-Control-Allow-* headers; a preflight (OPTIONS) is answered
before authentication, since browsers send it without the Authorization header. A foreign origin gets
no grant, and a request that would change state (any method but GET, HEAD, OPTIONS) is refused
before it runs: a page the developer happens to visit cannot reset their sandbox with a form POST.
"""
from __future__ import annotations

import re

from flask import Flask, Response, request

from sandbox.jsonapi.errors import ApiError

HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, Sandbox-Fault",
    "Access-Control-Expose-Headers": "Location, x-ratelimit-limit, x-ratelimit-interval, x-ratelimit-remaining, "
                                    "Sandbox-Contract-Violation",
    "Access-Control-Max-Age": "600",
}
LOCAL = re.compile(r"http://(?:localhost|127\.0\.0\.1|\[::1\])(?::[0-9]{1,5})?")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_preflight() -> bool:
    return request.method == "OPTIONS"


def allowed(origin: str, configured: str) -> bool:
    extra = {o.strip().rstrip("/") for o in configured.split(",") if o.strip()}
    return "*" in extra or origin in extra or LOCAL.fullmatch(origin) is not None


def init_app(app: Flask) -> None:
    configured = app.config["SANDBOX"].cors_origins

    @app.before_request
    def refuse_foreign_writes() -> None:
        origin = request.headers.get("Origin")
        if origin and request.method not in SAFE_METHODS and not allowed(origin, configured):
            raise ApiError(403, "FORBIDDEN", "Origin not allowed",
                           f"Requests from {origin} may not change this sandbox; allow the origin with "
                           "--cors-origins (SANDBOX_CORS_ORIGINS)")

    @app.after_request
    def allow_cross_origin(response: Response) -> Response:
        response.headers["Vary"] = "Origin"  # nothing else here varies the answer
        origin = request.headers.get("Origin")
        if origin and allowed(origin, configured):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers.update(HEADERS)
        return response
