/**
 * What can happen to a message, as recorded in the append-only event log.
 */
export enum DeliveryEventType {
  Scheduled = 'scheduled',
  Queued = 'queued',
  Sending = 'sending',
  Sent = 'sent',
  Deferred = 'deferred',
  Retrying = 'retrying',
  Failover = 'failover',
  Delivered = 'delivered',
  Opened = 'opened',
  Clicked = 'clicked',
  SoftBounced = 'soft_bounced',
  Bounced = 'bounced',
  Complained = 'complained',
  Failed = 'failed',
  Canceled = 'canceled',
  Suppressed = 'suppressed',
}
