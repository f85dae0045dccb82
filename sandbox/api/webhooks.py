"""/api/webhooks and /api/event_callbacks, and the deliveries: the copy lifecycle calls back.

A webhook subscribes a data set to a topic (`order_copies.complete`, `orders.place`...). When the event
happens, in the same write transaction, one delivery per subscribed webhook is queued with its payload:
the resource's document as GET gives it then, with `include=<include_resources>` (a `.destroy` payload
holds the id only). Deliveries go out from the scheduler (or from a clock advance, before it answers),
each claimed in the store so that exactly one worker sends it: a POST signed in
X-CommerceLayer-Signature (base64 of HMAC-SHA256 of the body with the webhook's shared secret), 2xx
within the timeout is success, anything else is retried up to 10 times with backoff on the data set's
clock. Each attempt is an event_callbacks record; 30 failures in a row open the circuit until
`_reset_circuit`.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, request

from sandbox.api.views import (check_id_in_url, context, deleted_response, document_response, find_row,
                                read_only_blueprint, updated_response)
from sandbox.catalogue import EVENT_CALLBACKS, RESOURCES, WEBHOOKS
from sandbox.domain.clock import Clock, iso
from sandbox.domain.ids import derive_id
from sandbox.jsonapi import query, spec
from sandbox.jsonapi.documents import Context, Related, resource_document
from sandbox.jsonapi.errors import ApiError
from sandbox.jsonapi.query import include_path_error
from sandbox.store import Query, Store, get_store

TOPICS = (*(f"{kind}.{event}" for kind in ("order_copies", "recurring_order_copies")
            for event in ("create", "start", "complete", "fail", "abort", "destroy")),
          "orders.create", "orders.place")
MAX_RETRIES = 10
CIRCUIT_AFTER = 30  # consecutive failures


def _host(url: str) -> str | None:
    """The URL's host, or None where it is not a URL one can call (a bracketed host that is no IPv6
    address, a port out of range)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        return None
    return (parts.hostname or "").lower()


def _allowed_host(host: str, extra: str) -> bool:
    if host in {h.strip().lower() for h in extra.split(",") if h.strip()} or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check(attributes: dict, topic: str) -> None:
    settings = current_app.config["SANDBOX"]
    if "callback_url" in attributes:
        host = _host(attributes["callback_url"])
        if host is None:
            raise ApiError(422, "VALIDATION_ERROR", "is invalid", "callback_url - is not a URL (host or port)",
                           pointer="/data/attributes/callback_url", meta={"error": "invalid"})
        if not _allowed_host(host, settings.webhook_hosts):
            raise ApiError(422, "VALIDATION_ERROR", "is invalid",
                           f"callback_url - {host!r} is not a host the sandbox calls: loopback only, unless "
                           "allowed with --webhook-hosts (SANDBOX_WEBHOOK_HOSTS)",
                           pointer="/data/attributes/callback_url", meta={"error": "invalid"})
    resource = RESOURCES[topic.split(".")[0]]
    for path in attributes.get("include_resources") or []:
        if error := include_path_error(resource, path):
            raise ApiError(422, "VALIDATION_ERROR", "is invalid", f"include_resources - {error}",
                           pointer="/data/attributes/include_resources", meta={"error": "invalid"})


def _blueprint() -> Blueprint:
    bp = read_only_blueprint(WEBHOOKS)

    @bp.post("")
    def create_webhook():
        q = query.parse(request.args, WEBHOOKS, many=False)
        attributes = spec.read_body("WebhookCreate")["data"]["attributes"]
        _check(attributes, attributes["topic"])
        store, key = get_store(), g.tenant.key
        with store.write(key) as scope:
            number = store.next_sequence(key)
            record = {"name": None, "include_resources": None, "reference": None, "reference_origin": None,
                      "metadata": {}, **attributes,
                      "id": derive_id(current_app.config["SANDBOX"].seed, key, "webhook", number),
                      "shared_secret": hashlib.blake2b(f"{key}:{number}:{time.time_ns()}".encode(),
                                                       digest_size=16).hexdigest(),
                      "circuit_state": "closed", "circuit_failure_count": 0, "disabled_at": None,
                      "created_at": iso(g.now), "updated_at": iso(g.now)}
            store.insert(WEBHOOKS, scope, record)
            row = store.rows_by(WEBHOOKS, scope, [record["id"]])[0]
        return document_response(WEBHOOKS, row, q, status=201,
                                 headers={"Location": f"{context().base_url}/api/webhooks/{record['id']}"})

    @bp.patch("/<id>")
    def update_webhook(id: str):
        q = query.parse(request.args, WEBHOOKS, many=False)
        current = find_row(WEBHOOKS, id)
        body = spec.read_body("WebhookUpdate")
        check_id_in_url(body, id)
        attributes = dict(body["data"].get("attributes") or {})
        _check(attributes, attributes.get("topic", current["topic"]))
        changes = {k: v for k, v in attributes.items() if not k.startswith("_")}
        if attributes.get("_disable"):
            changes["disabled_at"] = iso(g.now)
        if attributes.get("_enable"):
            changes["disabled_at"] = None
        if attributes.get("_reset_circuit"):
            changes.update(circuit_state="closed", circuit_failure_count=0)
        if changes:
            changes["updated_at"] = max(current["updated_at"], iso(g.now))
        return updated_response(WEBHOOKS, id, changes, q)

    @bp.delete("/<id>")
    def delete_webhook(id: str):
        return deleted_response(WEBHOOKS, id)

    return bp


webhooks = _blueprint()
event_callbacks = read_only_blueprint(EVENT_CALLBACKS)


