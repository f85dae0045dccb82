"""Bounds that keep one client from hurting the others: a body over the limit is refused from its
Content-Length, before a byte of it is read or held in memory."""
from __future__ import annotations

from flask import Flask, request

from sandbox.jsonapi.errors import ApiError

MAX_BODY_BYTES = 64 * 1024


def refuse_large_bodies() -> None:
    # only where a body is read: a GET's body is never looked at
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", "Payload too large",
                       f"The request body has {length} bytes; the sandbox takes at most {MAX_BODY_BYTES}")


def init_app(app: Flask) -> None:
    # a body sent without Content-Length (chunked) is cut off at the same size while it is read
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.before_request(refuse_large_bodies)
