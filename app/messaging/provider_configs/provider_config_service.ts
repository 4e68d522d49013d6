import { inject } from '@adonisjs/core'
import vine from '@vinejs/vine'
import type { MessagesProviderContact } from '@vinejs/vine/types'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import ProviderConfig from '#models/provider_config'
import { AuditLog, type AuditActor, type AuditChange } from '#messaging/audit/audit_log'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { assertUrlsAllowed } from '#messaging/egress/egress_url_check'
import type { GatewayCheck } from '#messaging/channels/gateway'
import { GatewayFactory } from '#messaging/vendors/gateway_factory'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { maskFor } from '#messaging/accounts/provider_types'
import { providerUrls } from '#messaging/accounts/provider_urls'
import { providerView } from '#messaging/accounts/provider_view'
import {
  providerConfigValidator,
  type ProviderConfigInput,
} from '#messaging/accounts/provider_config_schema'
import type { UpdateProviderRequest } from '#validators/provider'
import {
  ownedBy,
  ownedProvider,
  type ProviderOwner,
} from '#messaging/provider_configs/provider_owner'

/**
 * A tenant's own provider configs, and the system providers (owner null) for
 * operators (`node ace providers:*`, the console with no tenant picked).
 * Every read and write is scoped to its owner: another tenant's config and
 * the system defaults answer a tenant 404. Credentials are sealed before
 * they are stored and leave only masked. The addresses a tenant's config
 * names must pass the egress policy. Each change is audited in its own
 * transaction, before and after as the masked view.
 */
@inject()
export class ProviderConfigService {
  constructor(
    private accounts: ProviderAccounts,
    private gateways: GatewayFactory,
    private egress: EgressPolicy,
    private audit: AuditLog
  ) {}

  async list(owner: ProviderOwner) {
    const configs = await ownedBy(ProviderConfig.query(), owner).orderBy([
      { column: 'channel' },
      { column: 'priority' },
      { column: 'created_at' },
    ])
    return configs.map((config) => providerView(this.accounts.open(config)))
  }

  async find(owner: ProviderOwner, id: string) {
    return providerView(this.accounts.open(await ownedProvider(owner, id)))
  }

  async create(owner: ProviderOwner, request: ProviderConfigInput, actor: AuditActor) {
    await this.#vetUrls(owner, request)
    return db.transaction(async (trx) => {
      const config = await ProviderConfig.create(this.#newColumns(owner, request), { client: trx })
      const after = providerView({ config, credentials: request.config })
      await this.#record(trx, owner, actor, {
        action: 'provider.created',
        targetId: config.id,
        after,
      })
      return after
    })
  }

  /**
   * `config` and `metadata` fields merge over the stored ones (null removes
   * one); the merged provider must then pass the same validation as a new one
   * (its messages worded by `messagesProvider` when given: the console's name
   * each field by its label).
   */
  async update(
    owner: ProviderOwner,
    id: string,
    changes: UpdateProviderRequest,
    actor: AuditActor,
    messagesProvider?: MessagesProviderContact
  ) {
    const config = await ownedProvider(owner, id)
    const { credentials } = this.accounts.open(config)
    const before = providerView({ config, credentials })
    const request = await providerConfigValidator.validate(
      {
        type: changes.type ?? config.type,
        channel: changes.channel ?? config.channel,
        name: changes.name ?? config.name,
        priority: changes.priority ?? config.priority,
        enabled: changes.enabled ?? config.enabled,
        config: mergeFields(credentials, changes.config),
        metadata: mergeFields(config.metadata, changes.metadata),
      },
      { messagesProvider }
    )
    await this.#vetUrls(owner, request)
    return db.transaction(async (trx) => {
      const sealed = this.accounts.seal(config, request.config)
      await config.useTransaction(trx).merge(this.#columns(request, sealed)).save()
      const after = providerView({ config, credentials: request.config })
      await this.#record(trx, owner, actor, {
        action: 'provider.updated',
        targetId: id,
        before,
        after,
      })
      return after
    })
  }

  async delete(owner: ProviderOwner, id: string, actor: AuditActor) {
    const config = await ownedProvider(owner, id)
    const before = providerView(this.accounts.open(config))
    await db.transaction(async (trx) => {
      await config.useTransaction(trx).delete()
      await this.#record(trx, owner, actor, {
        action: 'provider.deleted',
        targetId: id,
        before,
      })
    })
  }

  /** Tests the connection with the provider's own check; no message is sent. */
  async test(owner: ProviderOwner, id: string): Promise<GatewayCheck> {
    return this.#check(await ownedProvider(owner, id))
  }

  /** A tenant's addresses must pass the egress policy; the system's are the operator's say. */
  async #vetUrls(owner: ProviderOwner, request: ProviderConfigInput) {
    if (owner === null) return
    await assertUrlsAllowed(this.egress, providerUrls(request.type, request.config))
  }

  #record(
    trx: TransactionClientContract,
    owner: ProviderOwner,
    actor: AuditActor,
    change: Pick<AuditChange, 'action' | 'targetId' | 'before' | 'after'>
  ) {
    return this.audit.record({ tenantId: owner, actor, targetType: 'provider', ...change }, trx)
  }

  /**
   * For operators (`comms:providers:test`): tests every config, or one
   * tenant's own, or the one with this id, one after the other. Each result
   * names the config, never its credentials.
   */
  async testEach(
    scope: { tenantId?: string; id?: string },
    onTested?: (done: number, total: number) => void
  ) {
    if (scope.id !== undefined && !vine.helpers.isUUID(scope.id)) return []
    const configs = await ProviderConfig.query()
      .if(scope.tenantId, (query) => query.where('tenant_id', scope.tenantId!))
      .if(scope.id, (query) => query.where('id', scope.id!))
      .orderByRaw('tenant_id NULLS FIRST, channel, priority, created_at')
    const results = []
    for (const config of configs) {
      const check = await this.#check(config)
      results.push({
        id: config.id,
        tenantId: config.tenantId,
        name: config.name,
        type: config.type,
        channel: config.channel,
        enabled: config.enabled,
        ...check,
      })
      onTested?.(results.length, configs.length)
    }
    return results
  }

  async #check(config: ProviderConfig): Promise<GatewayCheck> {
    try {
      return await this.gateways.forAccount(this.accounts.open(config)).check()
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      return { ok: false, detail: `this configuration cannot make a gateway: ${reason}` }
    }
  }

  /** A new config's columns: its id is chosen with the seal, which is bound to it */
  #newColumns(owner: ProviderOwner, request: ProviderConfigInput) {
    const { encryptedConfig, ...row } = this.accounts.sealNew(owner, request.config)
    return { ...row, ...this.#columns(request, encryptedConfig) }
  }

  #columns(request: ProviderConfigInput, encryptedConfig: string) {
    return {
      type: request.type,
      channel: request.channel,
      name: request.name,
      priority: request.priority ?? 0,
      enabled: request.enabled ?? true,
      encryptedConfig,
      mask: maskFor(request.type, request.config),
      metadata: request.metadata ?? {},
    }
  }
}

function mergeFields(stored: Record<string, unknown>, changes: Record<string, unknown> = {}) {
  return Object.fromEntries(
    Object.entries({ ...stored, ...changes }).filter(([, value]) => value !== null)
  )
}
