import { SearchMessages } from '#messaging/actions/search_messages'
import { searchMessagesValidator } from '#validators/message_search'
import { expectStatus } from '#bench/api_client'
import type { BenchContext } from '#bench/bench_context'
import { percentile } from '#bench/report'
import { seededRandom, SEARCH_DAYS, type SearchDataset } from '#bench/search_dataset'

/** Requests per filter in each run, one at a time: the latency a person waiting on the page sees */
export const SEARCH_REQUESTS = 200
const DAY_MS = 86_400_000

export type SearchFilterName =
  | 'recipientSubstring'
  | 'status'
  | 'channel'
  | 'createdRange'
  | 'statusChannelRange'

export interface SearchFilterFigures {
  /** One of the query strings, as an example */
  example: string
  p50Ms: number
  p95Ms: number
  /** Rows on a page, on average (a page holds 50 at most) */
  meanRows: number
  /** The same searches through SearchMessages in the bench process: the database's and the ORM's share */
  queryP95Ms: number
}

export interface SearchRun {
  /** GET /health with the same key, one at a time: the HTTP round trip alone */
  healthP95Ms: number
  filters: Record<SearchFilterName, SearchFilterFigures>
}

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The common searches of the issue (recipient substring, status, channel,
 * created range, and the three at once), SEARCH_REQUESTS query strings each,
 * the same on every run (seeded): substrings of 5 to 9 characters cut from
 * the bench tenant's own recipients, every final status, every channel, a
 * day's window anywhere in the history.
 */
export function searchQueries(dataset: SearchDataset): Record<SearchFilterName, string[]> {
  const random = seededRandom(7)
  const day = () => dataset.fromMs + random.int(SEARCH_DAYS - 1) * DAY_MS + random.int(DAY_MS)
  const many = (make: () => Record<string, string>) =>
    Array.from({ length: SEARCH_REQUESTS }, () => new URLSearchParams(make()).toString())
  return {
    recipientSubstring: many(() => {
      const recipient = random.pick(dataset.recipients)
      const length = 5 + random.int(5)
      const start = random.int(Math.max(1, recipient.length - length))
      return { recipient: recipient.slice(start, start + length) }
    }),
    status: many(() => ({
      status: random.pick([
        'delivered',
        'sent',
        'failed',
        'suppressed',
        'canceled',
        'failed,suppressed',
      ]),
    })),
    channel: many(() => ({ channel: random.pick(['email', 'sms', 'push', 'webhook']) })),
    createdRange: many(() => {
      const from = day()
      return { createdFrom: iso(from), createdTo: iso(from + DAY_MS) }
    }),
    statusChannelRange: many(() => {
      const from = day()
      return {
        status: 'failed',
        channel: random.pick(['email', 'sms']),
        createdFrom: iso(from),
        createdTo: iso(from + 7 * DAY_MS),
      }
    }),
  }
}

/** Each request's time, one after the other; every reply must be a 200 */
async function timed(ctx: BenchContext, paths: string[]) {
  const times: number[] = []
  let rows = 0
  for (const path of paths) {
    const startedAt = performance.now()
    const response = await ctx.api.get(path, ctx.tenant.headers)
    times.push(response.receivedAt - startedAt)
    const body = expectStatus(response, 200, `GET ${path}`) as { data?: unknown[] }
    rows += body?.data?.length ?? 0
  }
  return { times, meanRows: rows / paths.length }
}

/** The same searches without HTTP: validated and run as the controller does */
async function inProcess(tenantId: string, queries: string[]) {
  const action = new SearchMessages()
  const times: number[] = []
  for (const query of queries) {
    const startedAt = performance.now()
    const { cursor, limit, ...filters } = await searchMessagesValidator.validate(
      Object.fromEntries(new URLSearchParams(query))
    )
    await action.handle({ tenantId }, filters, { cursor, limit })
    times.push(performance.now() - startedAt)
  }
  return times
}

/** Every query once, untimed: the plans cached and the pages read into memory before any clock runs */
export async function warmSearch(ctx: BenchContext, queries: Record<SearchFilterName, string[]>) {
  for (const list of Object.values(queries)) {
    await timed(
      ctx,
      list.map((query) => `/api/v1/messages?${query}`)
    )
    await inProcess(ctx.tenant.id, list)
  }
}

/**
 * Scenario 7 (issue 18): the message search through GET /api/v1/messages
 * with the bench tenant's key, over the history loadSearchDataset() wrote.
 * Each filter's p50 and p95, beside its ceilings measured in the same run: the
 * same searches in the bench process (no HTTP) and GET /health (HTTP alone).
 */
export async function search(
  ctx: BenchContext,
  queries: Record<SearchFilterName, string[]>
): Promise<SearchRun> {
  const health = await timed(
    ctx,
    Array.from({ length: SEARCH_REQUESTS }, () => '/health')
  )
  const filters = {} as Record<SearchFilterName, SearchFilterFigures>
  for (const [name, list] of Object.entries(queries) as Array<[SearchFilterName, string[]]>) {
    const api = await timed(
      ctx,
      list.map((query) => `/api/v1/messages?${query}`)
    )
    const direct = await inProcess(ctx.tenant.id, list)
    filters[name] = {
      example: list[0],
      p50Ms: percentile(api.times, 50),
      p95Ms: percentile(api.times, 95),
      meanRows: api.meanRows,
      queryP95Ms: percentile(direct, 95),
    }
  }
  return { healthP95Ms: percentile(health.times, 95), filters }
}
