/**
 * The metrics kept in Redis, shared by the processes that write them (API,
 * priority workers, webhooks worker) and the API that exposes them on
 * /metrics. Each is one hash under `metrics:`; a field holds the count of one
 * combination of label values, written as the values joined by `|` in
 * labelNames order.
 */
export interface StoredMetric {
  name: string
  help: string
  labelNames: readonly string[]
}

export interface StoredHistogramMetric extends StoredMetric {
  /** Upper bounds of the buckets, ascending; +Inf is implied */
  buckets: readonly number[]
}

export const MESSAGES_ACCEPTED = {
  name: 'switchboard_messages_accepted_total',
  help: 'Messages the API accepted into the queue (or the schedule), by channel and priority.',
  labelNames: ['channel', 'priority'],
} as const satisfies StoredMetric

export const MESSAGE_OUTCOMES = {
  name: 'switchboard_messages_total',
  help:
    'Messages by channel, gateway type and outcome: sent (a gateway accepted it) or failed ' +
    '(at send, or later by a bounce or complaint); gateway "none" when no gateway took it.',
  labelNames: ['channel', 'gateway', 'outcome'],
} as const satisfies StoredMetric

export const SEND_LATENCY = {
  name: 'switchboard_send_latency_seconds',
  help: 'How long the gateway call of each successful send took, by channel and gateway type.',
  labelNames: ['channel', 'gateway'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
} as const satisfies StoredHistogramMetric

export const DELIVERY_EVENTS = {
  name: 'switchboard_delivery_events_total',
  help:
    'What providers reported about sent messages (delivered, opened, clicked, bounced, ' +
    'soft_bounced, complained), by event and provider.',
  labelNames: ['event', 'provider'],
} as const satisfies StoredMetric

export const WEBHOOK_REQUESTS = {
  name: 'switchboard_webhook_requests_total',
  help:
    'Provider webhook requests by provider and result: accepted, rejected (bad signature, ' +
    'unknown provider config, malformed body) or error (a backing service failed; the provider retries).',
  labelNames: ['provider', 'result'],
} as const satisfies StoredMetric

export const WEBHOOK_EVENTS = {
  name: 'switchboard_webhook_events_total',
  help:
    'Provider events carried by accepted webhooks, by provider and result: applied, duplicate ' +
    '(a retried webhook, already recorded) or orphan (no message of ours matches).',
  labelNames: ['provider', 'result'],
} as const satisfies StoredMetric

export const RATE_LIMIT_DEFERRALS = {
  name: 'switchboard_rate_limit_deferrals_total',
  help: 'Sends put off because a rate limit had no room, by scope (domain, gateway, tenant) and channel.',
  labelNames: ['scope', 'channel'],
} as const satisfies StoredMetric

/** The counters, in the order /metrics shows them */
export const STORED_COUNTERS: readonly StoredMetric[] = [
  MESSAGES_ACCEPTED,
  MESSAGE_OUTCOMES,
  DELIVERY_EVENTS,
  WEBHOOK_REQUESTS,
  WEBHOOK_EVENTS,
  RATE_LIMIT_DEFERRALS,
]

/** Label values of a metric, in its labelNames order */
export type LabelValues<Metric extends StoredMetric> = {
  [Name in Metric['labelNames'][number]]: string
}

export function redisKeyOf(metric: StoredMetric) {
  return `metrics:${metric.name}`
}

const SEPARATOR = '|'

/** The hash field of one combination of label values */
export function fieldOf<Metric extends StoredMetric>(metric: Metric, labels: LabelValues<Metric>) {
  const values = labels as Record<string, string>
  return metric.labelNames
    .map((name) => String(values[name]).replaceAll(SEPARATOR, '_'))
    .join(SEPARATOR)
}

/** The label values a hash field stands for; null for a field of another layout */
export function labelsOf(metric: StoredMetric, field: string): Record<string, string> | null {
  const values = field.split(SEPARATOR)
  if (values.length !== metric.labelNames.length) return null
  return Object.fromEntries(metric.labelNames.map((name, index) => [name, values[index]]))
}

/**
 * The gateway label: the type of a gateway key (`postal:<config id>` →
 * `postal`). Per-account figures are in /api/v1/messages/stats/channels; a
 * label per provider config would grow with every tenant.
 */
export function gatewayLabel(gatewayKey: string | null) {
  return gatewayKey ? gatewayKey.split(':')[0] : 'none'
}
