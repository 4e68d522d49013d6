import { DateTime } from 'luxon'
import { BaseModel, beforeSave, column } from '@adonisjs/lucid/orm'
import { compose } from '@adonisjs/core/helpers'
import hash from '@adonisjs/core/services/hash'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'

export const USER_ROLES = ['operator', 'admin', 'agent', 'viewer'] as const
export type UserRole = (typeof USER_ROLES)[number]
/** The roles a person holds within one tenant. */
export const TENANT_ROLES = ['admin', 'agent', 'viewer'] as const
export type TenantRole = (typeof TENANT_ROLES)[number]

const AuthFinder = withAuthFinder(() => hash.use(), {
  uids: ['email'],
  passwordColumnName: 'password',
})

/** A person who signs in to the console. */
export default class User extends compose(BaseModel, AuthFinder) {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare email: string

  @column()
  declare fullName: string | null

  @column({ serializeAs: null })
  declare password: string

  @column()
  declare role: UserRole

  /** Null for an operator, who works across every tenant. */
  @column()
  declare tenantId: string | null

  /** Sealed with the credentials cipher; read through #people/two_factor. */
  @column({ serializeAs: null })
  declare totpSecret: string | null

  @column.dateTime()
  declare totpEnabledAt: DateTime | null

  @column.dateTime()
  declare disabledAt: DateTime | null

  @column.dateTime()
  declare lastSignInAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  /** Emails are compared case-blind (a unique index on lower(email)) and kept lower-case. */
  @beforeSave()
  static normaliseEmail(user: User) {
    if (user.$dirty.email) user.email = user.email.trim().toLowerCase()
  }

  get isOperator() {
    return this.role === 'operator'
  }
}
