"use strict";
// Everything below goes through the public API (/api, /oauth/token) and the control API (/_sandbox),
// with the token the user chose: what this page shows, a frontend could show too.
const JSONAPI = "application/vnd.api+json";
const $ = (selector) => document.querySelector(selector);
const state = { token: sessionStorage.getItem("sandbox-token") || "", selected: null, busy: false, shown: {} };

// Redraw a part only when what it shows changed: a row under the keyboard focus stays where it is.
function changed(part, value) {
  const text = JSON.stringify(value);
  if (state.shown[part] === text) return false;
  state.shown[part] = text;
  return true;
}

function say(message, isError) {
  const status = $("#status");
  status.textContent = message;
  status.className = isError ? "error" : "";
}

async function call(method, path, body, type) {
  const headers = { Authorization: `Bearer ${state.token}`, Accept: `${JSONAPI}, application/json` };
  if (body !== undefined) headers["Content-Type"] = type || JSONAPI;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = parsed && parsed.errors && parsed.errors[0];
    throw new Error(`${method} ${path}: ${response.status} ${error ? error.detail || error.title : ""}`);
  }
  return parsed;
}

function claims(token) {
  try {
    return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch (error) {
    return null;
  }
}

function useToken(token) {
  state.token = token.trim();
  sessionStorage.setItem("sandbox-token", state.token);
  $("#token").value = state.token;
  const found = claims(state.token);
  $("#dataset").textContent = found && found.organization
    ? `Data set: organization ${found.organization.slug}, ${found.test ? "test" : "live"} mode`
    : "This token cannot be read; the API will say whether it accepts it.";
  refresh();
}

async function mint(button) {
  const response = await fetch("/oauth/token", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: button.dataset.client, client_secret: button.dataset.secret }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`POST /oauth/token: ${response.status} ${body.errors ? body.errors[0].detail : ""}`);
  useToken(body.access_token);
  say(`Minted a ${button.dataset.client.includes("live") ? "live" : "test"} token.`);
}

const when = (value) => (value ? value.replace("T", " ").replace(/\.\d+Z$/, "Z") : "–");

function cell(row, content) {
  const td = row.insertCell();
  if (content instanceof Node) td.append(content); else td.textContent = content;
  return td;
}

function badge(text) {
  const span = document.createElement("span");
  span.className = `badge ${text}`;
  span.textContent = text;
  return span;
}

function orderButton(linkage) {
  if (!linkage || !linkage.data) return "–";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "link";
  button.textContent = linkage.data.id;
  button.setAttribute("aria-label", `Show order ${linkage.data.id}`);
  button.addEventListener("click", () => showOrder(linkage.data.id).catch((error) => say(error.message, true)));
  return button;
}

function ended(attributes) {
  if (attributes.status === "aborted") return attributes.updated_at;
  return attributes.completed_at || attributes.failed_at;
}

async function refreshFactories() {
  const page = await call("GET", "/api/order_factories?sort=-created_at&page[size]=10&include=source_order,target_order");
  if (!changed("factories", [page.data, state.selected])) return;
  const body = $("#factories tbody");
  body.replaceChildren();
  for (const factory of page.data) {
    const a = factory.attributes;
    const row = body.insertRow();
    row.dataset.id = factory.id;
    if (factory.id === (state.selected && state.selected.id)) row.className = "selected";
    const select = document.createElement("button");
    select.type = "button";
    select.className = "link";
    select.textContent = factory.id;
    select.setAttribute("aria-label", `Show copy ${factory.id}`);
    select.addEventListener("click", () => { state.selected = { id: factory.id, type: a.type }; refresh(); });
    cell(row, select);
    cell(row, a.type === "recurring_order_copies" ? "recurring" : "order copy");
    cell(row, badge(a.status)).className = "status";
    cell(row, when(a.created_at));
    cell(row, when(a.started_at));
    cell(row, when(ended(a)));
    cell(row, String(a.errors_count || 0));
    cell(row, orderButton(factory.relationships.source_order));
    cell(row, orderButton(factory.relationships.target_order));
  }
}

function describe(list, attributes, keys) {
  list.replaceChildren();
  for (const key of keys) {
    const dt = document.createElement("dt");
    dt.textContent = key;
    const dd = document.createElement("dd");
    const value = attributes[key];
    if (key === "status") dd.append(badge(value));
    else if (key.endsWith("_at")) dd.textContent = when(value);
    else dd.textContent = value === null || value === undefined ? "–" : typeof value === "object" ? JSON.stringify(value) : String(value);
    list.append(dt, dd);
  }
}

