import {
  fieldOf,
  labelsOf,
  type LabelValues,
  type StoredHistogramMetric,
} from '#messaging/metrics/metric_catalogue'

/**
 * A histogram kept in a Redis hash. Each observation adds one to the bucket
 * it falls in (not to every bucket above it: one HINCRBY, not twelve), to the
 * count, and its milliseconds to the sum. Fields are `<labels>#le:<bound>`,
 * `<labels>#count` and `<labels>#sum_ms`.
 */
const INFINITY = '+Inf'

export function observationFields<Metric extends StoredHistogramMetric>(
  metric: Metric,
  labels: LabelValues<Metric>,
  milliseconds: number
): Array<[field: string, increment: number]> {
  const prefix = fieldOf(metric, labels)
  const seconds = milliseconds / 1000
  const bound = metric.buckets.find((upper) => seconds <= upper)
  return [
    [`${prefix}#le:${bound ?? INFINITY}`, 1],
    [`${prefix}#count`, 1],
    [`${prefix}#sum_ms`, Math.max(0, Math.round(milliseconds))],
  ]
}

interface Sample {
  metricName: string
  labels: Record<string, string | number>
  value: number
}

interface Series {
  labels: Record<string, string>
  buckets: Map<string, number>
  count: number
  sumMs: number
}

/**
 * The same histogram as a prom-client collector: prom-client's own Histogram
 * can only be fed one observation at a time, so this object gives the
 * registry what Histogram#get() would (cumulative `_bucket`s, `_sum` in
 * seconds, `_count`), read from the hash at scrape time.
 */
export class StoredHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly name: string
  readonly help: string

  constructor(
    private metric: StoredHistogramMetric,
    private read: () => Promise<Record<string, string>>
  ) {
    this.name = metric.name
    this.help = metric.help
  }

  async get() {
    const fields = await this.read()
    const values: Sample[] = []
    for (const series of this.#series(fields)) {
      let cumulative = 0
      for (const bound of [...this.metric.buckets.map(String), INFINITY]) {
        cumulative += series.buckets.get(bound) ?? 0
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...series.labels, le: bound },
          value: cumulative,
        })
      }
      values.push({
        metricName: `${this.name}_sum`,
        labels: series.labels,
        value: series.sumMs / 1000,
      })
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count })
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    }
  }

  #series(fields: Record<string, string>) {
    const series = new Map<string, Series>()
    for (const [field, raw] of Object.entries(fields)) {
      const [prefix, part] = field.split('#')
      const labels = part ? labelsOf(this.metric, prefix) : null
      if (!labels) continue
      const entry = series.get(prefix) ?? { labels, buckets: new Map(), count: 0, sumMs: 0 }
      series.set(prefix, entry)
      const value = Number(raw)
      if (part === 'count') entry.count = value
      else if (part === 'sum_ms') entry.sumMs = value
      else if (part.startsWith('le:')) entry.buckets.set(part.slice(3), value)
    }
    return series.values()
  }
}
