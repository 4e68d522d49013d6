import { defineConfig } from '@adonisjs/core/app'

export default defineConfig({
  commands: [
    () => import('@adonisjs/core/commands'),
    () => import('@adonisjs/lucid/commands'),
    () => import('adonisjs-scheduler/commands'),
  ],

  providers: [
    () => import('@adonisjs/core/providers/app_provider'),
    () => import('@adonisjs/core/providers/hash_provider'),
    {
      file: () => import('@adonisjs/core/providers/repl_provider'),
      environment: ['repl', 'test'],
    },
    () => import('@adonisjs/core/providers/vinejs_provider'),
    () => import('@adonisjs/lucid/database_provider'),
    () => import('@adonisjs/auth/auth_provider'),
    () => import('@adonisjs/redis/redis_provider'),
    () => import('@adonisjs/core/providers/edge_provider'),
    () => import('@adonisjs/session/session_provider'),
    () => import('@adonisjs/shield/shield_provider'),
    () => import('@adonisjs/static/static_provider'),
    () => import('@adonisjs/lock/lock_provider'),
    () => import('@adonisjs/limiter/limiter_provider'),
    () => import('@rlanz/bull-queue/queue_provider'),
    () => import('#providers/messaging_provider'),
    {
      file: () => import('adonisjs-scheduler/scheduler_provider'),
      environment: ['console'],
    },
  ],

  // start/kernel is loaded by start/routes, which imports it: AdonisJS imports the preloads all at
  // once, and Node 20 then sometimes ran routes before kernel had set `middleware` (a ReferenceError
  // at boot, about one start in ten once routes imported more)
  preloads: [
    () => import('#start/routes'),
    () => import('#start/events'),
    { file: () => import('#start/scheduler'), environment: ['console'] },
  ],

  tests: {
    suites: [
      { files: ['tests/unit/**/*.spec(.ts|.js)'], name: 'unit', timeout: 2000 },
      { files: ['tests/functional/**/*.spec(.ts|.js)'], name: 'functional', timeout: 30000 },
      { files: ['tests/integration/**/*.spec(.ts|.js)'], name: 'integration', timeout: 120000 },
      // The console in a real browser (Debian's Chromium driven by Playwright)
      { files: ['tests/browser/**/*.spec(.ts|.js)'], name: 'browser', timeout: 120000 },
      // Fault injection (npm run test:faults): real processes killed, Redis flushed, PostgreSQL cut
      { files: ['tests/faults/**/*.spec(.ts|.js)'], name: 'faults', timeout: 300000 },
    ],
    forceExit: false,
  },

  metaFiles: [
    { pattern: 'resources/views/**/*.edge', reloadServer: false },
    { pattern: 'public/**', reloadServer: false },
  ],
})
