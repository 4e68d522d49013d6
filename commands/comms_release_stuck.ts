import { flags } from '@adonisjs/core/ace'
import { ExclusiveCommand } from '#scheduling/exclusive_command'
import type { MessagingConfig } from '#config/messaging'

export default class CommsReleaseStuck extends ExclusiveCommand {
  static commandName = 'comms:release-stuck'
  static description =
    'The outbox sweeper: release expired leases and queue due messages that have no live job'

  @flags.number({
    description: 'Seconds a due message may wait for its job before it counts as lost',
    default: 60,
  })
  declare graceSeconds: number

  protected async runExclusive() {
    const { StuckMessageSweeper } = await import('#messaging/outbox/stuck_message_sweeper')
    const { MessageQueues } = await import('#messaging/queueing/message_queues')
    const config = this.app.config.get<MessagingConfig>('messaging')
    const sweeper = new StuckMessageSweeper(
      await this.app.container.make(MessageQueues),
      await this.app.container.make('logger'),
      {
        graceSeconds: this.graceSeconds,
        alertMinutes: config.stuckQueuedAlertMinutes,
        batchSize: 1000,
      }
    )
    const report = await sweeper.sweep({ dryRun: this.dryRun })
    const verb = this.dryRun ? 'would be' : 'were'
    this.logger.info(
      `${report.leasesReleased} expired leases ${verb} released, ${report.requeued} messages ${verb} queued, ` +
        `${report.stuckOverAlert} stuck past ${config.stuckQueuedAlertMinutes} min`
    )
  }
}
