import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { Channel } from '#enums/channel'

export default class MessageTemplate extends BaseModel {
  @column({ isPrimary: true })
  declare id: string

  @column()
  declare tenantId: string

  @column()
  declare name: string

  @column()
  declare channel: Channel

  @column()
  declare locale: string

  @column()
  declare version: number

  @column()
  declare subject: string | null

  @column()
  declare html: string | null

  @column()
  declare text: string | null

  // jsonb: pg would write a bare JS array as a PostgreSQL array literal
  @column({ prepare: (value: string[]) => JSON.stringify(value) })
  declare requiredVariables: string[]

  @column()
  declare active: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
