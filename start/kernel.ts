/*
|--------------------------------------------------------------------------
| HTTP kernel
|--------------------------------------------------------------------------
*/
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#exceptions/handler'))

/**
 * Run on every request, even ones without a route. The static middleware
 * serves public/ (the console's stylesheet and scripts).
 */
server.use([
  () => import('#middleware/container_bindings_middleware'),
  () => import('#middleware/force_json_response_middleware'),
  () => import('@adonisjs/static/static_middleware'),
])

/**
 * Run on requests with a matching route.
 */
router.use([
  () => import('#middleware/body_parser_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
])

export const middleware = router.named({
  auth: () => import('#middleware/auth_middleware'),
  scope: () => import('#middleware/scope_middleware'),
  acceptsMessages: () => import('#middleware/accepts_messages_middleware'),
  tenantApiLimit: () => import('#middleware/tenant_api_limit_middleware'),
  metricsToken: () => import('#middleware/metrics_token_middleware'),
  webhookMetrics: () => import('#middleware/webhook_metrics_middleware'),
  // The console's routes only: the API neither reads a session cookie nor asks for a CSRF token
  session: () => import('@adonisjs/session/session_middleware'),
  shield: () => import('@adonisjs/shield/shield_middleware'),
  consoleAuth: () => import('#middleware/console_auth_middleware'),
  consoleGuest: () => import('#middleware/console_guest_middleware'),
  consoleRole: () => import('#middleware/console_role_middleware'),
})
