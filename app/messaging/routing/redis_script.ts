import type { RedisConnection } from '@adonisjs/redis'

export type RedisScript = (keys: string[], args: Array<string | number>) => Promise<unknown>

/**
 * A Lua script on a Redis connection, run with EVALSHA (ioredis loads it on
 * first use). Keys go through the connection's key prefix like any command.
 */
export function redisScript(connection: RedisConnection, name: string, lua: string): RedisScript {
  connection.defineCommand(name, { lua })
  const client = connection.ioConnection as unknown as Record<
    string,
    (...args: Array<string | number>) => Promise<unknown>
  >
  return (keys, args) => client[name](keys.length, ...keys, ...args)
}
