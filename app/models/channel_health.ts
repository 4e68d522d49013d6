import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { Channel } from '#enums/channel'

export default class ChannelHealth extends BaseModel {
  static table = 'channel_health'

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare gatewayKey: string

  @column()
  declare gateway: string

  @column()
  declare providerConfigId: string | null

  @column()
  declare channel: Channel

  @column({ consume: (value: string) => Number(value) })
  declare score: number

  @column()
  declare circuitState: 'closed' | 'open' | 'half_open'

  @column()
  declare consecutiveFailures: number

  @column({ consume: (value: string) => Number(value) })
  declare successCount: number

  @column({ consume: (value: string) => Number(value) })
  declare failureCount: number

  @column()
  declare avgLatencyMs: number | null

  @column.dateTime()
  declare lastSuccessAt: DateTime | null

  @column.dateTime()
  declare lastFailureAt: DateTime | null

  @column.dateTime()
  declare circuitOpenedAt: DateTime | null

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
