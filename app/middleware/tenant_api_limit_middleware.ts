import app from '@adonisjs/core/services/app'
import limiter from '@adonisjs/limiter/services/main'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { MessagingConfig } from '#config/messaging'
import type Tenant from '#models/tenant'
import type { Logger } from '@adonisjs/core/logger'
import { apiRateLimitOf, type TenantSettingDefaults } from '#messaging/tenants/tenant_settings'
import { rateLimitHeaders } from '#exceptions/rate_limit_headers'

/** The unreadable settings already logged, by tenant (logged again when they change) */
const reported = new Map<string, string>()

/**
 * Counts the tenant's API requests against its limit (its own setting, else
 * TENANT_API_RATE_LIMIT). Runs after auth, whose guard loads the tenant row
 * on every request, so a new limit applies from the next request. A tenant
 * with no limit passes at no cost; over the limit, the limiter's exception
 * becomes a 429 E_RATE_LIMITED with Retry-After (see the exception handler).
 * A limit that cannot be read (written by SQL) is logged once and the
 * default applies, as in the workers: never a 500 on every request.
 */
export default class TenantApiLimitMiddleware {
  constructor(
    private defaults: TenantSettingDefaults = app.config.get<MessagingConfig>('messaging')
      .tenantDefaults
  ) {}

  async handle(ctx: HttpContext, next: NextFn) {
    const tenant = ctx.tenant
    const limit = this.limitOf(tenant, ctx.logger)
    if (!limit) return next()
    const consumed = await limiter
      .use({ requests: limit.limit, duration: limit.windowMs / 1000 })
      .consume(`tenant_${tenant.id}`)
    for (const [name, value] of Object.entries(rateLimitHeaders(consumed))) {
      ctx.response.header(name, value)
    }
    return next()
  }

  private limitOf(tenant: Tenant, logger: Logger) {
    try {
      return apiRateLimitOf(tenant.settings, this.defaults)
    } catch (error) {
      const settings = JSON.stringify(tenant.settings)
      if (reported.get(tenant.id) !== settings) {
        reported.set(tenant.id, settings)
        logger.error(
          { tenantId: tenant.id, err: error },
          'a tenant has an API rate limit that cannot be read; the default applies'
        )
      }
      return this.defaults.apiRateLimit
    }
  }
}