async function refreshDetails() {
  const section = $("#details");
  if (!state.selected) { section.hidden = true; return; }
  const { id, type } = state.selected;
  const [copy, events, callbacks] = await Promise.all([
    call("GET", `/api/${type}/${id}`),
    call("GET", `/api/${type}/${id}/events?sort=created_at`),
    call("GET", "/api/event_callbacks?sort=-created_at&page[size]=25"),
  ]);
  section.hidden = false;
  if (!changed("details", [copy.data, events.data, callbacks.data])) return;
  $("#details-id").textContent = `${id} (${type})`;
  const a = copy.data.attributes;
  describe($("#details-attributes"), a, ["status", "created_at", "started_at", "completed_at", "failed_at",
    "place_target_order", "skip_errors", "errors_count"]);
  $("#details-errors").textContent = a.errors_log && Object.keys(a.errors_log).length ? JSON.stringify(a.errors_log, null, 2) : "none";
  const list = $("#details-events");
  list.replaceChildren(...events.data.map((event) => {
    const item = document.createElement("li");
    item.textContent = `${event.attributes.name} at ${when(event.attributes.created_at)}`;
    return item;
  }));
  const deliveries = callbacks.data.filter((callback) => {
    const payload = callback.attributes.payload;
    return payload && payload.data && payload.data.id === id;
  });
  $("#details-deliveries").replaceChildren(...(deliveries.length ? deliveries.map((callback) => {
    const item = document.createElement("li");
    const c = callback.attributes;
    item.textContent = `${when(c.created_at)} → ${c.callback_url}: ${c.response_code || "no answer"} ${c.response_message || ""}`;
    return item;
  }) : [Object.assign(document.createElement("li"), { textContent: "none (subscribe a webhook to see them)" })]));
}

async function showOrder(id) {
  const order = await call("GET", `/api/orders/${id}`);
  $("#order").hidden = false;
  $("#order-id").textContent = id;
  describe($("#order-attributes"), order.data.attributes, ["number", "status", "reference", "customer_email",
    "currency_code", "formatted_total_amount", "skus_count", "placed_at", "created_at"]);
  $("#order").scrollIntoView({ block: "nearest" });
}

async function refreshClock() {
  const clock = await call("GET", "/_sandbox/clock");
  $("#clock-now").textContent = when(clock.now);
  const badgeState = $("#clock-state");
  badgeState.textContent = clock.frozen ? "frozen" : "running";
  badgeState.className = `badge ${clock.frozen ? "frozen" : "running"}`;
}

async function refreshJournal() {
  const journal = await call("GET", "/_sandbox/requests?limit=100");
  const reads = $("#journal-reads").checked;
  if (!changed("journal", [journal.requests, reads])) return;
  const body = $("#journal tbody");
  body.replaceChildren();
  for (const entry of journal.requests.filter((e) => reads || e.method !== "GET").slice(0, 15)) {
    const row = body.insertRow();
    cell(row, when(entry.at));
    cell(row, entry.method);
    cell(row, entry.path + (entry.query ? `?${decodeURIComponent(entry.query)}` : ""));
    cell(row, String(entry.status));
  }
}

async function refresh() {
  if (!state.token || state.busy) return;
  state.busy = true;
  try {
    await Promise.all([refreshClock(), refreshFactories(), refreshDetails(), refreshJournal()]);
    if ($("#status").className === "error") say("");
  } catch (error) {
    say(error.message, true);
  } finally {
    state.busy = false;
  }
}

async function act(work, done) {
  try {
    await work();
    if (done) say(done);
    state.busy = false;
    await refresh();
  } catch (error) {
    say(error.message, true);
  }
}

async function sourceOrder(reference) {
  const found = await call("GET", `/api/orders?filter[q][reference_eq]=${encodeURIComponent(reference)}&filter[q][reference_origin_eq]=sandbox`);
  if (!found.data.length) throw new Error(`No source order ${reference} in this data set`);
  return found.data[0].id;
}

async function subscription(reference) {
  const found = await call("GET", `/api/order_subscriptions?filter[q][reference_eq]=${encodeURIComponent(reference)}`);
  if (!found.data.length) throw new Error(`No subscription ${reference} in this data set`);
  return found.data[0].id;
}

async function create(button) {
  const { kind, source, subscription: sub } = button.dataset;
  const relationships = { source_order: { data: { type: "orders", id: await sourceOrder(source) } } };
  if (sub) relationships.order_subscription = { data: { type: "order_subscriptions", id: await subscription(sub) } };
  const created = await call("POST", `/api/${kind}`, {
    data: { type: kind, attributes: JSON.parse(button.dataset.attributes), relationships },
  });
  state.selected = { id: created.data.id, type: kind };
  return created.data.id;
}

$("#token-form").addEventListener("submit", (event) => { event.preventDefault(); useToken($("#token").value); });
for (const id of ["#mint-test", "#mint-live"]) {
  $(id).addEventListener("click", (event) => mint(event.currentTarget).catch((error) => say(error.message, true)));
}
$("#clock-freeze").addEventListener("click", () => act(() => call("POST", "/_sandbox/clock/freeze"), "Clock frozen."));
$("#clock-resume").addEventListener("click", () => act(() => call("POST", "/_sandbox/clock/resume"), "Clock running."));
for (const button of document.querySelectorAll("button.advance")) {
  button.addEventListener("click", () => act(() => call("POST", "/_sandbox/clock/advance", { by: button.dataset.by }, "application/json"),
    `Clock advanced by ${button.dataset.by}.`));
}
$("#advance-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const by = $("#advance-by").value.trim();
  act(() => call("POST", "/_sandbox/clock/advance", { by }, "application/json"), `Clock advanced by ${by}.`);
});
for (const button of document.querySelectorAll("button.create")) {
  button.addEventListener("click", () => {
    let id = "";
    act(async () => { id = await create(button); }, null).then(() => { if (id) say(`Created ${id}: ${button.textContent}.`); });
  });
}
$("#journal-reads").addEventListener("change", refresh);

if (state.token) useToken(state.token);
setInterval(refresh, 1000);
