from sandbox.security.cors import allowed


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


def test_a_foreign_origin_gets_no_grant_and_changes_nothing(client, headers):
    preflight = client.options("/_sandbox/reset", headers={"Origin": "https://evil.example",
                                                           "Access-Control-Request-Method": "POST"})
    assert not [h for h in preflight.headers.keys() if h.lower().startswith("access-control-allow")]
    copies = client.get("/api/order_copies", headers=headers).get_json()["meta"]["record_count"]
    # a cross-site form POST carries the page's origin; with a token or without, it is refused
    for auth in ({}, {"Authorization": headers["Authorization"]}):
        refused = client.post("/_sandbox/reset", headers={**auth, "Origin": "https://evil.example"})
        assert refused.status_code == 403 and refused.get_json()["errors"][0]["code"] == "FORBIDDEN"
        assert "Access-Control-Allow-Origin" not in refused.headers
        moved = client.post("/_sandbox/clock/advance", json={"by": "1d"},
                            headers={**auth, "Origin": "https://evil.example"})
        assert moved.status_code == 403
    assert client.get("/api/order_copies", headers=headers).get_json()["meta"]["record_count"] == copies
    # reading is harmless, but the browser gets no grant to show the answer to the page
    read = client.get("/api/order_factories", headers={**headers, "Origin": "https://evil.example"})
    assert read.status_code == 200 and "Access-Control-Allow-Origin" not in read.headers


def test_localhost_on_any_port_and_configured_origins_are_allowed():
    for origin in ("http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:5173", "http://localhost"):
        assert allowed(origin, "")
    for origin in ("https://localhost:3000", "http://localhost.evil.example", "http://192.168.1.2:3000"):
        assert not allowed(origin, "")
    assert allowed("https://app.example.com", "https://app.example.com, https://admin.example.com")
    assert allowed("https://anything.example", "*")
