"""Parse and validate a request's query string into a Query value; every mistake becomes a 400.

The filter language is ransack's, as the real API speaks it: `filter[q][<attr>(_or_<attr>)*_<predicate>]`.
Which predicates an attribute takes depends on its kind (resources.py); openapi.yaml declares the same
language as patterns, and tests/test_query.py checks that the two agree.
"""
from __future__ import annotations

import json
import re

from werkzeug.datastructures import MultiDict

from sandbox.domain.clock import iso, parse_instant
from sandbox.jsonapi.errors import ApiError, ApiErrors
from sandbox.catalogue import BOOLEAN, DATETIME, INTEGER, JSON, RESOURCES, STRING, Resource
from sandbox.store import Condition, Query

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 25
MAX_PAGE_NUMBER = 1_000_000  # keeps OFFSET inside SQLite's integers
# Bounds that keep every filter inside SQLite's limits (expression depth 1000, 32766 bound values);
# openapi.yaml declares the same ones.
MAX_CONDITIONS = 20     # filter[q][...] parameters in one request
MAX_ATTRIBUTES = 5      # attributes joined by _or_ in one key
MAX_VALUES = 100        # items in one comma-separated list
# characters in one filter value: escaped and in UTF-8, a text pattern stays under SQLite's LIKE limit (50,000 bytes)
MAX_VALUE_LENGTH = 4096

COMPARE = ("eq", "eq_or_null", "not_eq", "not_eq_or_null", "lt", "lteq", "gt", "gteq")
TEXT = ("matches", "does_not_match", "start", "not_start", "end", "not_end", "cont", "not_cont",
        "i_cont", "not_i_cont")  # i_cont is ransack's explicit ILIKE; every text match here ignores case
LISTS = ("in", "not_in", "in_or_null", "not_in_or_null")
FLAGS = ("null", "not_null", "present", "blank")   # take true/false, whatever the attribute's kind
TRUTH = ("true", "false")
# predicates that also come as <predicate>_any / <predicate>_all over a comma list
COMPOUND = ("eq", "not_eq", "lt", "lteq", "gt", "gteq", *TEXT)
PREDICATES = {
    STRING: COMPARE + TEXT + LISTS + FLAGS,
    DATETIME: COMPARE + LISTS + FLAGS,
    INTEGER: COMPARE + LISTS + FLAGS,
    BOOLEAN: ("eq", "not_eq") + FLAGS + TRUTH,
    JSON: FLAGS + ("jcont",),
}
_BY_LENGTH = sorted({p for ps in PREDICATES.values() for p in ps}, key=len, reverse=True)
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
_INTEGER = re.compile(r"-?[0-9]{1,15}")
# a JSON object of strings, numbers, booleans or null, with any JSON whitespace; openapi.yaml has the
# same pattern (a regular expression cannot follow nesting, so values are not objects or arrays)
_WS = r"[ \t\n\r]*"
_STRING = r'"[^"\\\x00-\x1f]*"'
_SCALAR = rf'(?:{_STRING}|-?(?:0|[1-9][0-9]{{0,14}})(?:\.[0-9]{{1,15}})?|true|false|null)'
_MEMBER = rf"{_STRING}{_WS}:{_WS}{_SCALAR}"
JCONT_PATTERN = rf"{_WS}\{{{_WS}(?:{_MEMBER}(?:{_WS},{_WS}{_MEMBER})*)?{_WS}\}}{_WS}"
_JCONT = re.compile(JCONT_PATTERN)


def _error(code: str, title: str, detail: str, parameter: str) -> ApiError:
    return ApiError(400, code, title, detail, parameter=parameter)


