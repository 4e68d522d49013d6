import vine, { errors } from '@vinejs/vine'
import type { BaseCommand } from '@adonisjs/core/ace'
import { PRIORITIES, type Priority } from '#enums/priority'

/**
 * Operator input, checked by the same rules as the API's: a failure is
 * logged (one line per field), the command's exit code set to 1, and null
 * returned for the command to stop.
 */
export async function validated<T>(
  command: BaseCommand,
  validator: { validate(data: unknown): Promise<T> },
  data: unknown
): Promise<T | null> {
  try {
    return await validator.validate(data)
  } catch (error) {
    if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
    for (const problem of error.messages as Array<{ field: string; message: string }>) {
      command.logger.error(`${problem.field}: ${problem.message}`)
    }
    command.exitCode = 1
    return null
  }
}

/** The tenant a --tenant flag names; null (logged, exit code 1) when there is none. */
export async function findTenant(command: BaseCommand, id: string) {
  const { default: Tenant } = await import('#models/tenant')
  const tenant = vine.helpers.isUUID(id) ? await Tenant.find(id) : null
  if (!tenant) {
    command.logger.error(`No tenant ${id}`)
    command.exitCode = 1
  }
  return tenant
}

/** A --priority flag (any case), or every priority when it is not given; null when unknown. */
export function prioritiesNamed(command: BaseCommand, value: string | undefined) {
  if (value === undefined) return PRIORITIES
  const priority = value.toUpperCase() as Priority
  if (!PRIORITIES.includes(priority)) {
    command.logger.error(`Unknown priority "${value}": use one of ${PRIORITIES.join(', ')}`)
    command.exitCode = 1
    return null
  }
  return [priority]
}
