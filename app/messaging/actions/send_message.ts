import { inject } from '@adonisjs/core'
import { IdempotencyConflictException } from '#exceptions/domain_exceptions'
import { MessageStore } from '#messaging/outbox/message_store'
import { SuppressionList } from '#messaging/suppression/suppression_list'
import { storedFor } from '#messaging/erasure/erased_message'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import { requestFingerprint } from '#messaging/idempotency/request_fingerprint'
import { MessageComposer } from '#messaging/templates/message_composer'
import { TenantUsage } from '#messaging/quotas/tenant_usage'
import type { Sender } from '#messaging/sender'
import type { SendRequest } from '#messaging/actions/message_requests'
import { newMessage } from '#messaging/actions/new_message'
import { quotaCharge } from '#messaging/actions/quota_charge'
import { tenantMessage } from '#messaging/actions/message_lookup'
import { AcceptedMessagesQueuer } from '#messaging/actions/accepted_messages_queuer'

/**
 * The one way into Switchboard for a single message: accept, store, then
 * queue. A message exists once its row is committed; only then is its id put
 * on its priority's queue.
 */
@inject()
export class SendMessage {
  constructor(
    private store: MessageStore,
    private suppressions: SuppressionList,
    private composer: MessageComposer,
    private usage: TenantUsage,
    private queuer: AcceptedMessagesQueuer
  ) {}

  /**
   * A repeated idempotency key returns the first message (created = false,
   * not counted again); the same key with another body is a conflict. A reply
   * names the conversation it belongs to. A message to a suppressed recipient
   * is stored but never sent, so not counted against the quotas.
   */
  async handle(sender: Sender, request: SendRequest, thread: { conversationId?: string } = {}) {
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
    const message = newMessage(tenantId, composed, {
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
      suppressed ? undefined : quotaCharge(this.usage, sender, request.channel)
    )
    if (!stored.created && stored.requestHash !== message.requestHash) {
      throw new IdempotencyConflictException()
    }
    if (stored.created && !suppressed) {
      await this.queuer.queue([message])
    }
    return { message: await tenantMessage(tenantId, stored.id), created: stored.created }
  }
}
