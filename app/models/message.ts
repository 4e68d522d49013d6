import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import type { Channel } from '#enums/channel'
import type { Priority } from '#enums/priority'
import type { MessageStatus } from '#enums/message_status'
import DeliveryEvent from '#models/delivery_event'

export interface MessageContent {
  text?: string
  html?: string
  /** The template version the text, html and subject were rendered from */
  templateId?: string
  templateVersion?: number
  locale?: string
  variables?: Record<string, unknown>
  data?: Record<string, unknown>
}

export default class Message extends BaseModel {
  static selfAssignPrimaryKey = true

  @column({ isPrimary: true })
  declare id: string

  @column()
  declare tenantId: string

  @column()
  declare direction: 'outbound' | 'inbound'

  @column()
  declare channel: Channel

  @column()
  declare priority: Priority

  @column()
  declare messageType: string

  @column()
  declare recipient: string

  @column()
  declare recipientDomain: string | null

  @column()
  declare subject: string | null

  @column()
  declare content: MessageContent

  @column()
  declare status: MessageStatus

  @column()
  declare gateway: string | null

  @column()
  declare providerConfigId: string | null

  @column()
  declare providerMessageId: string | null

  @column()
  declare attempts: number

  @column.dateTime()
  declare nextAttemptAt: DateTime | null

  @column.dateTime()
  declare lockedUntil: DateTime | null

  @column()
  declare idempotencyKey: string | null

  @column({ serializeAs: null })
  declare requestHash: string | null

  @column.dateTime()
  declare scheduledAt: DateTime | null

  @column.dateTime()
  declare sentAt: DateTime | null

  @column.dateTime()
  declare deliveredAt: DateTime | null

  @column.dateTime()
  declare openedAt: DateTime | null

  @column.dateTime()
  declare clickedAt: DateTime | null

  @column.dateTime()
  declare failedAt: DateTime | null

  @column.dateTime()
  declare canceledAt: DateTime | null

  @column()
  declare lastError: string | null

  @column()
  declare lastErrorCode: string | null

  @column()
  declare sourceType: string | null

  @column()
  declare sourceId: string | null

  @column()
  declare parentMessageId: string | null

  @column()
  declare conversationId: string | null

  @column()
  declare fallback: Array<{ channel: Channel; recipient: string }> | null

  @column()
  declare metadata: Record<string, unknown>

  /** Accepted with a test key: went through the pipeline without any vendor call */
  @column({ serializeAs: 'test' })
  declare isTest: boolean

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @hasMany(() => DeliveryEvent)
  declare events: HasMany<typeof DeliveryEvent>
}
