import type { BaseCommand } from '@adonisjs/core/ace'
import { ApiKeyNotFoundException } from '#exceptions/api_key_exceptions'
import { operatorActor } from '#messaging/audit/audit_actors'
import type { ApiKeyChanger } from '#messaging/tenants/api_key_changer'

/** Keys changed at the command line are the operator's, who may grant any scope and kind. */
export function operator(): ApiKeyChanger {
  return { actor: operatorActor() }
}

/**
 * Runs a change to one of a tenant's keys; a key that is not the tenant's is
 * logged, the exit code set to 1 and null returned.
 */
export async function keyChange<T>(
  command: BaseCommand,
  keyId: string,
  change: () => Promise<T>
): Promise<T | null> {
  try {
    return await change()
  } catch (error) {
    if (!(error instanceof ApiKeyNotFoundException)) throw error
    command.logger.error(`No key ${keyId} for this tenant (see tenants:keys)`)
    command.exitCode = 1
    return null
  }
}
