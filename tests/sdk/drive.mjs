// Drives the official SDK, unchanged, against a sandbox: node drive.mjs BASE_URL ACCESS_TOKEN
// Prints one JSON document of what it saw, for tests/test_sdk.py to check.
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

const listed = await cl.order_factories.list({
  filters: { status_in: 'failed,completed' },
  sort: { created_at: 'desc' },
  include: ['source_order'],
  pageSize: 5,
  pageNumber: 2,
})
seen.list = {
  ids: listed.map((f) => f.id),
  statuses: listed.map((f) => f.status),
  created: listed.map((f) => f.created_at),
  sourceOrders: listed.map((f) => f.source_order?.id ?? null),
  recordCount: listed.meta.recordCount,
  pageCount: listed.meta.pageCount,
  currentPage: listed.meta.currentPage,
}

const one = await cl.order_factories.retrieve(listed[0].id, { include: ['source_order'] })
seen.retrieve = { id: one.id, type: one.type, status: one.status, sourceOrder: one.source_order?.id ?? null }

const [source] = await cl.orders.list({ filters: { reference_eq: 'reorder:completes', reference_origin_eq: 'sandbox' } })
const copy = await cl.order_copies.create({
  source_order: cl.orders.relationship(source.id),
  place_target_order: true,
  reference: 'sdk-reorder',
})
seen.create = { id: copy.id, type: copy.type, status: copy.status, reference: copy.reference, source: source.id }

try {
  await cl.order_copies.retrieve('doesNotExist')
  seen.error = null
} catch (error) {
  seen.error = CommerceLayerStatic.isApiError(error)
    ? { status: error.status, code: error.errors?.[0]?.code ?? null }
    : { unexpected: String(error) }
}

console.log(JSON.stringify(seen))
