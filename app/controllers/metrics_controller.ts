import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { MetricsExporter } from '#messaging/metrics/metrics_exporter'

export default class MetricsController {
  /** GET /metrics: Prometheus text format, for the scraper (METRICS_TOKEN) */
  @inject()
  async show({ response }: HttpContext, exporter: MetricsExporter) {
    const body = await exporter.metrics()
    return response.header('content-type', exporter.contentType).send(body)
  }
}
