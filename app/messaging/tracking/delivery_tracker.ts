import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import type { SuppressionReason } from '#enums/suppression_reason'
import type { ProviderEvent } from '#messaging/tracking/provider_event'
import { changesFor, type MessageChanges } from '#messaging/tracking/status_transition'
import type { SuppressionFeed } from '#messaging/tracking/suppression_feed'
import type { MetricsRecorder } from '#messaging/metrics/metrics_recorder'
import {
  lockTrackedMessages,
  SEND_NOT_YET_RECORDED,
  type LockedMessage,
  type TrackedMessage,
} from '#messaging/tracking/tracked_messages'
import { writeTrackedChanges } from '#messaging/tracking/tracked_changes'
import { unnestInsert } from '#messaging/outbox/unnest_insert'
import { TurnBatch } from '#messaging/turn_batch'
import { retryOnDeadlock } from '#messaging/deadlock_retry'
import { isServiceUnavailable } from '#exceptions/service_availability'
import { SendNotYetRecordedException } from '#exceptions/webhook_exceptions'

export type TrackResult =
  /** The provider had already told us this (a retried webhook): nothing changed */
  | { outcome: 'duplicate' }
  /** Logged without a message: we have none with that id (yet) */
  | { outcome: 'orphan'; deliveryEventId: number }
  | {
      outcome: 'applied'
      deliveryEventId: number
      messageId: string
      tenantId: string
      status: MessageStatus
      changes: MessageChanges | null
      suppressed: SuppressionReason | null
    }

type Applied = Extract<TrackResult, { outcome: 'applied' }>

/**
 * An applied event and the message as it stood before it, for the domain
 * events; or the error that event alone failed with.
 */
type Tracked =
  | Exclude<TrackResult, Applied>
  | (Applied & { before: TrackedMessage })
  | { outcome: 'error'; error: unknown }

/** Events applied in one transaction at most: a storm becomes several short ones */
const BATCH_LIMIT = 200

const EVENT_COLUMNS = [
  ['message_id', 'uuid'],
  ['tenant_id', 'uuid'],
  ['type', 'text'],
  ['source', 'text'],
  ['provider_config_id', 'uuid'],
  ['provider_event_id', 'text'],
  ['provider_message_id', 'text'],
  ['reason', 'text'],
  ['details', 'jsonb'],
  ['payload', 'jsonb'],
  ['occurred_at', 'timestamptz'],
] as const

/** A provider's event ids are unique within its account: the de-duplication key is scoped to it */
const eventKey = (providerConfigId: string | null, source: string, providerEventId: string) =>
  `${providerConfigId ?? ''}\u0000${source}\u0000${providerEventId}`
const keyOf = (event: ProviderEvent) =>
  eventKey(event.providerConfigId, event.source, event.providerEventId)

/**
 * Applies what providers report about messages: every event is appended to
 * delivery_events once (a unique index on the provider account, source and
 * provider event id drops retries), the message moves forward only
 * (status_transition.ts), bounces and complaints feed the suppression list,
 * and the domain events go out after the commit.
 *
 * The callbacks that arrive together are applied together (TurnBatch): one
 * transaction locks their messages, appends their events and writes their
 * changes, and while one batch commits the next one gathers, so a storm of
 * webhooks costs a few statements per batch rather than five per callback.
 * Within a batch, events are applied in arrival order; concurrent batches,
 * the worker's own writes and retried deliveries of one webhook wait on the
 * message row locks. One instance per process (see messaging_provider.ts).
 */
