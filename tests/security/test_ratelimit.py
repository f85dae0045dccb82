import pytest

from sandbox import create_app
from sandbox.jsonapi.errors import ApiError
from sandbox.security.ratelimit import RateLimiter
from sandbox.settings import Settings

from ..conftest import SECRET


def test_fixed_window_counts_per_key_and_resets():
    now = [0.0]
    limiter = RateLimiter(2, 10, now=lambda: now[0])
    assert limiter.hit("a")["x-ratelimit-remaining"] == "1"
    assert limiter.hit("a")["x-ratelimit-remaining"] == "0"
    with pytest.raises(ApiError) as caught:
        limiter.hit("a")
    assert caught.value.status == 429 and caught.value.headers["x-ratelimit-remaining"] == "0"
    assert limiter.hit("b")["x-ratelimit-remaining"] == "1"  # another data set has its own window
    now[0] = 10.0
    assert limiter.hit("a")["x-ratelimit-remaining"] == "1"


def test_off_by_default(client, headers):
    response = client.get("/api/order_factories", headers=headers)
    assert "x-ratelimit-limit" not in response.headers


def test_headers_and_429_when_on(headers):
    client = create_app(Settings(secret=SECRET, rate_limit=3, rate_interval=60)).test_client()
    remaining = [client.get("/api/order_factories", headers=headers).headers["x-ratelimit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    limited = client.get("/api/order_factories", headers=headers)
    assert limited.status_code == 429
    assert (limited.headers["x-ratelimit-limit"], limited.headers["x-ratelimit-interval"]) == ("3", "60")
    assert limited.get_json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
    assert client.get("/healthz").status_code == 200  # only the API is limited


def test_the_token_endpoint_and_the_control_api_are_limited_too(headers):
    client = create_app(Settings(secret=SECRET, rate_limit=2, rate_interval=60)).test_client()
    credentials = {"grant_type": "client_credentials", "client_id": "sandbox-test-client",
                   "client_secret": "sandbox-test-secret"}
    assert [client.post("/oauth/token", json=credentials).status_code for _ in range(3)] == [200, 200, 429]
    auth = {"Authorization": headers["Authorization"]}
    statuses = [client.get("/_sandbox/clock", headers=auth).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.post("/_sandbox/reset", headers=auth).headers["x-ratelimit-remaining"] == "0"
