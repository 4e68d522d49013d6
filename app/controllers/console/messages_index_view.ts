import { errors as vineErrors } from '@vinejs/vine'
import { CHANNELS } from '#enums/channel'
import { PRIORITIES } from '#enums/priority'
import { MESSAGE_STATUSES } from '#enums/message_status'
import type { MessageSearchResult } from '#messaging/actions/search_messages'
import { shownTime } from '#controllers/console/shown_time'

/** The filter form's fields, in the order the page shows them */
const FILTER_FIELDS = [
  'recipient',
  'status',
  'channel',
  'priority',
  'messageType',
  'createdFrom',
  'createdTo',
] as const

/** What the search understands beyond the form (an API user's bookmarked URL keeps them) */
const OTHER_FILTERS = ['sourceType', 'sourceId', 'metadata', 'limit'] as const

type Query = Record<string, unknown>

/** One value of the query string as the form shows it back (`a,b` for a repeated parameter) */
function given(query: Query, name: string) {
  const value = query[name]
  if (Array.isArray(value)) return value.filter((part) => typeof part === 'string').join(',')
  return typeof value === 'string' ? value : ''
}

/** The URL of this list with the same filters and another cursor */
function listUrl(path: string, query: Query, cursor: string | null) {
  const params = new URLSearchParams()
  for (const name of [...FILTER_FIELDS, ...OTHER_FILTERS]) {
    const value = given(query, name)
    if (value) params.set(name, value)
  }
  if (cursor) params.set('cursor', cursor)
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

/** A validation error's messages by the form field they belong to (`status.0` → `status`) */
export function filterErrors(error: InstanceType<typeof vineErrors.E_VALIDATION_ERROR>) {
  const byField: Record<string, string> = {}
  for (const { field, message } of error.messages as Array<{ field: string; message: string }>) {
    const name = field.split('.')[0]
    byField[name] = byField[name] ? `${byField[name]} ${message}` : message
  }
  return byField
}

interface IndexPageInput {
  /** The request's path and query string, as given */
  path: string
  query: Query
  /** Every tenant's messages (an operator's "All tenants") */
  allTenants: boolean
  /** Where the API answers, for the empty state's example */
  apiUrl: string
  result?: MessageSearchResult
  errors?: Record<string, string>
}

/**
 * What the Messages list shows: the filters as given (to fill the form back),
 * their errors, the page of messages with times as text, the pager's links,
 * and which empty state fits. Shapes only: the data comes from SearchMessages.
 */
export function messagesIndexPage({
  path,
  query,
  allTenants,
  apiUrl,
  result,
  errors = {},
}: IndexPageInput) {
  const filters = Object.fromEntries(FILTER_FIELDS.map((name) => [name, given(query, name)]))
  const filtered = [...FILTER_FIELDS, ...OTHER_FILTERS].some((name) => given(query, name) !== '')
  return {
    filters,
    errors,
    // An error on a parameter the form has no field for (a bad cursor from an old link)
    otherErrors: Object.entries(errors)
      .filter(([name]) => !(FILTER_FIELDS as readonly string[]).includes(name))
      .map(([, message]) => message),
    invalid: Object.keys(errors).length > 0,
    filtered,
    /** Past the first page (an empty page there is past the oldest message, not an empty list) */
    paged: given(query, 'cursor') !== '',
    choices: { statuses: MESSAGE_STATUSES, channels: CHANNELS, priorities: PRIORITIES },
    allTenants,
    apiUrl,
    clearUrl: path,
    messages: (result?.data ?? []).map((message) => ({
      message,
      created: shownTime(message.createdAt)!,
    })),
    olderUrl: result?.nextCursor ? listUrl(path, query, result.nextCursor) : null,
    newerUrl: result?.prevCursor ? listUrl(path, query, result.prevCursor) : null,
  }
}
