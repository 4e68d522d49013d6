import type { ApplicationService } from '@adonisjs/core/types'
import type { PluginFn } from '@japa/runner/types'
import { configProvider } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ApiRequest } from '@japa/api-client'
import { SessionClient } from '@adonisjs/session/client'
import type { ResolvedSessionConfig } from '@adonisjs/session/types'

/**
 * `sessionApiClient` keeps a request's session (`loginAs`, `withCsrfToken`) in
 * a memory store of its own, which the app never reads: console sessions live
 * in Redis. After it, this gives every request a session client on the app's
 * configured store, so a test signs in exactly where the app looks.
 */
export function sessionsInAppStore(app: ApplicationService): PluginFn {
  return async () => {
    const config = await configProvider.resolve<ResolvedSessionConfig>(
      app,
      app.config.get('session')
    )
    const store = config!.stores[config!.store]
    ApiRequest.getter(
      'sessionClient',
      // Redis's store reads no request context
      () => new SessionClient(store(null as unknown as HttpContext, config!)),
      true
    )
  }
}
