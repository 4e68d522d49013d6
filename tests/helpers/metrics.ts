import type { ApiClient } from '@japa/api-client'
import {
  getMetricsFromIterator,
  type PromData,
  type PromHistogramData,
  type PromMetrics,
} from 'prom2javascript'
import env from '#start/env'

export function metricsHeaders(): Record<string, string> {
  return { authorization: `Bearer ${env.get('METRICS_TOKEN')}` }
}

/**
 * One GET /metrics, parsed with a Prometheus text-format parser (not our own
 * reading of the format), with look-ups by metric name and labels.
 */
export class MetricsScrape {
  private constructor(readonly metrics: PromMetrics) {}

  static async take(client: ApiClient) {
    const response = await client.get('/metrics').headers(metricsHeaders())
    response.assertStatus(200)
    const lines = response.text().split('\n')
    return new MetricsScrape(await getMetricsFromIterator(lines[Symbol.iterator]()))
  }

  family(name: string) {
    const family = this.metrics[name]
    if (!family) throw new Error(`/metrics has no ${name}`)
    return family
  }

  /** The series with exactly these labels, if there is one */
  series(name: string, labels: Record<string, string>) {
    const data = this.family(name).data as Array<PromData | PromHistogramData>
    return data.find((entry) => sameLabels(entry.labels, labels))
  }

  /** A counter's or gauge's value; 0 when it has no such series yet */
  value(name: string, labels: Record<string, string>) {
    const series = this.series(name, labels) as PromData | undefined
    return series?.value ?? 0
  }

  /** A histogram's count, sum and cumulative buckets; zeros when it has no such series yet */
  histogram(name: string, labels: Record<string, string>) {
    const series = this.series(name, labels) as PromHistogramData | undefined
    return { count: series?.count ?? 0, sum: series?.sum ?? 0, buckets: series?.buckets ?? {} }
  }
}

function sameLabels(actual: Record<string, string>, expected: Record<string, string>) {
  const names = Object.keys(actual)
  return (
    names.length === Object.keys(expected).length &&
    names.every((name) => actual[name] === expected[name])
  )
}
