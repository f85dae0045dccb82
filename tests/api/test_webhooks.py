"""Webhooks: the copy lifecycle calls back, signed, retried and recorded, against a real local receiver."""
import json

import pytest

from sandbox import create_app
from sandbox.api.webhooks import signature_of
from sandbox.security.auth import issue_token
from sandbox.settings import Settings

from ..support import JSONAPI, SECRET, Receiver, copy_body

T0 = "2026-06-01T12:00:00.000Z"


@pytest.fixture
def sandbox():
    app = create_app(Settings(secret=SECRET, count=5, frozen_at=T0, webhook_timeout=0.5, public_url="http://sandbox.test"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {issue_token(SECRET)}", "Accept": JSONAPI}

    class Sandbox:
        def get(self, path):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)
            return response

        def subscribe(self, topic, url, **attributes):
            body = {"data": {"type": "webhooks", "attributes": {"topic": topic, "callback_url": url, **attributes}}}
            response = client.post("/api/webhooks", json=body, headers={**headers, "Content-Type": JSONAPI})
            assert response.status_code == 201, response.get_data(as_text=True)
            return response.get_json()["data"]

        def copy(self, reference="reorder:completes"):
            source = self.get(f"/api/orders?filter[q][reference_eq]={reference}"
                              "&filter[q][reference_origin_eq]=sandbox").get_json()["data"][0]["id"]
            response = client.post("/api/order_copies", json=copy_body(source), headers={**headers, "Content-Type": JSONAPI})
            assert response.status_code == 201
            return response.get_json()["data"]["id"]

        def advance(self, by):
            assert client.post("/_sandbox/clock/advance", json={"by": by},
                               headers={"Authorization": headers["Authorization"]}).status_code == 200

        def patch(self, webhook, **attributes):
            body = {"data": {"type": "webhooks", "id": webhook, "attributes": attributes}}
            response = client.patch(f"/api/webhooks/{webhook}", json=body, headers={**headers, "Content-Type": JSONAPI})
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.get_json()["data"]

        def post(self, path, body):
            return client.post(path, json=body, headers={**headers, "Content-Type": JSONAPI})

    return Sandbox()


@pytest.fixture
def receiver():
    made = []

    def make(script=None):
        made.append(Receiver(script))
        return made[-1]

    yield make
    for one in made:
        one.close()


def test_a_completed_copy_calls_back_signed_with_the_document_a_get_gives(sandbox, receiver):
    listening = receiver()
    hook = sandbox.subscribe("order_copies.complete", listening.url, include_resources=["source_order"])
    secret = hook["attributes"]["shared_secret"]
    copy = sandbox.copy()
    sandbox.advance("4s")
    assert listening.calls == []  # started, not completed
    sandbox.advance("1s")  # the advance answers once the call due has been made
    [call] = listening.calls
    assert call["headers"]["x-commercelayer-topic"] == "order_copies.complete"
    assert call["headers"]["x-commercelayer-signature"] == signature_of(call["body"], secret)
    assert json.loads(call["body"]) == sandbox.get(f"/api/order_copies/{copy}?include=source_order").get_json()
    [callback] = sandbox.get(f"/api/webhooks/{hook['id']}/last_event_callbacks").get_json()["data"]
    assert callback["attributes"]["response_code"] == 200 and callback["attributes"]["payload"] == json.loads(call["body"])


def test_failed_calls_are_retried_after_a_500_and_a_timeout_one_callback_per_attempt(sandbox, receiver):
    listening = receiver([(500, 0), (200, 1.0)])  # a 500, then an answer after the 0.5 s timeout, then 200
    hook = sandbox.subscribe("order_copies.create", listening.url)
    sandbox.copy()
    sandbox.advance("0s")
    sandbox.advance("1s")   # first retry after 1 s on the sandbox's clock
    sandbox.advance("2s")   # second after 2 s more
    assert len(listening.calls) == 3 and len({c["body"] for c in listening.calls}) == 1
    codes = [c["attributes"]["response_code"]
             for c in sandbox.get(f"/api/event_callbacks?filter[q][callback_url_eq]={listening.url}&sort=created_at")
             .get_json()["data"]]
    assert codes == [500, None, 200]
    assert sandbox.get(f"/api/webhooks/{hook['id']}").get_json()["data"]["attributes"]["circuit_failure_count"] == 0


def test_the_circuit_opens_after_30_failures_and_closes_on_reset(sandbox, receiver):
    listening = receiver([(500, 0)] * 30)
    hook = sandbox.subscribe("order_copies.create", listening.url)
    for _ in range(30):
        sandbox.copy()
    sandbox.advance("0s")
    attributes = sandbox.get(f"/api/webhooks/{hook['id']}").get_json()["data"]["attributes"]
    assert (attributes["circuit_state"], attributes["circuit_failure_count"]) == ("open", 30)
    sandbox.copy()
    sandbox.advance("10m")
    assert len(listening.calls) == 30  # open: nothing goes out
    reset = sandbox.patch(hook["id"], _reset_circuit=True)["attributes"]
    assert (reset["circuit_state"], reset["circuit_failure_count"]) == ("closed", 0)
    sandbox.advance("0s")
    assert len(listening.calls) > 30 and listening.calls[-1]  # deliveries resume


def test_a_callback_host_off_the_allow_list_is_refused_with_how_to_allow_it(sandbox):
    body = {"data": {"type": "webhooks", "attributes": {"topic": "order_copies.complete",
                                                         "callback_url": "https://hooks.example.com/x"}}}
    response = sandbox.post("/api/webhooks", body)
    [error] = response.get_json()["errors"]
    assert response.status_code == 422 and "--webhook-hosts" in error["detail"]
    assert error["source"]["pointer"] == "/data/attributes/callback_url"


def test_a_callback_url_that_cannot_be_called_is_refused(sandbox):
    for url in ("https://[not-an-address]/hooks", "http://127.0.0.1:99999/hooks"):
        body = {"data": {"type": "webhooks", "attributes": {"topic": "order_copies.complete", "callback_url": url}}}
        response = sandbox.post("/api/webhooks", body)
        [error] = response.get_json()["errors"]
        assert (response.status_code, error["detail"]) == (422, "callback_url - is not a URL (host or port)"), url


def test_a_disabled_webhook_is_not_called(sandbox, receiver):
    listening = receiver()
    hook = sandbox.subscribe("order_copies.create", listening.url)
    assert sandbox.patch(hook["id"], _disable=True)["attributes"]["disabled_at"] == T0
    sandbox.copy()
    sandbox.advance("0s")
    assert listening.calls == []
    assert sandbox.patch(hook["id"], _enable=True)["attributes"]["disabled_at"] is None


def test_each_event_keeps_its_own_callback_once_earlier_deliveries_are_done(sandbox, receiver):
    listening = receiver()
    created = sandbox.subscribe("order_copies.create", listening.url)
    started = sandbox.subscribe("order_copies.start", listening.url)
    sandbox.copy()
    sandbox.advance("0s")  # the create call is made and its delivery is done
    sandbox.advance("4s")  # then the start call
    assert len(listening.calls) == 2
    callbacks = [sandbox.get(f"/api/webhooks/{hook['id']}/last_event_callbacks").get_json()["data"]
                 for hook in (created, started)]
    assert [[c["attributes"]["response_code"] for c in each] for each in callbacks] == [[200], [200]]
    assert callbacks[0][0]["id"] != callbacks[1][0]["id"]
