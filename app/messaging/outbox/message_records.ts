import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import type { Priority } from '#enums/priority'
import type { MessageStatus } from '#enums/message_status'
import type { DeliveryEventType } from '#enums/delivery_event_type'
import type { MessageContent } from '#models/message'

// The shapes of a message as the outbox writes and reads it (MessageStore and the statements it runs).

/** A message as written at accept time. */
export interface NewMessage {
  id: string
  tenantId: string
  channel: Channel
  priority: Priority
  messageType: string
  recipient: string
  recipientDomain: string | null
  subject: string | null
  content: MessageContent
  status: MessageStatus.Queued | MessageStatus.Scheduled | MessageStatus.Suppressed
  scheduledAt: Date | null
  idempotencyKey: string | null
  requestHash: string | null
  sourceType: string | null
  sourceId: string | null
  metadata: Record<string, unknown>
  /** The conversation a reply belongs to */
  conversationId?: string | null
  /** The message this one was made from (a retry or a fallback of a failed one) */
  parentMessageId?: string | null
  /** Channels to try in turn if this one fails for good */
  fallback?: FallbackStep[] | null
  /** Accepted with a test key: runs the pipeline without any vendor call */
  test?: boolean
}

/**
 * Counts the messages an insert wrote against their tenant's quotas, in the
 * insert's transaction; it throws to refuse them, and the insert rolls back.
 */
export type AcceptCharge = (trx: TransactionClientContract, count: number) => Promise<void>

/** The next channel (and that channel's recipient) to try after a final failure. */
export interface FallbackStep {
  channel: Channel
  recipient: string
}

/** The columns the worker needs once it holds a message. */
export interface ClaimedMessage {
  id: string
  tenant_id: string
  channel: Channel
  priority: Priority
  recipient: string
  recipient_domain: string | null
  subject: string | null
  content: MessageContent
  metadata: Record<string, unknown>
  message_type: string
  fallback: FallbackStep[] | null
  attempts: number
  suppressed: boolean
  is_test: boolean
  /** This claim's lease: every later write of the attempt must carry it */
  lease_token: string
}

/** A claimed message as its attempt's writes name it: its id and its lease token. */
export type LeaseHolder = Pick<ClaimedMessage, 'id' | 'lease_token'>

export interface SentRecord {
  gateway: string
  providerConfigId: string | null
  providerMessageId: string
}

/** The message a write changed; a write that changed nothing answers null instead. */
export interface WrittenMessage {
  tenantId: string
  channel: Channel
}

export interface EventNote {
  type: DeliveryEventType
  reason?: string | null
  gateway?: string | null
  details?: Record<string, unknown> | null
}
