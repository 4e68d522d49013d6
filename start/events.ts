/*
|--------------------------------------------------------------------------
| Domain events
|--------------------------------------------------------------------------
|
| The typed events of a message's life on the AdonisJS emitter. The pipeline
| emits message:queued and message:sent; the delivery tracker emits the rest
| once their transaction has committed. Listeners (tenant webhooks out, …)
| belong in this file too; it joins the preloads in adonisrc.ts with the
| first of them.
|
*/
import type {
  MessageBounced,
  MessageClicked,
  MessageComplained,
  MessageDelivered,
  MessageFailed,
  MessageOpened,
  MessageQueued,
  MessageSent,
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
  }
}
