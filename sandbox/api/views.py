"""The few steps every resource route shares: parse the query, ask the store, write the document."""
from __future__ import annotations

from flask import Blueprint, Response, g, json, request

from sandbox.jsonapi import query
from sandbox.jsonapi.documents import list_document, resource_document
from sandbox.jsonapi.errors import JSONAPI, not_found
from sandbox.catalogue import RESOURCES, Resource
from sandbox.store import get_store


def jsonapi(document: dict | None, status: int = 200, headers: dict | None = None) -> Response:
    body = "" if document is None else json.dumps(document)
    return Response(body, status=status, mimetype=JSONAPI, headers=headers)


def find_or_404(resource: Resource, id_: str) -> dict:
    record = get_store().find(resource, g.tenant.key, id_)
    if record is None:
        raise not_found(resource.type, id_)
    return record


def list_response(resource: Resource, scope: tuple[str, str] | None = None) -> Response:
    q = query.parse(request.args, resource, many=True)
    store = get_store()
    records, total = store.select(resource, g.tenant.key, q, scope)
    return jsonapi(list_document(store, resource, records, g.tenant, q, total))


def retrieve_response(resource: Resource, id_: str) -> Response:
    q = query.parse(request.args, resource, many=False)
    return jsonapi(resource_document(get_store(), resource, find_or_404(resource, id_), g.tenant, q))


def related_response(resource: Resource, id_: str, name: str) -> Response:
    """`/api/<type>/<id>/<relationship>`: the related record, or a page of related records."""
    rel = resource.relationship(name)
    target = RESOURCES[rel.target]
    record = find_or_404(resource, id_)
    if rel.many:
        return list_response(target, (rel.inverse, id_))
    q = query.parse(request.args, target, many=False)
    store = get_store()
    related = store.find(target, g.tenant.key, record[rel.column]) if record[rel.column] else None
    return jsonapi(resource_document(store, target, related, g.tenant, q))


def read_only_blueprint(resource: Resource, *, related: tuple[str, ...] = (), listable: bool = True) -> Blueprint:
    """`/api/<type>` (list), `/api/<type>/<id>` and its related routes, for a family the API only reads."""
    bp = Blueprint(resource.type, __name__, url_prefix=f"/{resource.type}")
    if listable:
        bp.add_url_rule("", f"list_{resource.type}", lambda: list_response(resource))
    bp.add_url_rule("/<id>", f"retrieve_{resource.type}", lambda id: retrieve_response(resource, id))
    if related:
        bp.add_url_rule(f"/<id>/<any({', '.join(related)}):relationship>", f"related_to_{resource.type}",
                        lambda id, relationship: related_response(resource, id, relationship))
    return bp
