"""CORS, so that a frontend served from another origin (localhost:3000) can call the sandbox.

Every answer allows any origin; a preflight (OPTIONS) is answered before authentication, since
browsers send it without the Authorization header.
"""
from __future__ import annotations

from flask import Flask, Response, request

HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept",
    "Access-Control-Expose-Headers": "Location, x-ratelimit-limit, x-ratelimit-interval, x-ratelimit-remaining",
    "Access-Control-Max-Age": "600",
}


def is_preflight() -> bool:
    return request.method == "OPTIONS"


def init_app(app: Flask) -> None:
    @app.after_request
    def allow_cross_origin(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
        response.headers["Vary"] = "Origin"
        response.headers.update(HEADERS)
        return response
