"""The server's bounds, as a client meets them over a real socket."""
import socket
import time

from .support import Served


def test_a_slow_client_loses_its_connection_and_holds_nobody_up():
    served = Served("--workers", "1", "--client-timeout", "1", "--count", "5")
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as slow:
            slow.sendall(b"GET /api/order_factories HTTP/1.1\r\nHost: sand")  # ...and nothing more
            started = time.monotonic()
            # the one worker serves the next client once the slow one has run out of time
            assert served.request("GET", "/api/order_factories")[0] == 200
            assert slow.recv(1024) == b""  # closed by the server
            assert time.monotonic() - started < 8
    finally:
        served.stop()
