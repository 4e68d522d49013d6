import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { MetricsRecorder, type WebhookRequestResult } from '#messaging/metrics/metrics_recorder'

/**
 * Counts every provider webhook request by provider and result, in one place
 * for all the webhook controllers: accepted when answered 2xx, rejected on a
 * 4xx (bad signature, unknown provider config, malformed body), error
 * otherwise. The events an accepted webhook carried are counted by the
 * delivery tracker.
 */
@inject()
export default class WebhookMetricsMiddleware {
  constructor(private recorder: MetricsRecorder) {}

  async handle({ route, response }: HttpContext, next: NextFn) {
    await next()
    // Route names are webhooks.<provider>[.<kind>]; errors are already rendered here
    const provider = route?.name?.split('.')[1] ?? 'unknown'
    this.recorder.webhookRequest(provider, resultOf(response.getStatus()))
  }
}

function resultOf(status: number): WebhookRequestResult {
  if (status < 400) return 'accepted'
  return status < 500 ? 'rejected' : 'error'
}
