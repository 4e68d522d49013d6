import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ErasureAddressException } from '#exceptions/erasure_exceptions'
import { apiKeyActor } from '#messaging/audit/audit_actors'
import { EraseRecipient } from '#messaging/erasure/erase_recipient'

export default class RecipientsController {
  /** DELETE /api/v1/recipients/:address: erases the recipient from the tenant's records; 200 with the counts */
  @inject()
  async destroy({ params, tenant, apiKey }: HttpContext, erase: EraseRecipient) {
    return erase.run(tenant.id, decoded(params.address), apiKeyActor(apiKey))
  }
}

/** Route params arrive percent-encoded (`ada%40example.com`, `%2B14155550100`) */
function decoded(param: string) {
  try {
    return decodeURIComponent(param)
  } catch {
    throw new ErasureAddressException()
  }
}
