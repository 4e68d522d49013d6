import { randomUUID } from 'node:crypto'
import { MessageStatus } from '#enums/message_status'
import type Message from '#models/message'
import type { MessageStore, NewMessage } from '#messaging/outbox/message_store'
import type { SuppressionList } from '#messaging/suppression/suppression_list'
import type { AcceptedMessagesQueuer } from '#messaging/actions/accepted_messages_queuer'

/** Idempotency key of the retry of a failed message: `retry-of:<its id>` */
export const RETRY_KEY_PREFIX = 'retry-of:'

export interface ResendResult {
  /** Retries queued */
  queued: number
  /** Retries recorded as suppressed: their recipient is on the list now */
  suppressed: number
  /** Originals retried before: no second copy was made */
  skipped: number
}

/**
 * Send failed messages again. Statuses only move forward and a message is
 * never rewritten, so each retry is a new message linked to its original
 * (parent_message_id) with the same tenant, channel, priority, recipient and
 * content, and the idempotency key `retry-of:<original id>`: asking twice
 * makes no second copy (skipped). Suppression is checked as at accept (one
 * query per tenant and channel in the batch): a suppressed recipient's retry
 * is recorded as suppressed and never queued. Rows go in by multi-row
 * INSERTs, jobs by addBulk. An operator's retry is not counted against the
 * tenant's quotas.
 */
export class ResendFailed {
  constructor(
    private store: MessageStore,
    private suppressions: SuppressionList,
    private queuer: AcceptedMessagesQueuer,
    /** Rows per INSERT statement */
    private chunkSize: number
  ) {}

  async handle(originals: Message[]): Promise<ResendResult> {
    const suppressed = await this.#suppressedOriginals(originals)
    const messages = originals.map(
      (original): NewMessage => ({
        id: randomUUID(),
        tenantId: original.tenantId,
        channel: original.channel,
        priority: original.priority,
        messageType: original.messageType,
        recipient: original.recipient,
        recipientDomain: original.recipientDomain,
        subject: original.subject,
        content: original.content,
        status: suppressed.has(original.id) ? MessageStatus.Suppressed : MessageStatus.Queued,
        scheduledAt: null,
        idempotencyKey: `${RETRY_KEY_PREFIX}${original.id}`,
        requestHash: null,
        sourceType: original.sourceType,
        sourceId: original.sourceId,
        metadata: original.metadata,
        conversationId: original.conversationId,
        parentMessageId: original.id,
        test: original.isTest,
      })
    )
    const written = await this.store.insertManyIdempotent(messages, this.chunkSize)
    const toQueue = written.filter((message) => message.status === MessageStatus.Queued)
    await this.queuer.queue(toQueue)
    return {
      queued: toQueue.length,
      suppressed: written.length - toQueue.length,
      skipped: originals.length - written.length,
    }
  }

  /** Ids of the messages whose recipient is suppressed now. */
  async #suppressedOriginals(originals: Message[]) {
    const groups = new Map<string, Message[]>()
    for (const original of originals) {
      const key = `${original.tenantId}:${original.channel}`
      groups.set(key, [...(groups.get(key) ?? []), original])
    }
    const suppressed = new Set<string>()
    for (const group of groups.values()) {
      const { tenantId, channel } = group[0]
      const found = await this.suppressions.suppressedAmong(
        tenantId,
        channel,
        group.map((original) => original.recipient)
      )
      for (const original of group) {
        if (found.has(original.recipient)) suppressed.add(original.id)
      }
    }
    return suppressed
  }
}
