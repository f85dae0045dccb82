"""The parts of openapi.yaml that follow from the resource catalogue, the query grammar and the shipped
scenarios, rendered.

`sandbox spec` (make spec) rewrites the blocks of openapi.yaml between the BEGIN and END markers:
each resource's attribute and resource object schemas, its sort, include and filter parameters and its
filter condition patterns, and the sparse fieldsets parameter. Routes, errors and prose stay hand
written around them. tests/jsonapi/test_contract.py fails when the committed file differs.
"""
from __future__ import annotations

import re

import yaml

from sandbox.domain import scenarios
from sandbox.catalogue import BOOLEAN, DATETIME, INTEGER, JSON, RESOURCES, STRING, Resource
from sandbox.jsonapi.query import COMPARE, COMPOUND, FLAGS, LISTS, MAX_ATTRIBUTES, MAX_CONDITIONS, PREDICATES, TEXT, TRUTH

# each block: "<indent># BEGIN generated <name> ...", its YAML, "<indent># END generated <name>"
MARKER = re.compile(r"^(?P<indent> *)# BEGIN generated (?P<name>\w+)\b.*?\n.*?^(?P=indent)# END generated (?P=name)$",
                    re.M | re.S)
NOTE = "by `sandbox spec` from sandbox/catalogue.py and the query grammar: edit those, not this"
_ERRORS = {"400": "BadRequest", "401": "Unauthorized", "404": "NotFound", "406": "NotAcceptable",
           "429": "TooManyRequests", "500": "ServerError", "503": "ServiceUnavailable"}
# the value schemas each kind of filter takes: one value, and comma-separated lists
_VALUES = {STRING: ("FilterText", "FilterTextList"), DATETIME: ("FilterInstant", "FilterInstantList"),
           INTEGER: ("FilterInteger", "FilterIntegerList")}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _one_of(names) -> str:
    return f"(?:{'|'.join(names)})"


def _list_of(names, prefix: str = "") -> str:
    """A comma-separated list of the names (dots literal), each optionally after `prefix` (a regex)."""
    names = [re.escape(name) for name in names]
    return f"^{prefix}{_one_of(names)}(?:,{prefix}{_one_of(names)})*$"


def _camel(resource: Resource) -> str:
    return resource.name[0].lower() + resource.name[1:]


def attributes_schema(resource: Resource) -> dict:
    return {"description": "Every attribute, unless `fields[...]` selects some.", "type": "object",
            "additionalProperties": False,
            "properties": {name: resource.spec(name) for name in resource.attributes}}


def resource_schema(resource: Resource) -> dict:
    properties = {"id": {"type": "string", "pattern": "^[A-Za-z]{10}$"}, "type": {"const": resource.type},
                  "links": _ref("schemas", "SelfLinks"),
                  "attributes": _ref("schemas", f"{resource.name}Attributes")}
    if resource.relationships:
        properties["relationships"] = {"type": "object", "additionalProperties": False, "properties": {
            rel.name: _ref("schemas", "ToMany" if rel.many else "ToOne") for rel in resource.relationships}}
    properties["meta"] = _ref("schemas", "ResourceMeta")
    return {"type": "object", "required": [*properties], "additionalProperties": False, "properties": properties}


def conditions_schema(resource: Resource) -> dict:
    """The filter[q] keys the query parser takes, as patterns: attributes joined by _or_, a predicate
    their kind allows, and the value schema it reads."""
    patterns = {}
    by_kind: dict[str, list[str]] = {}
    for name, kind in resource.filters.items():
        by_kind.setdefault(kind, []).append(name)

    def keys(names, predicates, suffix=""):
        joined = _one_of(names)
        return f"^{joined}(?:_or_{joined}){{0,{MAX_ATTRIBUTES - 1}}}_{_one_of(predicates)}{suffix}$"

    for kind in (STRING, DATETIME, INTEGER):
        if kind not in by_kind:
            continue
        one, many = _VALUES[kind]
        names = by_kind[kind]
        patterns[keys(names, [p for p in COMPARE + TEXT if p in PREDICATES[kind]])] = _ref("schemas", one)
        patterns[keys(names, [p for p in COMPOUND if p in PREDICATES[kind]], "_(?:any|all)")] = _ref("schemas", many)
        patterns[keys(names, LISTS)] = _ref("schemas", many)
    if BOOLEAN in by_kind:
        patterns[keys(by_kind[BOOLEAN], ("eq", "not_eq") + TRUTH)] = _ref("schemas", "FilterFlag")
    patterns[keys(list(resource.filters), FLAGS)] = _ref("schemas", "FilterFlag")
    for name in by_kind.get(JSON, ()):
        patterns[f"^{name}_jcont$"] = _ref("schemas", "FilterJsonObject")
    return {"description": f"Ransack conditions on {resource.type}, ANDed together.", "type": "object",
            "minProperties": 1, "maxProperties": MAX_CONDITIONS, "additionalProperties": False,
            "patternProperties": patterns}


def include_paths(resource: Resource) -> list[str]:
    """Every relationship path `include` takes from a resource, two deep (query.MAX_INCLUDE_DEPTH), the
    longer first where one starts another (a regex alternation takes the first that fits)."""
    paths = []
    for rel in resource.relationships:
        target = RESOURCES.get(rel.target)
        paths += [f"{rel.name}.{nested.name}" for nested in (target.relationships if target else ())]
        paths.append(rel.name)
    return paths


