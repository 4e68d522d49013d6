import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { TenantApiKeysProvider } from '#models/tenant_api_keys'

export default class Tenant extends BaseModel {
  /** API keys are @adonisjs/auth access tokens owned by the tenant. */
  static apiKeys = new TenantApiKeysProvider({
    tokenableModel: Tenant,
    table: 'api_keys',
    type: 'api_key',
    prefix: 'sb_',
  })

  @column({ isPrimary: true })
  declare id: string

  @column()
  declare name: string

  @column()
  declare status: 'active' | 'suspended'

  /** Read through #messaging/tenants/tenant_settings */
  @column()
  declare settings: Record<string, unknown>

  @column.dateTime()
  declare suspendedAt: DateTime | null

  @column()
  declare suspensionReason: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