# --- deliveries ------------------------------------------------------------------------------------

def _base_url(app: Flask) -> str:
    settings = app.config["SANDBOX"]
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return settings.public_url.rstrip("/") or f"http://{host}:{settings.port}"


def notifier(app: Flask):
    """The lifecycle's `notify`: queue one delivery per webhook subscribed to the topic, with its payload,
    in the write transaction of the event."""
    store: Store = app.extensions["store"]

    def notify(scope: str, dataset: str, topic: str, resource_type: str, resource_id: str, moment: str) -> None:
        db = store.connection()
        hooks = db.execute("SELECT id, include_resources FROM webhooks WHERE dataset = ? AND topic = ? "
                           "AND disabled_at IS NULL", (scope, topic)).fetchall()
        if not hooks:
            return
        resource = RESOURCES[resource_type]
        organization, mode = dataset.split(":", 1)
        where = Context(_base_url(app), meta={"mode": mode, "organization_id": organization})
        for hook in hooks:
            if topic.endswith(".destroy"):
                payload = json.dumps({"data": {"id": resource_id, "type": resource_type}})
            else:
                include = tuple(json.loads(hook["include_resources"] or "[]"))
                rows = store.rows_by(resource, scope, [resource_id])
                if not rows:
                    continue
                related = Related(*store.included(resource, scope, rows, include))
                payload = resource_document(resource, rows[0], where, Query(include=include), related).decode()
            db.execute("INSERT INTO deliveries (dataset, scope, webhook_id, topic, payload, due_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (dataset, scope, hook["id"], topic, payload, moment))
    return notify


def deliver_due(app: Flask, dataset: str | None = None) -> int:
    """Send every delivery due at its data set's clock (one data set's, or all); how many were attempted.
    A delivery is claimed in the store before it is sent, so exactly one worker sends each attempt."""
    store: Store = app.extensions["store"]
    settings = app.config["SANDBOX"]
    sql = "SELECT DISTINCT dataset FROM deliveries" + (" WHERE dataset = ?" if dataset else "")
    keys = [row[0] for row in store.connection().execute(sql, (dataset,) if dataset else ())]
    attempted = 0
    for key in keys:
        now = Clock(store, key).now()
        with store.transaction() as db:
            claimed = db.execute(
                "UPDATE deliveries SET claimed_until = ? WHERE id IN (SELECT d.id FROM deliveries d JOIN webhooks w "
                "ON w.id = d.webhook_id AND w.dataset = d.scope JOIN datasets s ON s.dataset = d.dataset "
                "AND s.scope = d.scope WHERE d.dataset = ? AND d.due_at <= ? "
                "AND (d.claimed_until IS NULL OR d.claimed_until < ?) AND w.circuit_state = 'closed' "
                "AND w.disabled_at IS NULL) RETURNING id, scope, webhook_id, topic, payload, attempt",
                (time.time() + settings.webhook_timeout + 30, key, iso(now), time.time())).fetchall()
        for delivery in claimed:
            _attempt(store, settings, key, delivery, now)
            attempted += 1
    return attempted


def _attempt(store: Store, settings, key: str, delivery, now) -> None:
    hook = store.rows_by(WEBHOOKS, delivery["scope"], [delivery["webhook_id"]])
    if not hook:  # deleted since
        with store.transaction() as db:
            db.execute("DELETE FROM deliveries WHERE id = ?", (delivery["id"],))
        return
    hook = hook[0]
    body = delivery["payload"].encode()
    request_ = urllib.request.Request(hook["callback_url"], data=body, method="POST", headers={
        "Content-Type": "application/vnd.api+json", "X-CommerceLayer-Signature": signature_of(body, hook["shared_secret"]),
        "X-CommerceLayer-Topic": delivery["topic"], "User-Agent": "order-factory-sandbox"})
    try:
        with urllib.request.urlopen(request_, timeout=settings.webhook_timeout) as response:
            code, message = response.status, response.reason
    except urllib.error.HTTPError as error:
        code, message = error.code, error.reason
    except (OSError, ValueError) as error:  # refused, timed out, unreachable
        code, message = None, str(getattr(error, "reason", error))
    succeeded = code is not None and 200 <= code < 300
    attempt = delivery["attempt"] + 1
    with store.write(key) as scope:
        if scope == delivery["scope"]:  # not reset meanwhile
            failures = 0 if succeeded else hook["circuit_failure_count"] + 1
            store.update(WEBHOOKS, scope, hook["id"], {
                "circuit_failure_count": failures,
                "circuit_state": "open" if failures >= CIRCUIT_AFTER else hook["circuit_state"]})
            store.insert(EVENT_CALLBACKS, scope, {
                "id": derive_id(settings.seed, key, "callback", delivery["id"], attempt), "webhook_id": hook["id"],
                "callback_url": hook["callback_url"], "payload": json.loads(delivery["payload"]),
                "response_code": code, "response_message": message, "created_at": iso(now), "updated_at": iso(now)})
        if succeeded or attempt > MAX_RETRIES:  # its callbacks stay on record; the delivery itself is done
            store.connection().execute("DELETE FROM deliveries WHERE id = ?", (delivery["id"],))
        else:
            store.connection().execute(
                "UPDATE deliveries SET attempt = ?, claimed_until = NULL, due_at = ? WHERE id = ?",
                (attempt, iso(now + timedelta(seconds=2 ** (attempt - 1))), delivery["id"]))


def signature_of(body: bytes, secret: str) -> str:
    """What X-CommerceLayer-Signature carries: base64 of HMAC-SHA256 of the raw body with the shared secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
