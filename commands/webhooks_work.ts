import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { MessagingConfig } from '#config/messaging'
import type { WorkerConnection } from '#messaging/queueing/priority_worker'

export default class WebhooksWork extends BaseCommand {
  static commandName = 'webhooks:work'
  static description = 'Run the worker process of the tenant-webhooks queue (events out to tenants)'
  static help = [
    'Delivers message events to the endpoints tenants registered with POST /api/v1/webhooks:',
    '  node ace webhooks:work',
    'It also hands the events recorded in webhook_outbox to the queue (any number of these',
    'processes may run: each takes its own rows).',
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
    const { TENANT_WEBHOOKS_QUEUE, TenantWebhookQueue } = await import(
      '#messaging/tenant_webhooks/tenant_webhook_queue'
    )
    const { WebhookOutboxRelay } = await import('#messaging/tenant_webhooks/webhook_outbox_relay')
    const config = this.app.config.get<MessagingConfig>('messaging')
    const root = await this.app.container.make('logger')
    const logger = root.child({ queue: TENANT_WEBHOOKS_QUEUE })
    const queue = await this.app.container.make(TenantWebhookQueue)
    const relay = new WebhookOutboxRelay(queue, logger, {
      intervalMs: config.tenantWebhooks.relayIntervalMs,
    }).start()
    const connection = this.app.config.get<WorkerConnection>('queue')
    const worker = new PriorityWorker(this.app, logger, connection).start(
      TENANT_WEBHOOKS_QUEUE,
      this.concurrency ?? config.tenantWebhooks.concurrency
    )

    this.app.terminating(async () => {
      await relay.stop()
      await worker.close()
    })
    this.app.listen('SIGINT', () => this.app.terminate())
  }
}
