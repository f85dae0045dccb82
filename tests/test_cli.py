"""The commands as a user runs them: a real server process, a real token."""
import glob
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

from sandbox.security.auth import DEFAULT_SECRET, issue_token

from .support import SECRET, copy_body, free_port, sandbox_command


def _get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": "application/vnd.api+json"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == "application/vnd.api+json"
        return response.read()


def test_serve_prints_a_token_it_accepts_and_token_command_agrees(serve):
    served = serve("--seed", "5", "--count", "20")
    body = json.loads(_get(f"{served.base}/api/order_factories", served.token))
    assert body["meta"]["record_count"] == 20
    made = subprocess.run(sandbox_command("token"), env={**os.environ, "SANDBOX_SECRET": SECRET},
                          capture_output=True, text=True, check=True).stdout.strip()
    assert json.loads(_get(f"{served.base}/api/order_factories", made)) == body


def test_two_processes_with_one_seed_serve_identical_bytes(serve):
    a, b = serve("--seed", "9"), serve("--seed", "9")
    for path in ("/api/order_factories?page[number]=2", "/api/order_factories?page[size]=25&page[number]=2"):
        assert _get(a.base + path, a.token).replace(a.base.encode(), b"") == \
            _get(b.base + path, b.token).replace(b.base.encode(), b"")


def test_every_worker_answers_the_same_bytes(serve):
    served = serve("--seed", "9", "--workers", "2", "--threads", "2")
    path = f"{served.base}/api/order_factories?page[size]=25&include=source_order,events&sort=-created_at"
    # many requests over new connections reach both workers; every answer is the same
    answers = {_get(path, served.token) for _ in range(40)}
    assert len(answers) == 1


def test_without_db_the_state_file_lasts_as_long_as_the_run(serve):
    folder = tempfile.mkdtemp()
    served = serve("--workers", "2", env={"TMPDIR": folder})
    assert glob.glob(f"{folder}/order-factory-sandbox-*.sqlite3")
    assert served.stop() == 0
    assert os.listdir(folder) == []


