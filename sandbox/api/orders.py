"""/api/orders: enough of orders to be the source and target of copies."""
from sandbox.catalogue import ORDERS
from sandbox.api.views import read_only_blueprint

bp = read_only_blueprint(ORDERS, related=("order_factories", "order_copies", "recurring_order_copies"))
