import type { MessageStatus } from '#enums/message_status'
import type { SuppressionReason } from '#enums/suppression_reason'
import type { MessageChanges } from '#messaging/tracking/status_transition'

export type TrackResult =
  /** The provider had already told us this (a retried webhook): nothing changed */
  | { outcome: 'duplicate' }
  /** Logged without a message: we have none with that id (yet) */
  | { outcome: 'orphan'; deliveryEventId: number }
  | {
      outcome: 'applied'
      deliveryEventId: number
      messageId: string
      tenantId: string
      status: MessageStatus
      changes: MessageChanges | null
      suppressed: SuppressionReason | null
    }

export type Applied = Extract<TrackResult, { outcome: 'applied' }>
