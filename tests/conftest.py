import pytest

from sandbox import create_app
from sandbox.security.auth import issue_token
from sandbox.settings import Settings

SECRET = "test-secret-long-enough-for-hs256-signing"


@pytest.fixture
def settings():
    return Settings(secret=SECRET, seed=7, count=50)


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token():
    return issue_token(SECRET)


@pytest.fixture
def headers(token):
    return {"Authorization": f"Bearer {token}", "Accept": "application/vnd.api+json"}
