import { inject } from '@adonisjs/core'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import type { MessageSent } from '#messaging/tracking/message_events'

/**
 * The vendor never saw a test key's message, so nothing will report it
 * delivered: once it is sent, its delivery is reported here, through the
 * same tracker as a provider's callback (status, event, domain event and
 * tenant webhook alike). Its event id is derived from the message, so a
 * second report of the same send is dropped as a repeat.
 */
@inject()
export default class TestDeliveries {
  constructor(private tracker: DeliveryTracker) {}

  /** Called for test messages only (start/events.ts filters) */
  async sent(sent: MessageSent) {
    await this.tracker.apply({
      source: 'test',
      providerConfigId: null,
      tenantId: sent.tenantId,
      providerEventId: `delivered:${sent.messageId}`,
      providerMessageId: sent.providerMessageId,
      messageId: sent.messageId,
      type: DeliveryEventType.Delivered,
      occurredAt: new Date(),
      reason: null,
      code: null,
      recipient: null,
      details: { test: true },
      payload: null,
    })
  }
}
