"""The server's bounds, as a client meets them over a real socket."""
import signal
import socket
import threading
import time

import pytest

from .support import Served, copy_body


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


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_during_writes_loses_no_acknowledged_write_and_exits_0(tmp_path, stop):
    state = str(tmp_path / "state.sqlite3")
    served = Served("--db", state, "--count", "5")
    status, orders = served.request("GET", "/api/orders?page[size]=1")
    source = orders["data"][0]["id"]
    acknowledged, halt = [], threading.Event()

    def create():
        while not halt.is_set():
            try:
                status, body = served.request("POST", "/api/order_copies", copy_body(source))
            except OSError:  # the server has stopped accepting
                return
            if status == 201:
                acknowledged.append(body["data"]["id"])

    writers = [threading.Thread(target=create) for _ in range(4)]
    for writer in writers:
        writer.start()
    time.sleep(1.0)
    served.process.send_signal(stop)
    assert served.process.wait(timeout=20) == 0
    halt.set()
    for writer in writers:
        writer.join(timeout=30)
    served.process.stdout.close()
    assert len(acknowledged) > 10
    again = Served("--db", state, "--count", "5")
    try:
        for id_ in acknowledged:
            assert again.request("GET", f"/api/order_copies/{id_}")[0] == 200, id_
    finally:
        again.stop()
