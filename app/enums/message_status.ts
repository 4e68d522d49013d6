/**
 * A message moves forward only:
 * scheduled → queued → sending → sent → delivered; failed, canceled and
 * suppressed are terminal. The worker may hand a `sending` message back to
 * `queued` (retry, throttle), nothing else moves backwards.
 */
export enum MessageStatus {
  Scheduled = 'scheduled',
  Queued = 'queued',
  Sending = 'sending',
  Sent = 'sent',
  Delivered = 'delivered',
  Failed = 'failed',
  Canceled = 'canceled',
  Suppressed = 'suppressed',
}

export const MESSAGE_STATUSES = Object.values(MessageStatus)

/** Statuses a cancel request can still stop. */
export const CANCELABLE_STATUSES = [MessageStatus.Scheduled, MessageStatus.Queued]

export const TERMINAL_STATUSES = [
  MessageStatus.Failed,
  MessageStatus.Canceled,
  MessageStatus.Suppressed,
]
