import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import app from '@adonisjs/core/services/app'
import Tenant from '#models/tenant'

/** How far back the history goes */
export const SEARCH_DAYS = 60
/** The bench tenant's share of the rows; the others share the rest */
const BENCH_TENANT_SHARE = 0.4
const OTHER_TENANTS = 3
/** Each recipient gets about this many messages over the period */
const MESSAGES_PER_RECIPIENT = 10
/** Campaigns: a share of the rows accepted in bulk, each batch sharing one created_at */
const CAMPAIGN_SHARE = 0.3
const CAMPAIGN_BATCH = 1000
const COPY_CHUNK = 10_000

const FIRST =
  'olivia amelia isla ava mia ivy lily sophia grace freya noah oliver george leo arthur muhammad harry jack charlie oscar ada alan grace linus margaret tim barbara edsger ken dennis'.split(
    ' '
  )
const LAST =
  'smith jones williams taylor brown davies evans wilson thomas johnson roberts walker wright robinson thompson white hughes edwards green hall wood harris lewis martin jackson clarke lovelace hopper turing'.split(
    ' '
  )
const MAIL_DOMAINS = [
  'gmail.com',
  'gmail.com',
  'gmail.com',
  'outlook.com',
  'yahoo.com',
  'icloud.com',
  'hotmail.co.uk',
  'proton.me',
  'btinternet.com',
  'orange.fr',
]

/** Weighted choices: [value, weight] */
type Weighted<T> = Array<[T, number]>
const CHANNELS: Weighted<string> = [
  ['email', 65],
  ['sms', 25],
  ['push', 8],
  ['webhook', 2],
]
const STATUSES: Weighted<string> = [
  ['delivered', 72],
  ['sent', 14],
  ['failed', 7],
  ['suppressed', 2],
  ['canceled', 1.5],
]
const PRIORITIES: Weighted<string> = [
  ['P4', 55],
  ['P1', 10],
  ['P2', 15],
  ['P3', 15],
  ['P0', 5],
]
const TYPES: Weighted<string> = [
  ['transactional', 60],
  ['alert', 15],
  ['otp', 15],
  ['reminder', 10],
]

/** A seeded generator (mulberry32): the same history, and the same queries, on every run */
export function seededRandom(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(values: readonly T[]) => values[Math.floor(next() * values.length)],
    weighted: <T>(choices: Weighted<T>) => {
      const total = choices.reduce((sum, [, weight]) => sum + weight, 0)
      let left = next() * total
      for (const [value, weight] of choices) if ((left -= weight) < 0) return value
      return choices[choices.length - 1][0]
    },
  }
}
type Random = ReturnType<typeof seededRandom>

const digits = (random: Random, count: number) =>
  Array.from({ length: count }, () => random.int(10)).join('')
const hex = (random: Random, count: number) =>
  Array.from({ length: count }, () => random.int(16).toString(16)).join('')

/** One address of the channel, as real traffic has them */
function recipientFor(channel: string, random: Random, companyDomain: string) {
  if (channel === 'sms') {
    return random.pick(['+447700', '+1415555', '+33612', '+4915112']) + digits(random, 6)
  }
  if (channel === 'push') return `${hex(random, 22)}:APA91b${hex(random, 40)}`
  if (channel === 'webhook') return `https://hooks.${companyDomain}/switchboard/${hex(random, 8)}`
  const domain = random.next() < 0.2 ? companyDomain : random.pick(MAIL_DOMAINS)
  return `${random.pick(FIRST)}.${random.pick(LAST)}${random.int(1000)}@${domain}`
}

/** The tenants' recipient pools, by channel */
function recipientPools(random: Random, size: number, companyDomain: string) {
  return Object.fromEntries(
    CHANNELS.map(([channel, weight]) => [
      channel,
      Array.from({ length: Math.max(1, Math.round((size * weight) / 100)) }, () =>
        recipientFor(channel, random, companyDomain)
      ),
    ])
  ) as Record<string, string[]>
}

/** A timestamp as COPY reads it, with microseconds */
const copyTime = (micros: number) =>
  `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`

export interface SearchDataset {
  rows: number
  /** The bench tenant's rows */
  benchRows: number
  /** The bench tenant's recipients, where the substring queries come from */
  recipients: string[]
  /** The history's span */
  fromMs: number
  toMs: number
}

/**
 * `total` messages of a finished history over the last SEARCH_DAYS days,
 * COPYed into `messages` (pg-copy-streams, the service's own connection
 * settings): the bench tenant's and three others', each with its recipient
 * pool (email at common and company domains, E.164 numbers, push tokens,
 * webhook URLs), realistic statuses, channels, priorities and types, a
 * third sent in campaigns (a thousand rows sharing a created_at), some with
 * metadata and a source. Final statuses only: nothing for a worker to pick up.
 */
