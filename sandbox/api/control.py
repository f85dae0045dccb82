"""/_sandbox: what only a sandbox has. Move the clock, reset data sets back to their seed."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from sandbox.jsonapi import spec
from sandbox.security.auth import authenticate
from sandbox.domain.clock import get_clock, iso, parse_duration, parse_instant
from sandbox.jsonapi.errors import ApiError
from sandbox.domain.datasets import get_datasets
from sandbox.store import get_store

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


def _clock_state():
    clock = get_clock()
    return jsonify(now=iso(clock.now()), frozen=clock.frozen)


def _invalid(field: str, error: ValueError) -> ApiError:
    return ApiError(422, "VALIDATION_ERROR", "is invalid", f"{field} - {error}", pointer=f"/{field}",
                    meta={"error": "invalid"})


@bp.get("/clock")
def read_clock():
    return _clock_state()


@bp.post("/clock/freeze")
def freeze_clock():
    """Stop time, now or at a given instant."""
    body = spec.read_body("ClockFreeze", "application/json", optional=True)
    try:
        get_clock().freeze(parse_instant(body["at"]) if "at" in body else None)
    except ValueError as error:
        raise _invalid("at", error) from None
    return _clock_state()


@bp.post("/clock/advance")
def advance_clock():
    """Move time forward; copies whose transitions fall due move with it on the next request."""
    body = spec.read_body("ClockAdvance", "application/json")
    try:
        get_clock().advance(parse_duration(body["by"]))
    except ValueError as error:
        raise _invalid("by", error) from None
    return _clock_state()


@bp.post("/clock/resume")
def resume_clock():
    """Let time run again from where it stands."""
    get_clock().resume()
    return _clock_state()


@bp.post("/reset")
def reset():
    """Back to the seed: the token's data set, or every data set when no token is given."""
    if request.headers.get("Authorization"):
        keys = [authenticate(current_app.config["SANDBOX"].secret).key]
    else:
        keys = get_store().datasets()
    for key in keys:
        get_datasets().reset(key)
    return Response(status=204)
