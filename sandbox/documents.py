"""JSON:API documents: one resource, or a page of them with meta and pagination links."""
from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import request

from .auth import Tenant
from .resources import RESOURCES
from .schemas import SCHEMAS


def _base_url() -> str:
    return request.host_url.rstrip("/")


def _schema(resource_type: str, many: bool = False):
    return SCHEMAS[resource_type](many=many, context={"base_url": _base_url()})


def _with_meta(record: dict, tenant: Tenant) -> dict:
    return {**record, "meta": {"mode": tenant.mode, "organization_id": tenant.organization_id}}


def resource_document(resource_type: str, record: dict, tenant: Tenant) -> dict:
    return _schema(resource_type).dump(_with_meta(record, tenant))


def list_document(resource_type: str, records: list[dict], tenant: Tenant, *,
                  total: int, number: int, size: int) -> dict:
    document = _schema(resource_type, many=True).dump([_with_meta(r, tenant) for r in records])
    pages = math.ceil(total / size)
    document["meta"] = {"record_count": total, "page_count": pages}
    document["links"] = _page_links(number, size, pages)
    return document


def _page_links(number: int, size: int, pages: int) -> dict:
    """first/prev/next/last, each keeping the rest of the request's query."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page[number]", "page[size]")]

    def link(page: int) -> str:
        params = [*query, ("page[number]", page), ("page[size]", size)]
        return f"{_base_url()}{request.path}?{urlencode(params, safe='[],')}"

    last = max(pages, 1)
    links = {"first": link(1)}
    if number > 1:
        links["prev"] = link(min(number - 1, last))
    if number < pages:
        links["next"] = link(number + 1)
    links["last"] = link(last)
    return links