export async function loadSearchDataset(benchTenantId: string, total: number) {
  const random = seededRandom(18)
  const others = []
  for (let index = 1; index <= OTHER_TENANTS; index++) {
    others.push(
      await Tenant.create({ name: `Search bench ${index}`, status: 'active', settings: {} })
    )
  }
  const tenants = [benchTenantId, ...others.map((tenant) => tenant.id)].map((id, index) => {
    const rows = Math.round(
      index === 0 ? total * BENCH_TENANT_SHARE : (total * (1 - BENCH_TENANT_SHARE)) / OTHER_TENANTS
    )
    const domain = `tenant${index}-corp.example`
    return {
      id,
      rows,
      domain,
      pools: recipientPools(random, rows / MESSAGES_PER_RECIPIENT, domain),
    }
  })
  const toMs = Date.now()
  const fromMs = toMs - SEARCH_DAYS * 86_400_000
  const spanMicros = (toMs - fromMs) * 1000

  function* chunks() {
    for (const tenant of tenants) {
      let campaignAt = 0
      let campaignLeft = 0
      for (let start = 0; start < tenant.rows; start += COPY_CHUNK) {
        let text = ''
        for (let index = start; index < Math.min(start + COPY_CHUNK, tenant.rows); index++) {
          if (campaignLeft === 0 && random.next() < CAMPAIGN_SHARE / CAMPAIGN_BATCH) {
            campaignLeft = CAMPAIGN_BATCH
            campaignAt = fromMs * 1000 + random.int(spanMicros)
          }
          const inCampaign = campaignLeft > 0
          if (inCampaign) campaignLeft--
          const createdMicros = inCampaign ? campaignAt : fromMs * 1000 + random.int(spanMicros)
          const channel = inCampaign ? 'email' : random.weighted(CHANNELS)
          text += row(random, tenant, channel, inCampaign, createdMicros)
        }
        yield Buffer.from(text)
      }
    }
  }

  const client = new pg.Client(app.config.get('database.connections.postgres.connection'))
  await client.connect()
  try {
    await pipeline(
      Readable.from(chunks()),
      client.query(
        copyFrom(
          `COPY messages (id, tenant_id, channel, priority, message_type, recipient,
             recipient_domain, subject, content, status, attempts, sent_at, delivered_at,
             failed_at, canceled_at, last_error_code, source_type, source_id, metadata,
             created_at, updated_at) FROM STDIN`
        )
      )
    )
    // Statistics for the planner, and the visibility map and GIN pending lists settled
    await client.query('VACUUM (ANALYZE) messages')
  } finally {
    await client.end()
  }
  const bench = tenants[0]
  return {
    rows: tenants.reduce((sum, tenant) => sum + tenant.rows, 0),
    benchRows: bench.rows,
    recipients: Object.values(bench.pools).flat(),
    fromMs,
    toMs,
  } satisfies SearchDataset
}

/** One COPY line */
function row(
  random: Random,
  tenant: { id: string; domain: string; pools: Record<string, string[]> },
  channel: string,
  inCampaign: boolean,
  createdMicros: number
) {
  const recipient = random.pick(tenant.pools[channel])
  const status = random.weighted(STATUSES)
  const created = copyTime(createdMicros)
  const later = (seconds: number) => copyTime(createdMicros + seconds * 1_000_000)
  const sent = status === 'sent' || status === 'delivered' || status === 'failed'
  const at = recipient.indexOf('@')
  const type = inCampaign ? 'marketing' : random.weighted(TYPES)
  const order = random.next() < 0.2 ? String(100_000 + random.int(900_000)) : null
  const metadata = order
    ? `{"orderId": "${order}"}`
    : inCampaign
      ? `{"campaign": "c${Math.floor(createdMicros / 86_400_000_000)}"}`
      : '{}'
  return (
    [
      randomUUID(),
      tenant.id,
      channel,
      inCampaign ? random.pick(['P2', 'P3']) : random.weighted(PRIORITIES),
      type,
      recipient,
      channel === 'email' ? recipient.slice(at + 1) : '\\N',
      channel === 'email' ? (inCampaign ? 'Our winter offers' : 'Your order update') : '\\N',
      '{"text": "Hello from the search benchmark"}',
      status,
      status === 'canceled' || status === 'suppressed' ? 0 : 1,
      sent ? later(2) : '\\N',
      status === 'delivered' ? later(9) : '\\N',
      status === 'failed' ? later(3) : '\\N',
      status === 'canceled' ? later(1) : '\\N',
      status === 'failed' ? random.pick(['mailbox_full', 'invalid_number', 'rejected']) : '\\N',
      order ? 'order' : '\\N',
      order ?? '\\N',
      metadata,
      created,
      later(9),
    ].join('\t') + '\n'
  )
}
