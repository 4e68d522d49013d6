import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import vine from '@vinejs/vine'
import logger from '@adonisjs/core/services/logger'
import type { Infer } from '@vinejs/vine/types'
import { Priority } from '#enums/priority'
import { MessageStatus } from '#enums/message_status'
import Message from '#models/message'
import type { sendMessageValidator, sendBulkValidator } from '#validators/message'
import {
  IdempotencyConflictException,
  MessageNotCancelableException,
  MessageNotFoundException,
} from '#exceptions/domain_exceptions'
import {
  MessageStore,
  type AcceptCharge,
  type ClaimedMessage,
  type NewMessage,
} from '#messaging/outbox/message_store'
import { MessageQueues, type QueuedMessage } from '#messaging/queueing/message_queues'
import { SuppressionList } from '#messaging/suppression/suppression_list'
import { storedFor } from '#messaging/erasure/erased_message'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import { requestFingerprint } from '#messaging/idempotency/request_fingerprint'
import { MessageComposer, type ComposedMessage } from '#messaging/templates/message_composer'
import {
  MissingTemplateVariablesException,
  TemplateRenderException,
} from '#exceptions/template_exceptions'
import messagingConfig from '#config/messaging'
import { announce } from '#messaging/message_announcer'
import type { Sender } from '#messaging/sender'
import { TenantUsage } from '#messaging/quotas/tenant_usage'

export type SendRequest = Infer<typeof sendMessageValidator>
export type BulkSendRequest = Infer<typeof sendBulkValidator>

const DEFAULT_PRIORITY = Priority.P4
const DEFAULT_MESSAGE_TYPE = 'transactional'
/** How many rejected recipients a bulk reply lists one by one */
const REJECTIONS_LISTED = 100

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

export interface BulkResult {
  total: number
  queued: number
  scheduled: number
  suppressed: number
  rejected: number
  messages: Array<{ index: number; id: string; status: MessageStatus }>
  rejections: Array<{ index: number; recipient: string; reason: string }>
}

/**
 * The one way into Switchboard: accept, store, then queue. A message exists
 * once its row is committed; only then is its id put on its priority's queue.
 */
@inject()
export class MessageService {
  constructor(
    private store: MessageStore,
    private queues: MessageQueues,
    private suppressions: SuppressionList,
    private composer: MessageComposer,
    private usage: TenantUsage
  ) {}

  /**
   * Accept one message. A repeated idempotency key returns the first message
   * (created = false, not counted again); the same key with another body is a
   * conflict. A reply names the conversation it belongs to. A message to a
   * suppressed recipient is stored but never sent, so not counted against
   * the quotas.
   */
  async send(sender: Sender, request: SendRequest, thread: { conversationId?: string } = {}) {
    const { tenantId } = sender
    const { idempotencyKey, ...body } = request
    const check = checkRecipient(request.channel, request.recipient)
    if (!check.valid) {
      throw new Error(`recipient passed validation but is invalid: ${check.reason}`)
    }
    const template = await this.composer.prepare(tenantId, request)
    const composed = { ...request, ...template?.compose(request.content.variables ?? {}) }
    const matches = await this.suppressions.matchesAmong(tenantId, request.channel, [check.address])
    const suppressed = matches.has(check.address)
    const message = this.newMessage(tenantId, composed, {
      recipient: check.address,
      recipientDomain: check.domain,
      variables: undefined,
      suppressed,
    })
    message.idempotencyKey = idempotencyKey ?? null
    message.requestHash = idempotencyKey ? requestFingerprint(body) : null
    message.conversationId = thread.conversationId ?? null
    message.fallback = request.fallback ?? null
    message.test = sender.test

    const stored = await this.store.insertIdempotent(
      storedFor(message, matches.get(check.address)),
      suppressed ? undefined : this.chargeFor(sender, request.channel)
    )
    if (!stored.created && stored.requestHash !== message.requestHash) {
      throw new IdempotencyConflictException()
    }
    if (stored.created && !suppressed) {
      await this.enqueueSafely([message])
    }
    return { message: await this.find(tenantId, stored.id), created: stored.created }
  }

