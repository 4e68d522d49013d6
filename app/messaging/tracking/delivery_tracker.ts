import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ProviderEvent } from '#messaging/tracking/provider_event'
import { changesFor, type MessageChanges } from '#messaging/tracking/status_transition'
import type { SuppressionFeed } from '#messaging/tracking/suppression_feed'
import type { MetricsRecorder } from '#messaging/metrics/metrics_recorder'
import {
  lockTrackedMessages,
  SEND_NOT_YET_RECORDED,
  type TrackedMessage,
} from '#messaging/tracking/tracked_messages'
import { writeTrackedChanges } from '#messaging/tracking/tracked_changes'
import { appendProviderEvents } from '#messaging/tracking/provider_event_log'
import { announceDelivery } from '#messaging/tracking/delivery_announcer'
import type { Applied, TrackResult } from '#messaging/tracking/track_result'
import { TurnBatch } from '#messaging/turn_batch'
import { retryOnDeadlock } from '#messaging/deadlock_retry'
import { isServiceUnavailable } from '#exceptions/service_availability'
import { SendNotYetRecordedException } from '#exceptions/webhook_exceptions'

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
    await announceDelivery(event, applied, before)
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
    const eventIds = await appendProviderEvents(trx, batch, messages)

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
}
