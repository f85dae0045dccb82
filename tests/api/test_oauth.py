"""POST /oauth/token: the client credentials grant, in JSON or form bodies."""
import jwt
import pytest

from sandbox.security.auth import LIFETIME, organization_id


@pytest.mark.parametrize("as_form", [False, True])
def test_token_round_trip_opens_the_applications_data_set(client, as_form):
    credentials = {"grant_type": "client_credentials", "client_id": "sandbox-live-client",
                   "client_secret": "sandbox-live-secret"}
    response = client.post("/oauth/token", data=credentials) if as_form else client.post("/oauth/token", json=credentials)
    assert response.status_code == 200 and response.content_type == "application/json"
    body = response.get_json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("bearer", LIFETIME, "market:all")
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["test"] is False and claims["organization"]["slug"] == "sandbox-org"
    assert claims["application"]["client_id"] == "sandbox-live-client" and claims["iat"] == body["created_at"]
    listed = client.get("/api/order_factories", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert listed.status_code == 200
    meta = listed.get_json()["data"][0]["meta"]
    assert (meta["mode"], meta["organization_id"]) == ("live", organization_id("sandbox-org")) and meta["trace_id"]


def test_a_sales_channel_sends_a_scope_instead_of_a_secret(client):
    response = client.post("/oauth/token", json={"grant_type": "client_credentials", "client_id": "sandbox-storefront",
                                                 "scope": "market:id:xYZkjABcde"})
    assert response.status_code == 200 and response.get_json()["scope"] == "market:id:xYZkjABcde"
    claims = jwt.decode(response.get_json()["access_token"], options={"verify_signature": False})
    assert claims["application"]["kind"] == "sales_channel" and claims["application"]["public"] is True


@pytest.mark.parametrize("credentials", [
    {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
    {"grant_type": "client_credentials", "client_id": "sandbox-test-client", "client_secret": "wrong"},
    {"grant_type": "client_credentials", "client_id": "sandbox-test-client"},
])
def test_unknown_credentials_are_401(client, credentials):
    response = client.post("/oauth/token", json=credentials)
    assert response.status_code == 401 and response.content_type == "application/vnd.api+json"
    assert response.get_json()["errors"][0]["code"] == "UNAUTHORIZED"


def test_bad_grants_and_bodies(client):
    bad_grant = client.post("/oauth/token", json={"grant_type": "password", "client_id": "sandbox-test-client"})
    assert bad_grant.status_code == 400 and bad_grant.get_json()["errors"][0]["source"] == {"pointer": "/grant_type"}
    missing = client.post("/oauth/token", json={"grant_type": "client_credentials"})
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["source"] == {"pointer": "/client_id"}
    assert client.post("/oauth/token", data="x", content_type="text/plain").status_code == 415
    assert client.post("/oauth/token", data="{", content_type="application/json").status_code == 400
