"""/api/events: the record of each copy job's transitions, read through the jobs' /events."""
from sandbox.catalogue import EVENTS
from sandbox.api.views import read_only_blueprint

bp = read_only_blueprint(EVENTS, listable=False)
