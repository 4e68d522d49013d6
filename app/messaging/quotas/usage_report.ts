import db from '@adonisjs/lucid/services/db'
import { QUOTA_KEYS, type Quota, type QuotaKey } from '#messaging/tenants/tenant_settings'
import { periodsAt, type QuotaPeriod } from '#messaging/quotas/quota_periods'
import { quotasOf, usageRows, type UsageMode } from '#messaging/quotas/tenant_usage'

export interface PeriodUsage {
  /** The period's first day, `YYYY-MM-DD` (UTC) */
  start: string
  resetsAt: string
  /** The quotas set for the period (none: empty) */
  quota: Quota
  /** Messages counted per channel and for `all`, live keys' and test keys' apart */
  live: Record<QuotaKey, number>
  test: Record<QuotaKey, number>
}

export interface UsageReport {
  /** Counters are kept while the tenant has a quota: without one, nothing is counted */
  counting: boolean
  day: PeriodUsage
  month: PeriodUsage
}

/** GET /api/v1/usage: today's and this month's counts next to the quotas. */
export async function usageReport(
  tenant: { id: string; settings: unknown },
  at = new Date()
): Promise<UsageReport> {
  const quotas = quotasOf(tenant.settings)
  const spans = periodsAt(at)
  const rows = await usageRows(db.connection(), tenant.id, at)
  const period = (name: QuotaPeriod): PeriodUsage => {
    const counts = (mode: UsageMode) =>
      Object.fromEntries(
        QUOTA_KEYS.map((key) => [
          key,
          rows.find((row) => row.mode === mode && row.period === name && row.channel === key)
            ?.count ?? 0,
        ])
      ) as Record<QuotaKey, number>
    return {
      start: spans[name].start,
      resetsAt: spans[name].resetsAt.toISOString(),
      quota: quotas?.[name] ?? {},
      live: counts('live'),
      test: counts('test'),
    }
  }
  return {
    counting: quotas !== null,
    day: period('day'),
    month: period('month'),
  }
}
