import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'

export default class Tenant extends BaseModel {
  /** API keys are @adonisjs/auth access tokens owned by the tenant. */
  static apiKeys = DbAccessTokensProvider.forModel(Tenant, {
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

  @column()
  declare settings: Record<string, unknown>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
