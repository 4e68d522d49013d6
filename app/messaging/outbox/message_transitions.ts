import db from '@adonisjs/lucid/services/db'
import type { Channel } from '#enums/channel'
import type { EventNote, LeaseHolder, WrittenMessage } from '#messaging/outbox/message_records'
import { storableDetails, storableText } from '#messaging/outbox/storable_text'

/** The condition a message must meet for a transition to write it */
export interface Guard {
  sql: string
  bindings: unknown[]
}

/** Still in the attempt of the claim that handed out this lease token */
export function heldBy(holder: LeaseHolder): Guard {
  return { sql: `status = 'sending' AND lease_token = ?`, bindings: [holder.lease_token] }
}

/** A final failure ends any attempt: no lease, nothing due */
export const FAILED_ASSIGNMENTS = `status = ?, failed_at = now(), locked_until = NULL, lease_token = NULL,
  next_attempt_at = NULL, last_error = ?, last_error_code = ?`

/**
 * Move a message that meets `guard` to a new state and log the event, in
 * one statement. Returns the message's tenant and channel, or null when the
 * message did not meet the guard (and nothing was written).
 */
export async function transition(
  id: string,
  assignments: string,
  bindings: unknown[],
  guard: Guard,
  event: EventNote
): Promise<WrittenMessage | null> {
  const result = await db.rawQuery(
    `WITH moved AS (
       UPDATE messages SET ${assignments}, updated_at = now()
        WHERE id = ? AND ${guard.sql}
        RETURNING id, tenant_id, channel
     ), logged AS (
       INSERT INTO delivery_events (message_id, tenant_id, type, reason, gateway, details)
       SELECT id, tenant_id, ?, ?, ?, ? FROM moved
     )
     SELECT tenant_id, channel FROM moved`,
    [...bindings, id, ...guard.bindings, ...eventColumns(event)]
  )
  const row = result.rows[0] as { tenant_id: string; channel: Channel } | undefined
  return row ? { tenantId: row.tenant_id, channel: row.channel } : null
}

/** An event's type, reason, gateway and details, as bound into an INSERT (never refused). */
export function eventColumns(event: EventNote) {
  return [
    event.type,
    event.reason ? storableText(event.reason) : null,
    event.gateway ?? null,
    storableDetails(event.details),
  ]
}
