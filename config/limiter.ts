import { defineConfig, stores } from '@adonisjs/limiter'
import type { InferLimiters } from '@adonisjs/limiter/types'

/**
 * API request limits per tenant (TENANT_API_RATE_LIMIT, `tenants:set
 * --api-rate-limit`). Counted in Redis, never in memory: every API process
 * shares one count per tenant.
 */
const limiterConfig = defineConfig({
  default: 'redis',
  stores: {
    redis: stores.redis({ connectionName: 'main', keyPrefix: 'api-limit' }),
    // The console's people: sign-in failures by email and by address, reset emails by address
    people: stores.redis({ connectionName: 'main', keyPrefix: 'console-sign-in' }),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}
