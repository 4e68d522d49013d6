import { setPriority } from 'node:os'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { BULK_PRIORITIES, Priority, PRIORITIES } from '#enums/priority'
import type { MessagingConfig } from '#config/messaging'
import type { WorkerConnection } from '#messaging/queueing/priority_worker'

export default class MessagesWork extends BaseCommand {
  static commandName = 'messages:work'
  static description = 'Run the worker process of one priority queue (messages-p0 … messages-p4)'
  static help = [
    'One process per priority keeps P0 free of P2/P3 backlog:',
    '  node ace messages:work --priority=P0',
    'The bulk lanes (P2, P3) run at nice BULK_WORKER_NICE, so the kernel serves the others first.',
    'SIGTERM or SIGINT stops taking jobs, lets the ones in flight finish and exits 0.',
  ]

  static options: CommandOptions = {
    startApp: true,
    staysAlive: true,
  }

  @flags.string({ description: 'Priority to work: P0, P1, P2, P3 or P4', required: true })
  declare priority: string

  @flags.number({ description: 'Jobs run at once (default: WORKER_CONCURRENCY_<priority>)' })
  declare concurrency?: number

  async run() {
    const priority = this.priority.toUpperCase() as Priority
    if (!PRIORITIES.includes(priority)) {
      this.logger.error(`Unknown priority "${this.priority}": use one of ${PRIORITIES.join(', ')}`)
      this.exitCode = 1
      await this.app.terminate()
      return
    }

    const { PriorityWorker } = await import('#messaging/queueing/priority_worker')
    const { queueNameFor } = await import('#messaging/queueing/message_queues')
    const config = this.app.config.get<MessagingConfig>('messaging')
    // Raising one's own nice value needs no privilege; on Linux it applies to
    // this (the JavaScript) thread, where the worker's CPU is spent
    if (BULK_PRIORITIES.includes(priority)) setPriority(config.bulkWorkerNice)
    const logger = await this.app.container.make('logger')
    const connection = this.app.config.get<WorkerConnection>('queue')
    const worker = new PriorityWorker(this.app, logger.child({ priority }), connection).start(
      queueNameFor(priority),
      this.concurrency ?? config.concurrency[priority]
    )

    this.app.terminating(() => worker.close())
    this.app.listen('SIGINT', () => this.app.terminate())
  }
}
