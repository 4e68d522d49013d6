import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'

export interface TenantListing {
  tenant: Tenant
  users: number
  providers: number
}

/** The tenants as operators browse them: each with how many people and providers it has. */
export class TenantDirectory {
  async list(): Promise<TenantListing[]> {
    const tenants = await this.#withCounts().orderBy('name').orderBy('id')
    return tenants.map(listingOf)
  }

  /** One tenant with its counts; null when there is no such tenant */
  async find(tenantId: string): Promise<TenantListing | null> {
    const tenant = await this.#withCounts().where('id', tenantId).first()
    return tenant ? listingOf(tenant) : null
  }

  /** Every tenant's id and name, by name: what an operator's tenant switcher lists */
  async names(): Promise<Array<Pick<Tenant, 'id' | 'name'>>> {
    return Tenant.query().select('id', 'name').orderBy('name').orderBy('id')
  }

  /** Whether there is such a tenant */
  async exists(tenantId: string) {
    return (await Tenant.query().select('id').where('id', tenantId).first()) !== null
  }

  #withCounts() {
    return Tenant.query().select(
      'tenants.*',
      db.raw('(SELECT count(*) FROM users WHERE users.tenant_id = tenants.id) AS users_count'),
      db.raw(
        `(SELECT count(*) FROM provider_configs WHERE provider_configs.tenant_id = tenants.id)
           AS providers_count`
      )
    )
  }
}

function listingOf(tenant: Tenant): TenantListing {
  return {
    tenant,
    users: Number(tenant.$extras.users_count),
    providers: Number(tenant.$extras.providers_count),
  }
}
