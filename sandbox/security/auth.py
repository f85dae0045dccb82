"""Issue access tokens shaped like the real ones, and read them: Bearer -> Tenant (organization, mode),
or Admin for whole-sandbox operations. Every token must expire, and within the configured lifetime."""
from __future__ import annotations

import dataclasses
import ipaddress
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import jwt
import yaml
from flask import request

from sandbox.jsonapi.errors import ApiError
from sandbox.domain.ids import derive_id
from sandbox.settings import Settings
from sandbox.store import BoundedCache

ISSUER = "https://auth.commercelayer.io"
LIFETIME = 14400  # seconds, as the real API's tokens
DEFAULT_ORGANIZATION = "sandbox-org"
# published in the README: used only on loopback, where nobody else can reach the sandbox
DEFAULT_SECRET = "sandbox-secret-change-me-for-shared-deployments"
HOW_TO_GET_ONE = ("Send `Authorization: Bearer <token>`; get a token with `sandbox token` (signed with the "
                  "sandbox's secret) or from POST /oauth/token")


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


@dataclass(frozen=True)
class Admin:
    """The bearer of an admin token: whole-sandbox operations, no data set of its own."""


# whose data `sandbox serve` seeds before it announces itself, and whose token it prints
DEFAULT_TENANT = Tenant(organization_id(DEFAULT_ORGANIZATION), DEFAULT_ORGANIZATION, "test")


def issue_token(secret: str, *, organization: str = DEFAULT_ORGANIZATION, mode: str = "test",
                client_id: str = "sandbox-test-client", kind: str = "integration",
                scope: str = "market:all", now: float | None = None, lifetime: int = LIFETIME) -> str:
    """An HS256 JWT with the payload the real auth server gives (test=True in test mode)."""
    issued = int(time.time() if now is None else now)
    payload = {
        "organization": {"id": organization_id(organization), "slug": organization,
                         "enterprise": False, "region": "eu-west-1"},
        "application": {"id": derive_id("application", client_id), "client_id": client_id,
                        "kind": kind, "public": kind == "sales_channel", "confidential": kind != "sales_channel"},
        "scope": scope,
        "exp": issued + lifetime,
        "iat": issued,
        "rand": derive_id("rand", client_id, issued),
        "iss": ISSUER,
        "test": mode == "test",
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def issue_admin_token(secret: str, *, now: float | None = None, lifetime: int = LIFETIME) -> str:
    """A token for whole-sandbox operations (/_sandbox/admin): no organization, `sandbox.admin` true."""
    issued = int(time.time() if now is None else now)
    return jwt.encode({"sandbox": {"admin": True}, "exp": issued + lifetime, "iat": issued,
                       "rand": derive_id("rand", "admin", issued), "iss": ISSUER}, secret, algorithm="HS256")


def _invalid(detail: str) -> ApiError:
    return ApiError(401, "INVALID_TOKEN", "Invalid token", detail)


# tokens already verified: (token, secret, max lifetime) -> (bearer, exp); clients send one token many times
_VERIFIED = BoundedCache(4096)


def read_token(token: str, secret: str, max_lifetime: int = LIFETIME) -> Tenant | Admin:
    known = _VERIFIED.get((token, secret, max_lifetime))
    if known and time.time() < known[1]:
        return known[0]
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "iat", "iss"]},
                            issuer=ISSUER)
    except jwt.ExpiredSignatureError:
        raise _invalid("The access token you provided is expired; get a new one with `sandbox token` "
                       "or POST /oauth/token.") from None
    except jwt.InvalidSignatureError:
        raise _invalid("The access token was not signed with this sandbox's secret: mint it with the same "
                       "secret (`SANDBOX_SECRET=... sandbox token`) or get one from POST /oauth/token.") from None
    except jwt.MissingRequiredClaimError as error:
        raise _invalid(f"The access token has no `{error.claim}` claim; every token must carry exp, iat "
                       "and iss.") from None
    except jwt.InvalidTokenError:
        raise _invalid("The access token you provided is invalid. " + HOW_TO_GET_ONE + ".") from None
    if not isinstance(claims["iat"], int) or claims["exp"] - claims["iat"] > max_lifetime:
        raise _invalid(f"The access token lives {claims['exp'] - claims['iat']} seconds; this sandbox accepts "
                       f"at most {max_lifetime} (raise it with --max-token-lifetime).")
    bearer = _bearer(claims)
    _VERIFIED.put((token, secret, max_lifetime), (bearer, claims["exp"]))
    return bearer


def _bearer(claims: dict) -> Tenant | Admin:
    if claims.get("sandbox") == {"admin": True}:
        return Admin()
    org = claims.get("organization")
    if not (isinstance(org, dict) and isinstance(org.get("slug"), str) and org["slug"]
            and isinstance(claims.get("test"), bool)):
        raise _invalid("The access token names no organization and mode. " + HOW_TO_GET_ONE + ".")
    return Tenant(organization_id(org["slug"]), org["slug"], "test" if claims["test"] else "live")


def bearer(secret: str, max_lifetime: int = LIFETIME) -> Tenant | Admin:
    """Who the current request's `Authorization: Bearer <token>` says the caller is."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ApiError(401, "UNAUTHORIZED", "Access denied", "No access token. " + HOW_TO_GET_ONE + ".")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid("The Authorization header must read `Bearer <token>`.")
    return read_token(token.strip(), secret, max_lifetime)


def authenticate(secret: str, max_lifetime: int = LIFETIME) -> Tenant:
    """The data set the current request's token names; an admin token names none."""
    found = bearer(secret, max_lifetime)
    if isinstance(found, Admin):
        raise _invalid("An admin token names no data set: use a token from `sandbox token` or POST "
                       "/oauth/token here, and the admin token on /_sandbox/admin.")
    return found


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


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def with_secret(settings: Settings) -> Settings:
    """Settings with the secret that signs tokens: the one given, else the published default on loopback,
    else one made for this run (a sandbox others can reach never accepts the published default)."""
    if settings.secret:
        return settings
    return dataclasses.replace(settings, secret=DEFAULT_SECRET if is_loopback(settings.host)
                               else secrets.token_urlsafe(32))


def init_app(app) -> None:
    app.extensions["applications"] = load_applications(app.config["SANDBOX"].fixtures_path / "credentials.yaml")
