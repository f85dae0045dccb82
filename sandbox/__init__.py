"""The order factory sandbox: create_app() builds one, with its own state, from Settings."""
from __future__ import annotations

from flask import Flask

from sandbox.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from sandbox.security import auth
    from sandbox.domain import clock
    from sandbox.security import cors
    from sandbox.jsonapi import errors
    from sandbox.security import ratelimit
    from sandbox.jsonapi import spec
    from sandbox import store
    from sandbox.api import bp as api_bp
    from sandbox.api.control import bp as control_bp
    from sandbox.api.oauth import bp as oauth_bp
    from sandbox.api.service import bp as service_bp

    app = Flask(__name__)
    app.config["SANDBOX"] = settings or Settings.load()
    # documents keep the order the schemas give them
    app.json.sort_keys = False
    spec.init_app(app)
    errors.init_app(app)
    store.init_app(app)
    clock.init_app(app)
    auth.init_app(app)
    ratelimit.init_app(app)
    cors.init_app(app)
    app.register_blueprint(service_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(control_bp)
    app.register_blueprint(oauth_bp)
    return app
