import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import redis from '@adonisjs/redis/services/main'
import { assertFaultEnvironment } from '#tests/helpers/fault_environment'
import { sessionApiClient } from '@adonisjs/session/plugins/api_client'
import { shieldApiClient } from '@adonisjs/shield/plugins/api_client'
import { authApiClient } from '@adonisjs/auth/plugins/api_client'
import { sessionsInAppStore } from '#tests/helpers/console_sessions'
import { browserClient } from '@japa/browser-client'
import { chromium } from 'playwright'

/**
 * The test database was migrated fresh by `bin/setup --test`; the test Redis
 * database index (REDIS_DB in .env.test) belongs to the tests alone and is
 * emptied before they run.
 */
export const plugins: Config['plugins'] = [
  assert(),
  apiClient(),
  pluginAdonisJS(app),
  // Console requests: `.withSession()`, `.loginAs(user)` (guard `web`), `.withCsrfToken()`
  sessionApiClient(app),
  sessionsInAppStore(app),
  shieldApiClient(),
  authApiClient(app),
  // The browser suite drives Debian's Chromium (bin/setup --test installs it; Playwright never
  // downloads one). Without the background-networking flags Chromium keeps calling out to a
  // network that refuses it.
  browserClient({
    runInSuites: ['browser'],
    contextOptions: { viewport: { width: 1280, height: 800 } },
    launcher: () =>
      chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
  }),
]

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      await redis.flushdb()
    },
  ],
  teardown: [],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (suite.name === 'faults') {
    suite.setup(() => assertFaultEnvironment())
  }
  if (['functional', 'integration', 'browser', 'faults'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}
