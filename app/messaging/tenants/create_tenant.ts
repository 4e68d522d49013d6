import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Tenant from '#models/tenant'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'

/**
 * A new tenant, active, with the default settings; audited as
 * `tenant.created`. Pass `trx` to create it as part of a larger change
 * (`tenants:create` issues its first key in the same transaction).
 */
@inject()
export class CreateTenant {
  constructor(private audit: AuditLog) {}

  async handle(name: string, actor: AuditActor, trx?: TransactionClientContract) {
    return trx
      ? this.#create(name, actor, trx)
      : db.transaction((own) => this.#create(name, actor, own))
  }

  async #create(name: string, actor: AuditActor, trx: TransactionClientContract) {
    const tenant = await Tenant.create({ name, status: 'active', settings: {} }, { client: trx })
    await this.audit.record(
      {
        tenantId: tenant.id,
        actor,
        action: 'tenant.created',
        targetType: 'tenant',
        targetId: tenant.id,
        before: null,
        after: { name, status: tenant.status },
      },
      trx
    )
    return tenant
  }
}
