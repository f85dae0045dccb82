import time

import jwt
import pytest

from sandbox.security.auth import ISSUER, LIFETIME, issue_token, organization_id, read_token
from sandbox.jsonapi.errors import ApiError

from ..conftest import SECRET


def test_token_round_trip_gives_tenant():
    tenant = read_token(issue_token(SECRET, organization="acme", mode="live"), SECRET)
    assert (tenant.organization_slug, tenant.mode) == ("acme", "live")
    assert tenant.organization_id == organization_id("acme")
    assert tenant.key == f"{organization_id('acme')}:live"


def test_token_payload_has_the_real_shape():
    claims = jwt.decode(issue_token(SECRET, now=1_700_000_000), options={"verify_signature": False})
    assert claims["iss"] == ISSUER and claims["test"] is True
    assert claims["exp"] - claims["iat"] == LIFETIME
    assert set(claims["organization"]) == {"id", "slug", "enterprise", "region"}
    assert set(claims["application"]) == {"id", "client_id", "kind", "public", "confidential"}
    assert {"scope", "rand"} <= set(claims)


def _code(token: str) -> str:
    with pytest.raises(ApiError) as caught:
        read_token(token, SECRET)
    assert caught.value.status == 401
    return caught.value.code


def test_expired_token_is_invalid():
    assert _code(issue_token(SECRET, now=time.time() - LIFETIME - 5)) == "INVALID_TOKEN"


def test_bad_signature_and_garbage_are_invalid():
    assert _code(issue_token("another-secret-that-is-long-enough-too")) == "INVALID_TOKEN"
    assert _code("not.a.token") == "INVALID_TOKEN"
    assert _code("") == "INVALID_TOKEN"


def test_forged_mode_claim_is_refused():
    header, payload, signature = issue_token(SECRET).split(".")
    claims = jwt.decode(issue_token(SECRET), options={"verify_signature": False})
    forged = jwt.encode({**claims, "test": False}, "guess-of-the-secret-guess-of-the-secret").split(".")[1]
    assert _code(f"{header}.{forged}.{signature}") == "INVALID_TOKEN"


def test_missing_and_malformed_authorization_headers(client):
    missing = client.get("/api/order_factories")
    assert missing.status_code == 401 and missing.get_json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert missing.get_json()["errors"][0]["title"] == "Access denied"
    for header in ("Basic abc", "Bearer", "Bearer    ", "Bearer x.y.z"):
        response = client.get("/api/order_factories", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.get_json()["errors"][0]["code"] == "INVALID_TOKEN"
        assert response.content_type == "application/vnd.api+json"
