import { inject } from '@adonisjs/core'
import { Job } from '@rlanz/bull-queue'
import { DelayedError } from 'bullmq'
import { MessageDispatcher } from '#messaging/delivery/message_dispatcher'

export interface SendMessagePayload {
  messageId: string
}

/**
 * Sends one message. The job carries only the id; the row is the truth.
 */
@inject()
export default class SendMessageJob extends Job {
  constructor(private dispatcher: MessageDispatcher) {
    super()
  }

  static get $$filepath() {
    return import.meta.url
  }

  async handle({ messageId }: SendMessagePayload) {
    const outcome = await this.dispatcher.dispatch(messageId)
    if (outcome.kind === 'retry') {
      // Keep the same job (and job id) and park it until the next attempt is due.
      const job = this.getJob()
      await job.moveToDelayed(outcome.at.getTime(), job.token)
      throw new DelayedError()
    }
  }

  async rescue({ messageId }: SendMessagePayload, error: Error) {
    await this.dispatcher.giveUp(messageId, error)
  }
}
