import os
import tempfile

import pytest

from sandbox import create_app
from sandbox.security.auth import issue_token
from sandbox.settings import Settings

from .support import SECRET, Served

# tests/test_pytest_plugin.py runs the `sandbox` fixture in a pytest of its own
pytest_plugins = ["pytester"]

# snapshots of seeded data sets go to a folder of this run, not to the user's cache
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="sandbox-tests-")


def pytest_collection_modifyitems(items):
    """The slow tests first: with one process per core, none is then left running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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


@pytest.fixture
def snapshots(tmp_path):
    return tmp_path / "snapshots"


@pytest.fixture
def serve():
    """Start `sandbox serve` processes with these arguments; all stopped after the test."""
    started = []

    def start(*args, env=None) -> Served:
        served = Served(*args, env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()