  /**
   * Accept one message per recipient: recipients are checked one by one
   * (invalid or repeated ones are rejected), suppression is one query for the
   * whole batch, rows go in by multi-row INSERTs in one transaction and jobs
   * by addBulk. The quotas take the batch's sendable messages all or none.
   */
  async sendBulk(sender: Sender, request: BulkSendRequest): Promise<BulkResult> {
    const { tenantId } = sender
    const result: BulkResult = {
      total: request.recipients.length,
      queued: 0,
      scheduled: 0,
      suppressed: 0,
      rejected: 0,
      messages: [],
      rejections: [],
    }
    const accepted: Array<{
      index: number
      address: string
      domain: string | null
      variables?: Record<string, unknown>
      composed?: ComposedMessage
    }> = []
    const seen = new Set<string>()
    const reject = (index: number, recipient: string, reason: string) => {
      result.rejected++
      if (result.rejections.length < REJECTIONS_LISTED) {
        result.rejections.push({ index, recipient, reason })
      }
    }
    const template = await this.composer.prepare(tenantId, request)

    request.recipients.forEach((entry, index) => {
      const check = checkRecipient(request.channel, entry.recipient)
      const reason = check.valid ? seen.has(check.address) && 'duplicate recipient' : check.reason
      if (!check.valid || reason) {
        return reject(index, entry.recipient, reason || 'invalid')
      }
      let composed: ComposedMessage | undefined
      try {
        composed = template?.compose({ ...request.content.variables, ...entry.variables })
      } catch (error) {
        // This recipient's variables do not fit the template; the others may
        if (
          error instanceof MissingTemplateVariablesException ||
          error instanceof TemplateRenderException
        ) {
          return reject(index, entry.recipient, error.message)
        }
        throw error
      }
      seen.add(check.address)
      accepted.push({
        index,
        address: check.address,
        domain: check.domain,
        variables: entry.variables,
        composed,
      })
    })

    const suppressed = await this.suppressions.matchesAmong(
      tenantId,
      request.channel,
      accepted.map((entry) => entry.address)
    )
    const messages = accepted.map((entry) => {
      const composed = { ...request, ...entry.composed }
      const message = this.newMessage(tenantId, composed, {
        recipient: entry.address,
        recipientDomain: entry.domain,
        variables: entry.variables,
        suppressed: suppressed.has(entry.address),
      })
      message.test = sender.test
      result.messages.push({ index: entry.index, id: message.id, status: message.status })
      return storedFor(message, suppressed.get(entry.address))
    })

    const toQueue = messages.filter((message) => message.status !== MessageStatus.Suppressed)
    const charge = this.chargeFor(sender, request.channel)
    await this.store.insertMany(
      messages,
      messagingConfig.bulk.chunkSize,
      charge && { take: charge, charged: toQueue.length }
    )
    await this.enqueueSafely(toQueue)

    for (const message of messages) {
      if (message.status === MessageStatus.Suppressed) result.suppressed++
      else if (message.status === MessageStatus.Scheduled) result.scheduled++
      else result.queued++
    }
    return result
  }

  /**
   * The next step of a failed message's fallback chain: a message linked to
   * it (parent_message_id) on the step's channel, to the step's recipient,
   * with the same content, queued like any other and carrying the rest of
   * the chain. Steps whose recipient is suppressed are passed over. Done at
   * most once per parent (its idempotency key), whoever asks again. Not
   * counted against the quotas: the tenant asked for one message, and a test
   * message's fallback is a test message too.
   */
  async sendFallback(parent: ClaimedMessage) {
    const steps = parent.fallback ?? []
    for (const [index, step] of steps.entries()) {
      const check = checkRecipient(step.channel, step.recipient)
      if (
        !check.valid ||
        (await this.suppressions.isSuppressed(parent.tenant_id, step.channel, check.address))
      ) {
        continue
      }
      const message = this.newMessage(
        parent.tenant_id,
        {
          channel: step.channel,
          priority: parent.priority,
          messageType: parent.message_type,
          subject: parent.subject ?? undefined,
          content: parent.content,
          metadata: parent.metadata,
        },
        {
          recipient: check.address,
          recipientDomain: check.domain,
          variables: undefined,
          suppressed: false,
        }
      )
      message.idempotencyKey = `fallback-of:${parent.id}`
      message.parentMessageId = parent.id
      message.test = parent.is_test
      message.fallback = steps.slice(index + 1)
      const stored = await this.store.insertIdempotent(message)
      if (stored.created) {
        await this.enqueueSafely([message])
      }
      return { id: stored.id, channel: step.channel }
    }
    return null
  }

  /**
   * Send failed messages again. Statuses only move forward and a message is
   * never rewritten, so each retry is a new message linked to its original
   * (parent_message_id) with the same tenant, channel, priority, recipient
   * and content, and the idempotency key `retry-of:<original id>`: asking
   * twice makes no second copy (skipped). Suppression is checked as at accept
   * (one query per tenant and channel in the batch): a suppressed recipient's
   * retry is recorded as suppressed and never queued. Rows go in by multi-row
   * INSERTs, jobs by addBulk. An operator's retry is not counted against the
   * tenant's quotas.
   */
  async resend(originals: Message[]): Promise<ResendResult> {
    const suppressed = await this.suppressedOriginals(originals)
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
    const written = await this.store.insertManyIdempotent(messages, messagingConfig.bulk.chunkSize)
    const toQueue = written.filter((message) => message.status === MessageStatus.Queued)
    await this.enqueueSafely(toQueue)
    return {
      queued: toQueue.length,
      suppressed: written.length - toQueue.length,
      skipped: originals.length - written.length,
    }
  }

