import vine from '@vinejs/vine'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import ProviderConfig from '#models/provider_config'
import { ProviderNotFoundException } from '#exceptions/provider_exceptions'

/**
 * Whose provider configs: a tenant's (its id), or the system's (null), which
 * no tenant owns and every tenant's messages may route through after the
 * tenant's own. A system provider's addresses are the operator's say, so the
 * egress policy does not vet them (an internal gateway a tenant may not name
 * is set up this way).
 */
export type ProviderOwner = string | null

export function ownedBy(
  query: ModelQueryBuilderContract<typeof ProviderConfig>,
  owner: ProviderOwner
) {
  return owner === null ? query.whereNull('tenant_id') : query.where('tenant_id', owner)
}

/** The owner's config with this id; another owner's, or none, is a 404 alike. */
export async function ownedProvider(
  owner: ProviderOwner,
  id: string,
  client?: QueryClientContract
) {
  if (!vine.helpers.isUUID(id)) throw new ProviderNotFoundException()
  const config = await ownedBy(ProviderConfig.query({ client }), owner).where('id', id).first()
  if (!config) throw new ProviderNotFoundException()
  return config
}
