import { MessageStatus } from '#enums/message_status'
import type { MessageStore } from '#messaging/outbox/message_store'
import type { SuppressionList } from '#messaging/suppression/suppression_list'
import { storedFor } from '#messaging/erasure/erased_message'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import type { MessageComposer, ComposedMessage } from '#messaging/templates/message_composer'
import {
  MissingTemplateVariablesException,
  TemplateRenderException,
} from '#exceptions/template_exceptions'
import type { TenantUsage } from '#messaging/quotas/tenant_usage'
import type { Sender } from '#messaging/sender'
import type { BulkSendRequest } from '#messaging/actions/message_requests'
import { newMessage } from '#messaging/actions/new_message'
import { quotaCharge } from '#messaging/actions/quota_charge'
import type { AcceptedMessagesQueuer } from '#messaging/actions/accepted_messages_queuer'

/** How many rejected recipients a bulk reply lists one by one */
const REJECTIONS_LISTED = 100

export interface BulkResult {
  total: number
  queued: number
  scheduled: number
  suppressed: number
  rejected: number
  messages: Array<{ index: number; id: string; status: MessageStatus }>
  rejections: Array<{ index: number; recipient: string; reason: string }>
}

interface AcceptedRecipient {
  index: number
  address: string
  domain: string | null
  variables?: Record<string, unknown>
  composed?: ComposedMessage
}

/**
 * Accept one message per recipient: recipients are checked one by one
 * (invalid or repeated ones are rejected), suppression is one query for the
 * whole batch, rows go in by multi-row INSERTs in one transaction and jobs by
 * addBulk. The quotas take the batch's sendable messages all or none.
 */
export class SendBulk {
  constructor(
    private store: MessageStore,
    private suppressions: SuppressionList,
    private composer: MessageComposer,
    private usage: TenantUsage,
    private queuer: AcceptedMessagesQueuer,
    /** Rows per INSERT statement */
    private chunkSize: number
  ) {}

  async handle(sender: Sender, request: BulkSendRequest): Promise<BulkResult> {
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
    const accepted: AcceptedRecipient[] = []
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
      const message = newMessage(tenantId, composed, {
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
    const charge = quotaCharge(this.usage, sender, request.channel)
    await this.store.insertMany(
      messages,
      this.chunkSize,
      charge && { take: charge, charged: toQueue.length }
    )
    await this.queuer.queue(toQueue)

    for (const message of messages) {
      if (message.status === MessageStatus.Suppressed) result.suppressed++
      else if (message.status === MessageStatus.Scheduled) result.scheduled++
      else result.queued++
    }
    return result
  }
}
