import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { MessageNotFoundException } from '#exceptions/domain_exceptions'
import { SendNotYetRecordedException } from '#exceptions/webhook_exceptions'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import type { ProviderEventContext } from '#messaging/tracking/provider_event'
import {
  isReportedBy,
  mayYetBeReportedBy,
  type TrackedMessage,
} from '#messaging/tracking/tracked_messages'
import type { PushReport } from '#messaging/tracking/push_report_schema'

const EVENT_TYPES: Record<PushReport['event'], DeliveryEventType> = {
  delivered: DeliveryEventType.Delivered,
  opened: DeliveryEventType.Opened,
  clicked: DeliveryEventType.Clicked,
}

/**
 * Delivered/opened reports from the tenant's push client app: FCM itself has
 * no delivery callback. The tenant's API key limits them to that tenant's
 * messages; an FCM account's signature to the messages sent through that
 * account (isReportedBy).
 */
@inject()
export class PushReports {
  constructor(private tracker: DeliveryTracker) {}

  async record(context: ProviderEventContext, report: PushReport) {
    const message: Pick<
      TrackedMessage,
      'id' | 'tenant_id' | 'provider_config_id' | 'status'
    > | null = await db
      .from('messages')
      .select('id', 'tenant_id', 'provider_config_id', 'status')
      .where('id', report.messageId)
      .where('channel', 'push')
      .first()
    if (!message || !isReportedBy(context, message)) {
      if (message && mayYetBeReportedBy(context, message)) {
        throw new SendNotYetRecordedException()
      }
      throw new MessageNotFoundException()
    }
    return this.tracker.apply({
      source: 'fcm',
      providerConfigId: context.providerConfigId,
      tenantId: message.tenant_id,
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