  /** Cancel a message that has not started sending. */
  async cancel(tenantId: string, id: string) {
    this.assertMessageId(id)
    const outcome = await this.store.cancel(tenantId, id)
    if (!outcome.canceled) {
      if (!outcome.status) {
        throw new MessageNotFoundException()
      }
      throw new MessageNotCancelableException(outcome.status)
    }
    await this.queues.discard(id).catch((error) => {
      // A leftover job finds the message canceled and drops itself.
      logger.warn({ messageId: id, err: error }, 'could not remove the canceled message job')
    })
    return this.find(tenantId, id)
  }

  /** A message with its event history, if it belongs to the tenant. */
  async status(tenantId: string, id: string) {
    this.assertMessageId(id)
    const message = await Message.query()
      .where('tenant_id', tenantId)
      .where('id', id)
      .preload('events', (events) => events.orderBy('id', 'asc'))
      .first()
    if (!message) {
      throw new MessageNotFoundException()
    }
    return message
  }

  private async find(tenantId: string, id: string) {
    return Message.query().where('tenant_id', tenantId).where('id', id).firstOrFail()
  }

  private assertMessageId(id: string) {
    if (!vine.helpers.isUUID(id)) {
      throw new MessageNotFoundException()
    }
  }

  private newMessage(
    tenantId: string,
    request: Omit<SendRequest, 'recipient' | 'idempotencyKey'>,
    recipient: {
      recipient: string
      recipientDomain: string | null
      variables: Record<string, unknown> | undefined
      suppressed: boolean
    }
  ): NewMessage {
    const scheduledAt =
      request.scheduledAt && request.scheduledAt.getTime() > Date.now() ? request.scheduledAt : null
    const variables = { ...request.content.variables, ...recipient.variables }
    return {
      id: randomUUID(),
      tenantId,
      channel: request.channel,
      priority: request.priority ?? DEFAULT_PRIORITY,
      messageType: request.messageType ?? DEFAULT_MESSAGE_TYPE,
      recipient: recipient.recipient,
      recipientDomain: recipient.recipientDomain,
      subject: request.subject ?? null,
      content: {
        ...request.content,
        ...(Object.keys(variables).length > 0 ? { variables } : {}),
      },
      status: recipient.suppressed
        ? MessageStatus.Suppressed
        : scheduledAt
          ? MessageStatus.Scheduled
          : MessageStatus.Queued,
      scheduledAt,
      idempotencyKey: null,
      requestHash: null,
      sourceType: request.sourceType ?? null,
      sourceId: request.sourceId ?? null,
      metadata: request.metadata ?? {},
    }
  }

  /** Ids of the messages whose recipient is suppressed now. */
  private async suppressedOriginals(originals: Message[]) {
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

  /** What a sender's messages on a channel take from its quotas; none without quotas. */
  private chargeFor(sender: Sender, channel: SendRequest['channel']): AcceptCharge | undefined {
    const charge = TenantUsage.chargeFor(sender, channel)
    return charge ? (trx, count) => this.usage.take(trx, charge, count) : undefined
  }

  private queued(message: NewMessage): QueuedMessage {
    return {
      id: message.id,
      priority: message.priority,
      delayMs: message.scheduledAt ? message.scheduledAt.getTime() - Date.now() : 0,
    }
  }

  /**
   * The rows are committed: if Redis refuses the jobs now, the messages are
   * still accepted and the stuck-message sweeper queues them.
   */
  private async enqueueSafely(messages: NewMessage[]) {
    try {
      await this.queues.enqueue(
        messages.map((message) => this.queued(message)),
        messagingConfig.bulk.chunkSize
      )
    } catch (error) {
      logger.error(
        {
          err: error,
          messageIds: messages.slice(0, 10).map((message) => message.id),
          count: messages.length,
        },
        'messages stored but not queued; the sweeper will queue them'
      )
    }
    await announce(
      'message:queued',
      messages.map((message) => ({
        messageId: message.id,
        tenantId: message.tenantId,
        channel: message.channel,
        priority: message.priority,
        occurredAt: new Date(),
      }))
    )
  }
}
