/*
|--------------------------------------------------------------------------
| Domain events
|--------------------------------------------------------------------------
|
| The typed events of a message's life on the AdonisJS emitter. The pipeline
| emits message:queued and message:sent; the delivery tracker emits the rest
| once their transaction has committed. Listeners belong in this file too.
| Tenant webhooks out are not a listener: they are derived from the
| delivery_events rows in the same transaction (webhook_outbox), so none is
| lost to a crash after the commit.
|
*/
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import type {
  MessageBounced,
  MessageClicked,
  MessageComplained,
  MessageDelivered,
  MessageFailed,
  MessageOpened,
  MessageQueued,
  MessageSent,
  MessageThrottled,
} from '#messaging/tracking/message_events'

declare module '@adonisjs/core/types' {
  interface EventsList {
    'message:queued': MessageQueued
    'message:sent': MessageSent
    'message:delivered': MessageDelivered
    'message:opened': MessageOpened
    'message:clicked': MessageClicked
    'message:bounced': MessageBounced
    'message:complained': MessageComplained
    'message:failed': MessageFailed
    'message:throttled': MessageThrottled
  }
}

/** Counters for /metrics, written to Redis by whichever process emitted the event */
const MetricsListener = () => import('#messaging/metrics/metrics_listener')
emitter.on('message:queued', [MetricsListener, 'queued'])
emitter.on('message:sent', [MetricsListener, 'sent'])
emitter.on('message:failed', [MetricsListener, 'failed'])
emitter.on('message:throttled', [MetricsListener, 'throttled'])
emitter.on('message:delivered', [MetricsListener, 'delivered'])
emitter.on('message:opened', [MetricsListener, 'opened'])
emitter.on('message:clicked', [MetricsListener, 'clicked'])
emitter.on('message:bounced', [MetricsListener, 'bounced'])
emitter.on('message:complained', [MetricsListener, 'complained'])

/**
 * A test key's message reaches no vendor: its delivery is reported once it is
 * sent. Live sends (nearly all) return before anything is imported or resolved.
 */
emitter.on('message:sent', async (sent) => {
  if (!sent.test) return
  const { default: TestDeliveries } = await import('#messaging/tracking/test_deliveries')
  const deliveries = await app.container.make(TestDeliveries)
  await deliveries.sent(sent)
})
