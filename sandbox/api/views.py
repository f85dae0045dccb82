"""The few steps every resource route shares: parse the query, ask the store, write the document."""
from __future__ import annotations

import sqlite3
from typing import Callable

from flask import Blueprint, Response, current_app, g, request

from sandbox.catalogue import RESOURCES, Resource
from sandbox.jsonapi import query
from sandbox.jsonapi.documents import (Context, Related, empty_document, empty_list_document, linkage_document,
                                       list_document, resource_document)
from sandbox.jsonapi.errors import JSONAPI, ApiError, not_found
from sandbox.store import BoundedCache, Query, get_store


def jsonapi(body: bytes | None, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body or b"", status=status, mimetype=JSONAPI, headers=headers)


def context() -> Context:
    """The request, as far as a document needs to know it."""
    tenant = g.tenant
    return Context(base_url=base_url(), path=request.path,
                   args=tuple(request.args.items(multi=True)),
                   meta={"mode": tenant.mode, "organization_id": tenant.organization_id})


def base_url() -> str:
    """`--public-url`, or the scheme and host the request came to (worked out once per request)."""
    if "base_url" not in g:
        g.base_url = current_app.config["SANDBOX"].public_url.rstrip("/") or f"{request.scheme}://{request.host}"
    return g.base_url


def find_row(resource: Resource, id_: str) -> sqlite3.Row:
    rows = get_store().rows_by(resource, g.dataset.scope, [id_])
    if not rows:
        raise not_found(resource.type, id_)
    return rows[0]


def gather_included(resource: Resource, rows: list[sqlite3.Row], include: tuple[str, ...]) -> Related:
    """The linkage and the rows that `include` asks for (dotted paths nest)."""
    return Related(*get_store().included(resource, g.dataset.scope, rows, include))


# whole answers to reads, keyed by the data set's version: any write (or transition) changes the version,
# so a frontend polling an unchanged list or record is answered without rendering it again
_ANSWERS = BoundedCache(512)


def cached_read(render: Callable[[], bytes]) -> Response:
    # the state file names the data, the version its state; apps over one file share answers rightly
    key = (get_store().path, g.dataset.scope, g.dataset.version, base_url(), request.full_path)
    body = _ANSWERS.get(key)
    if body is None:
        body = render()
        _ANSWERS.put(key, body)
    return jsonapi(body)


def list_response(resource: Resource, scope: tuple[str, str] | None = None) -> Response:
    return cached_read(lambda: list_document_for(resource, scope))


def list_document_for(resource: Resource, scope: tuple[str, str] | None = None) -> bytes:
    q = query.parse(request.args, resource, many=True)
    rows, total = get_store().select(resource, g.dataset, q, scope)
    return list_document(resource, rows, context(), q, total, gather_included(resource, rows, q.include))


def retrieve_response(resource: Resource, id_: str) -> Response:
    def render() -> bytes:
        q = query.parse(request.args, resource, many=False)
        row = find_row(resource, id_)
        return resource_document(resource, row, context(), q, gather_included(resource, [row], q.include))
    return cached_read(render)


def document_response(resource: Resource, row: sqlite3.Row, q: Query = Query(), status: int = 200,
                      headers: dict | None = None) -> Response:
    return jsonapi(resource_document(resource, row, context(), q, gather_included(resource, [row], q.include)), status, headers)


def related_response(resource: Resource, id_: str, name: str) -> Response:
    """`/api/<type>/<id>/<relationship>`: the related record, or a page of related records."""
    rel = resource.relationship(name)
    target = RESOURCES.get(rel.target)

    def render() -> bytes:
        row = find_row(resource, id_)
        if target is None or not (rel.column or rel.inverse):  # event stores; an event's webhooks: kept nowhere
            return empty_list_document(context(), query.parse(request.args, resource, many=True, page_only=True))
        if rel.many:
            return list_document_for(target, (rel.inverse, id_))
        q = query.parse(request.args, target, many=False)
        found = get_store().rows_by(target, g.dataset.scope, [row[rel.column]]) if row[rel.column] else []
        if not found:
            return empty_document(context())
        return resource_document(target, found[0], context(), q, gather_included(target, found, q.include))
    return cached_read(render)


def linkage_response(resource: Resource, id_: str, name: str) -> Response:
    """`/api/<type>/<id>/relationships/<name>`: what every relationship's `links.self` points at."""
    rel = resource.relationship(name)

    def render() -> bytes:
        row = find_row(resource, id_)
        query.parse(request.args, resource, many=False, page_only=True)  # takes no parameters
        linkage = gather_included(resource, [row], (name,)).linkage[0][name]
        if isinstance(linkage, list):
            data = [{"type": rel.target, "id": id_} for id_ in linkage]
        else:
            data = None if linkage is None else {"type": rel.target, "id": linkage}
        return linkage_document(context(), data, f"{base_url()}/api/{resource.type}/{id_}/{name}")
    return cached_read(render)


def check_id_in_url(body: dict, id_: str) -> None:
    if body["data"]["id"] != id_:
        raise ApiError(400, "KEY_NOT_INCLUDED_IN_URL", "Key not included in URL",
                       f"data.id {body['data']['id']!r} is not the id in the URL ({id_!r})", pointer="/data/id")


def updated_response(resource: Resource, id_: str, changes: dict, q: Query) -> Response:
    """Apply `changes` (if any) to a record of the caller's data set and answer the record as it is then."""
    store = get_store()
    with store.write(g.tenant.key) as scope:
        if changes:
            store.update(resource, scope, id_, changes)
        row = (store.rows_by(resource, scope, [id_]) or [None])[0]
    if row is None:  # reset since it was read
        raise not_found(resource.type, id_)
    return document_response(resource, row, q)


def deleted_response(resource: Resource, id_: str, then: Callable[[str], None] = lambda scope: None) -> Response:
    """Delete a record of the caller's data set (`then(scope)` in the same transaction): 204, or 404."""
    store = get_store()
    with store.write(g.tenant.key) as scope:
        deleted = store.delete(resource, scope, id_)
        if deleted:
            then(scope)
    if not deleted:
        raise not_found(resource.type, id_)
    return jsonapi(None, 204)


def read_only_blueprint(resource: Resource, *, listable: bool = True) -> Blueprint:
    """`/api/<type>` (list), `/api/<type>/<id>`, its related routes and its relationships' linkage routes."""
    bp = Blueprint(resource.type, __name__, url_prefix=f"/{resource.type}")
    if listable:
        bp.add_url_rule("", f"list_{resource.type}", lambda: list_response(resource))
    bp.add_url_rule("/<id>", f"retrieve_{resource.type}", lambda id: retrieve_response(resource, id))
    if resource.relationships:
        names = ", ".join(rel.name for rel in resource.relationships)
        bp.add_url_rule(f"/<id>/<any({names}):relationship>", f"related_to_{resource.type}",
                        lambda id, relationship: related_response(resource, id, relationship))
        bp.add_url_rule(f"/<id>/relationships/<any({names}):relationship>", f"linkage_of_{resource.type}",
                        lambda id, relationship: linkage_response(resource, id, relationship))
    return bp
