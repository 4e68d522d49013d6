import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { TenantWebhookEvent } from '#messaging/tenant_webhooks/tenant_webhook_event'

/** One attempt to deliver one event to a tenant's webhook endpoint. */
export default class WebhookDelivery extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare endpointId: string

  @column()
  declare eventId: string

  @column()
  declare eventType: string

  @column()
  declare payload: TenantWebhookEvent

  @column()
  declare attempt: number

  @column()
  declare statusCode: number | null

  @column()
  declare error: string | null

  @column()
  declare durationMs: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
