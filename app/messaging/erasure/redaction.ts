import type { StrictValues } from '@adonisjs/lucid/types/querybuilder'
import type { ErasureTarget } from '#messaging/erasure/erasure_target'

/** What stands in for erased content: tells a reader there was something */
export const ERASED_MARKER = { erased: true }

/** Whether a jsonb value (a message's content, an event's payload) is the marker: it was erased */
export function isErasedMarker(value: unknown) {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { erased?: unknown }).erased === true &&
    Object.keys(value).length === 1
  )
}

/**
 * What an erasure does to one column: `set` it to a value, `mark` it (a jsonb
 * column with something in it becomes the marker), `scrub` it (every mention
 * of the address, in any case, becomes the tombstone; `json` scrubs a jsonb
 * column's text; `whole` only where it is the whole token, for rows that are
 * not the person's, where a longer address may hold it), or `steps` (in a jsonb list of {channel,
 * recipient}, the steps whose recipient is the address get the tombstone).
 */
type Rule =
  | { kind: 'set'; value: string | Date | null }
  | { kind: 'mark' }
  | { kind: 'scrub'; json?: boolean; whole?: boolean }
  | { kind: 'steps' }

/** Column name → rule: one definition, applied to rows in PostgreSQL and in archive files alike */
export type Redaction = Record<string, Rule>

const mark: Rule = { kind: 'mark' }
const scrub: Rule = { kind: 'scrub' }
const scrubWholeJson: Rule = { kind: 'scrub', json: true, whole: true }

/**
 * A message to or from the erased person keeps its ids, tenant, channel,
 * priority, status, times, attempts and provider ids; the address and the
 * content go (fallback names the person's other addresses).
 */
export function messageRedaction(target: ErasureTarget, erasedAt: Date): Redaction {
  return {
    recipient: { kind: 'set', value: target.tombstone },
    recipient_domain: { kind: 'set', value: null },
    subject: { kind: 'set', value: null },
    content: mark,
    metadata: mark,
    fallback: { kind: 'set', value: null },
    erased_at: { kind: 'set', value: erasedAt },
    last_error: scrub,
    idempotency_key: scrub,
  }
}

/** Another message of the tenant that names the address as a fallback */
export const FALLBACK_REDACTION: Redaction = { fallback: { kind: 'steps' } }

/** An event keeps its type, source, gateway, ids and times */
export const EVENT_REDACTION: Redaction = { reason: scrub, details: mark, payload: mark }

/** A tenant webhook attempt keeps its event id and type, attempt, status code and duration */
export const WEBHOOK_DELIVERY_REDACTION: Redaction = { payload: mark, error: scrub }

/** An audit entry keeps everything but the address, which becomes the tombstone */
export const AUDIT_REDACTION: Redaction = {
  before: scrubWholeJson,
  after: scrubWholeJson,
  target_id: { kind: 'scrub', whole: true },
}

/**
 * The SET list of an UPDATE applying the redaction to the rows of `alias`,
 * and whether a row needs it (any rule's column holds something to change).
 */
export function redactionSql(redaction: Redaction, target: ErasureTarget, alias: string) {
  const assignments: string[] = []
  const bindings: StrictValues[] = []
  for (const [column, rule] of Object.entries(redaction)) {
    const current = `${alias}.${column}`
    if (rule.kind === 'set') {
      const value = rule.value
      assignments.push(value === null ? `${column} = NULL` : `${column} = ?`)
      if (value !== null) bindings.push(value)
    } else if (rule.kind === 'mark') {
      assignments.push(`${column} = CASE WHEN ${current} IS NULL THEN NULL ELSE ?::jsonb END`)
      bindings.push(JSON.stringify(ERASED_MARKER))
    } else if (rule.kind === 'steps') {
      const step = stepSql(target)
      assignments.push(
        `${column} = (SELECT jsonb_agg(CASE WHEN ${step.sql}
                                        THEN jsonb_set(s.step, '{recipient}', to_jsonb(?::text))
                                        ELSE s.step END ORDER BY s.n)
                        FROM jsonb_array_elements(${current}) WITH ORDINALITY AS s(step, n))`
      )
      bindings.push(...step.bindings, target.tombstone)
    } else if (rule.json) {
      assignments.push(`${column} = regexp_replace(${current}::text, ?, ?, 'gi')::jsonb`)
      bindings.push(target.pattern(!!rule.whole), target.tombstone)
    } else {
      assignments.push(`${column} = regexp_replace(${current}, ?, ?, 'gi')`)
      bindings.push(target.pattern(!!rule.whole), target.tombstone)
    }
  }
  return { sql: assignments.join(', '), bindings }
}

/** Whether any scrubbed column of `alias` names the address (a row worth rewriting). */
export function mentionSql(redaction: Redaction, target: ErasureTarget, alias: string) {
  const conditions: string[] = []
  const bindings: StrictValues[] = []
  for (const [column, rule] of Object.entries(redaction)) {
    if (rule.kind === 'scrub') {
      conditions.push(`${alias}.${column}::text ~* ?`)
      bindings.push(target.pattern(!!rule.whole))
    } else if (rule.kind === 'steps') {
      const step = stepSql(target)
      conditions.push(
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${alias}.${column}) AS s(step) WHERE ${step.sql})`
      )
      bindings.push(...step.bindings)
    }
  }
  return { sql: `(${conditions.join(' OR ')})`, bindings }
}

/** Whether the step `s.step` of a list is the address (ErasureTarget.isAddressOn in SQL) */
function stepSql(target: ErasureTarget) {
  return {
    sql: `s.step ->> 'channel' = ? AND lower(s.step ->> 'recipient') = lower(?)`,
    bindings: [target.channel, target.address],
  }
}

/** The redaction applied to a row as to_jsonb rendered it (an archive file's line). */
export function redactRow<T extends Record<string, unknown>>(
  row: T,
  redaction: Redaction,
  target: ErasureTarget
): T {
  const redacted: Record<string, unknown> = { ...row }
  for (const [column, rule] of Object.entries(redaction)) {
    const value = row[column]
    if (rule.kind === 'set') {
      redacted[column] = rule.value instanceof Date ? rule.value.toISOString() : rule.value
    } else if (rule.kind === 'mark') {
      redacted[column] = value === null || value === undefined ? null : ERASED_MARKER
    } else if (rule.kind === 'steps') {
      redacted[column] = Array.isArray(value)
        ? value.map((step) => redactStep(step, target))
        : value
    } else if (rule.json && value !== null && value !== undefined) {
      redacted[column] = JSON.parse(
        JSON.stringify(value).replace(mentionsOf(rule, target), target.tombstone)
      )
    } else if (typeof value === 'string') {
      redacted[column] = value.replace(mentionsOf(rule, target), target.tombstone)
    }
  }
  return redacted as T
}

function redactStep(step: { channel?: unknown; recipient?: unknown }, target: ErasureTarget) {
  return target.isAddressOn(step.channel, step.recipient)
    ? { ...step, recipient: target.tombstone }
    : step
}

function mentionsOf(rule: { whole?: boolean }, target: ErasureTarget) {
  return new RegExp(target.pattern(!!rule.whole), 'gi')
}
