from sandbox.domain.records import copy_errors, money, target_order, with_items

ORDER = {"customer_email": "a@example.com", "line_items": [
    {"sku_code": "A1", "quantity": 1, "unit_amount_cents": 100, "in_stock": True},
    {"sku_code": "B2", "quantity": 1, "unit_amount_cents": 100, "in_stock": False},
    {"sku_code": "C3", "quantity": 1, "unit_amount_cents": 100, "in_stock": False}]}


def test_copy_errors_name_every_problem_in_the_real_shape():
    assert copy_errors(ORDER, place=False) == {"line_items": ["B2 is out of stock", "C3 is out of stock"]}
    assert copy_errors({**ORDER, "customer_email": ""}, place=True) == {
        "line_items": ["B2 is out of stock", "C3 is out of stock"],
        "status": ["cannot transition from draft to placed"]}
    assert copy_errors({**ORDER, "line_items": []}, place=True) == {}
    assert copy_errors(None, place=False) == {"source_order": ["can't be blank"]}


def test_totals_follow_the_items():
    items = [{"sku_code": "A1", "quantity": 2, "unit_amount_cents": 1250}, {"sku_code": "B2", "quantity": 1, "unit_amount_cents": 99}]
    assert with_items(items, "EUR") == {"line_items": items, "skus_count": 3, "total_amount_cents": 2599,
                                        "formatted_total_amount": "€25.99"}
    assert money("USD", 123456789) == "$1,234,567.89"


def test_a_target_order_keeps_only_the_items_in_stock():
    source = {"id": "s", "currency_code": "GBP", "line_items": ORDER["line_items"], "customer_email": "a@example.com",
              "status": "placed"}
    target = target_order(source, id_="t", number=7, moment="2026-06-01T00:00:00.000Z", placed=False)
    assert [i["sku_code"] for i in target["line_items"]] == ["A1"]
    assert (target["status"], target["placed_at"], target["total_amount_cents"]) == ("draft", None, 100)
