import type { Logger } from '@adonisjs/core/logger'
import type { Database } from '@adonisjs/lucid/database'
import {
  effectiveSettings,
  type EffectiveTenantSettings,
  type TenantSettingDefaults,
} from '#messaging/tenants/tenant_settings'

/** What a worker needs to know about a tenant before sending for it. */
export interface TenantState {
  suspendedAt: Date | null
  settings: EffectiveTenantSettings
}

interface TenantRow {
  id: string
  status: string
  settings: unknown
  suspended_at: Date | null
  updated_at: Date
}

/**
 * Every tenant's settings and suspension, held in each worker process so a
 * send costs no query. Every `pollMs` it reads the tenants changed since the
 * newest change it has seen (every change bumps `updated_at`), minus an
 * overlap for a change whose transaction committed after a later one's.
 *
 * Polling rather than Redis pub/sub: PostgreSQL is the source of truth, a
 * poll cannot miss a change (a subscriber misses what is published while it
 * reconnects, and would need a TTL and a reload anyway), and its cost is one
 * indexed query that usually returns nothing.
 */
export class TenantSettingsCache {
  #tenants = new Map<string, TenantState>()
  #newest: Date | null = null
  #timer: NodeJS.Timeout | null = null
  #refreshing: Promise<void> | null = null

  constructor(
    private db: Database,
    private defaults: TenantSettingDefaults,
    private logger: Logger,
    private options = { pollMs: 500, overlapMs: 5_000 }
  ) {}

  /** Loads every tenant, then keeps up with changes until stop(). */
  async start() {
    await this.refresh()
    this.#timer = setInterval(() => void this.refresh(), this.options.pollMs)
    this.#timer.unref()
  }

  async stop() {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await this.#refreshing
  }

  /** A tenant not seen yet was created after the last poll: it has set nothing. */
  of(tenantId: string): TenantState {
    return (
      this.#tenants.get(tenantId) ?? {
        suspendedAt: null,
        settings: effectiveSettings({}, this.defaults),
      }
    )
  }

  /** A tenant as its row says now (and remembered so). */
  async current(tenantId: string): Promise<TenantState> {
    const row = await this.#columns(this.db.from('tenants')).where('id', tenantId).first()
    if (row) this.#remember(row)
    return this.of(tenantId)
  }

  /** Reads the tenants changed since the last look; a failed read keeps what is known. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#read().finally(() => {
      this.#refreshing = null
    })
    return this.#refreshing
  }

  async #read() {
    const query = this.#columns(this.db.from('tenants'))
    if (this.#newest) {
      query.where('updated_at', '>', new Date(this.#newest.getTime() - this.options.overlapMs))
    }
    let rows: TenantRow[]
    try {
      rows = await query
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read tenant settings; keeping the last known')
      return
    }
    for (const row of rows) {
      this.#remember(row)
      if (!this.#newest || row.updated_at > this.#newest) this.#newest = row.updated_at
    }
  }

  #columns(query: ReturnType<Database['from']>) {
    return query.select('id', 'status', 'settings', 'suspended_at', 'updated_at')
  }

  #remember(row: TenantRow) {
    try {
      this.#tenants.set(row.id, {
        suspendedAt: row.status === 'suspended' ? (row.suspended_at ?? row.updated_at) : null,
        settings: effectiveSettings(row.settings, this.defaults),
      })
    } catch (error) {
      this.logger.error(
        { tenantId: row.id, err: error },
        'a tenant has settings that cannot be read; keeping the last known'
      )
    }
  }
}
