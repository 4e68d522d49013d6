import { readFile } from 'node:fs/promises'
import { EnvParser } from '@adonisjs/core/env'

/**
 * The fault suite kills workers, flushes its Redis database and cuts its
 * PostgreSQL link: it refuses to start unless it runs on its own resources,
 * the ones `npm run test:faults` exports from .env.faults.
 */
export async function assertFaultEnvironment() {
  const contents = await readFile(new URL('../../.env.faults', import.meta.url), 'utf8')
  const owned = await new EnvParser(contents).parse()
  const foreign = Object.keys(owned).filter((name) => process.env[name] !== owned[name])
  if (foreign.length > 0) {
    throw new Error(
      `The fault suite runs only with the resources in .env.faults (npm run test:faults); ` +
        `these differ: ${foreign.join(', ')}`
    )
  }
}
