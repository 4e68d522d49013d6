import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { Priority } from '#enums/priority'
import { prioritiesNamed } from './_input.js'

const ACTIONS = ['pause', 'resume', 'drain'] as const

export default class CommsQueue extends BaseCommand {
  static commandName = 'comms:queue'
  static description = 'Pause, resume or drain priority queues (every priority unless --priority)'
  static help = [
    'pause   workers of every process stop taking jobs from the queue; jobs in flight finish',
    'resume  workers take jobs again',
    'drain   cancel the queued messages (not yet sending) in PostgreSQL, each with a `canceled`',
    '        event, and remove their jobs; asks first unless --force',
    'node ace comms:queue pause --priority=P3',
    'node ace comms:queue drain --priority=P3 --force',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'pause, resume or drain' })
  declare action: string

  @flags.string({ description: 'P0 … P4; every priority when not given' })
  declare priority?: string

  @flags.boolean({ description: 'drain: do not ask for confirmation' })
  declare force: boolean

  async run() {
    if (!ACTIONS.includes(this.action as (typeof ACTIONS)[number])) {
      this.logger.error(`Unknown action "${this.action}": use ${ACTIONS.join(', ')}`)
      this.exitCode = 1
      return
    }
    const priorities = prioritiesNamed(this, this.priority)
    if (!priorities) return

    if (this.action === 'drain') {
      return this.drain(priorities)
    }
    const { MessageQueues } = await import('#messaging/queueing/message_queues')
    const queues = await this.app.container.make(MessageQueues)
    await (this.action === 'pause' ? queues.pause(priorities) : queues.resume(priorities))

    const table = this.ui.table().head(['priority', 'paused'])
    for (const priority of priorities) {
      table.row([priority, (await queues.isPaused(priority)) ? 'yes' : 'no'])
    }
    table.render()
    this.logger.success(
      `${priorities.join(', ')} ${this.action === 'pause' ? 'paused' : 'resumed'}`
    )
  }

  private async drain(priorities: readonly Priority[]) {
    const { QueueDrainer } = await import('#messaging/queueing/queue_drainer')
    const drainer = await this.app.container.make(QueueDrainer)
    const pending = await Promise.all(priorities.map((priority) => drainer.pending(priority)))
    const total = pending.reduce((sum, count) => sum + count, 0)
    if (total === 0) {
      this.logger.info(`no queued messages in ${priorities.join(', ')}`)
      return
    }

    const confirmed =
      this.force ||
      (await this.prompt.confirm(
        `Cancel ${total} queued messages of ${priorities.join(', ')}? They will not be sent`
      ))
    if (!confirmed) {
      this.logger.info('nothing drained')
      return
    }

    const table = this.ui.table().head(['priority', 'canceled'])
    const spinner = this.logger.await('draining').start()
    try {
      let done = 0
      for (const priority of priorities) {
        const canceled = await drainer.drain(priority, {
          onProgress: (count) => spinner.update(`draining ${priority}: ${done + count}/${total}`),
        })
        done += canceled
        table.row([priority, String(canceled)])
      }
    } finally {
      spinner.stop()
    }
    table.render()
  }
}
