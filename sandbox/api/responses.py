"""Response helpers shared by the resource blueprints."""
from __future__ import annotations

from flask import Response, json

from ..errors import JSONAPI


def jsonapi(document: dict | None, status: int = 200, headers: dict | None = None) -> Response:
    body = "" if document is None else json.dumps(document)
    return Response(body, status=status, mimetype=JSONAPI, headers=headers)
