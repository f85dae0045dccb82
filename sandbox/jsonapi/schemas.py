"""marshmallow-jsonapi schemas, one per resource type, built from the resource catalogue.

Links are absolute, as the real API's are: every schema reads the base URL from its context.
"""
from __future__ import annotations

from marshmallow import fields as ma_fields
from marshmallow_jsonapi import Schema, fields

from sandbox.catalogue import BOOLEAN, DATETIME, INTEGER, JSON, RESOURCES, STRING, Resource

_FIELDS = {STRING: fields.Str, DATETIME: fields.Str, INTEGER: fields.Int, BOOLEAN: fields.Bool, JSON: ma_fields.Raw}


class ResourceSchema(Schema):
    def generate_url(self, link, **kwargs):
        return self.context["base_url"] + link.format_map(kwargs)


class Link(fields.Relationship):
    """A relationship whose links are absolute."""

    def get_self_url(self, obj):
        return self.context["base_url"] + super().get_self_url(obj)

    def get_related_url(self, obj):
        return self.context["base_url"] + super().get_related_url(obj)


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