def parse(args: MultiDict, resource: Resource, *, many: bool, page_only: bool = False) -> Query:
    """Read the parameters a route accepts, for `resource` as its primary data; report every mistake at once.
    `page_only`: a route that takes pages and nothing else (a relationship the sandbox keeps empty)."""
    errors: list[ApiError] = []
    values: dict = {}
    if many and sum(name.startswith("filter[q][") for name in args) > MAX_CONDITIONS:
        errors.append(_error("FILTER_NOT_ALLOWED", "Filter not allowed",
                             f"At most {MAX_CONDITIONS} filter[q] conditions in one request", "filter[q]"))
    for name in args:
        raw = args.getlist(name)
        if len(raw) > 1:
            errors.append(_error("PARAM_NOT_ALLOWED", "Param not allowed", f"{name} is given more than once", name))
            continue
        try:
            if page_only and name not in ("page[number]", "page[size]"):
                raise _error("PARAM_NOT_ALLOWED", "Param not allowed", f"{name} is not allowed on this route", name)
            _read(name, raw[0], resource, many or page_only, values)
        except ApiError as error:
            errors.append(error)
    if errors:
        raise ApiErrors(errors)
    values["conditions"] = tuple(values.get("conditions", ()))
    return Query(**values)


def _read(name: str, value: str, resource: Resource, many: bool, values: dict) -> None:
    if name.startswith("fields[") and name.endswith("]"):
        values.setdefault("fields", {})[name[7:-1]] = _fields(name, name[7:-1], value)
    elif name == "include":
        values["include"] = _include(value, resource)
    elif many and name in ("page[number]", "page[size]"):
        values[name[5:-1]] = _page(name, value)
    elif many and name == "sort":
        values["sort"] = _sort(value, resource)
    elif many and name == "filter[ids]":
        _bounded(name, value)
        try:
            ids = tuple(_value(STRING, part) for part in _items(value))
        except ValueError:
            raise _error("INVALID_FILTER_VALUE", "Invalid filter value",
                         f"{value!r} is not a comma-separated list of ids", name) from None
        values.setdefault("conditions", []).append(Condition(("id",), "in", ids))
    elif many and name.startswith("filter[q][") and name.endswith("]"):
        values.setdefault("conditions", []).append(_condition(name, name[10:-1], value, resource))
    else:
        raise _error("PARAM_NOT_ALLOWED", "Param not allowed", f"{name} is not allowed on this route", name)


def _page(name: str, raw: str) -> int:
    high = MAX_PAGE_SIZE if name == "page[size]" else MAX_PAGE_NUMBER
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= high:
        return int(raw)
    raise _error("INVALID_PAGE_VALUE", "Invalid page value",
                 f"{name} must be a whole number from 1 to {high}, not {raw!r}", name)


def _sort(raw: str, resource: Resource) -> tuple[tuple[str, bool], ...]:
    keys = []
    for key in raw.split(","):
        column = key[1:] if key.startswith("-") else key
        if column not in resource.sortable:
            raise _error("INVALID_SORT_CRITERIA", "Invalid sort criteria",
                         f"{key!r} is not a valid sort criteria for {resource.type}", "sort")
        keys.append((column, key.startswith("-")))
    return tuple(keys)


def _fields(name: str, resource_type: str, raw: str) -> tuple[str, ...]:
    target = RESOURCES.get(resource_type)
    if target is None:
        raise _error("INVALID_FIELD", "Invalid field", f"{resource_type!r} is not a resource type", name)
    known = {*target.attributes, *(r.name for r in target.relationships)}
    names = tuple(raw.split(","))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise _error("INVALID_FIELD", "Invalid field",
                     f"{', '.join(map(repr, unknown))} is not a valid field of {resource_type}", name)
    return names


MAX_INCLUDE_DEPTH = 2  # source_order.line_items; openapi.yaml lists every path this deep


def _include(raw: str, resource: Resource) -> tuple[str, ...]:
    paths = tuple(raw.split(","))
    for path in paths:
        if include_path_error(resource, path):
            raise _error("INVALID_INCLUDE", "Invalid include", include_path_error(resource, path), "include")
    return paths


