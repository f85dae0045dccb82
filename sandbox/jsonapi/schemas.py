"""marshmallow-jsonapi schemas, one per resource type, built from the catalogue: the one definition
of each resource object. Built once per (type, includes, base URL), never per request; what they
produce for a record is encoded once and kept until the record changes.

Links are absolute, as the real API's are: every schema reads the base URL from its context.
"""
from __future__ import annotations

import functools
from typing import Callable

import orjson
from marshmallow import fields as ma_fields
from marshmallow_jsonapi import Schema, fields

from sandbox.catalogue import BOOLEAN, DATETIME, INTEGER, JSON, RESOURCES, STRING, Resource
from sandbox.store import BoundedCache

_FIELDS = {STRING: fields.Str, DATETIME: fields.Str, INTEGER: fields.Int, BOOLEAN: fields.Bool, JSON: ma_fields.Raw}
# encoded resource objects; about 1-3 KB each
_ENCODED = BoundedCache(20_000)


class ResourceSchema(Schema):
    def generate_url(self, link, **kwargs):
        return self.context["base_url"] + link.format_map(kwargs)


class Link(fields.Relationship):
    """A relationship whose links are absolute. Included records are rendered by their own schema
    (and cached on their own), so a relationship gives linkage only."""

    def get_self_url(self, obj):
        return self.context["base_url"] + super().get_self_url(obj)

    def get_related_url(self, obj):
        return self.context["base_url"] + super().get_related_url(obj)

    def _serialize_included(self, value):
        pass


def _schema_class(resource: Resource) -> type[ResourceSchema]:
    path = f"/api/{resource.type}/{{id}}"
    members: dict = {
        "id": fields.Str(dump_only=True),
        "meta": fields.ResourceMeta(),
        "Meta": type("Meta", (), {"type_": resource.type, "self_url": path, "self_url_kwargs": {"id": "<id>"}}),
    }
    for name, kind in resource.attributes.items():
        members[name] = _FIELDS[kind](allow_none=True)
    for rel in resource.relationships:
        members[rel.name] = Link(
            self_url=f"{path}/relationships/{rel.name}", self_url_kwargs={"id": "<id>"},
            related_url=f"{path}/{rel.name}", related_url_kwargs={"id": "<id>"},
            many=rel.many, type_=rel.target, schema=_class_name(rel.target), allow_none=True,
        )
    return type(_class_name(resource.type), (ResourceSchema,), members)


def _class_name(resource_type: str) -> str:
    return "".join(part.title() for part in resource_type.split("_")) + "Schema"


SCHEMAS: dict[str, type[ResourceSchema]] = {t: _schema_class(r) for t, r in RESOURCES.items()}


@functools.lru_cache(maxsize=512)
def schema(resource_type: str, include: tuple[str, ...], base_url: str) -> ResourceSchema:
    """The schema instance for one type, set of included relationships and base URL; shared by threads
    (with includes rendered apart, a dump keeps no state in the instance)."""
    return SCHEMAS[resource_type](include_data=include, context={"base_url": base_url})


@functools.lru_cache(maxsize=None)
def loader(resource_type: str) -> ResourceSchema:
    """The schema that reads request bodies of one type (after the spec has checked them)."""
    return SCHEMAS[resource_type]()


def encoded(resource: Resource, record: Callable[[], dict], version: tuple, linkage: tuple, base_url: str,
            fields: tuple[str, ...] | None) -> bytes:
    """One resource object as JSON bytes. `record()` gives its attributes, `meta` and, for each included
    relationship, its linkage, and is called only when `version` (what identifies this state of the
    record: its stored row) was not rendered before."""
    key = (resource.type, base_url, fields, linkage, version)
    cached = _ENCODED.get(key)
    if cached is None:
        include = tuple(name for name, _ in linkage)
        item = schema(resource.type, include, base_url).dump(record())["data"]
        if fields is not None:
            for member in ("attributes", "relationships"):
                if member in item:
                    item[member] = {k: v for k, v in item[member].items() if k in fields}
        cached = orjson.dumps(item)
        _ENCODED.put(key, cached)
    return cached
