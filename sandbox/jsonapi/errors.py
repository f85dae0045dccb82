"""ApiError and the one JSON:API error document builder; every failure leaves through here."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, NotFound

from sandbox.store import DataSetLimit, QueryTimeout

JSONAPI = "application/vnd.api+json"

# code and title for each status the sandbox answers with when nothing more specific applies
STATUS_CODES = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("UNAUTHORIZED", "Access denied"),
    404: ("RECORD_NOT_FOUND", "Record not found"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    406: ("NOT_ACCEPTABLE", "Not acceptable"),
    409: ("CONFLICT", "Conflict"),
    413: ("PAYLOAD_TOO_LARGE", "Payload too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"),
    422: ("VALIDATION_ERROR", "Validation error"),
    429: ("TOO_MANY_REQUESTS", "Too many requests"),
    408: ("REQUEST_TIMEOUT", "Request timeout"),
    500: ("INTERNAL_SERVER_ERROR", "Internal server error"),
    502: ("BAD_GATEWAY", "Bad gateway"),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout"),
    503: ("SERVICE_UNAVAILABLE", "Service unavailable"),
    403: ("FORBIDDEN", "Forbidden"),
}


@dataclass
class ApiError(Exception):
    status: int
    code: str
    title: str
    detail: str
    pointer: str | None = None
    parameter: str | None = None
    meta: dict | None = None
    headers: dict[str, str] | None = field(default=None, compare=False)  # e.g. x-ratelimit-* on a 429

    def as_json(self) -> dict:
        error = {"title": self.title, "detail": self.detail, "code": self.code, "status": str(self.status)}
        if self.pointer is not None:
            error["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            error["source"] = {"parameter": self.parameter}
        if self.meta is not None:
            error["meta"] = self.meta
        return error


@dataclass
class ApiErrors(Exception):
    """Several errors found in one request, reported together; the first one sets the status."""

    errors: list[ApiError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def not_found(resource: str, id_: str) -> ApiError:
    return ApiError(404, "RECORD_NOT_FOUND", "Record not found",
                    f"The requested {resource} record {id_!r} could not be found")


def error_response(errors: list[ApiError], headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"errors": [e.as_json() for e in errors]})
    return Response(body, status=errors[0].status, mimetype=JSONAPI, headers=headers or {})


def _from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, NotFound):  # no route matched: not a record that is missing
        return error_response([ApiError(404, "NOT_FOUND", "Not found",
                                        f"No such route: {request.method} {request.path}; the routes are in /openapi.yaml")])
    code, title = STATUS_CODES.get(status, ("HTTP_ERROR", exc.name))
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return error_response([ApiError(status, code, title, exc.description or title)], headers)


def _query_timeout(exc: QueryTimeout) -> Response:
    return error_response([ApiError(
        400, "QUERY_TOO_EXPENSIVE", "Query too expensive",
        "The query ran past the sandbox's time budget and was stopped: narrow it (fewer or more selective "
        "filter[q] conditions, shorter lists, fewer text predicates such as cont or matches), or raise "
        "--query-budget (SANDBOX_QUERY_BUDGET)", parameter="filter[q]")])


def _dataset_limit(exc: DataSetLimit) -> Response:
    return error_response([ApiError(
        503, "DATASET_LIMIT_REACHED", "Too many data sets",
        "The sandbox holds as many data sets (organization x mode) as --max-datasets allows; raise it "
        "(--max-datasets or SANDBOX_MAX_DATASETS), or reuse an organization already in use")])


def _still_seeding(exc: TimeoutError) -> Response:
    return error_response([ApiError(503, "DATASET_NOT_READY", "Data set not ready",
                                    f"{exc}; try again in a moment")], {"Retry-After": "5"})


def init_app(app: Flask) -> None:
    app.register_error_handler(QueryTimeout, _query_timeout)
    app.register_error_handler(DataSetLimit, _dataset_limit)
    app.register_error_handler(TimeoutError, _still_seeding)
    app.register_error_handler(ApiError, lambda e: error_response([e], e.headers))
    app.register_error_handler(ApiErrors, lambda e: error_response(e.errors, e.headers))
    # Flask's own 404/405/413... keep their headers (Allow on 405) and become JSON:API documents
    app.register_error_handler(HTTPException, _from_http_exception)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unexpected error")
        code, title = STATUS_CODES[500]
        return error_response([ApiError(500, code, title, "The sandbox failed; this is a bug, please report it")])
