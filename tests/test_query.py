import pytest
from werkzeug.datastructures import MultiDict

from sandbox import query
from sandbox.errors import ApiErrors


def test_defaults():
    assert query.parse(MultiDict(), many=True) == query.Query(number=1, size=10)


def test_page_values():
    q = query.parse(MultiDict({"page[number]": "3", "page[size]": "25"}), many=True)
    assert (q.number, q.size) == (3, 25)


@pytest.mark.parametrize("name, value", [
    ("page[size]", "0"), ("page[size]", "26"), ("page[size]", "x"), ("page[size]", "-1"),
    ("page[size]", " 5"), ("page[number]", "0"), ("page[number]", "1.5"), ("page[number]", "99999999999999999999"),
])
def test_bad_page_values(name, value):
    with pytest.raises(ApiErrors) as caught:
        query.parse(MultiDict({name: value}), many=True)
    [error] = caught.value.errors
    assert (error.status, error.code, error.parameter) == (400, "INVALID_PAGE_VALUE", name)


def test_every_mistake_is_reported():
    with pytest.raises(ApiErrors) as caught:
        query.parse(MultiDict({"page[size]": "0", "page[number]": "x", "foo": "1"}), many=True)
    assert sorted((e.code, e.parameter) for e in caught.value.errors) == [
        ("INVALID_PAGE_VALUE", "page[number]"), ("INVALID_PAGE_VALUE", "page[size]"),
        ("PARAM_NOT_ALLOWED", "foo")]


def test_pages_are_not_allowed_on_a_single_resource():
    with pytest.raises(ApiErrors) as caught:
        query.parse(MultiDict({"page[size]": "5"}), many=False)
    assert caught.value.errors[0].code == "PARAM_NOT_ALLOWED"
