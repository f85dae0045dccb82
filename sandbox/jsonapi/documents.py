"""JSON:API documents: one resource or a page of them, with includes, sparse fieldsets, meta and links."""
from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import request

from sandbox.security.auth import Tenant
from sandbox.jsonapi.query import Query
from sandbox.catalogue import RESOURCES, Resource
from sandbox.jsonapi.schemas import SCHEMAS
from sandbox.store import Store


def resource_document(store: Store, resource: Resource, record: dict | None, tenant: Tenant, query: Query) -> dict:
    if record is None:  # an empty to-one relationship, e.g. the target order of a pending copy
        return {"data": None, "links": {"self": _base_url() + request.path}}
    records = _prepare(store, resource, [record], tenant, query)
    return _sparse(_schema(resource, query).dump(records[0]), query)


def list_document(store: Store, resource: Resource, records: list[dict], tenant: Tenant, query: Query,
                  total: int) -> dict:
    records = _prepare(store, resource, records, tenant, query)
    document = _sparse(_schema(resource, query, many=True).dump(records), query)
    pages = math.ceil(total / query.size)
    document["meta"] = {"record_count": total, "page_count": pages}
    document["links"] = _page_links(query.number, query.size, pages)
    return document


def _base_url() -> str:
    return request.host_url.rstrip("/")


def _schema(resource: Resource, query: Query, many: bool = False):
    return SCHEMAS[resource.type](many=many, include_data=query.include, context={"base_url": _base_url()})


def _prepare(store: Store, resource: Resource, records: list[dict], tenant: Tenant, query: Query) -> list[dict]:
    """Records with their resource meta, and the related records that `include` asks for."""
    meta = {"mode": tenant.mode, "organization_id": tenant.organization_id}
    records = [{**r, "meta": meta} for r in records]
    for name in query.include:
        rel = resource.relationship(name)
        target = RESOURCES.get(rel.target)
        if rel.column:
            ids = sorted({r[rel.column] for r in records if r[rel.column]})
            found = {x["id"]: {**x, "meta": meta} for x in store.find_many(target, tenant.key, ids)}
            for record in records:
                record[name] = found.get(record[rel.column])
        elif rel.inverse:
            grouped: dict[str, list] = {}
            for x in store.find_many(target, tenant.key, [r["id"] for r in records], by=rel.inverse):
                grouped.setdefault(x[rel.inverse], []).append({**x, "meta": meta})
            for record in records:
                record[name] = grouped.get(record["id"], [])
        else:
            for record in records:
                record[name] = []
    return records


def _sparse(document: dict, query: Query) -> dict:
    """Keep only the attributes and relationships that `fields[type]` names, in data and included alike."""
    if not query.fields:
        return document
    data = document["data"]
    for item in [*(data if isinstance(data, list) else [data]), *document.get("included", [])]:
        wanted = query.fields.get(item["type"])
        if wanted is None:
            continue
        for member in ("attributes", "relationships"):
            if member in item:
                item[member] = {k: v for k, v in item[member].items() if k in wanted}
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
