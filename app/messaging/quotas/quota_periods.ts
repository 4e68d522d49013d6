/** A quota's period: the UTC day or the UTC month. */
export type QuotaPeriod = 'day' | 'month'

export interface PeriodSpan {
  period: QuotaPeriod
  /** The period's first day, `YYYY-MM-DD` (UTC) */
  start: string
  /** When the next period begins and the quota is whole again */
  resetsAt: Date
}

/** The UTC day and the UTC month `at` falls in. */
export function periodsAt(at: Date): Record<QuotaPeriod, PeriodSpan> {
  const year = at.getUTCFullYear()
  const month = at.getUTCMonth()
  const day = at.getUTCDate()
  return {
    day: {
      period: 'day',
      start: isoDate(Date.UTC(year, month, day)),
      resetsAt: new Date(Date.UTC(year, month, day + 1)),
    },
    month: {
      period: 'month',
      start: isoDate(Date.UTC(year, month, 1)),
      resetsAt: new Date(Date.UTC(year, month + 1, 1)),
    },
  }
}

function isoDate(time: number) {
  return new Date(time).toISOString().slice(0, 10)
}
