import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'

/** What the rule needs to know about a message, read under its row lock. */
export interface TrackedMessageState {
  status: MessageStatus
  openedAt: Date | null
  clickedAt: Date | null
}

export interface TrackedOutcome {
  type: DeliveryEventType
  occurredAt: Date
  reason: string | null
  code: string | null
}

/** Column values to write on the message; absent means unchanged. */
export interface MessageChanges {
  status?: MessageStatus.Delivered | MessageStatus.Failed
  delivered_at?: Date
  opened_at?: Date
  clicked_at?: Date
  failed_at?: Date
  last_error?: string
  last_error_code?: string
  locked_until?: null
  next_attempt_at?: null
}

/** A provider can only confirm delivery of a message we handed over (or were handing over). */
const DELIVERABLE = new Set([MessageStatus.Queued, MessageStatus.Sending, MessageStatus.Sent])

/** Bounces and complaints can still come after delivery; terminal statuses stay put. */
const FAILABLE = new Set([...DELIVERABLE, MessageStatus.Delivered])

const FAILING_EVENTS = new Set([
  DeliveryEventType.Bounced,
  DeliveryEventType.Complained,
  DeliveryEventType.Failed,
])

/**
 * The forward-only rule (ARCHITECTURE.md invariant 7) for provider events:
 * delivered moves queued/sending/sent forward; a bounce, a complaint or a
 * permanent failure ends in failed; an open or a click is recorded the first
 * time and implies delivery. Anything late or out of order changes nothing:
 * its event is still logged by the caller.
 */
export function changesFor(
  message: TrackedMessageState,
  event: TrackedOutcome
): MessageChanges | null {
  const at = event.occurredAt
  if (event.type === DeliveryEventType.Delivered) {
    return DELIVERABLE.has(message.status)
      ? { status: MessageStatus.Delivered, delivered_at: at }
      : null
  }

  if (event.type === DeliveryEventType.Opened || event.type === DeliveryEventType.Clicked) {
    const changes: MessageChanges = {}
    if (event.type === DeliveryEventType.Opened && !message.openedAt) changes.opened_at = at
    if (event.type === DeliveryEventType.Clicked && !message.clickedAt) changes.clicked_at = at
    if (DELIVERABLE.has(message.status)) {
      changes.status = MessageStatus.Delivered
      changes.delivered_at = at
    }
    return Object.keys(changes).length > 0 ? changes : null
  }

  if (FAILING_EVENTS.has(event.type) && FAILABLE.has(message.status)) {
    return {
      status: MessageStatus.Failed,
      failed_at: at,
      last_error: event.reason ?? event.type,
      last_error_code: event.code ?? event.type,
      locked_until: null,
      next_attempt_at: null,
    }
  }
  return null
}
