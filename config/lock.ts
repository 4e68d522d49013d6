import { defineConfig, stores } from '@adonisjs/lock'
import type { InferLockStores } from '@adonisjs/lock/types'

/**
 * Atomic locks (@adonisjs/lock, Verrou). Redis is the only store: the locks
 * keep scheduled commands exclusive across scheduler processes and machines,
 * which an in-memory store cannot do. Keys take the Redis connection's
 * QUEUE_PREFIX like every other key we write.
 */
const lockConfig = defineConfig({
  default: 'redis',
  stores: {
    redis: stores.redis({}),
  },
})

export default lockConfig

declare module '@adonisjs/lock/types' {
  export interface LockStoresList extends InferLockStores<typeof lockConfig> {}
}
