import { flags } from '@adonisjs/core/ace'
import { ExclusiveCommand } from '#scheduling/exclusive_command'
import type { MessagingConfig } from '#config/messaging'

export default class CommsProcessSuppressions extends ExclusiveCommand {
  static commandName = 'comms:process-suppressions'
  static description =
    'Put every recent hard bounce, complaint and soft-bounce streak on the suppression list'

  @flags.number({ description: 'Hours of hard bounces and complaints to look at', default: 24 })
  declare sinceHours: number

  protected async runExclusive() {
    const { SuppressionReconciler } = await import('#messaging/suppression/suppression_reconciler')
    const { threshold, windowDays } = this.app.config.get<MessagingConfig>('messaging').softBounces
    const count = await new SuppressionReconciler().run({
      sinceHours: this.sinceHours,
      softBounceThreshold: threshold,
      softBounceWindowDays: windowDays,
      dryRun: this.dryRun,
    })
    this.logger.info(
      this.dryRun ? `${count} recipients would be suppressed` : `${count} recipients suppressed`
    )
  }
}
