def test_a_browser_preflight_is_answered_without_a_token(client):
    response = client.options("/api/order_copies", headers={"Origin": "http://localhost:3000",
                                                            "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_every_answer_allows_the_calling_origin(client, headers):
    ok = client.get("/api/order_factories", headers={**headers, "Origin": "http://localhost:5173"})
    refused = client.get("/api/order_factories", headers={"Origin": "http://localhost:5173"})
    assert ok.headers["Access-Control-Allow-Origin"] == refused.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert refused.status_code == 401
    assert "x-ratelimit-remaining" in ok.headers["Access-Control-Expose-Headers"]
