import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import type { ProviderEvent } from '#messaging/tracking/provider_event'
import type { TrackedMessage } from '#messaging/tracking/tracked_messages'
import type { Applied } from '#messaging/tracking/track_result'

/**
 * The domain events, after the commit. A failing listener is logged, not
 * thrown: the provider must not retry an event we already recorded.
 */
export async function announceDelivery(
  event: ProviderEvent,
  applied: Applied,
  before: TrackedMessage
) {
  const { occurredAt } = event
  const base = {
    messageId: applied.messageId,
    tenantId: applied.tenantId,
    occurredAt,
    deliveryEventId: applied.deliveryEventId,
    source: event.source,
    status: applied.status,
  }
  const recipient = before.recipient
  const emitted: Array<Promise<void>> = []
  if (applied.changes?.status === MessageStatus.Delivered) {
    emitted.push(emitter.emit('message:delivered', base))
  }
  switch (event.type) {
    case DeliveryEventType.Opened:
      emitted.push(emitter.emit('message:opened', { ...base, first: !before.opened_at }))
      break
    case DeliveryEventType.Clicked:
      emitted.push(
        emitter.emit('message:clicked', {
          ...base,
          first: !before.clicked_at,
          url: typeof event.details.url === 'string' ? event.details.url : null,
        })
      )
      break
    case DeliveryEventType.Bounced:
    case DeliveryEventType.SoftBounced:
      emitted.push(
        emitter.emit('message:bounced', {
          ...base,
          permanent: event.type === DeliveryEventType.Bounced,
          recipient,
          reason: event.reason,
        })
      )
      break
    case DeliveryEventType.Complained:
      emitted.push(emitter.emit('message:complained', { ...base, recipient }))
      break
  }
  if (applied.changes?.status === MessageStatus.Failed) {
    emitted.push(
      emitter.emit('message:failed', {
        messageId: applied.messageId,
        tenantId: applied.tenantId,
        channel: before.channel,
        gateway: event.source,
        occurredAt,
        reason: applied.changes.last_error ?? event.type,
        code: applied.changes.last_error_code ?? null,
      })
    )
  }
  const outcomes = await Promise.allSettled(emitted)
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      logger.error(
        { err: outcome.reason, messageId: applied.messageId },
        'a delivery event listener failed'
      )
    }
  }
}
