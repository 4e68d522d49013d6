import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Tenant from '#models/tenant'
import { ApiKeyNotFoundException } from '#exceptions/api_key_exceptions'

/** Key ids are PostgreSQL integers: anything else names no key. */
const MAX_KEY_ID = 2_147_483_647

/**
 * The tenant's key `id`, locked for the rest of the transaction so two
 * rotations or a rotation and a revocation do not both act on it; another
 * tenant's key or no key at all is not found.
 */
export async function keyToChange(trx: TransactionClientContract, tenant: Tenant, id: string) {
  const known = /^[1-9]\d{0,9}$/.test(id) && Number(id) <= MAX_KEY_ID
  const token = known ? await Tenant.apiKeys.using(trx).findForUpdate(tenant, id) : null
  if (!token) throw new ApiKeyNotFoundException()
  return token
}
