import { DateTime } from 'luxon'
import { BaseModel, column, computed } from '@adonisjs/lucid/orm'
import type { Channel } from '#enums/channel'
import type { SuppressionReason } from '#enums/suppression_reason'

/** A recipient never to send to; tenantId null applies to every tenant. */
export default class Suppression extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare tenantId: string | null

  @column()
  declare channel: Channel

  /** The address, or its erasure's tombstone once the person was erased */
  @column()
  declare recipient: string

  /** What lookups match (suppression_hash.ts); never shown, it would tell an erased address */
  @column({ serializeAs: null })
  declare recipientHash: string

  @column()
  declare reason: SuppressionReason

  @column()
  declare source: string | null

  @column()
  declare details: Record<string, unknown> | null

  @column.dateTime()
  declare expiresAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  /** Whose entry it is: a tenant's own, or global (set by an operator, applies to all) */
  @computed()
  get scope(): 'tenant' | 'global' {
    return this.tenantId === null ? 'global' : 'tenant'
  }
}
