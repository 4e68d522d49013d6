import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import ChannelHealth from '#models/channel_health'
import { MessageQueues } from '#messaging/queueing/message_queues'

export interface ThroughputWindow {
  minutes: number
  sent: number
  failed: number
  sentPerMinute: number
  failedPerMinute: number
}

/**
 * The whole service at a glance, across tenants, for the people who run it
 * (`node ace comms:stats`): what waits in each priority queue, what went out
 * and what failed lately, and how each gateway is doing.
 */
@inject()
export class OperationsStats {
  constructor(private queues: MessageQueues) {}

  /** Jobs per priority queue, and whether its workers are paused. */
  async queueDepths() {
    const counts = await this.queues.counts()
    const paused = await Promise.all(counts.map((entry) => this.queues.isPaused(entry.priority)))
    return counts.map((entry, index) => ({ ...entry, paused: paused[index] }))
  }

  /**
   * Messages sent (by sent_at) and failed for good (by failed_at) over each
   * window, in one pass over the longest one.
   */
  async throughput(windowsMinutes: number[] = [1, 5, 15]): Promise<ThroughputWindow[]> {
    const columns = windowsMinutes.flatMap((minutes) => [
      db.raw(`count(*) FILTER (WHERE sent_at > now() - make_interval(mins => ?)) AS ??`, [
        minutes,
        `sent_${minutes}`,
      ]),
      db.raw(
        `count(*) FILTER (WHERE status = 'failed' AND failed_at > now() - make_interval(mins => ?)) AS ??`,
        [minutes, `failed_${minutes}`]
      ),
    ])
    const since = db.raw(`now() - make_interval(mins => ?)`, [Math.max(...windowsMinutes)])
    const row: Record<string, string> = await db
      .from('messages')
      .select(columns)
      .where((recent) => recent.where('sent_at', '>', since).orWhere('failed_at', '>', since))
      .firstOrFail()

    return windowsMinutes.map((minutes) => {
      const sent = Number(row[`sent_${minutes}`])
      const failed = Number(row[`failed_${minutes}`])
      return {
        minutes,
        sent,
        failed,
        sentPerMinute: sent / minutes,
        failedPerMinute: failed / minutes,
      }
    })
  }

  /** Each gateway's last persisted health: score and circuit state. */
  async gatewayHealth() {
    return ChannelHealth.query().orderBy('channel').orderBy('gateway_key')
  }
}
