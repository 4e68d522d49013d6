import app from '@adonisjs/core/services/app'
import limiter from '@adonisjs/limiter/services/main'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { MessagingConfig } from '#config/messaging'
import type Tenant from '#models/tenant'
import { effectiveSettings, type TenantSettingDefaults } from '#messaging/tenants/tenant_settings'
import { rateLimitHeaders } from '#middleware/rate_limit_headers'

/**
 * Counts the tenant's API requests against its limit (its own setting, else
 * TENANT_API_RATE_LIMIT). Runs after auth, whose guard loads the tenant row
 * on every request, so a new limit applies from the next request. A tenant
 * with no limit passes at no cost; over the limit, the limiter's exception
 * becomes a 429 E_RATE_LIMITED with Retry-After (see the exception handler).
 */
export default class TenantApiLimitMiddleware {
  constructor(
    private defaults: TenantSettingDefaults = app.config.get<MessagingConfig>('messaging')
      .tenantDefaults
  ) {}

  async handle(ctx: HttpContext, next: NextFn) {
    const tenant = ctx.auth.getUserOrFail() as Tenant
    const limit = effectiveSettings(tenant.settings, this.defaults).apiRateLimit
    if (!limit) return next()
    const consumed = await limiter
      .use({ requests: limit.limit, duration: limit.windowMs / 1000 })
      .consume(`tenant_${tenant.id}`)
    for (const [name, value] of Object.entries(rateLimitHeaders(consumed))) {
      ctx.response.header(name, value)
    }
    return next()
  }
}
