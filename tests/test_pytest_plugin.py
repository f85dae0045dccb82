"""The `sandbox` pytest fixture, as a frontend's suite uses it (run by pytester in a pytest of its own)."""
import threading

from werkzeug.serving import make_server

from sandbox import create_app
from sandbox.settings import Settings

from .support import SECRET, break_view, free_port

TWO_TESTS = '''
def test_one(sandbox):
    sandbox.clock.freeze("2026-06-01T09:00:00Z")
    created = sandbox.post("/api/order_copies", sandbox.copy_body("reorder:completes", reference="from-one"))
    assert created.status == 201 and created.json["data"]["attributes"]["status"] == "pending"
    assert sandbox.clock.advance("2s") == "2026-06-01T09:00:02.000Z"
    assert sandbox.get(created.json["data"]["links"]["self"]).json["data"]["attributes"]["status"] == "in_progress"
    sandbox.clock.advance("3s")
    assert sandbox.get(created.json["data"]["links"]["self"]).json["data"]["attributes"]["status"] == "completed"


def test_two(sandbox):
    # none of test_one's writes, and a clock nobody froze
    assert sandbox.get("/api/order_copies", **{"filter[q][reference_eq]": "from-one"}).json["data"] == []
    assert not sandbox.clock.now().startswith("2026-06-01T09:00:0")
    assert [entry["method"] for entry in sandbox.requests()] == ["GET"]
    sandbox.clock.freeze("2030-01-01T00:00:00Z")
    assert sandbox.clock.advance("1m") == "2030-01-01T00:01:00.000Z"
'''

HELPERS = '''
def test_scenarios_faults_journal_and_reset(sandbox):
    assert sandbox.url.startswith("http://127.0.0.1:") and sandbox.token.count(".") == 2
    sandbox.scenario("all-statuses")
    sandbox.faults(routes=["/api/orders"], status=503)
    assert sandbox.get("/api/orders").status == 503
    sandbox.clear_faults()
    assert sandbox.get("/api/orders").status == 200
    assert [(e["path"], e["status"]) for e in sandbox.requests(path="/api/orders")] == [
        ("/api/orders", 200), ("/api/orders", 503)]
    sandbox.clear_requests()
    assert sandbox.requests() == []
    copy = sandbox.post("/api/order_copies", sandbox.copy_body("reorder:out_of_stock"))
    sandbox.reset()
    assert sandbox.get(copy.json["data"]["links"]["self"]).status == 404
    assert sandbox.violations() == []
'''


def test_each_test_gets_its_own_organization_and_clock(pytester):
    pytester.makepyfile(TWO_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_helpers_reach_scenarios_faults_the_journal_and_reset(pytester):
    pytester.makepyfile(HELPERS)
    pytester.makeini("[pytest]\nsandbox_args = --count 5\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def _without_status(document, response):
    for order in document["data"]:
        del order["attributes"]["status"]


def test_an_answer_that_breaks_the_contract_fails_the_test_at_teardown(pytester):
    """Against a sandbox already served (--sandbox-url), whose order list answers without a status."""
    app = create_app(Settings(secret=SECRET, count=5, validate_responses=True))
    break_view(app, "/api/orders", _without_status)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        pytester.makepyfile("def test_lists_orders(sandbox):\n    assert sandbox.get('/api/orders').status == 200\n")
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--sandbox-url=http://127.0.0.1:{server.server_port}",
                                               f"--sandbox-secret={SECRET}")
    finally:
        server.shutdown()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the sandbox answered in breach of openapi.yaml*",
                                 "*GET /api/orders 200: * lacks status though no fields[[]orders[]] was asked for*"])