def include_path_error(resource: Resource, path: str) -> str | None:
    """Why `path` (relationship names joined by dots) cannot be included from `resource`, or None."""
    names = path.split(".")
    if len(names) > MAX_INCLUDE_DEPTH:
        return f"{path!r} nests deeper than {MAX_INCLUDE_DEPTH} relationships"
    current = resource
    for name in names:
        rel = current and current.relationship(name)
        if not rel:
            return f"{path!r} is not a relationship path of {resource.type}"
        current = RESOURCES.get(rel.target)
    return None


def _condition(name: str, key: str, raw: str, resource: Resource) -> Condition:
    parsed = _split_key(key, resource)
    if parsed is None:
        raise _error("FILTER_NOT_ALLOWED", "Filter not allowed",
                     f"{key!r} is not a filter on {resource.type}: use <attribute>_<predicate> "
                     f"with a filterable attribute and a predicate its kind allows", name)
    columns, predicate, combine = parsed
    _bounded(name, raw)
    kind = resource.filters[columns[0]]
    try:
        if predicate in FLAGS or predicate in TRUTH:
            values = (_BOOLEANS[raw],)
        elif predicate == "jcont":
            if not _JCONT.fullmatch(raw):
                raise ValueError(raw)
            values = (json.loads(raw),)
        elif predicate in LISTS or combine:
            values = tuple(_value(kind, part) for part in _items(raw))
        else:
            values = (_value(kind, raw),)
    except (KeyError, ValueError):
        raise _error("INVALID_FILTER_VALUE", "Invalid filter value",
                     f"{raw!r} is not a valid value for {key} ({_EXPECTED[predicate if predicate in _EXPECTED else kind]})",
                     name) from None
    return Condition(columns, predicate, values, combine or "any")


def _bounded(name: str, raw: str) -> None:
    if len(raw) > MAX_VALUE_LENGTH:
        raise _error("INVALID_FILTER_VALUE", "Invalid filter value",
                     f"{name} is {len(raw)} characters long; a filter value takes at most {MAX_VALUE_LENGTH}", name)


def _split_key(key: str, resource: Resource) -> tuple[tuple[str, ...], str, str] | None:
    """`a_or_b_pred_any` -> ((a, b), pred, "any"), if the language allows it on this resource."""
    for predicate in _BY_LENGTH:
        for combine in ("any", "all", ""):
            suffix = f"_{predicate}_{combine}" if combine else f"_{predicate}"
            if not key.endswith(suffix):
                continue
            columns = tuple(key[: -len(suffix)].split("_or_"))
            kinds = {resource.filters.get(c) for c in columns}
            if None in kinds or len(columns) > MAX_ATTRIBUTES or (combine and predicate not in COMPOUND):
                continue
            # attributes combine when they compare alike; null/present checks combine any of them
            if len(kinds) > 1 and predicate not in FLAGS:
                continue
            if JSON in kinds and predicate not in FLAGS and len(columns) > 1:
                continue
            if combine and not kinds <= {STRING, DATETIME, INTEGER}:
                continue
            if all(predicate in PREDICATES[k] for k in kinds):
                return columns, predicate, combine
    return None


def _items(raw: str) -> list[str]:
    items = raw.split(",")
    if len(items) > MAX_VALUES:
        raise ValueError(f"more than {MAX_VALUES} items")
    return items


def _value(kind: str, raw: str):
    if kind == INTEGER:
        if not _INTEGER.fullmatch(raw):
            raise ValueError(raw)
        return int(raw)
    if kind == DATETIME:
        return iso(parse_instant(raw))
    if kind == BOOLEAN:
        return _BOOLEANS[raw]
    if raw == "" and kind == STRING:
        raise ValueError(raw)
    return raw


_EXPECTED = {
    INTEGER: "a whole number", DATETIME: "an ISO-8601 date or datetime with Z or an offset",
    BOOLEAN: "true or false", STRING: "a non-empty string", JSON: "a JSON object",
    **{p: "true or false" for p in (*FLAGS, *TRUTH)},
    "jcont": "a JSON object of strings, numbers, booleans or null, e.g. {\"channel\": \"web\"}",
}
