"""/api/order_subscriptions: enough of subscriptions for recurring copies to point at."""
from sandbox.catalogue import ORDER_SUBSCRIPTIONS
from sandbox.api.views import read_only_blueprint

bp = read_only_blueprint(ORDER_SUBSCRIPTIONS, related=("source_order", "order_factories", "recurring_order_copies"))
