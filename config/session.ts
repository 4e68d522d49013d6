import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/**
 * Console sessions live in Redis (never in one process's memory), so every API process
 * knows every signed-in person and signing out ends the session everywhere.
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'switchboard-session',
  clearWithBrowser: false,
  age: env.get('CONSOLE_SESSION_AGE', '8h'),
  cookie: {
    path: '/console',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
  store: 'redis',
  stores: {
    redis: stores.redis({ connection: 'main' }),
  },
})

export default sessionConfig
