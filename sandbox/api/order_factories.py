"""/api/order_factories: the read-only view over every copy job, and its related records."""
from sandbox.catalogue import ORDER_FACTORIES
from sandbox.api.views import read_only_blueprint

bp = read_only_blueprint(ORDER_FACTORIES, related=("source_order", "target_order", "events"))
