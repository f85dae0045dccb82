"""Routes outside /api: liveness and the contract itself."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

bp = Blueprint("service", __name__)


@bp.get("/healthz")
def health():
    return jsonify(status="ok")


@bp.get("/openapi.yaml")
def spec():
    return Response(current_app.extensions["spec"].text, mimetype="application/yaml")
