import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { DeliveryEventType } from '#enums/delivery_event_type'

/** One line of the append-only event log (the database refuses updates). */
export default class DeliveryEvent extends BaseModel {
  // bigserial: pg returns it as a string
  @column({ isPrimary: true, consume: (value: string | number) => Number(value) })
  declare id: number

  @column()
  declare messageId: string | null

  @column()
  declare tenantId: string | null

  @column()
  declare type: DeliveryEventType

  @column()
  declare source: string

  @column()
  declare gateway: string | null

  /** The provider account whose callback brought it: its event ids are unique within it */
  @column()
  declare providerConfigId: string | null

  @column()
  declare providerEventId: string | null

  @column()
  declare providerMessageId: string | null

  @column()
  declare reason: string | null

  @column()
  declare details: Record<string, unknown> | null

  @column({ serializeAs: null })
  declare payload: unknown

  @column.dateTime()
  declare occurredAt: DateTime

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
