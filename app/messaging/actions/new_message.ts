import { randomUUID } from 'node:crypto'
import { Priority } from '#enums/priority'
import { MessageStatus } from '#enums/message_status'
import type { NewMessage } from '#messaging/outbox/message_store'
import type { SendRequest } from '#messaging/actions/message_requests'

const DEFAULT_PRIORITY = Priority.P4
const DEFAULT_MESSAGE_TYPE = 'transactional'

export interface MessageRecipient {
  recipient: string
  recipientDomain: string | null
  /** This recipient's own template variables, over the request's */
  variables: Record<string, unknown> | undefined
  suppressed: boolean
}

/**
 * The row of a new message to one recipient: suppressed, scheduled (a send
 * time still ahead) or queued, with the defaults a request leaves out.
 */
export function newMessage(
  tenantId: string,
  request: Omit<SendRequest, 'recipient' | 'idempotencyKey'>,
  recipient: MessageRecipient
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
