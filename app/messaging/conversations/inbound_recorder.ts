import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { Channel } from '#enums/channel'
import { Priority } from '#enums/priority'
import { MessageStatus } from '#enums/message_status'
import { ConversationStatus } from '#enums/conversation_status'
import { SuppressionReason } from '#enums/suppression_reason'
import type { InboundMessage } from '#messaging/conversations/inbound_message'
import { keywordActionOf } from '#messaging/conversations/suppression_keywords'
import { SuppressionList } from '#messaging/suppression/suppression_list'

export type InboundOutcome =
  | { recorded: true; messageId: string; conversationId: string }
  | { recorded: false; reason: 'duplicate' | 'no tenant' }

type OwnedInbound = InboundMessage & { tenantId: string; providerConfigId: string }

/**
 * Stores an inbound message in its conversation: the contact is found or
 * created by address, the conversation reused or reopened, and opt-out
 * keywords applied to the suppression list, all in one transaction. A
 * provider's retry of the same message changes nothing.
 */
@inject()
export class InboundRecorder {
  constructor(private suppressions: SuppressionList) {}

  async record(inbound: InboundMessage): Promise<InboundOutcome> {
    if (!isOwned(inbound)) {
      // A system-default account serves every tenant: nobody to hand the conversation to
      logger.warn(
        {
          providerConfigId: inbound.providerConfigId,
          providerMessageId: inbound.providerMessageId,
        },
        'inbound message on a system-default provider account ignored'
      )
      return { recorded: false, reason: 'no tenant' }
    }
    return db.transaction(async (trx) => {
      // The upsert locks the contact row: deliveries from one sender are recorded one at a time
      const contactId = await this.contactOf(trx, inbound)
      if (await this.alreadyRecorded(trx, inbound)) {
        return { recorded: false, reason: 'duplicate' } as const
      }
      const conversationId = await this.conversationOf(trx, inbound, contactId)
      const messageId = await this.insertMessage(trx, inbound, conversationId)
      await this.applyKeyword(trx, inbound)
      return { recorded: true, messageId, conversationId } as const
    })
  }

  private async contactOf(trx: TransactionClientContract, inbound: OwnedInbound) {
    const [contact] = await trx
      .knexQuery()
      .table('contacts')
      .insert({
        tenant_id: inbound.tenantId,
        channel: inbound.channel,
        address: inbound.from,
        display_name: inbound.displayName,
      })
      .onConflict(['tenant_id', 'channel', 'address'])
      .merge({
        display_name: db.knexRawQuery('COALESCE(EXCLUDED.display_name, contacts.display_name)'),
        updated_at: new Date(),
      })
      .returning('id')
    return contact.id as string
  }

  /** A provider's message ids are unique within one account only, so that is the scope */
  private async alreadyRecorded(trx: TransactionClientContract, inbound: OwnedInbound) {
    const existing = await trx
      .from('messages')
      .select('id')
      .where('direction', 'inbound')
      .where('provider_config_id', inbound.providerConfigId)
      .where('provider_message_id', inbound.providerMessageId)
      .first()
    return Boolean(existing)
  }

  /** The open conversation with the contact, else its latest one reopened, else a new one. */
  private async conversationOf(
    trx: TransactionClientContract,
    inbound: OwnedInbound,
    contactId: string
  ) {
    const latest = await trx
      .from('conversations')
      .select('id')
      .where('contact_id', contactId)
      .where('channel', inbound.channel)
      .orderByRaw('status = ? DESC, last_message_at DESC', [ConversationStatus.Open])
      .first()
    if (latest) {
      await trx.from('conversations').where('id', latest.id).update({
        status: ConversationStatus.Open,
        last_message_at: new Date(),
        updated_at: new Date(),
      })
      return latest.id as string
    }
    const [created] = await trx
      .knexQuery()
      .table('conversations')
      .insert({
        tenant_id: inbound.tenantId,
        contact_id: contactId,
        channel: inbound.channel,
        status: ConversationStatus.Open,
      })
      .returning('id')
    return created.id as string
  }

  private async insertMessage(
    trx: TransactionClientContract,
    inbound: OwnedInbound,
    conversationId: string
  ) {
    const id = randomUUID()
    const now = new Date()
    await trx
      .knexQuery()
      .table('messages')
      .insert({
        id,
        tenant_id: inbound.tenantId,
        direction: 'inbound',
        channel: inbound.channel,
        priority: Priority.P4,
        message_type: 'inbound',
        recipient: inbound.to,
        recipient_domain:
          inbound.channel === Channel.Email
            ? inbound.to.slice(inbound.to.lastIndexOf('@') + 1)
            : null,
        subject: inbound.subject,
        content: JSON.stringify(inbound.content),
        status: MessageStatus.Delivered,
        gateway: inbound.gateway,
        provider_config_id: inbound.providerConfigId,
        provider_message_id: inbound.providerMessageId,
        delivered_at: now,
        metadata: JSON.stringify({
          from: inbound.from,
          ...(inbound.displayName && { fromName: inbound.displayName }),
        }),
        conversation_id: conversationId,
        created_at: now,
        updated_at: now,
      })
    return id
  }

  private async applyKeyword(trx: TransactionClientContract, inbound: OwnedInbound) {
    const action = keywordActionOf(inbound)
    const entry = {
      tenantId: inbound.tenantId,
      channel: inbound.channel,
      recipient: inbound.from,
      reason: SuppressionReason.Unsubscribe,
    }
    if (action === 'unsubscribe') {
      await this.suppressions.add(
        {
          ...entry,
          source: `${inbound.gateway}:inbound`,
          details: { providerMessageId: inbound.providerMessageId },
        },
        trx
      )
    } else if (action === 'resubscribe') {
      await this.suppressions.remove(entry, trx)
    }
  }
}

function isOwned(inbound: InboundMessage): inbound is OwnedInbound {
  return inbound.tenantId !== null && inbound.providerConfigId !== null
}
