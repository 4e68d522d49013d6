import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import type { EventsList } from '@adonisjs/core/types'
import type { MessageEventBase } from '#messaging/tracking/message_events'

/** The events about one message (start/events.ts) */
type MessageEventName = {
  [Name in keyof EventsList]: EventsList[Name] extends MessageEventBase ? Name : never
}[keyof EventsList]

/**
 * Emits the pipeline's domain events (start/events.ts) once its writes are
 * committed. A failing listener is logged: it must never undo or fail a send.
 */
export async function announce<Name extends MessageEventName>(
  name: Name,
  payloads: Array<EventsList[Name]>
) {
  const outcomes = await Promise.allSettled(payloads.map((payload) => emitter.emit(name, payload)))
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'rejected') {
      logger.error(
        { err: outcome.reason, event: name, messageId: payloads[index].messageId },
        'a domain event listener failed'
      )
    }
  })
}
