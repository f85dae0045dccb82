"""JSON:API documents as bytes: one resource or a page of them, with includes, sparse fieldsets, meta
and links. Pure: everything a document shows comes in as arguments, so it can be tested and cached
without a request. Resource objects come from marshmallow-jsonapi (jsonapi/schemas.py), encoded once
per record version; a document only joins them.
"""
from __future__ import annotations

import hashlib
import math
import sqlite3
from dataclasses import dataclass, field
from urllib.parse import urlencode

import orjson

from sandbox.catalogue import Resource
from sandbox.jsonapi.schemas import encoded
from sandbox.store import Query, decode


@dataclass(frozen=True)
class Context:
    """Where a document is served: the base of its links, the path and query it answers, whose data it is."""

    base_url: str
    path: str = ""
    args: tuple[tuple[str, str], ...] = ()
    meta: dict = field(default_factory=dict)  # mode, organization_id


@dataclass
class Related:
    """What `include` adds to some primary rows: per row, the linkage of each included relationship
    (name -> id, list of ids, or None); and the included rows, each once, with the linkage that a
    nested include (source_order.line_items) asks of them."""

    linkage: list[dict[str, object]]
    rows: list[tuple[Resource, sqlite3.Row, dict]]


NOTHING_RELATED = Related([], [])


def resource_object(resource: Resource, row: sqlite3.Row, context: Context, *, linkage: dict | None = None,
                    fields: tuple[str, ...] | None = None) -> bytes:
    linkage = linkage or {}

    def record() -> dict:
        values = decode(resource, row)
        values["meta"] = {**context.meta, "trace_id": trace_id(resource.type, row["id"])}
        for name, value in linkage.items():
            values[name] = [{"id": id_} for id_ in value] if isinstance(value, list) else (
                None if value is None else {"id": value})
        return values

    frozen = tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in linkage.items())
    return encoded(resource, record, tuple(row), frozen, context.base_url, fields)


def trace_id(resource_type: str, id_: str) -> str:
    """The record's trace id: derived from it, so the same seed still gives the same bytes."""
    return hashlib.blake2b(f"{resource_type}:{id_}".encode(), digest_size=16).hexdigest()


def resource_document(resource: Resource, row: sqlite3.Row, context: Context, query: Query,
                      related: Related = NOTHING_RELATED) -> bytes:
    linkage = related.linkage[0] if related.linkage else None
    data = resource_object(resource, row, context, linkage=linkage, fields=query.fields.get(resource.type))
    self_url = orjson.dumps(f"{context.base_url}/api/{resource.type}/{row['id']}")
    return b'{"data":' + data + b',"links":{"self":' + self_url + b"}" + _included(related, context, query) + b"}"


def empty_document(context: Context) -> bytes:
    """An empty to-one relationship, e.g. the target order of a pending copy."""
    return orjson.dumps({"data": None, "links": {"self": context.base_url + context.path}})


def empty_list_document(context: Context, query: Query) -> bytes:
    """A relationship the sandbox keeps nothing in (event stores, webhooks)."""
    return orjson.dumps({"data": [], "meta": {"record_count": 0, "page_count": 0},
                         "links": _page_links(context, 1, query.size, 0)})


def linkage_document(context: Context, linkage, related_url: str) -> bytes:
    """`/<type>/<id>/relationships/<name>`: the linkage alone."""
    return orjson.dumps({"data": linkage, "links": {"self": context.base_url + context.path, "related": related_url}})


def list_document(resource: Resource, rows: list[sqlite3.Row], context: Context, query: Query, total: int,
                  related: Related = NOTHING_RELATED) -> bytes:
    fields = query.fields.get(resource.type)
    data = b",".join(resource_object(resource, row, context, fields=fields,
                                     linkage=related.linkage[n] if related.linkage else None)
                     for n, row in enumerate(rows))
    pages = math.ceil(total / query.size)
    meta = orjson.dumps({"record_count": total, "page_count": pages})
    links = orjson.dumps(_page_links(context, query.number, query.size, pages))
    return b'{"data":[' + data + b"]" + _included(related, context, query) + b',"meta":' + meta + b',"links":' + links + b"}"


def _included(related: Related, context: Context, query: Query) -> bytes:
    if not related.rows:
        return b""
    return b',"included":[' + b",".join(
        resource_object(target, row, context, fields=query.fields.get(target.type), linkage=linkage)
        for target, row, linkage in related.rows) + b"]"


def _page_links(context: Context, number: int, size: int, pages: int) -> dict:
    """first/prev/next/last, each keeping the rest of the request's query."""
    kept = urlencode([(k, v) for k, v in context.args if k not in ("page[number]", "page[size]")], safe="[],")
    prefix = f"{context.base_url}{context.path}?{kept}{'&' if kept else ''}"

    def link(page: int) -> str:
        return f"{prefix}page[number]={page}&page[size]={size}"

    last = max(pages, 1)
    links = {"first": link(1)}
    if number > 1:
        links["prev"] = link(min(number - 1, last))
    if number < pages:
        links["next"] = link(number + 1)
    links["last"] = link(last)
    return links
