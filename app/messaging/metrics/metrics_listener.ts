import { inject } from '@adonisjs/core'
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
  TrackedMessageEvent,
} from '#messaging/tracking/message_events'
import { MetricsRecorder } from '#messaging/metrics/metrics_recorder'

/**
 * Turns the domain events into the counters of /metrics, in whichever
 * process emitted them: the API (accepted messages, provider reports) or a
 * worker (sends, failures, deferrals). The recorder does not wait for Redis,
 * so the pipeline that emitted the event is not held up.
 */
@inject()
export default class MetricsListener {
  constructor(private recorder: MetricsRecorder) {}

  queued(event: MessageQueued) {
    this.recorder.messageQueued({ channel: event.channel, priority: event.priority })
  }

  sent(event: MessageSent) {
    this.recorder.messageSent(event)
  }

  failed(event: MessageFailed) {
    this.recorder.messageFailed(event)
  }

  throttled(event: MessageThrottled) {
    this.recorder.rateLimitDeferral({ scope: event.scope, channel: event.channel })
  }

  delivered(event: MessageDelivered) {
    this.#reported('delivered', event)
  }

  opened(event: MessageOpened) {
    this.#reported('opened', event)
  }

  clicked(event: MessageClicked) {
    this.#reported('clicked', event)
  }

  bounced(event: MessageBounced) {
    this.#reported(event.permanent ? 'bounced' : 'soft_bounced', event)
  }

  complained(event: MessageComplained) {
    this.#reported('complained', event)
  }

  #reported(name: string, event: TrackedMessageEvent) {
    this.recorder.deliveryEvent({ event: name, provider: event.source })
  }
}
