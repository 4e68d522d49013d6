import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import { SuppressionReason } from '#enums/suppression_reason'
import Suppression from '#models/suppression'
import { SuppressionNotFoundException } from '#exceptions/suppression_exceptions'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import { SuppressionList } from '#messaging/suppression/suppression_list'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import type { CreateSuppressionRequest, SuppressionFilters } from '#validators/suppression'

const DEFAULT_PAGE_SIZE = 25
/** The largest bigserial id; anything past it cannot name a row */
const MAX_ID = 9_223_372_036_854_775_807n

/**
 * Whose entries to show: a tenant sees its own and the global ones (they apply
 * to it); an operator may look at every entry.
 */
export type SuppressionScope = { tenantId: string } | 'everyone'

export interface SuppressionEntry extends CreateSuppressionRequest {
  /** null: a global entry, for every tenant */
  tenantId: string | null
  /** Who added it: 'api', 'operator', … */
  source: string
}

/**
 * The suppression list as tenants (the API) and operators (comms:suppress)
 * manage it. Recipients are brought to the normal form the send path compares
 * (recipient_rules.ts), so an entry added here matches the messages it must stop.
 */
@inject()
export class SuppressionService {
  constructor(
    private suppressions: SuppressionList,
    private audit: AuditLog
  ) {}

  /** Newest first, filtered by part of the recipient (any case), channel and reason. */
  async list(scope: SuppressionScope, filters: SuppressionFilters) {
    return Suppression.query()
      .if(scope !== 'everyone', (query) =>
        query.where((owner) =>
          owner
            .where('tenant_id', (scope as { tenantId: string }).tenantId)
            .orWhereNull('tenant_id')
        )
      )
      .if(filters.search, (query) =>
        query.whereILike('recipient', `%${escapeLike(filters.search!)}%`)
      )
      .if(filters.channel, (query) => query.where('channel', filters.channel!))
      .if(filters.reason, (query) => query.where('reason', filters.reason!))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .paginate(filters.page ?? 1, filters.perPage ?? DEFAULT_PAGE_SIZE)
  }

  /**
   * Add an entry (reason `manual` unless told). Adding one that is already
   * there changes nothing (and is not audited) and returns it with created = false.
   */
  async add(entry: SuppressionEntry, actor: AuditActor) {
    const check = checkRecipient(entry.channel, entry.recipient)
    if (!check.valid) {
      throw new Error(`recipient passed validation but is invalid: ${check.reason}`)
    }
    return db.transaction(async (trx) => {
      const written = await this.suppressions.add(
        {
          tenantId: entry.tenantId,
          channel: entry.channel,
          recipient: check.address,
          reason: entry.reason ?? SuppressionReason.Manual,
          source: entry.source,
          details: entry.details,
          expiresAt: entry.expiresAt ?? null,
        },
        trx
      )
      const suppression = await this.scoped(entry.tenantId, trx)
        .where('channel', entry.channel)
        .where('recipient', check.address)
        .firstOrFail()
      if (written !== null) {
        await this.#audited('suppression.added', actor, { after: suppression }, trx)
      }
      return { suppression, created: written !== null }
    })
  }

  /** Lift one of the tenant's own entries; a global or another tenant's one is not found. */
  async remove(tenantId: string, id: string, actor: AuditActor) {
    if (!/^\d{1,19}$/.test(id) || BigInt(id) > MAX_ID) {
      throw new SuppressionNotFoundException()
    }
    const lifted = await this.#lift(tenantId, { id }, actor)
    if (!lifted) {
      throw new SuppressionNotFoundException()
    }
  }

  /** Lift the entry of one scope (null: global) for a recipient; false when there was none. */
  async removeRecipient(
    tenantId: string | null,
    channel: Channel,
    recipient: string,
    actor: AuditActor
  ) {
    const check = checkRecipient(channel, recipient)
    const address = check.valid ? check.address : recipient.trim()
    return this.#lift(tenantId, { channel, recipient: address }, actor)
  }

  /** Deletes the scope's entry that matches and audits it; false when there was none. */
  async #lift(tenantId: string | null, match: Record<string, string>, actor: AuditActor) {
    return db.transaction(async (trx) => {
      const suppression = await this.scoped(tenantId, trx).where(match).forUpdate().first()
      if (!suppression) return false
      await suppression.delete()
      await this.#audited('suppression.lifted', actor, { before: suppression }, trx)
      return true
    })
  }

  #audited(
    action: string,
    actor: AuditActor,
    change: { before?: Suppression; after?: Suppression },
    trx: TransactionClientContract
  ) {
    const suppression = (change.before ?? change.after)!
    return this.audit.record(
      {
        tenantId: suppression.tenantId,
        actor,
        action,
        targetType: 'suppression',
        targetId: String(suppression.id),
        ...change,
      },
      trx
    )
  }

  private scoped(tenantId: string | null, client?: TransactionClientContract) {
    const query = Suppression.query({ client })
    return tenantId === null ? query.whereNull('tenant_id') : query.where('tenant_id', tenantId)
  }
}

/** `%` and `_` in a search are literal characters, not patterns. */
function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`)
}
