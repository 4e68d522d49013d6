import { ExclusiveCommand } from '#scheduling/exclusive_command'

export default class CommsPersistCounters extends ExclusiveCommand {
  static commandName = 'comms:persist-counters'
  static description = 'Persist the per-minute rate-limit counters from Redis into rate_limits'

  protected async runExclusive() {
    const { RateLimitCounters } = await import('#messaging/routing/rate_limit_counters')
    const redis = await this.app.container.make('redis')
    const counters = new RateLimitCounters(redis.connection())
    const written = this.dryRun ? await counters.read() : await counters.persist()
    const deferred = written.reduce((sum, counter) => sum + counter.deferred, 0)
    this.logger.info(
      `${written.length} minute counters (${deferred} deferrals) ` +
        `${this.dryRun ? 'would be' : 'were'} written to rate_limits`
    )
  }
}
