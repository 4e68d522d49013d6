/*
|--------------------------------------------------------------------------
| Routes
|--------------------------------------------------------------------------
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { WEBHOOKS_PREFIX, WEBHOOK_ROUTES } from '#messaging/vendors/webhook_routes'
// The console's pages (/console)
import '#start/console_routes'

const HealthController = () => import('#controllers/health_controller')
const MetricsController = () => import('#controllers/metrics_controller')
const MessagesController = () => import('#controllers/messages_controller')
const ProvidersController = () => import('#controllers/providers_controller')
const TemplatesController = () => import('#controllers/templates_controller')
const WebhookEndpointsController = () => import('#controllers/webhook_endpoints_controller')
const ConversationsController = () => import('#controllers/conversations_controller')
const SuppressionsController = () => import('#controllers/suppressions_controller')
const UsageController = () => import('#controllers/usage_controller')
const RecipientsController = () => import('#controllers/recipients_controller')
const ApiKeysController = () => import('#controllers/api_keys_controller')
const AuditController = () => import('#controllers/audit_controller')

const StatusWebhooksController = () => import('#controllers/webhooks/status_webhooks_controller')
const InboundWebhooksController = () => import('#controllers/webhooks/inbound_webhooks_controller')
const PushReportsController = () => import('#controllers/webhooks/push_reports_controller')

router.get('/health', [HealthController, 'live']).as('health.live')
router.get('/ready', [HealthController, 'ready']).as('health.ready')
router.get('/metrics', [MetricsController, 'show']).as('metrics').use(middleware.metricsToken())

/*
| The tenant API. Every key is checked, then each route asks for one scope:
| `send` (accept and cancel messages), `read` (look), `manage` (change
| configuration). The routes that accept messages also refuse a suspended
| tenant (`accept`).
*/
const send = middleware.scope({ scope: 'send' })
const accept = [send, middleware.acceptsMessages()]
const read = middleware.scope({ scope: 'read' })
const manage = middleware.scope({ scope: 'manage' })

router
  .group(() => {
    router.post('/messages', [MessagesController, 'store']).as('messages.store').use(accept)
    router.post('/messages/bulk', [MessagesController, 'bulk']).as('messages.bulk').use(accept)
    router
      .get('/messages/stats/queue', [MessagesController, 'queueStats'])
      .as('messages.stats.queue')
      .use(read)
    router
      .get('/messages/stats/channels', [MessagesController, 'channelStats'])
      .as('messages.stats.channels')
      .use(read)
    router.get('/messages', [MessagesController, 'index']).as('messages.index').use(read)
    router.get('/messages/:id', [MessagesController, 'show']).as('messages.show').use(read)
    router.get('/usage', [UsageController, 'show']).as('usage.show').use(read)
    router.delete('/messages/:id', [MessagesController, 'destroy']).as('messages.destroy').use(send)
    router.get('/providers', [ProvidersController, 'index']).as('providers.index').use(read)
    router.post('/providers', [ProvidersController, 'store']).as('providers.store').use(manage)
    router.get('/providers/:id', [ProvidersController, 'show']).as('providers.show').use(read)
    router
      .patch('/providers/:id', [ProvidersController, 'update'])
      .as('providers.update')
      .use(manage)
    router
      .delete('/providers/:id', [ProvidersController, 'destroy'])
      .as('providers.destroy')
      .use(manage)
    router
      .post('/providers/:id/test', [ProvidersController, 'test'])
      .as('providers.test')
      .use(manage)
    router.get('/templates', [TemplatesController, 'index']).as('templates.index').use(read)
    router.post('/templates', [TemplatesController, 'store']).as('templates.store').use(manage)
    router.get('/templates/:id', [TemplatesController, 'show']).as('templates.show').use(read)
    router.put('/templates/:id', [TemplatesController, 'update']).as('templates.update').use(manage)
    router
      .post('/templates/:id/preview', [TemplatesController, 'preview'])
      .as('templates.preview')
      .use(read)
    router
      .get('/webhooks', [WebhookEndpointsController, 'index'])
      .as('webhook_endpoints.index')
      .use(read)
    router
      .post('/webhooks', [WebhookEndpointsController, 'store'])
      .as('webhook_endpoints.store')
      .use(manage)
    router
      .post('/webhooks/:id/test', [WebhookEndpointsController, 'test'])
      .as('webhook_endpoints.test')
      .use(manage)
    router
      .post('/webhooks/:id/enable', [WebhookEndpointsController, 'enable'])
      .as('webhook_endpoints.enable')
      .use(manage)
    router
      .post('/webhooks/:id/replay', [WebhookEndpointsController, 'replay'])
      .as('webhook_endpoints.replay')
      .use(manage)
    router
      .delete('/webhooks/:id', [WebhookEndpointsController, 'destroy'])
      .as('webhook_endpoints.destroy')
      .use(manage)
    router
      .get('/conversations', [ConversationsController, 'index'])
      .as('conversations.index')
      .use(read)
    router
      .get('/conversations/:id', [ConversationsController, 'show'])
      .as('conversations.show')
      .use(read)
    router
      .post('/conversations/:id/reply', [ConversationsController, 'reply'])
      .as('conversations.reply')
      .use(accept)
    router
      .get('/suppressions', [SuppressionsController, 'index'])
      .as('suppressions.index')
      .use(read)
    router
      .post('/suppressions', [SuppressionsController, 'store'])
      .as('suppressions.store')
      .use(manage)
    router
      .delete('/suppressions/:id', [SuppressionsController, 'destroy'])
      .as('suppressions.destroy')
      .use(manage)
    router
      .delete('/recipients/:address', [RecipientsController, 'destroy'])
      .as('recipients.destroy')
      .use(manage)
    router
      .group(() => {
        router.get('/keys', [ApiKeysController, 'index']).as('index')
        router.post('/keys', [ApiKeysController, 'store']).as('store')
        router.post('/keys/:id/rotate', [ApiKeysController, 'rotate']).as('rotate')
        router.delete('/keys/:id', [ApiKeysController, 'destroy']).as('destroy')
      })
      .where('id', router.matchers.number())
      .as('api_keys')
      .use(manage)
    router.get('/audit', [AuditController, 'index']).as('audit.index').use(manage)
  })
  .prefix('/api/v1')
  .use([middleware.auth(), middleware.tenantApiLimit()])

/*
| Delivery webhooks: providers authenticate by signature (checked against the
| provider config named in the path), the push client app by the tenant's key.
*/
router
  .group(() => {
    // Each vendor's own (messaging/vendors/index.ts): webhooks.postal, webhooks.postal.inbound, ...
    for (const { direction, pattern, name } of WEBHOOK_ROUTES) {
      if (direction === 'status') router.post(pattern, [StatusWebhooksController, 'store']).as(name)
      else router.post(pattern, [InboundWebhooksController, 'store']).as(name)
    }
  })
  .where('providerId', router.matchers.uuid())
  .prefix(WEBHOOKS_PREFIX)
  .as('webhooks')
  .use(middleware.webhookMetrics())

router
  .post(`${WEBHOOKS_PREFIX}/firebase`, [PushReportsController, 'store'])
  .as('webhooks.firebase')
  .use([middleware.webhookMetrics(), middleware.auth(), middleware.tenantApiLimit(), send])
