import Message from '#models/message'
import { RETRY_KEY_PREFIX } from '#messaging/actions/resend_failed'

/** How a message came from its parent: sent again by hand, or the next channel after a failure */
export type Relation = 'retry' | 'fallback'

export interface RelatedMessage {
  message: Message
  relation: Relation
}

export interface MessageFamily {
  /** The message this one was made from */
  parent: RelatedMessage | null
  /** The messages made from this one, oldest first */
  children: RelatedMessage[]
}

/** What a retry or a fallback says of itself: ResendFailed keys it `retry-of:`, SendFallback `fallback-of:` */
function relationOf(child: Pick<Message, 'idempotencyKey'>): Relation {
  return child.idempotencyKey?.startsWith(RETRY_KEY_PREFIX) ? 'retry' : 'fallback'
}

/**
 * A message's parent and children (retries and channel fallbacks link to the
 * message they were made from), within its tenant, in one query.
 */
export class RelatedMessages {
  async handle(message: Pick<Message, 'id' | 'tenantId' | 'parentMessageId' | 'idempotencyKey'>) {
    const rows = await Message.query()
      .select(
        'id',
        'tenant_id',
        'channel',
        'recipient',
        'status',
        'idempotency_key',
        'parent_message_id',
        'created_at'
      )
      .where('tenant_id', message.tenantId)
      .where((related) => {
        related.where('parent_message_id', message.id)
        if (message.parentMessageId) related.orWhere('id', message.parentMessageId)
      })
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
    const parent = rows.find((row) => row.id === message.parentMessageId)
    const family: MessageFamily = {
      parent: parent ? { message: parent, relation: relationOf(message) } : null,
      children: rows
        .filter((row) => row.parentMessageId === message.id)
        .map((child) => ({ message: child, relation: relationOf(child) })),
    }
    return family
  }
}
