"""/_sandbox: what only a sandbox has, scoped to its caller.

A data-set token (`sandbox token`, POST /oauth/token) reads and moves its own data set's clock and
resets its own data set. An admin token (`sandbox token --admin`) lists the data sets, resets all of
them, and moves the default clock that data sets follow until they move their own.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from sandbox.api import faults, violations
from sandbox.api.webhooks import deliver_due
from sandbox.domain.clock import Clock, iso, parse_duration, parse_instant
from sandbox.domain.datasets import get_datasets
from sandbox.jsonapi import spec
from sandbox.jsonapi.errors import ApiError
from sandbox.security.auth import Admin, bearer
from sandbox.security.cors import is_preflight
from sandbox.store import get_store

bp = Blueprint("control", __name__, url_prefix="/_sandbox")
admin = Blueprint("admin", __name__, url_prefix="/_sandbox/admin")


def _caller(admin_route: bool) -> None:
    if is_preflight():
        return
    settings = current_app.config["SANDBOX"]
    found = bearer(settings.secret, settings.max_token_lifetime)
    if isinstance(found, Admin) != admin_route:
        raise ApiError(403, "FORBIDDEN", "Forbidden",
                       "This route needs an admin token (`sandbox token --admin`)" if admin_route else
                       "An admin token names no data set: use a data-set token here (`sandbox token`), "
                       "or the admin routes under /_sandbox/admin")
    limiter = current_app.extensions["ratelimit"]
    if limiter:
        g.rate_headers = limiter.hit("admin" if admin_route else found.key)
    g.caller = found


@bp.before_request
def data_set_caller() -> None:
    _caller(admin_route=False)


@admin.before_request
def admin_caller() -> None:
    _caller(admin_route=True)


def _invalid(field: str, error: ValueError, example: str) -> ApiError:
    return ApiError(422, "VALIDATION_ERROR", "is invalid", f"{field} - {error}; send e.g. {example}",
                    pointer=f"/{field}", meta={"error": "invalid"})


def _state(clock: Clock):
    frozen_at, _, own = clock.state()
    return jsonify(now=iso(clock.now()), frozen=bool(frozen_at), own=own)


def _clock_routes(blueprint: Blueprint, clock: callable) -> None:
    """GET clock, POST clock/freeze|advance|resume on `clock()`: the caller's data set's, or the default."""

    @blueprint.get("/clock")
    def read_clock():
        return _state(clock())

    @blueprint.post("/clock/freeze")
    def freeze_clock():
        """Stop time, now or at a given instant."""
        body = spec.read_body("ClockFreeze", "application/json", optional=True)
        try:
            at = parse_instant(body["at"]) if "at" in body else None
            clock().freeze(at)
        except ValueError as error:
            raise _invalid("at", error, '{"at": "2026-06-01T09:00:00Z"}') from None
        return _state(clock())

    @blueprint.post("/clock/advance")
    def advance_clock():
        """Move time forward; copies whose transitions fall due move with it, and the webhook calls that
        fall due are attempted before the answer."""
        body = spec.read_body("ClockAdvance", "application/json")
        try:
            clock().advance(parse_duration(body["by"]))
        except ValueError as error:
            raise _invalid("by", error, '{"by": "90s"} (or 90, 1.5, 5m, 1h30m, 2d, 250ms)') from None
        caller = None if isinstance(g.caller, Admin) else g.caller.key
        if caller:
            get_datasets().open(caller)
        deliver_due(current_app._get_current_object(), caller)
        return _state(clock())

    @blueprint.post("/clock/resume")
    def resume_clock():
        """Let time run again from where it stands."""
        clock().resume()
        return _state(clock())


def _own_clock() -> Clock:
    get_datasets().open(g.caller.key)  # seeded first: a clock belongs to a data set that exists
    return get_datasets().clock(g.caller.key)


_clock_routes(bp, _own_clock)
_clock_routes(admin, lambda: get_datasets().clock(None))


@bp.post("/reset")
def reset():
    """Back to the seed: the token's data set only."""
    get_datasets().reset(g.caller.key)
    return Response(status=204)


@bp.post("/scenario")
def load_scenario():
    """The caller's data set holds a named scenario instead of what it started from."""
    body = spec.read_body("ScenarioChoice", "application/json")
    try:
        get_datasets().load_scenario(g.caller.key, body["name"])
    except ValueError as error:
        raise _invalid("name", error, '{"name": "all-statuses"}') from None
    return Response(status=204)


@bp.get("/faults")
def read_faults():
    return jsonify(faults.configured(get_store(), g.caller.key))


@bp.put("/faults")
def set_faults():
    """Faults for the caller's data set: which routes, how likely, which status, what latency, a seed."""
    body = spec.read_body("FaultConfig", "application/json")
    faults.configure(get_store(), g.caller.key, body)
    return jsonify(body)


@bp.delete("/faults")
def clear_faults():
    faults.configure(get_store(), g.caller.key, None)
    return Response(status=204)


@bp.get("/requests")
def list_requests():
    """The caller's data set's recent /api requests, newest first."""
    filters = _journal_filters()
    return jsonify(requests=current_app.extensions["journal"].entries(g.caller.key, **filters))


_JOURNAL_FILTERS = {  # name -> (read, check, what to send); openapi.yaml declares the same
    "method": (str, lambda v: v in ("GET", "POST", "PATCH", "DELETE", "OPTIONS"), "GET, POST, PATCH, DELETE or OPTIONS"),
    "path": (str, lambda v: len(v) <= 1000, "a path prefix of at most 1000 characters"),
    "status": (int, lambda v: 100 <= v <= 599, "a status from 100 to 599"),
    "limit": (int, lambda v: 1 <= v <= 500, "a whole number from 1 to 500"),
}


def _journal_filters() -> dict:
    filters = {}
    for name in request.args:
        values = request.args.getlist(name)
        if name not in _JOURNAL_FILTERS or len(values) > 1:
            raise ApiError(400, "PARAM_NOT_ALLOWED", "Param not allowed",
                           f"{name}: filter by method, path (a prefix), status and limit, each once", parameter=name)
        read, check, expected = _JOURNAL_FILTERS[name]
        try:
            value = read(values[0])
        except ValueError:
            value = None
        if value is None or not check(value):
            raise ApiError(400, "INVALID_FILTER_VALUE", "Invalid filter value",
                           f"{name}={values[0]!r}: send {expected}", parameter=name)
        filters[name] = value
    return filters


@bp.delete("/requests")
def clear_requests():
    current_app.extensions["journal"].clear(g.caller.key)
    return Response(status=204)


@bp.get("/violations")
def list_violations():
    """Answers to the caller's data set that broke openapi.yaml (with --validate-responses)."""
    found = violations.listed(get_store(), g.caller.key)
    return jsonify(validating=current_app.config["SANDBOX"].validate_responses, count=len(found), violations=found)


@bp.delete("/violations")
def clear_violations():
    violations.clear(get_store(), g.caller.key)
    return Response(status=204)


@admin.get("/datasets")
def list_datasets():
    """Every data set, with its record counts and its clock."""
    return jsonify(datasets=get_datasets().overview())


@admin.post("/reset")
def reset_all():
    """Back to the seed: every data set."""
    for key in current_app.extensions["store"].datasets():
        get_datasets().reset(key)
    return Response(status=204)


@bp.after_request
@admin.after_request
def rate_headers(response):
    response.headers.update(g.get("rate_headers", {}))
    return response
