import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'

export default class HealthController {
  /** GET /health: the process answers */
  async live() {
    return { status: 'ok' }
  }

  /** GET /ready: PostgreSQL and Redis answer too */
  async ready({ response }: HttpContext) {
    const [database, cache] = await Promise.all([
      probe(() => db.rawQuery('SELECT 1')),
      probe(() => redis.ping()),
    ])
    const ready = database && cache
    return response.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      checks: { postgres: database ? 'up' : 'down', redis: cache ? 'up' : 'down' },
    })
  }
}

async function probe(check: () => Promise<unknown>, timeoutMs = 2000) {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)
      }),
    ])
    return true
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}