def parameters() -> dict:
    rendered = {}
    for resource in RESOURCES.values():
        camel = _camel(resource)
        if resource.sortable:
            rendered[f"{camel}Sort"] = {
                "name": "sort", "in": "query", "description": "Comma-separated keys, `-` for descending; ties break on `id`.",
                "schema": {"type": "string", "pattern": _list_of(resource.sortable, "-?")}}
        if resource.relationships:
            rendered[f"{camel}Include"] = {
                "name": "include", "in": "query",
                "description": "Comma-separated relationships to include; a dot nests (`source_order.line_items`).",
                "schema": {"type": "string", "pattern": _list_of(include_paths(resource))}}
        if resource.filters:
            rendered[f"{camel}Filter"] = {
                "name": "filter", "in": "query", "style": "deepObject", "explode": True,
                "description": "`filter[q][<attribute>(_or_<attribute>)*_<predicate>]=value` (ransack), and `filter[ids]=a,b`.",
                "schema": {"type": "object", "minProperties": 1, "additionalProperties": False, "properties": {
                    "q": _ref("schemas", f"{resource.name}Conditions"), "ids": _ref("schemas", "FilterTextList")}}}
    rendered["fields"] = {
        "name": "fields", "in": "query", "style": "deepObject", "explode": True,
        "description": "Sparse fieldsets: `fields[<type>]=a,b` keeps only those attributes and relationships.",
        "schema": {"type": "object", "minProperties": 1, "additionalProperties": False, "properties": {
            resource.type: {"type": "string", "pattern": _list_of([*resource.attributes,
                                                                    *(r.name for r in resource.relationships)])}
            for resource in RESOURCES.values()}}}
    return rendered


def _responses(ok: str) -> dict:
    return {"200": _ref("responses", ok), **{status: _ref("responses", name) for status, name in _ERRORS.items()}}


def paths() -> dict:
    """Each resource's related routes (/api/<type>/{id}/<relationship>) and its linkage route
    (/api/<type>/{id}/relationships/{relationship}), which every relationship's links point at."""
    rendered = {}
    for resource in RESOURCES.values():
        for rel in resource.relationships:
            target = RESOURCES.get(rel.target)
            verb = "list" if rel.many else "retrieve"
            operation = {"tags": [resource.type], "operationId": f"{verb}{resource.name}{_title(rel.name)}"}
            if target is None or not (rel.column or rel.inverse):  # a relationship the sandbox keeps nothing in
                operation["description"] = f"Always an empty list: the sandbox keeps no {rel.target} here."
                operation["parameters"] = [_ref("parameters", "page")]
                operation["responses"] = _responses("EmptyList")
            elif rel.many:
                camel = _camel(target)
                operation["parameters"] = [_ref("parameters", name) for name in (
                    "page", f"{camel}Sort", f"{camel}Filter", *([f"{camel}Include"] if target.relationships else []),
                    "fields")]
                operation["responses"] = _responses(f"{target.name}List")
            else:
                operation["parameters"] = [_ref("parameters", name) for name in (
                    *([f"{_camel(target)}Include"] if target.relationships else []), "fields")]
                operation["responses"] = _responses(f"{target.name}OrNull")
            rendered[f"/api/{resource.type}/{{id}}/{rel.name}"] = {
                "parameters": [_ref("parameters", "id"), _ref("parameters", "sandboxFault")], "get": operation}
        if resource.relationships:
            rendered[f"/api/{resource.type}/{{id}}/relationships/{{relationship}}"] = {
                "parameters": [_ref("parameters", "id"),
                               {"name": "relationship", "in": "path", "required": True,
                                "schema": {"enum": [rel.name for rel in resource.relationships]}},
                               _ref("parameters", "sandboxFault")],
                "get": {"tags": [resource.type], "operationId": f"retrieve{resource.name}Relationship",
                        "description": "The relationship's linkage: `{type, id}`, null, or a list of them.",
                        "responses": _responses("Linkage")}}
    return rendered


def _title(name: str) -> str:
    return "".join(word.title() for word in name.split("_"))


def schemas() -> dict:
    rendered = {"Included": {"description": "Each included resource once.", "type": "array", "items": {
        "anyOf": [_ref("schemas", resource.name) for resource in RESOURCES.values()]}},
        "ScenarioChoice": {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
            "name": {"description": "A scenario of fixtures/scenarios/.", "enum": scenarios.names()}}}}
    for resource in RESOURCES.values():
        rendered[f"{resource.name}Attributes"] = attributes_schema(resource)
        rendered[resource.name] = resource_schema(resource)
        if resource.filters:
            rendered[f"{resource.name}Conditions"] = conditions_schema(resource)
    return rendered


class _Dumper(yaml.SafeDumper):
    """Plain YAML a person can read: no anchors for repeated schemas, long pattern keys on one line."""

    def ignore_aliases(self, data) -> bool:
        return True

    def check_simple_key(self) -> bool:
        # YAML allows implicit keys up to 1024 characters; PyYAML stops at 128
        if isinstance(self.event, yaml.ScalarEvent) and len(self.event.value) < 1000:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(self.event.value)
            return not self.analysis.multiline
        return super().check_simple_key()


BLOCKS = {"paths": paths, "parameters": parameters, "schemas": schemas}


def _block(name: str, indent: str) -> str:
    text = yaml.dump(BLOCKS[name](), Dumper=_Dumper, sort_keys=False, width=100_000, default_flow_style=None,
                     allow_unicode=True)
    body = "\n".join(f"{indent}{line}" if line else line for line in text.rstrip("\n").split("\n"))
    return f"{indent}# BEGIN generated {name} {NOTE}\n{body}\n{indent}# END generated {name}"


def render(text: str) -> str:
    """openapi.yaml with its generated blocks (paths, parameters, schemas) rendered anew."""
    found = [match.group("name") for match in MARKER.finditer(text)]
    if sorted(found) != sorted(BLOCKS):
        raise ValueError(f"openapi.yaml must hold one generated block each of {sorted(BLOCKS)}; found {found}")
    return MARKER.sub(lambda match: _block(match.group("name"), match.group("indent")), text)
