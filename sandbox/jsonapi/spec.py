"""openapi.yaml, loaded once: the contract the sandbox serves, and the schemas request bodies must meet.

Bodies are checked against the spec before marshmallow-jsonapi sees them, which keeps every shape of
malformed body a 4xx (marshmallow-jsonapi raises unexpected exceptions on some of them).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import yaml
from flask import current_app, request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sandbox.jsonapi.errors import JSONAPI, ApiError, ApiErrors


class Spec:
    def __init__(self, path: Path):
        self.text = path.read_text(encoding="utf-8")
        self.document = yaml.load(self.text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, schema: str) -> Draft202012Validator:
        """A validator for `#/components/schemas/<schema>`, built once."""
        if schema not in self._validators:
            self._validators[schema] = Draft202012Validator(
                {"$ref": f"#/components/schemas/{schema}", "components": self.document["components"]})
        return self._validators[schema]


@functools.lru_cache(maxsize=4)
def _load(path: Path, modified: float) -> Spec:
    return Spec(path)


def load(path: Path) -> Spec:
    """The spec at `path`, parsed once per file version: tests build many apps, `sandbox check` and its
    hooks read it too, and every worker thread shares it read-only."""
    return _load(path, path.stat().st_mtime)


def init_app(app) -> None:
    app.extensions["spec"] = load(app.config["SANDBOX"].spec_path)


def read_body(schema: str | None, media_type: str = JSONAPI, *, optional: bool = False) -> dict:
    """The request's body, once it meets `schema` (None: any JSON); every mistake found becomes an error.
    An `optional` body may be left out altogether: it reads as {}."""
    data = request.get_data(cache=True)
    if optional and not data:
        return {}
    if request.mimetype != media_type:
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type",
                       f"Send the request body as {media_type}, not {request.mimetype or 'nothing'!r}")
    try:
        body = json.loads(data or b"null", parse_constant=_refuse, parse_float=_finite)
        # a lone surrogate (\ud800) parses, but could never be written back out
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise ApiError(400, "BAD_REQUEST", "Bad request", "The request body is not valid JSON", pointer="") from None
    if schema:
        check(body, schema)
    return body


def _refuse(constant: str):
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is out of range")
    return number


def check(body, schema: str) -> None:
    """Raise every way `body` misses `schema` as errors that point at the member."""
    errors = [_api_error(e) for e in current_app.extensions["spec"].validator(schema).iter_errors(body)]
    if errors:
        unique = {(e.pointer, e.code): e for e in errors}
        raise ApiErrors(sorted(unique.values(), key=lambda e: (e.status, e.pointer)))


def _api_error(error: ValidationError) -> ApiError:
    path = [str(p) for p in error.absolute_path]
    pointer = "/" + "/".join(path) if path else ""
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        return ApiError(422, "VALIDATION_ERROR", "can't be blank", f"{missing} - can't be blank",
                        pointer=f"{pointer}/{missing}", meta={"error": "blank"})
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return ApiError(400, "PARAM_NOT_ALLOWED", "Param not allowed",
                        f"{', '.join(extra)} cannot be set here", pointer=f"{pointer}/{extra[0]}" if extra else pointer)
    if path == ["data", "type"]:  # 409 is the real API's "record not unique", and nothing else
        return ApiError(400, "BAD_REQUEST", "Type mismatch",
                        f"data.type must be {error.validator_value!r} on this endpoint", pointer=pointer)
    if error.validator == "type" and not path:
        return ApiError(400, "BAD_REQUEST", "Bad request", "The request body must be a JSON:API document", pointer="")
    # a member's description says what to send, where a pattern would only show a regular expression
    described = next((s["description"] for s in (error.schema, _parent_schema(error)) if s and "description" in s), None)
    detail = f"{error.instance!r} is not valid; {described}" if described and error.validator == "pattern" else error.message
    return ApiError(422, "VALIDATION_ERROR", "is invalid", f"{path[-1] if path else 'body'} - {detail}",
                    pointer=pointer, meta={"error": "invalid"})


def _parent_schema(error: ValidationError) -> dict | None:
    """The schema that wraps the failing one in an allOf, if any (descriptions sit beside $refs there)."""
    parent = error.parent
    return parent.schema if parent is not None and isinstance(parent.schema, dict) else None
