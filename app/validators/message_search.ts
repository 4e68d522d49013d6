import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { DateTime } from 'luxon'
import { CHANNELS } from '#enums/channel'
import { PRIORITIES } from '#enums/priority'
import { MESSAGE_STATUSES } from '#enums/message_status'
import { isoDateTime } from '#messaging/iso_date_time'
import { decodeCursor } from '#messaging/actions/message_cursor'
import { SEARCH_PAGE_SIZE } from '#messaging/actions/search_messages'

/** An empty field of a GET form (`?status=`) filters nothing */
const blank = (value: unknown) => (value === '' ? undefined : value)

/** `status=failed,bounced` or `status=failed&status=bounced`: a list, empty parts ignored */
function listOf(value: unknown) {
  const parts = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(parts)) return value
  const given = parts
    .map((part) => (typeof part === 'string' ? part.trim() : part))
    .filter((part) => part !== '')
  return given.length > 0 ? given : undefined
}

const oneOrMore = <Values extends readonly string[]>(values: Values) =>
  vine.array(vine.enum(values)).parse(listOf).distinct().optional()

const text = () => vine.string().parse(blank).trim().minLength(1).maxLength(255).optional()

/** A date alone (2026-12-01) is a day in UTC: from its start, or through its end */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const instant = (end: 'start' | 'end') =>
  vine
    .string()
    .parse(blank)
    .trim()
    .use(isoDateTime())
    .transform((value) => {
      const moment = DateTime.fromISO(value, { zone: 'utc', setZone: true })
      return (end === 'end' && DATE_ONLY.test(value) ? moment.plus({ days: 1 }) : moment).toJSDate()
    })
    .optional()

const messageCursor = vine.createRule((value, _options, field) => {
  if (typeof value === 'string' && !decodeCursor(value)) {
    field.report('The cursor is not one this API gave out: start again without it', 'cursor', field)
  }
})

/**
 * GET /api/v1/messages and the console's Messages page: the filters (all
 * optional, all must match), then the page (`cursor`: a nextCursor or
 * prevCursor given with the previous page; `limit`).
 */
export const searchMessagesValidator = vine.compile(
  vine.object({
    status: oneOrMore(MESSAGE_STATUSES),
    channel: oneOrMore(CHANNELS),
    priority: oneOrMore(PRIORITIES),
    recipient: text(),
    messageType: text(),
    sourceType: text(),
    sourceId: text(),
    // `key` or `key=value`
    metadata: vine
      .string()
      .parse(blank)
      .trim()
      .maxLength(255)
      .regex(/^[^=]+(=.*)?$/)
      .transform((value) => {
        const [key, ...rest] = value.split('=')
        return rest.length > 0 ? { key, value: rest.join('=') } : { key }
      })
      .optional(),
    createdFrom: instant('start'),
    createdTo: instant('end'),
    cursor: vine
      .string()
      .parse(blank)
      .use(messageCursor())
      .transform((value) => decodeCursor(value)!)
      .optional(),
    limit: vine.number().parse(blank).withoutDecimals().range([1, SEARCH_PAGE_SIZE.max]).optional(),
  })
)

const oneOf = (values: readonly string[]) => `Choose among ${values.join(', ')}`
const wholeNumber = `Use a whole number from 1 to ${SEARCH_PAGE_SIZE.max}`
const moment = 'Use a date (2026-12-01) or an ISO 8601 date-time (2026-12-01T09:30:00Z)'

// Worded for the console's form as much as for the API (the field is named beside them in both)
searchMessagesValidator.messagesProvider = new SimpleMessagesProvider({
  'status.*.enum': oneOf(MESSAGE_STATUSES),
  'channel.*.enum': oneOf(CHANNELS),
  'priority.*.enum': oneOf(PRIORITIES),
  'distinct': 'Give each value once',
  'createdFrom.isoDateTime': moment,
  'createdTo.isoDateTime': moment,
  'metadata.regex': 'Use a key, or key=value',
  'limit.number': wholeNumber,
  'limit.withoutDecimals': wholeNumber,
  'limit.range': wholeNumber,
  'maxLength': 'Use at most {{ max }} characters',
})
