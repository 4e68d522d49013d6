import db from '@adonisjs/lucid/services/db'
import Message from '#models/message'
import type { Channel } from '#enums/channel'
import type { Priority } from '#enums/priority'
import type { MessageStatus } from '#enums/message_status'
import { encodeCursor, type MessageCursor } from '#messaging/actions/message_cursor'

export const SEARCH_PAGE_SIZE = { default: 50, max: 200 }

/** What a search narrows to; every filter given must match */
export interface MessageSearchFilters {
  status?: MessageStatus[]
  channel?: Channel[]
  priority?: Priority[]
  /** Part of the recipient (or all of it), any case */
  recipient?: string
  messageType?: string
  sourceType?: string
  sourceId?: string
  /** Has this metadata key; with `value`, that value (a string, or the number or boolean it spells) */
  metadata?: { key: string; value?: string }
  /** Created at or after */
  createdFrom?: Date
  /** Created before */
  createdTo?: Date
}

export interface MessageSearchPage {
  cursor?: MessageCursor
  limit?: number
}

export interface MessageSearchResult {
  data: Message[]
  /** The page after this one (older messages), null on the last */
  nextCursor: string | null
  /** The page before this one (newer messages), null on the first */
  prevCursor: string | null
}

/** Whose messages: one tenant's, or (null, operators only) every tenant's */
export interface MessageSearchScope {
  tenantId: string | null
}

/**
 * What a list shows of a message: everything GET /api/v1/messages/:id gives
 * except the content and the fallback steps (a page of 200 bodies would be
 * megabytes; the message's own page has them).
 */
const SUMMARY_COLUMNS = [
  'id',
  'tenant_id',
  'direction',
  'channel',
  'priority',
  'message_type',
  'recipient',
  'recipient_domain',
  'subject',
  'status',
  'gateway',
  'provider_config_id',
  'provider_message_id',
  'attempts',
  'next_attempt_at',
  'idempotency_key',
  'scheduled_at',
  'sent_at',
  'delivered_at',
  'opened_at',
  'clicked_at',
  'failed_at',
  'canceled_at',
  'last_error',
  'last_error_code',
  'source_type',
  'source_id',
  'parent_message_id',
  'conversation_id',
  'metadata',
  'is_test',
  'created_at',
  'updated_at',
]

/** created_at to the microsecond, for the cursor */
const CURSOR_AT = db.raw(
  `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`
)

/** % and _ in what the person typed are characters, not wildcards */
function containing(text: string) {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`
}

/**
 * Messages newest first, filtered, one page at a time. Pages are cut on
 * (created_at, id), not by offset: a page is as fast at the millionth row as
 * at the first, and messages arriving meanwhile never shift a page, skip a
 * row or show one twice. Each filter has an index to walk (migration 0028).
 */
export class SearchMessages {
  async handle(
    scope: MessageSearchScope,
    filters: MessageSearchFilters,
    page: MessageSearchPage
  ): Promise<MessageSearchResult> {
    const limit = page.limit ?? SEARCH_PAGE_SIZE.default
    const cursor = page.cursor
    const newer = cursor?.direction === 'newer'
    const order = newer ? 'asc' : 'desc'
    const rows = await this.#filtered(scope, filters)
      .if(cursor, (query) =>
        query.whereRaw(`(created_at, id) ${newer ? '>' : '<'} (?::timestamptz, ?::uuid)`, [
          cursor!.createdAt,
          cursor!.id,
        ])
      )
      .select([...SUMMARY_COLUMNS, CURSOR_AT])
      .orderBy([
        { column: 'created_at', order },
        { column: 'id', order },
      ])
      .limit(limit + 1)
    const more = rows.length > limit
    // Back at the newest messages: the first page, full, rather than the few left above the cursor
    if (newer && !more) return this.handle(scope, filters, { limit })

    const data = rows.slice(0, limit)
    if (newer) data.reverse()
    const first = data[0]
    const last = data[data.length - 1]
    return {
      data,
      nextCursor: last && (newer || more) ? cursorAt('older', last) : null,
      prevCursor: first && cursor ? cursorAt('newer', first) : null,
    }
  }

  #filtered({ tenantId }: MessageSearchScope, filters: MessageSearchFilters) {
    const { metadata, createdFrom, createdTo } = filters
    return (
      Message.query()
        .if(tenantId !== null, (query) => query.where('tenant_id', tenantId!))
        .if(filters.status, (query) => query.whereIn('status', filters.status!))
        .if(filters.channel, (query) => query.whereIn('channel', filters.channel!))
        .if(filters.priority, (query) => query.whereIn('priority', filters.priority!))
        .if(filters.recipient, (query) =>
          query.whereRaw(`recipient ILIKE ? ESCAPE '\\'`, [containing(filters.recipient!)])
        )
        .if(filters.messageType, (query) => query.where('message_type', filters.messageType!))
        .if(filters.sourceType, (query) => query.where('source_type', filters.sourceType!))
        .if(filters.sourceId, (query) => query.where('source_id', filters.sourceId!))
        // `\\?` is jsonb's "has key" operator, not a binding
        .if(metadata && metadata.value === undefined, (query) =>
          query.whereRaw('metadata \\? ?', [metadata!.key])
        )
        .if(metadata?.value !== undefined, (query) => {
          const shapes = metadataShapes(metadata!.key, metadata!.value!)
          query.whereRaw(
            `metadata @> ANY (ARRAY[${shapes.map(() => '?::jsonb').join(', ')}])`,
            shapes
          )
        })
        .if(createdFrom, (query) => query.where('created_at', '>=', createdFrom!))
        .if(createdTo, (query) => query.where('created_at', '<', createdTo!))
    )
  }
}

/**
 * `key=value` as containment, which the metadata GIN index answers: the
 * value as a string, and as the number or boolean it spells (`orderId=42`
 * finds {"orderId": 42} and {"orderId": "42"}).
 */
function metadataShapes(key: string, value: string) {
  const shapes = [JSON.stringify({ [key]: value })]
  try {
    const literal: unknown = JSON.parse(value)
    if (typeof literal === 'number' || typeof literal === 'boolean') {
      shapes.push(JSON.stringify({ [key]: literal }))
    }
  } catch {
    // Not a JSON literal: the string form alone
  }
  return shapes
}

function cursorAt(direction: MessageCursor['direction'], message: Message) {
  return encodeCursor({ direction, createdAt: message.$extras.cursor_at, id: message.id })
}
