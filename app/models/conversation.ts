import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import type { Channel } from '#enums/channel'
import type { ConversationStatus } from '#enums/conversation_status'
import Contact from '#models/contact'
import Message from '#models/message'

/** The thread between a tenant and one contact: inbound messages and the replies to them. */
export default class Conversation extends BaseModel {
  @column({ isPrimary: true })
  declare id: string

  @column()
  declare tenantId: string

  @column()
  declare contactId: string

  @column()
  declare channel: Channel

  @column()
  declare status: ConversationStatus

  @column.dateTime()
  declare lastMessageAt: DateTime

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Contact)
  declare contact: BelongsTo<typeof Contact>

  @hasMany(() => Message)
  declare messages: HasMany<typeof Message>
}
