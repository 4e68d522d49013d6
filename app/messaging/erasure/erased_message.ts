import type { MessageContent } from '#models/message'
import type { NewMessage } from '#messaging/outbox/message_store'
import type { SuppressionMatch } from '#messaging/suppression/suppression_list'
import { ERASED_MARKER } from '#messaging/erasure/redaction'

/**
 * A message accepted for an erased person is stored (suppressed, never sent)
 * as their erased messages are: the tombstone of their suppression for the
 * address, the marker for the content, so the address never comes back into
 * the tables. Any other message as it is.
 */
export function storedFor(message: NewMessage, match: SuppressionMatch | undefined): NewMessage {
  if (!match?.erasedAs) return message
  return {
    ...message,
    recipient: match.erasedAs,
    recipientDomain: null,
    subject: null,
    content: ERASED_MARKER as unknown as MessageContent,
    metadata: { ...ERASED_MARKER },
    fallback: null,
  }
}
