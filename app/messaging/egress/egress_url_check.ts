import { errors } from '@vinejs/vine'
import { EgressRefusedError, type EgressPolicy } from '#messaging/egress/egress_policy'

/** A tenant-set URL and the request field it came in */
export interface UrlField {
  field: string
  url: string
}

/**
 * Vets tenant-set URLs when they are accepted: a refused one is a validation
 * error on its field (422) naming the reason, like any other bad input. The
 * connection made later is vetted again; this tells the tenant now.
 */
export async function assertUrlsAllowed(policy: EgressPolicy, fields: UrlField[]) {
  const refusals = []
  for (const { field, url } of fields) {
    try {
      await policy.vetUrl(url)
    } catch (error) {
      if (!(error instanceof EgressRefusedError)) throw error
      refusals.push({
        field,
        rule: 'egress',
        message: `The ${field} may not be called: ${error.message}`,
      })
    }
  }
  if (refusals.length > 0) throw new errors.E_VALIDATION_ERROR(refusals)
}
