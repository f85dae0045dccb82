import json
import socket

import pytest

from ..support import JSONAPI, Served


def _answer_without_body(served, head: str) -> tuple[bytes, bytes]:
    """Send a request head whose body never comes; the answer's head and body, which the server
    must send without waiting for the request's body."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as conn:
        conn.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += conn.recv(65536)
        head, _, body = answer.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        while len(body) < length:
            body += conn.recv(65536)
    return head, body


@pytest.fixture(scope="module")
def served():

    server = Served("--count", "5")
    yield server
    server.stop()


def test_an_oversized_body_is_refused_before_it_is_read(served):
    head, body = _answer_without_body(served, "POST /api/order_copies HTTP/1.1\r\nHost: sandbox\r\n"
                                              f"Authorization: Bearer {served.token}\r\nContent-Type: {JSONAPI}\r\n"
                                              "Content-Length: 100000000\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    [error] = json.loads(body)["errors"]
    assert error["code"] == "PAYLOAD_TOO_LARGE" and "65536" in error["detail"]
    # and the sandbox goes on serving
    assert served.request("GET", "/api/order_factories")[0] == 200


def test_a_body_within_the_limit_is_read(served):
    status, body = served.request("POST", "/api/order_copies", {"data": {"type": "order_copies"}})
    assert status == 422 and body["errors"][0]["source"]["pointer"] == "/data/relationships"
