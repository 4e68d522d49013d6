import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { MessagingConfig } from '#config/messaging'

export default class WebhooksWork extends BaseCommand {
  static commandName = 'webhooks:work'
  static description = 'Run the worker process of the tenant-webhooks queue (events out to tenants)'
  static help = [
    'Delivers domain events to the endpoints tenants registered with POST /api/v1/webhooks:',
    '  node ace webhooks:work',
    'SIGTERM or SIGINT stops taking jobs, lets the ones in flight finish and exits 0.',
  ]

  static options: CommandOptions = {
    startApp: true,
    staysAlive: true,
  }

  @flags.number({ description: 'Jobs run at once (default: TENANT_WEBHOOK_CONCURRENCY)' })
  declare concurrency?: number

  async run() {
    const { PriorityWorker } = await import('#messaging/queueing/priority_worker')
    const { TENANT_WEBHOOKS_QUEUE } = await import(
      '#messaging/tenant_webhooks/tenant_webhook_queue'
    )
    const config = this.app.config.get<MessagingConfig>('messaging')
    const logger = await this.app.container.make('logger')
    const worker = new PriorityWorker(
      this.app,
      logger.child({ queue: TENANT_WEBHOOKS_QUEUE })
    ).start(TENANT_WEBHOOKS_QUEUE, this.concurrency ?? config.tenantWebhooks.concurrency)

    this.app.terminating(() => worker.close())
    this.app.listen('SIGINT', () => this.app.terminate())
  }
}
