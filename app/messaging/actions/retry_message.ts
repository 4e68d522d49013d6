import { inject } from '@adonisjs/core'
import { MessageStatus } from '#enums/message_status'
import Message from '#models/message'
import {
  MessageNotFoundException,
  MessageNotRetryableException,
} from '#exceptions/domain_exceptions'
import { ResendFailed, type ResendResult } from '#messaging/actions/resend_failed'
import { assertMessageId } from '#messaging/actions/message_lookup'

/**
 * Send one failed message again, as `comms:retry-failed` does for many
 * (RetryFailedMessages picks its originals by date, this by id): through
 * ResendFailed, so the retry is a new message linked to its original, made at
 * most once (`skipped` when asked again), and recorded as suppressed when its
 * recipient is now.
 */
@inject()
export class RetryMessage {
  constructor(private resendFailed: ResendFailed) {}

  async handle(tenantId: string, id: string): Promise<ResendResult> {
    assertMessageId(id)
    const original = await Message.query().where('tenant_id', tenantId).where('id', id).first()
    if (!original) {
      throw new MessageNotFoundException()
    }
    if (original.direction !== 'outbound' || original.status !== MessageStatus.Failed) {
      throw new MessageNotRetryableException(
        original.direction === 'outbound' ? original.status : 'a received message'
      )
    }
    return this.resendFailed.handle([original])
  }
}
