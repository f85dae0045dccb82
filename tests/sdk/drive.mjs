// Drives the official SDK, unchanged, against a sandbox: node drive.mjs BASE_URL ACCESS_TOKEN
// Calls every method of order_factories, order_copies and recurring_order_copies, and prints one JSON
// document of what it saw, for tests/test_sdk.py to check.
import { CommerceLayer } from '@commercelayer/sdk/bundle'
import { CommerceLayerStatic } from '@commercelayer/sdk'

const [base, accessToken] = process.argv.slice(2)

// The SDK builds https://{organization}.commercelayer.io/api from the token; send it here instead.
const sandboxFetch = (input, init) => {
  const url = typeof input === 'string' ? input : input.url ?? input.toString()
  return fetch(url.replace(/^https:\/\/[^/]+/, base), init)
}

const cl = CommerceLayer({ accessToken, fetch: sandboxFetch })
const seen = {}
const ids = (list) => list.map((r) => r.id)
const failure = async (call) => {
  try {
    await call()
    return null
  } catch (error) {
    return CommerceLayerStatic.isApiError(error)
      ? { status: error.status, code: error.errors?.[0]?.code ?? null, pointer: error.errors?.[0]?.source?.pointer ?? null }
      : { unexpected: String(error) }
  }
}

// --- order_factories: list with every kind of parameter, retrieve, count, relationship getters ------
const listed = await cl.order_factories.list({
  filters: { status_in: ['failed', 'completed'], created_at_gt: '2025-01-01', source_order_number_start: '2' },
  sort: { created_at: 'desc' },
  include: ['source_order', 'events'],
  fields: { order_factories: ['status', 'created_at', 'source_order', 'events'], orders: ['number'] },
  pageSize: 5,
  pageNumber: 2,
})
seen.list = {
  ids: ids(listed),
  statuses: listed.map((f) => f.status),
  created: listed.map((f) => f.created_at),
  sourceOrders: listed.map((f) => f.source_order?.id ?? null),
  sourceNumbers: listed.map((f) => f.source_order?.number ?? null),
  events: listed.map((f) => (f.events ?? []).length),
  keys: Object.keys(listed[0]).filter((k) => !['id', 'type', 'meta', 'source_order', 'events'].includes(k)).sort(),
  recordCount: listed.meta.recordCount,
  pageCount: listed.meta.pageCount,
  currentPage: listed.meta.currentPage,
}
const completed = (await cl.order_factories.list({ filters: { status_eq: 'completed' }, pageSize: 1 }))[0]
const one = await cl.order_factories.retrieve(completed.id, { include: ['source_order', 'target_order'] })
seen.retrieve = { id: one.id, type: one.type, status: one.status, source: one.source_order?.id, target: one.target_order?.id }
seen.count = {
  all: await cl.order_factories.count(),
  failed: await cl.order_factories.count({ status_eq: 'failed' }),
  failedList: (await cl.order_factories.list({ filters: { status_eq: 'failed' } })).meta.recordCount,
}
seen.factoryGetters = {
  source: (await cl.order_factories.source_order(completed.id)).id,
  target: (await cl.order_factories.target_order(completed)).id,
  events: (await cl.order_factories.events(completed.id, { sort: { created_at: 'asc' } })).map((e) => e.name),
  eventStores: (await cl.order_factories.event_stores(completed.id)).length,
}

// --- order_copies: create, retrieve, list, update, count, getters, delete, errors --------------------
const [source] = await cl.orders.list({ filters: { reference_eq: 'reorder:completes', reference_origin_eq: 'sandbox' } })
const copy = await cl.order_copies.create({
  source_order: cl.orders.relationship(source.id),
  place_target_order: true,
  reference: 'sdk-reorder',
  metadata: { cart: 'c-1' },
}, { include: ['source_order'] })
seen.create = { id: copy.id, type: copy.type, typeAttribute: copy.type, status: copy.status, reference: copy.reference,
                source: copy.source_order?.id ?? null, expected: source.id }
const updated = await cl.order_copies.update({ id: copy.id, reference: 'sdk-updated', metadata: { cart: 'c-2' } })
seen.update = { reference: updated.reference, metadata: updated.metadata }
seen.copyRetrieve = (await cl.order_copies.retrieve(copy.id)).reference
seen.copyList = ids(await cl.order_copies.list({ filters: { reference_eq: 'sdk-updated' } }))
seen.copyCount = await cl.order_copies.count({ reference_eq: 'sdk-updated' })
seen.copyGetters = {
  source: (await cl.order_copies.source_order(copy.id)).id,
  target: await failure(() => cl.order_copies.target_order(copy.id)),  // no target until it completes
  events: (await cl.order_copies.events(copy.id)).map((e) => e.name),
  eventStores: (await cl.order_copies.event_stores(copy.id)).length,
  subscription: await failure(() => cl.order_copies.order_subscription(copy.id)),
}
seen.errors = {
  missing: await failure(() => cl.order_copies.retrieve('doesNotExist')),
  readOnly: await failure(() => cl.order_copies.update({ id: copy.id, status: 'failed' })),
  blank: await failure(() => cl.order_copies.create({ reference: 'no source' })),
  unknownSource: await failure(() => cl.order_copies.create({ source_order: cl.orders.relationship('nowhereAAA') })),
}
await cl.order_copies.delete(copy.id)
seen.deleted = await failure(() => cl.order_copies.retrieve(copy.id))

// --- recurring_order_copies: the same, with a subscription -----------------------------------------
const [subscription] = await cl.order_subscriptions.list({ filters: { reference_eq: 'reorder:active', reference_origin_eq: 'sandbox' } })
const recurring = await cl.recurring_order_copies.create({
  source_order: cl.orders.relationship(source.id),
  order_subscription: cl.order_subscriptions.relationship(subscription.id),
  reference: 'sdk-recurring',
})
seen.recurring = {
  type: recurring.type,
  status: recurring.status,
  update: (await cl.recurring_order_copies.update({ id: recurring.id, reference_origin: 'sdk' })).reference_origin,
  retrieve: (await cl.recurring_order_copies.retrieve(recurring.id, { include: ['order_subscription'] })).order_subscription?.id,
  list: ids(await cl.recurring_order_copies.list({ filters: { reference_eq: 'sdk-recurring' }, sort: ['-created_at'] })),
  count: await cl.recurring_order_copies.count({ reference_eq: 'sdk-recurring' }),
  source: (await cl.recurring_order_copies.source_order(recurring.id)).id,
  target: await failure(() => cl.recurring_order_copies.target_order(recurring.id)),
  subscription: (await cl.recurring_order_copies.order_subscription(recurring.id)).id,
  events: (await cl.recurring_order_copies.events(recurring.id)).map((e) => e.name),
  eventStores: (await cl.recurring_order_copies.event_stores(recurring.id)).length,
  expectedSubscription: subscription.id,
}
await cl.recurring_order_copies.delete(recurring.id)
seen.recurringDeleted = await failure(() => cl.recurring_order_copies.retrieve(recurring.id))

console.log(JSON.stringify(seen))
