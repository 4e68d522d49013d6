import { inject } from '@adonisjs/core'
import type { Infer } from '@vinejs/vine/types'
import { DeliveryEventType } from '#enums/delivery_event_type'
import Message from '#models/message'
import { MessageNotFoundException } from '#exceptions/domain_exceptions'
import type { pushReportValidator } from '#validators/push_report'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import type { ProviderEventContext } from '#messaging/tracking/provider_event'

export type PushReport = Infer<typeof pushReportValidator>

const EVENT_TYPES: Record<PushReport['event'], DeliveryEventType> = {
  delivered: DeliveryEventType.Delivered,
  opened: DeliveryEventType.Opened,
  clicked: DeliveryEventType.Clicked,
}

/**
 * Delivered/opened reports from the tenant's push client app: FCM itself has
 * no delivery callback. The tenant's API key, or the signature of a tenant's
 * FCM account, limits them to that tenant's messages; a system-default
 * account's signature covers any push message.
 */
@inject()
export class PushReports {
  constructor(private tracker: DeliveryTracker) {}

  async record(context: ProviderEventContext, report: PushReport) {
    const query = Message.query()
      .select('id', 'tenant_id')
      .where('id', report.messageId)
      .where('channel', 'push')
    if (context.tenantId) query.where('tenant_id', context.tenantId)
    const message = await query.first()
    if (!message) {
      throw new MessageNotFoundException()
    }
    return this.tracker.apply({
      source: 'fcm',
      providerConfigId: context.providerConfigId,
      tenantId: message.tenantId,
      // Report ids are the app's own: unique per message, not across tenants
      providerEventId: `${message.id}:${report.reportId}`,
      providerMessageId: null,
      messageId: message.id,
      type: EVENT_TYPES[report.event],
      occurredAt: report.occurredAt ?? new Date(),
      reason: null,
      code: null,
      recipient: null,
      details: {},
      payload: report,
    })
  }
}
