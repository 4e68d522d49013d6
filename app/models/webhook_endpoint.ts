import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { TenantWebhookEventType } from '#enums/tenant_webhook_event_type'

/**
 * A tenant's webhook receiver. The signing secret stays sealed in
 * `encryptedSecret` and is never serialized; `secretMask` is what may be shown.
 */
export default class WebhookEndpoint extends BaseModel {
  @column({ isPrimary: true })
  declare id: string

  @column()
  declare tenantId: string

  @column()
  declare url: string

  @column({ serializeAs: null })
  declare encryptedSecret: string

  @column()
  declare secretMask: string

  // pg would write a JS array as a Postgres array literal, not JSON
  @column({ prepare: (value: TenantWebhookEventType[]) => JSON.stringify(value) })
  declare eventTypes: TenantWebhookEventType[]

  @column()
  declare enabled: boolean

  @column()
  declare consecutiveFailures: number

  /** When the current run of failed attempts began; null once an attempt succeeds */
  @column.dateTime()
  declare failingSince: DateTime | null

  @column.dateTime()
  declare disabledAt: DateTime | null

  @column()
  declare disabledReason: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
