import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { CHANNELS, type Channel } from '#enums/channel'
import { findTenant } from './_input.js'
import { parseSince } from './_since.js'

export default class CommsRetryFailed extends BaseCommand {
  static commandName = 'comms:retry-failed'
  static description =
    'Send failed messages again: each retry is a new message linked to the failed one, made once'
  static help = [
    'node ace comms:retry-failed --since=24h --channel=email --dry-run',
    'node ace comms:retry-failed --since=2024-05-01T08:00:00Z --tenant=<id> --limit=500',
    'Suppressed recipients are recorded as suppressed and not sent; a message already retried is skipped.',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.string({
    description: 'Failed since: an ISO 8601 date-time or a span back from now (30m, 24h, 7d)',
    required: true,
  })
  declare since: string

  @flags.string({ description: 'Only this channel: email, sms, push or webhook' })
  declare channel?: string

  @flags.string({ description: 'Only this tenant' })
  declare tenant?: string

  @flags.number({ description: 'Retry at most this many' })
  declare limit?: number

  @flags.boolean({ description: 'Count what would be retried without changing anything' })
  declare dryRun: boolean

  async run() {
    let since: Date
    try {
      since = parseSince(this.since)
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
      return
    }
    if (this.channel !== undefined && !CHANNELS.includes(this.channel as Channel)) {
      this.logger.error(`Unknown channel "${this.channel}": use one of ${CHANNELS.join(', ')}`)
      this.exitCode = 1
      return
    }
    if (this.limit !== undefined && !(Number.isInteger(this.limit) && this.limit > 0)) {
      this.logger.error('--limit must be a positive whole number')
      this.exitCode = 1
      return
    }
    if (this.tenant !== undefined && !(await findTenant(this, this.tenant))) return

    const { RetryFailedMessages } = await import('#messaging/actions/retry_failed_messages')
    const retryFailed = await this.app.container.make(RetryFailedMessages)
    const filter = { since, channel: this.channel as Channel | undefined, tenantId: this.tenant }

    if (this.dryRun) {
      const report = await retryFailed.handle(filter, { limit: this.limit, dryRun: true })
      this.logger.info(
        `${report.found} failed messages since ${since.toISOString()} would be retried`
      )
      return
    }

    const spinner = this.logger.await(`retrying messages failed since ${since.toISOString()}`)
    spinner.start()
    const report = await retryFailed
      .handle(filter, {
        limit: this.limit,
        onProgress: (handled, total) =>
          spinner.update(`retrying failed messages: ${handled}/${total}`),
      })
      .finally(() => spinner.stop())

    this.ui
      .table()
      .head(['failed messages', 're-queued', 'suppressed', 'skipped (retried before)'])
      .row([
        String(report.found),
        String(report.queued),
        String(report.suppressed),
        String(report.skipped),
      ])
      .render()
    this.logger.success(
      `${report.queued} re-queued, ${report.suppressed + report.skipped} skipped ` +
        `(${report.suppressed} suppressed, ${report.skipped} retried before)`
    )
  }
}
