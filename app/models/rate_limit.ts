import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/** A rate-limit window's counters, persisted from Redis. */
export default class RateLimit extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare scope: 'domain' | 'gateway' | 'tenant'

  @column()
  declare key: string

  @column.dateTime()
  declare windowStart: DateTime

  @column()
  declare windowSeconds: number

  @column()
  declare limit: number | null

  @column()
  declare count: number

  @column()
  declare deferred: number

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
