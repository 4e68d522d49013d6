import { inject } from '@adonisjs/core'
import redis from '@adonisjs/redis/services/main'
import { Counter, Gauge, Registry, type Metric } from 'prom-client'
import {
  SEND_LATENCY,
  STORED_COUNTERS,
  labelsOf,
  redisKeyOf,
  type StoredMetric,
} from '#messaging/metrics/metric_catalogue'
import { StoredHistogram } from '#messaging/metrics/stored_histogram'
import { MessageQueues } from '#messaging/queueing/message_queues'

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const

/**
 * The Prometheus registry behind GET /metrics, made for one scrape: its
 * collect() callbacks read the counters every process keeps in Redis and the
 * queue depths from BullMQ at the moment of the scrape.
 */
@inject()
export class MetricsExporter {
  #registry = new Registry()

  constructor(queues: MessageQueues) {
    const registers = [this.#registry]

    new Gauge({
      name: 'switchboard_queue_jobs',
      help: 'Jobs in each priority queue by state (waiting includes prioritized and paused).',
      labelNames: ['priority', 'state'],
      registers,
      async collect() {
        const counts = await queues.counts()
        this.reset()
        for (const queue of counts) {
          for (const state of QUEUE_STATES) {
            this.set({ priority: queue.priority, state }, queue[state])
          }
        }
      },
    })

    for (const metric of STORED_COUNTERS) {
      new Counter({
        name: metric.name,
        help: metric.help,
        labelNames: metric.labelNames,
        registers,
        async collect() {
          // Read first, then replace the values in one synchronous step
          const totals = await readTotals(metric)
          this.reset()
          for (const { labels, value } of totals) this.inc(labels, value)
        },
      })
    }

    // A custom collector: prom-client has no way to load a histogram's buckets
    const histogram = new StoredHistogram(SEND_LATENCY, () => readHash(SEND_LATENCY))
    this.#registry.registerMetric(histogram as unknown as Metric)
  }

  get contentType() {
    return this.#registry.contentType
  }

  metrics() {
    return this.#registry.metrics()
  }
}

async function readHash(metric: StoredMetric): Promise<Record<string, string>> {
  return redis.hgetall(redisKeyOf(metric))
}

async function readTotals(metric: StoredMetric) {
  const fields = await readHash(metric)
  return Object.entries(fields).flatMap(([field, value]) => {
    const labels = labelsOf(metric, field)
    return labels ? [{ labels, value: Number(value) }] : []
  })
}
