from sandbox.jsonapi.errors import ApiError


def test_unknown_path_is_a_jsonapi_404(client):
    response = client.get("/no/such/path")
    assert response.status_code == 404 and response.content_type == "application/vnd.api+json"
    assert response.get_json()["errors"][0]["status"] == "404"


def test_wrong_method_is_405_with_allow(client, headers):
    response = client.delete("/api/order_factories", headers=headers)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
    assert response.get_json()["errors"][0]["code"] == "METHOD_NOT_ALLOWED"


def test_an_unexpected_failure_is_still_a_jsonapi_document(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("bug")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and response.content_type == "application/vnd.api+json"
    assert response.get_json()["errors"][0]["code"] == "INTERNAL_SERVER_ERROR"


def test_error_object_carries_source_and_meta():
    error = ApiError(422, "VALIDATION_ERROR", "can't be blank", "source_order - can't be blank",
                     pointer="/data/relationships/source_order", meta={"error": "blank"})
    assert error.as_json() == {"title": "can't be blank", "detail": "source_order - can't be blank",
                               "code": "VALIDATION_ERROR", "status": "422",
                               "source": {"pointer": "/data/relationships/source_order"},
                               "meta": {"error": "blank"}}


def test_an_unknown_route_says_there_is_no_such_route(client, headers):
    response = client.get("/api/orderz", headers=headers)
    [error] = response.get_json()["errors"]
    assert response.status_code == 404 and error["code"] == "NOT_FOUND" and "No such route" in error["detail"]


def test_json_sent_as_a_form_to_the_token_endpoint_is_one_clear_error(client):
    response = client.post("/oauth/token", data='{"grant_type": "client_credentials"}',
                           content_type="application/x-www-form-urlencoded")
    [error] = response.get_json()["errors"]
    assert response.status_code == 400 and "Content-Type: application/json" in error["detail"]


def test_a_missing_token_says_how_to_get_one(client):
    [error] = client.get("/api/orders").get_json()["errors"]
    assert "Authorization: Bearer" in error["detail"] and "sandbox token" in error["detail"]
