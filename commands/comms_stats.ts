import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

export default class CommsStats extends BaseCommand {
  static commandName = 'comms:stats'
  static description =
    'Queue depth per priority, messages sent and failed over the last 1/5/15 minutes, gateway health'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { OperationsStats } = await import('#messaging/stats/operations_stats')
    const stats = await this.app.container.make(OperationsStats)
    const [queues, throughput, gateways] = await Promise.all([
      stats.queueDepths(),
      stats.throughput([1, 5, 15]),
      stats.gatewayHealth(),
    ])

    this.logger.log(this.colors.bold('Queues'))
    const queueTable = this.ui
      .table()
      .head(['priority', 'queue', 'waiting', 'active', 'delayed', 'failed', 'paused'])
    for (const queue of queues) {
      queueTable.row([
        queue.priority,
        queue.queue,
        String(queue.waiting),
        String(queue.active),
        String(queue.delayed),
        String(queue.failed),
        queue.paused ? this.colors.yellow('paused') : 'no',
      ])
    }
    queueTable.render()

    this.logger.log(this.colors.bold('Throughput'))
    const throughputTable = this.ui
      .table()
      .head(['window', 'sent', 'sent/min', 'failed', 'failed/min'])
    for (const window of throughput) {
      throughputTable.row([
        `${window.minutes} min`,
        String(window.sent),
        window.sentPerMinute.toFixed(1),
        String(window.failed),
        window.failedPerMinute.toFixed(1),
      ])
    }
    throughputTable.render()

    this.logger.log(this.colors.bold('Gateway health'))
    if (gateways.length === 0) {
      this.logger.info('no gateway health recorded yet')
      return
    }
    const healthTable = this.ui
      .table()
      .head([
        'gateway',
        'channel',
        'score',
        'circuit',
        'failures in a row',
        'avg latency',
        'updated',
      ])
    for (const gateway of gateways) {
      healthTable.row([
        gateway.gatewayKey,
        gateway.channel,
        gateway.score.toFixed(2),
        gateway.circuitState === 'closed'
          ? gateway.circuitState
          : this.colors.red(gateway.circuitState),
        String(gateway.consecutiveFailures),
        gateway.avgLatencyMs === null ? '-' : `${gateway.avgLatencyMs} ms`,
        gateway.updatedAt.toISO() ?? '-',
      ])
    }
    healthTable.render()
  }
}
