/*
|--------------------------------------------------------------------------
| Routes
|--------------------------------------------------------------------------
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const HealthController = () => import('#controllers/health_controller')
const MessagesController = () => import('#controllers/messages_controller')

router.get('/health', [HealthController, 'live']).as('health.live')
router.get('/ready', [HealthController, 'ready']).as('health.ready')

router
  .group(() => {
    router.post('/messages', [MessagesController, 'store']).as('messages.store')
    router.post('/messages/bulk', [MessagesController, 'bulk']).as('messages.bulk')
    router
      .get('/messages/stats/queue', [MessagesController, 'queueStats'])
      .as('messages.stats.queue')
    router
      .get('/messages/stats/channels', [MessagesController, 'channelStats'])
      .as('messages.stats.channels')
    router.get('/messages/:id', [MessagesController, 'show']).as('messages.show')
    router.delete('/messages/:id', [MessagesController, 'destroy']).as('messages.destroy')
  })
  .prefix('/api/v1')
  .use(middleware.auth())
