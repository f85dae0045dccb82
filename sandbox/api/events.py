"""/api/events: the record of each copy job's transitions."""
from __future__ import annotations

from flask import Blueprint

from ..resources import EVENTS
from .views import retrieve_response

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.get("/<id>")
def retrieve_event(id: str):
    return retrieve_response(EVENTS, id)
