"""The dashboard at / and /_sandbox/ui: a data set's copy jobs moving through their lifecycle, for demos.

The page is rendered here once, with its script and styles inline (no CDN, no build step, works
offline); from then on the script reads and acts only through the public API and the control API,
with the token the user pasted or minted, exactly as a frontend would.
"""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("dashboard", __name__, template_folder="../templates")

# one button each: (label, kind of copy, source order reference, subscription reference, attributes)
OUTCOMES = [
    ("Copy that completes", "order_copies", "reorder:completes", None, {"place_target_order": True}),
    ("Copy out of stock", "order_copies", "reorder:out_of_stock", None, {}),
    ("Copy that cannot be placed", "order_copies", "reorder:cannot_be_placed", None, {"place_target_order": True}),
    ("Copy that is aborted", "recurring_order_copies", "reorder:completes", "reorder:inactive", {}),
]


@bp.get("/")
@bp.get("/_sandbox/ui")
def dashboard():
    return render_template("dashboard.html", outcomes=OUTCOMES)
