import redis from '@adonisjs/redis/services/main'
import logger from '@adonisjs/core/services/logger'
import {
  DELIVERY_EVENTS,
  MESSAGE_OUTCOMES,
  MESSAGES_ACCEPTED,
  RATE_LIMIT_DEFERRALS,
  SEND_LATENCY,
  WEBHOOK_EVENTS,
  WEBHOOK_REQUESTS,
  fieldOf,
  gatewayLabel,
  redisKeyOf,
  type LabelValues,
  type StoredMetric,
} from '#messaging/metrics/metric_catalogue'
import { observationFields } from '#messaging/metrics/stored_histogram'

export type WebhookRequestResult = 'accepted' | 'rejected' | 'error'
export type WebhookEventResult = 'applied' | 'duplicate' | 'orphan'

/**
 * Counts what happens, in the process where it happens, into Redis hashes
 * that /metrics reads (metric_catalogue.ts). In-process counters alone would
 * miss every worker process. Increments are added up in memory for the rest
 * of the event loop's turn and written as one pipeline (a bulk send of
 * 10,000 recipients is one HINCRBY, not 10,000 pipelines), sent without
 * waiting for the reply: a metric must never fail or slow a send, so a failed
 * write is only logged.
 */
export class MetricsRecorder {
  /** Increments not yet written: Redis key → hash field → amount */
  #pending = new Map<string, Map<string, number>>()
  #scheduled = false

  messageQueued(labels: { channel: string; priority: string }) {
    this.#count(MESSAGES_ACCEPTED, labels)
  }

  messageSent(event: { channel: string; gateway: string; latencyMs: number }) {
    const labels = { channel: event.channel, gateway: gatewayLabel(event.gateway) }
    this.#count(MESSAGE_OUTCOMES, { ...labels, outcome: 'sent' })
    for (const [field, increment] of observationFields(SEND_LATENCY, labels, event.latencyMs)) {
      this.#add(redisKeyOf(SEND_LATENCY), field, increment)
    }
  }

  messageFailed(event: { channel: string; gateway: string | null }) {
    this.#count(MESSAGE_OUTCOMES, {
      channel: event.channel,
      gateway: gatewayLabel(event.gateway),
      outcome: 'failed',
    })
  }

  deliveryEvent(labels: LabelValues<typeof DELIVERY_EVENTS>) {
    this.#count(DELIVERY_EVENTS, labels)
  }

  webhookRequest(provider: string, result: WebhookRequestResult) {
    this.#count(WEBHOOK_REQUESTS, { provider, result })
  }

  webhookEvent(provider: string, result: WebhookEventResult) {
    this.#count(WEBHOOK_EVENTS, { provider, result })
  }

  rateLimitDeferral(labels: LabelValues<typeof RATE_LIMIT_DEFERRALS>) {
    this.#count(RATE_LIMIT_DEFERRALS, labels)
  }

  #count<Metric extends StoredMetric>(metric: Metric, labels: LabelValues<Metric>) {
    this.#add(redisKeyOf(metric), fieldOf(metric, labels), 1)
  }

  #add(key: string, field: string, increment: number) {
    const fields = this.#pending.get(key) ?? new Map<string, number>()
    fields.set(field, (fields.get(field) ?? 0) + increment)
    this.#pending.set(key, fields)
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => this.#flush())
    }
  }

  #flush() {
    const pending = this.#pending
    this.#pending = new Map()
    this.#scheduled = false
    try {
      const pipeline = redis.pipeline()
      for (const [key, fields] of pending) {
        for (const [field, increment] of fields) pipeline.hincrby(key, field, increment)
      }
      pipeline
        .exec()
        .then((replies) => {
          const failed = replies?.find(([error]) => error)
          if (failed) throw failed[0]
        })
        .catch((error) => logger.error({ err: error }, 'a metrics write failed'))
    } catch (error) {
      logger.error({ err: error }, 'a metrics write failed')
    }
  }
}
