"""Parse and validate a request's query string into a Query value; every mistake becomes a 400."""
from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from .errors import ApiError, ApiErrors

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 25
MAX_PAGE_NUMBER = 1_000_000  # keeps OFFSET inside SQLite's integers


@dataclass(frozen=True)
class Query:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE


def _error(code: str, title: str, detail: str, parameter: str) -> ApiError:
    return ApiError(400, code, title, detail, parameter=parameter)


def parse(args: MultiDict, *, many: bool) -> Query:
    """Read the parameters a route accepts; report every mistake at once."""
    errors: list[ApiError] = []
    allowed = {"page[number]", "page[size]"} if many else set()
    for name in args:
        if name not in allowed:
            errors.append(_error("PARAM_NOT_ALLOWED", "Param not allowed",
                                 f"{name} is not allowed on this route", name))
    values = {}
    for name, field, low, high in (("page[number]", "number", 1, MAX_PAGE_NUMBER), ("page[size]", "size", 1, MAX_PAGE_SIZE)):
        if name not in allowed or name not in args:
            continue
        raw = args.getlist(name)
        try:
            if len(raw) != 1 or not (raw[0].isascii() and raw[0].isdigit()):
                raise ValueError
            value = int(raw[0])
            if not low <= value <= high:
                raise ValueError
        except ValueError:
            errors.append(_error("INVALID_PAGE_VALUE", "Invalid page value",
                                 f"{name} must be a whole number from {low} to {high}, not {','.join(raw)!r}", name))
            continue
        values[field] = value
    if errors:
        raise ApiErrors(errors)
    return Query(**values)