def test_bad_environment_is_a_clear_error():
    result = subprocess.run(sandbox_command("serve"), env={**os.environ, "SANDBOX_PORT": "eighty"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "eighty" in result.stderr


def test_beyond_loopback_the_published_secret_is_refused_and_the_run_makes_its_own(serve):
    served = serve("--host", "0.0.0.0", "--count", "5", env={"SANDBOX_SECRET": ""})
    said = served.process.stdout.readline()
    assert said.startswith("Seed ") and "clock: real time" in said  # what is served, after the token
    said = served.process.stdout.readline()
    secret = said.rsplit(" ", 1)[1].strip()
    assert "made for this run" in said and secret != DEFAULT_SECRET
    assert "sandbox token" in served.process.stdout.readline()
    assert served.request("GET", "/api/order_factories")[0] == 200  # the printed token
    status, body = served.request("GET", "/api/order_factories", token=issue_token(DEFAULT_SECRET))
    assert status == 401 and "secret" in body["errors"][0]["detail"]
    minted = subprocess.run(sandbox_command("token", "--organization", "acme"), capture_output=True, text=True,
                            env={**os.environ, "SANDBOX_SECRET": secret}, check=True).stdout.strip()
    assert served.request("GET", "/api/order_factories", token=minted)[0] == 200


def test_on_loopback_the_published_secret_stays_for_convenience(serve):
    served = serve("--count", "5", env={"SANDBOX_SECRET": ""})
    assert served.request("GET", "/api/order_factories", token=issue_token(DEFAULT_SECRET))[0] == 200


def test_a_scenario_that_does_not_check_out_stops_the_start_with_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("orders:\n  - {id: orderAAAAA, number: '1', status: shipped, created_at: '2026-01-01'}\n")
    result = subprocess.run(sandbox_command("serve", "--fixtures", str(bad)), capture_output=True, text=True,
                            timeout=60, env={**os.environ, "SANDBOX_PORT": str(free_port())})
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert str(bad) in line and "orders[0] (id orderAAAAA)" in line and "status" in line and "shipped" in line


def test_serving_a_named_scenario(serve):
    served = serve("--fixtures", "reorder-failures")
    status, body = served.request("GET", "/api/order_factories?filter[q][errors_count_gt]=0&page[size]=25")
    assert status == 200 and body["meta"]["record_count"] == 5


def test_start_up_mistakes_are_one_line_and_exit_2(tmp_path):
    def start(*args, port=None):
        return subprocess.run(sandbox_command("serve", *args), capture_output=True, text=True, timeout=60,
                              env={**os.environ, "SANDBOX_PORT": str(port or free_port())})

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = start(port=holder.getsockname()[1])
    assert taken.returncode == 2 and "is in use" in taken.stderr and len(taken.stderr.strip().splitlines()) == 1
    missing = start("--db", str(tmp_path / "nowhere" / "state.sqlite3"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    (tmp_path / "notes.txt").write_text("not a database")
    wrong = start("--db", str(tmp_path / "notes.txt"))
    assert wrong.returncode == 2 and "not a SQLite database" in wrong.stderr
    assert "Traceback" not in taken.stderr + missing.stderr + wrong.stderr


def test_help_shows_every_variable_and_default_and_the_version():
    helped = subprocess.run(sandbox_command("serve", "-h"), capture_output=True, text=True, check=True).stdout
    for line in ("SANDBOX_PORT", "SANDBOX_DB", "SANDBOX_WORKERS", "[default: 8080]", "SANDBOX_FIXTURES"):
        assert line in helped
    assert subprocess.run(sandbox_command("--version"), capture_output=True, text=True, check=True).stdout.startswith(
        "sandbox 0.1.0")


def test_the_banner_comes_once_the_port_answers(serve):
    served = serve("--count", "5")
    url = served.banner.split()[4]
    assert url.endswith("/api/order_factories")
    assert served.request("GET", url.replace(served.base, ""))[0] == 200
    dashboard = served.banner.split("dashboard: ")[1].split(",")[0]
    with urllib.request.urlopen(dashboard) as page:
        assert (dashboard, page.headers.get_content_type()) == (f"{served.base}/", "text/html")


def test_two_workers_call_back_once_per_event_and_listen_prints_each_call(serve, tmp_path):
    port = free_port()
    listening = subprocess.Popen(sandbox_command("listen", "--port", str(port), "--secret", "placeholder"),
                                 stdout=subprocess.PIPE, text=True)
    try:
        assert "Listening" in listening.stdout.readline()
        served = serve("--workers", "2", "--count", "5", "--start-after", "0.2", "--run-for", "0.2")
        hooks = []
        for topic in ("order_copies.create", "order_copies.start", "order_copies.complete"):
            status, hook = served.request("POST", "/api/webhooks", {"data": {"type": "webhooks", "attributes": {
                "topic": topic, "callback_url": f"http://127.0.0.1:{port}/"}}})
            assert status == 201
            hooks.append(hook["data"]["id"])
        status, orders = served.request("GET", "/api/orders?filter[q][reference_eq]=reorder:completes")
        status, created = served.request("POST", "/api/order_copies", copy_body(orders["data"][0]["id"]))
        lines = [listening.stdout.readline() for _ in range(3)]  # the scheduler delivers with nobody reading
        assert [line.split(":")[0] for line in lines] == ["order_copies.create", "order_copies.start",
                                                          "order_copies.complete"]
        assert all(created["data"]["id"] in line and "does NOT verify" in line for line in lines)
        time.sleep(1.0)  # both workers' schedulers have had more passes: nothing is sent twice
        for hook in hooks:
            status, callbacks = served.request("GET", f"/api/webhooks/{hook}/last_event_callbacks")
            assert [c["attributes"]["response_code"] for c in callbacks["data"]] == [204]
    finally:
        listening.terminate()
        listening.wait(timeout=10)
