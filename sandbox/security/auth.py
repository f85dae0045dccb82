"""Issue access tokens shaped like the real ones, and read them: Bearer -> Tenant (organization, mode)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jwt
import yaml
from flask import request

from sandbox.jsonapi.errors import ApiError
from sandbox.domain.ids import derive_id
from sandbox.store import BoundedCache

ISSUER = "https://auth.commercelayer.io"
LIFETIME = 14400  # seconds, as the real API's tokens
DEFAULT_ORGANIZATION = "sandbox-org"


@dataclass(frozen=True)
class Tenant:
    """Whose data a request reads: one organization, in test or live mode."""

    organization_id: str
    organization_slug: str
    mode: str  # "test" | "live"

    @property
    def key(self) -> str:
        return f"{self.organization_id}:{self.mode}"


def organization_id(slug: str) -> str:
    return derive_id("organization", slug)


# whose data `sandbox serve` seeds before it announces itself, and whose token it prints
DEFAULT_TENANT = Tenant(organization_id(DEFAULT_ORGANIZATION), DEFAULT_ORGANIZATION, "test")


def issue_token(secret: str, *, organization: str = DEFAULT_ORGANIZATION, mode: str = "test",
                client_id: str = "sandbox-test-client", kind: str = "integration",
                scope: str = "market:all", now: float | None = None) -> str:
    """An HS256 JWT with the payload the real auth server gives (test=True in test mode)."""
    issued = int(time.time() if now is None else now)
    payload = {
        "organization": {"id": organization_id(organization), "slug": organization,
                         "enterprise": False, "region": "eu-west-1"},
        "application": {"id": derive_id("application", client_id), "client_id": client_id,
                        "kind": kind, "public": kind == "sales_channel", "confidential": kind != "sales_channel"},
        "scope": scope,
        "exp": issued + LIFETIME,
        "iat": issued,
        "rand": derive_id("rand", client_id, issued),
        "iss": ISSUER,
        "test": mode == "test",
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def _invalid(detail: str) -> ApiError:
    return ApiError(401, "INVALID_TOKEN", "Invalid token", detail)


# tokens already verified: (token, secret) -> (tenant, exp); a client sends the same token many times
_VERIFIED = BoundedCache(4096)


def read_token(token: str, secret: str) -> Tenant:
    known = _VERIFIED.get((token, secret))
    if known and time.time() < known[1]:
        return known[0]
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "iat", "iss"]},
                            issuer=ISSUER)
    except jwt.ExpiredSignatureError:
        raise _invalid("The access token you provided is expired.") from None
    except jwt.InvalidTokenError:
        raise _invalid("The access token you provided is invalid.") from None
    org = claims.get("organization")
    if not (isinstance(org, dict) and isinstance(org.get("slug"), str) and org["slug"]
            and isinstance(claims.get("test"), bool)):
        raise _invalid("The access token you provided is invalid.")
    tenant = Tenant(organization_id(org["slug"]), org["slug"], "test" if claims["test"] else "live")
    _VERIFIED.put((token, secret), (tenant, claims["exp"]))
    return tenant


def authenticate(secret: str) -> Tenant:
    """The current request's tenant, from `Authorization: Bearer <token>`."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ApiError(401, "UNAUTHORIZED", "Access denied", "You are not authorized to perform this action.")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid("The access token you provided is invalid.")
    return read_token(token.strip(), secret)


@dataclass(frozen=True)
class Application:
    client_id: str
    organization: str
    mode: str
    kind: str
    client_secret: str | None = None


def load_applications(path: Path) -> dict[str, Application]:
    with open(path, encoding="utf-8") as file:
        entries = yaml.safe_load(file)["applications"]
    return {entry["client_id"]: Application(**entry) for entry in entries}


def check_grant(form) -> None:
    """A grant other than client_credentials is a 400, before anything else is looked at."""
    if isinstance(form, dict) and form.get("grant_type", "client_credentials") != "client_credentials":
        raise ApiError(400, "UNSUPPORTED_GRANT_TYPE", "Unsupported grant type",
                       "The sandbox grants client_credentials only", pointer="/grant_type")


def exchange(applications: dict[str, Application], secret: str, form: dict) -> dict:
    """`POST /oauth/token` with valid client credentials: the real answer's shape, or a 401."""
    application = applications.get(form.get("client_id"))
    if application is None or (application.kind != "sales_channel"
                               and form.get("client_secret") != application.client_secret):
        raise ApiError(401, "UNAUTHORIZED", "Invalid client",
                       "Client authentication failed: unknown client, or wrong secret")
    scope = form.get("scope") or "market:all"
    now = time.time()
    token = issue_token(secret, organization=application.organization, mode=application.mode,
                        client_id=application.client_id, kind=application.kind, scope=scope, now=now)
    return {"access_token": token, "token_type": "bearer", "expires_in": LIFETIME, "scope": scope,
            "created_at": int(now)}


def init_app(app) -> None:
    app.extensions["applications"] = load_applications(app.config["SANDBOX"].fixtures_path / "credentials.yaml")
