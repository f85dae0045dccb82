import pytest
from werkzeug.datastructures import MultiDict

from sandbox.jsonapi import query
from sandbox.jsonapi.errors import ApiErrors
from sandbox.catalogue import ORDER_FACTORIES


def test_defaults():
    assert query.parse(MultiDict(), ORDER_FACTORIES, many=True) == query.Query(number=1, size=10)


def test_page_values():
    q = query.parse(MultiDict({"page[number]": "3", "page[size]": "25"}), ORDER_FACTORIES, many=True)
    assert (q.number, q.size) == (3, 25)


@pytest.mark.parametrize("name, value", [
    ("page[size]", "0"), ("page[size]", "26"), ("page[size]", "x"), ("page[size]", "-1"),
    ("page[size]", " 5"), ("page[number]", "0"), ("page[number]", "1.5"), ("page[number]", "99999999999999999999"),
])
def test_bad_page_values(name, value):
    with pytest.raises(ApiErrors) as caught:
        query.parse(MultiDict({name: value}), ORDER_FACTORIES, many=True)
    [error] = caught.value.errors
    assert (error.status, error.code, error.parameter) == (400, "INVALID_PAGE_VALUE", name)


def test_every_mistake_is_reported():
    with pytest.raises(ApiErrors) as caught:
        query.parse(MultiDict({"page[size]": "0", "page[number]": "x", "foo": "1"}), ORDER_FACTORIES, many=True)
    assert sorted((e.code, e.parameter) for e in caught.value.errors) == [
        ("INVALID_PAGE_VALUE", "page[number]"), ("INVALID_PAGE_VALUE", "page[size]"),
        ("PARAM_NOT_ALLOWED", "foo")]


def test_pages_are_not_allowed_on_a_single_resource():
    with pytest.raises(ApiErrors) as caught:
        query.parse(MultiDict({"page[size]": "5"}), ORDER_FACTORIES, many=False)
    assert caught.value.errors[0].code == "PARAM_NOT_ALLOWED"


# --- the parser and openapi.yaml speak the same filter language --------------------------------

import itertools  # noqa: E402
import re  # noqa: E402

import jsonschema  # noqa: E402
import yaml  # noqa: E402

from sandbox.catalogue import EVENTS, ORDER_SUBSCRIPTIONS, ORDERS  # noqa: E402
from sandbox.settings import ROOT  # noqa: E402

SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]


def _spec_validator(conditions: str):
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{conditions}",
                                            "components": SPEC["components"]})


def _parser_accepts(resource, key: str, value: str) -> bool:
    try:
        query.parse(MultiDict({f"filter[q][{key}]": value}), resource, many=True)
    except ApiErrors:
        return False
    return True


def _keys(resource):
    names = list(resource.filterable) + ["nope", "errors_log"]
    suffixes = [f"{p}{form}" for p in query._BY_LENGTH for form in ("", "_any", "_all")] + ["foo", "in_any"]
    singles = [f"{n}_{s}" for n in names for s in suffixes]
    pairs = [f"{a}_or_{b}_{s}" for a, b in itertools.combinations(names[:8] + ["metadata", "reuse_wallet"], 2)
             for s in ("eq", "null", "cont_any", "in", "true", "jcont")]
    chains = ["_or_".join([names[0]] * n) + suffix for n in (5, 6) for suffix in ("_eq", "_null", "_in")]
    return singles + pairs + chains


VALUES = ["web", "1", "-3", "true", "0", "2025-01-01", "2025-01-01T10:00:00Z", "2025-02-30", "a,b", "1,2",
          "2025-01-01,2025-01-02T00:00:00+02:00", '{"channel":"web"}', "{}", "{bad", "", "a,,b", "yes",
          ",".join(["7"] * 100), ",".join(["7"] * 101)]


@pytest.mark.parametrize("resource, conditions", [
    (ORDER_FACTORIES, "OrderFactoryConditions"), (EVENTS, "EventConditions"),
    (ORDERS, "OrderConditions"), (ORDER_SUBSCRIPTIONS, "OrderSubscriptionConditions")])
def test_spec_and_parser_accept_the_same_filters(resource, conditions):
    spec = _spec_validator(conditions)
    verdicts = {(key, value): spec.is_valid({key: value}) for key in _keys(resource) for value in VALUES}
    assert sum(verdicts.values()) > 300 and len(verdicts) - sum(verdicts.values()) > 300  # both sides tried
    assert [kv for kv, valid in verdicts.items() if valid != _parser_accepts(resource, *kv)] == []


def test_spec_uses_the_parsers_patterns():
    from sandbox.domain.clock import INSTANT_PATTERN
    assert SCHEMAS["FilterInstant"]["pattern"] == f"^{INSTANT_PATTERN}$"
    assert SCHEMAS["FilterJsonObject"]["pattern"] == f"^{query.JCONT_PATTERN}$"
    assert re.fullmatch(SCHEMAS["FilterInstant"]["pattern"][1:-1], "2024-02-29T23:59:59.999999-05:00")


def test_bounds_keep_filters_inside_sqlite_limits():
    keys = ["_or_".join(p) + "_eq" for p in itertools.permutations(["id", "type", "status", "reference"], 3)]
    many = MultiDict({f"filter[q][{key}]": "x" for key in keys[:21]})
    with pytest.raises(ApiErrors) as caught:
        query.parse(many, ORDER_FACTORIES, many=True)
    assert [(e.code, e.parameter) for e in caught.value.errors] == [("FILTER_NOT_ALLOWED", "filter[q]")]
