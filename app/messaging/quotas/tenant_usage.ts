import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import { QuotaExceededException, type ReachedQuota } from '#exceptions/quota_exceptions'
import { storedSettings, type Quota } from '#messaging/tenants/tenant_settings'
import { periodsAt, type PeriodSpan, type QuotaPeriod } from '#messaging/quotas/quota_periods'
import type { Sender } from '#messaging/sender'

export type UsageMode = 'live' | 'test'

/** What one send asks of its tenant's quotas. */
export interface UsageCharge {
  tenantId: string
  mode: UsageMode
  channel: Channel
  quotas: Record<QuotaPeriod, Quota>
  at: Date
}

/** One counter a charge takes from, and its quota (null: counted, not capped). */
interface Counter {
  span: PeriodSpan
  channel: Channel | 'all'
  limit: number | null
}

/**
 * The quota counters of tenant_usage. A charge is taken in the transaction
 * that inserts its messages, by one upsert over every counter it touches
 * (the day and the month, the channel and `all`, in a fixed order so two
 * takers never wait on each other crosswise). The upsert adds only while a
 * counter stays within its quota; if any counter refused, the quota that was
 * reached is reported and the caller's transaction rolls back, counters and
 * messages with it.
 */
export class TenantUsage {
  /** The charge for a sender's messages on a channel; null (nothing counted) without quotas. */
  static chargeFor(sender: Sender, channel: Channel, at = new Date()): UsageCharge | null {
    const quotas = quotasOf(sender.settings)
    if (!quotas) return null
    return { tenantId: sender.tenantId, mode: sender.test ? 'test' : 'live', channel, quotas, at }
  }

  /** Count `count` messages against the charge's quotas, or throw QuotaExceededException. */
  async take(trx: TransactionClientContract, charge: UsageCharge, count: number) {
    const counters = countersOf(charge)
    const { rows }: { rows: Array<{ period: QuotaPeriod; channel: string }> } = await trx.rawQuery(
      `WITH wanted AS (
         SELECT * FROM unnest(?::text[], ?::text[], ?::date[], ?::bigint[])
                    AS w(period, channel, period_start, quota)
       )
       INSERT INTO tenant_usage AS u (tenant_id, mode, period, channel, period_start, count)
       SELECT ?, ?, w.period, w.channel, w.period_start, ?
         FROM wanted w
        WHERE w.quota IS NULL OR ? <= w.quota
        ORDER BY w.period, w.channel
       ON CONFLICT (tenant_id, mode, period, period_start, channel) DO UPDATE
          SET count = u.count + EXCLUDED.count
        WHERE u.count + EXCLUDED.count <= COALESCE(
                (SELECT w.quota FROM wanted w
                  WHERE w.period = EXCLUDED.period AND w.channel = EXCLUDED.channel),
                u.count + EXCLUDED.count)
       RETURNING period, channel`,
      [
        counters.map((counter) => counter.span.period),
        counters.map((counter) => counter.channel),
        counters.map((counter) => counter.span.start),
        counters.map((counter) => counter.limit),
        charge.tenantId,
        charge.mode,
        count,
        count,
        // Quotas as bigint: a stored quota above the int range (tenants:set refuses one,
        // SQL does not) must still compare, not fail the send
        // Arrays with nulls in them: pg serializes them, knex's types do not list them
      ] as unknown[] as string[]
    )
    if (rows.length === counters.length) return
    const taken = new Set(rows.map((row) => keyOf(row.period, row.channel)))
    throw await this.#refusal(trx, charge, counters, taken, count)
  }

  /** The quota to report (the first refused, see countersOf) and how many messages would fit. */
  async #refusal(
    trx: TransactionClientContract,
    charge: UsageCharge,
    counters: Counter[],
    taken: Set<string>,
    count: number
  ) {
    const counts = await usageRows(trx, charge.tenantId, charge.at)
    const used = new Map(
      counts
        .filter((row) => row.mode === charge.mode)
        .map((row) => [keyOf(row.period, row.channel), row.count])
    )
    let reached: ReachedQuota | null = null
    let fits = count
    for (const counter of counters) {
      if (counter.limit === null) continue
      const key = keyOf(counter.span.period, counter.channel)
      // A counter this charge did take holds its count already: not yet, as the others stand
      const before = (used.get(key) ?? 0) - (taken.has(key) ? count : 0)
      fits = Math.min(fits, Math.max(0, counter.limit - before))
      reached ??= taken.has(key)
        ? null
        : {
            period: counter.span.period,
            channel: counter.channel,
            mode: charge.mode,
            limit: counter.limit,
            used: before,
            resetsAt: counter.span.resetsAt.toISOString(),
          }
    }
    return new QuotaExceededException(reached!, fits)
  }
}

/** A tenant's daily and monthly quotas from its settings; null when it has none. */
export function quotasOf(settings: unknown): Record<QuotaPeriod, Quota> | null {
  const stored = storedSettings(settings)
  const quotas = { day: stored.dailyQuota ?? {}, month: stored.monthlyQuota ?? {} }
  const none = Object.keys(quotas.day).length === 0 && Object.keys(quotas.month).length === 0
  return none ? null : quotas
}

/**
 * Every counter a charge touches, the month first so a refusal names the
 * quota that resets last (waiting for the day would not help), `all` before
 * the channel.
 */
function countersOf(charge: UsageCharge): Counter[] {
  const spans = periodsAt(charge.at)
  return (['month', 'day'] as const).flatMap((period) =>
    (['all', charge.channel] as const).map((channel) => ({
      span: spans[period],
      channel,
      limit: charge.quotas[period][channel] ?? null,
    }))
  )
}

function keyOf(period: QuotaPeriod, channel: string) {
  return `${period}:${channel}`
}

export interface UsageRow {
  mode: UsageMode
  period: QuotaPeriod
  channel: Channel | 'all'
  count: number
}

/** A tenant's counters for the UTC day and month `at` falls in. */
export async function usageRows(
  client: QueryClientContract,
  tenantId: string,
  at: Date
): Promise<UsageRow[]> {
  const spans = periodsAt(at)
  return client
    .from('tenant_usage')
    .select('mode', 'period', 'channel', 'count')
    .where('tenant_id', tenantId)
    .where((current) =>
      current
        .where((day) => day.where('period', 'day').where('period_start', spans.day.start))
        .orWhere((month) => month.where('period', 'month').where('period_start', spans.month.start))
    )
}