export class DeliveryTracker {
  // One batch at a time: while it commits, the next gathers every callback that arrives meanwhile
  #batch = new TurnBatch<ProviderEvent, Tracked>((events) => this.#track(events), {
    maxInFlight: 1,
    maxItems: BATCH_LIMIT,
  })

  constructor(
    private suppressionFeed: SuppressionFeed,
    private metrics: MetricsRecorder
  ) {}

  async apply(reported: ProviderEvent): Promise<TrackResult> {
    // A provider's clock may run ahead of ours; nothing is stamped in the future.
    const occurredAt = new Date(Math.min(reported.occurredAt.getTime(), Date.now()))
    const event = { ...reported, occurredAt }
    const result = await this.#batch.add(event)
    if (result.outcome === 'error') throw result.error
    this.metrics.webhookEvent(event.source, result.outcome)
    if (result.outcome !== 'applied') return result
    const { before, ...applied } = result
    await this.#announce(event, applied, before)
    return applied
  }

  /**
   * One transaction for the batch. Should it fail for a reason other than
   * PostgreSQL being away (an event PostgreSQL refuses, say), each event is
   * tried on its own, so one bad callback does not fail the others with it.
   */
  async #track(events: ProviderEvent[]): Promise<Tracked[]> {
    const transaction = (batch: ProviderEvent[]) =>
      retryOnDeadlock(() => db.transaction((trx) => this.#applyAll(trx, batch)))
    try {
      return await transaction(events)
    } catch (error) {
      if (events.length === 1 || isServiceUnavailable(error)) throw error
      const results: Tracked[] = []
      for (const event of events) {
        const [result] = await transaction([event]).catch((failure) => [
          { outcome: 'error' as const, error: failure },
        ])
        results.push(result)
      }
      return results
    }
  }

  async #applyAll(trx: TransactionClientContract, batch: ProviderEvent[]): Promise<Tracked[]> {
    const messages = await lockTrackedMessages(trx, batch)
    const eventIds = await this.#append(trx, batch, messages)

    const current = new Map<string, TrackedMessage>()
    const changed = new Map<string, MessageChanges>()
    const results: Tracked[] = batch.map((event, index) => {
      const deliveryEventId = eventIds[index]
      const locked = messages[index]
      if (locked === SEND_NOT_YET_RECORDED) {
        return { outcome: 'error', error: new SendNotYetRecordedException() }
      }
      if (deliveryEventId === null) return { outcome: 'duplicate' }
      if (!locked) return { outcome: 'orphan', deliveryEventId }

      const before = current.get(locked.id) ?? locked
      const changes = changesFor(
        { status: before.status, openedAt: before.opened_at, clickedAt: before.clicked_at },
        { type: event.type, occurredAt: event.occurredAt, reason: event.reason, code: event.code }
      )
      if (changes) {
        changed.set(locked.id, { ...changed.get(locked.id), ...changes })
        current.set(locked.id, {
          ...before,
          status: changes.status ?? before.status,
          opened_at: changes.opened_at ?? before.opened_at,
          clicked_at: changes.clicked_at ?? before.clicked_at,
        })
      }
      return {
        outcome: 'applied',
        deliveryEventId,
        messageId: locked.id,
        tenantId: locked.tenant_id,
        status: changes?.status ?? before.status,
        changes,
        suppressed: null,
        before,
      }
    })
    await writeTrackedChanges(trx, changed)

    // After the events are logged: the soft-bounce threshold counts them
    for (const [index, result] of results.entries()) {
      if (result.outcome !== 'applied') continue
      result.suppressed = await this.suppressionFeed.take(
        trx,
        {
          id: result.messageId,
          tenantId: result.tenantId,
          channel: result.before.channel,
          recipient: result.before.recipient,
        },
        batch[index]
      )
    }
    return results
  }

  /**
   * Appends the events in one statement; each one's row id, or null when
   * this provider event was already logged (before, or earlier in the batch).
   * One whose send is not recorded yet is not logged: the provider delivers
   * it again.
   */
  async #append(
    trx: TransactionClientContract,
    events: ProviderEvent[],
    messages: LockedMessage[]
  ): Promise<Array<number | null>> {
    const firsts = new Map<string, { index: number; message: TrackedMessage | null }>()
    events.forEach((event, index) => {
      const key = keyOf(event)
      const message = messages[index]
      if (message !== SEND_NOT_YET_RECORDED && !firsts.has(key)) firsts.set(key, { index, message })
    })
    const rows = [...firsts.values()].map(({ index, message }) => {
      const event = events[index]
      return {
        message_id: message?.id ?? null,
        tenant_id: message?.tenant_id ?? event.tenantId,
        type: event.type,
        source: event.source,
        provider_config_id: event.providerConfigId,
        provider_event_id: event.providerEventId,
        provider_message_id: event.providerMessageId,
        reason: event.reason,
        details: JSON.stringify({
          ...event.details,
          providerConfigId: event.providerConfigId,
          recipient: event.recipient,
          code: event.code,
        }),
        payload: JSON.stringify(event.payload ?? null),
        occurred_at: event.occurredAt,
      }
    })
    const inserted = await unnestInsert(
      trx,
      'delivery_events',
      EVENT_COLUMNS,
      rows,
      `ON CONFLICT (provider_config_id, source, provider_event_id)
         WHERE provider_event_id IS NOT NULL DO NOTHING
       RETURNING id, provider_config_id, source, provider_event_id`
    )
    const ids = new Map(
      inserted.map((row) => [
        eventKey(
          row.provider_config_id as string | null,
          row.source as string,
          row.provider_event_id as string
        ),
        Number(row.id),
      ])
    )
    return events.map((event, index) => {
      const key = keyOf(event)
      return firsts.get(key)?.index === index ? (ids.get(key) ?? null) : null
    })
  }

  /**
   * The domain events, after the commit. A failing listener is logged, not
   * thrown: the provider must not retry an event we already recorded.
   */
  async #announce(event: ProviderEvent, applied: Applied, before: TrackedMessage) {
    const { occurredAt } = event
    const base = {
      messageId: applied.messageId,
      tenantId: applied.tenantId,
      occurredAt,
      deliveryEventId: applied.deliveryEventId,
      source: event.source,
      status: applied.status,
    }
    const recipient = before.recipient
    const emitted: Array<Promise<void>> = []
    if (applied.changes?.status === MessageStatus.Delivered) {
      emitted.push(emitter.emit('message:delivered', base))
    }
    switch (event.type) {
      case DeliveryEventType.Opened:
        emitted.push(emitter.emit('message:opened', { ...base, first: !before.opened_at }))
        break
      case DeliveryEventType.Clicked:
        emitted.push(
          emitter.emit('message:clicked', {
            ...base,
            first: !before.clicked_at,
            url: typeof event.details.url === 'string' ? event.details.url : null,
          })
        )
        break
      case DeliveryEventType.Bounced:
      case DeliveryEventType.SoftBounced:
        emitted.push(
          emitter.emit('message:bounced', {
            ...base,
            permanent: event.type === DeliveryEventType.Bounced,
            recipient,
            reason: event.reason,
          })
        )
        break
      case DeliveryEventType.Complained:
        emitted.push(emitter.emit('message:complained', { ...base, recipient }))
        break
    }
    if (applied.changes?.status === MessageStatus.Failed) {
      emitted.push(
        emitter.emit('message:failed', {
          messageId: applied.messageId,
          tenantId: applied.tenantId,
          channel: before.channel,
          gateway: event.source,
          occurredAt,
          reason: applied.changes.last_error ?? event.type,
          code: applied.changes.last_error_code ?? null,
        })
      )
    }
    const outcomes = await Promise.allSettled(emitted)
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        logger.error(
          { err: outcome.reason, messageId: applied.messageId },
          'a delivery event listener failed'
        )
      }
    }
  }
}
