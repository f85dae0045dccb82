"""The order factory sandbox: create_app() builds one, with its own state, from Settings."""
from __future__ import annotations

from flask import Flask

from sandbox.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from sandbox.api import bp as api_bp
    from sandbox.api.control import admin as admin_bp
    from sandbox.api.control import bp as control_bp
    from sandbox.api.oauth import bp as oauth_bp
    from sandbox.api import violations, webhooks
    from sandbox.api.dashboard import bp as dashboard_bp
    from sandbox.api.service import bp as service_bp
    from sandbox.domain import clock, datasets
    from sandbox.jsonapi import errors, spec
    from sandbox.security import auth, cors, limits, ratelimit

    app = Flask(__name__)
    app.config["SANDBOX"] = auth.with_secret(settings or Settings.load())
    spec.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    datasets.init_app(app, auth.DEFAULT_TENANT.key)
    clock.init_app(app)
    auth.init_app(app)
    ratelimit.init_app(app)
    cors.init_app(app)
    violations.init_app(app)
    app.register_blueprint(service_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(control_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(oauth_bp)
    # events queue webhook deliveries, in the transaction that records them
    app.extensions["datasets"].notify = webhooks.notifier(app)
    return app
