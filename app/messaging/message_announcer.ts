import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import type { EventsList } from '@adonisjs/core/types'

/**
 * Emits the pipeline's domain events (start/events.ts) once its writes are
 * committed. A failing listener is logged: it must never undo or fail a send.
 */
export async function announce<Name extends keyof EventsList>(
  name: Name,
  payloads: Array<EventsList[Name]>
) {
  const outcomes = await Promise.allSettled(payloads.map((payload) => emitter.emit(name, payload)))
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      logger.error({ err: outcome.reason, event: name }, 'a domain event listener failed')
    }
  }
}
