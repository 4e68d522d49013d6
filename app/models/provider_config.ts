import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { Channel } from '#enums/channel'
import type { GatewayType } from '#enums/gateway_type'

/**
 * A gateway account. The credentials stay encrypted in `encryptedConfig` and
 * are never serialized; `mask` is what may be shown.
 */
export default class ProviderConfig extends BaseModel {
  @column({ isPrimary: true })
  declare id: string

  @column()
  declare tenantId: string | null

  @column()
  declare type: GatewayType

  @column()
  declare channel: Channel

  @column()
  declare name: string

  @column()
  declare priority: number

  @column()
  declare enabled: boolean

  @column({ serializeAs: null })
  declare encryptedConfig: string

  @column()
  declare mask: string

  @column()
  declare metadata: Record<string, unknown>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
