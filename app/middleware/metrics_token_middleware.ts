import { createHash, timingSafeEqual } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import env from '#start/env'
import { MetricsTokenException } from '#exceptions/metrics_exceptions'

/**
 * GET /metrics is for the scraper alone: `Authorization: Bearer <METRICS_TOKEN>`.
 * With no token configured nothing is let through, rather than everything.
 */
export default class MetricsTokenMiddleware {
  #expected = digestOf(env.get('METRICS_TOKEN') ?? '')
  #configured = !!env.get('METRICS_TOKEN')

  async handle({ request }: HttpContext, next: NextFn) {
    const match = /^Bearer\s+(.+)$/i.exec(request.header('authorization') ?? '')
    // Digests of equal length, so the comparison takes the same time whatever was sent
    if (!this.#configured || !match || !timingSafeEqual(digestOf(match[1]), this.#expected)) {
      throw new MetricsTokenException()
    }
    return next()
  }
}

function digestOf(token: string) {
  return createHash('sha256').update(token).digest()
}
