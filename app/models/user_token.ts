import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { TenantRole } from '#models/user'

export type UserTokenKind = 'invite' | 'password_reset'

/** An invite or a password reset link; the token itself is never stored, only its SHA-256. */
export default class UserToken extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare kind: UserTokenKind

  @column({ serializeAs: null })
  declare tokenHash: string

  /** The account a reset is for; null for an invite */
  @column()
  declare userId: number | null

  @column()
  declare tenantId: string | null

  @column()
  declare email: string

  /** The role an invite gives */
  @column()
  declare role: TenantRole | null

  @column.dateTime()
  declare expiresAt: DateTime

  @column.dateTime()
  declare usedAt: DateTime | null

  @column()
  declare createdByUserId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
