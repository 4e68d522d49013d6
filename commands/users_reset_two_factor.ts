import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

export default class UsersResetTwoFactor extends BaseCommand {
  static commandName = 'users:reset-two-factor'
  static description =
    'Clear a console user’s two-factor sign-in (they lost their authenticator) and sign them out everywhere'
  static help = [
    'node ace users:reset-two-factor --email=ops@example.com',
    'An operator scans a new QR code at their next sign-in; a tenant user signs in with the password',
    'and may turn two-factor on again from their account page.',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Email the user signs in with', required: true })
  declare email: string

  async run() {
    const { default: User } = await import('#models/user')
    const { ResetTwoFactor } = await import('#people/reset_two_factor')
    const { operatorActor } = await import('#messaging/audit/audit_actors')

    const user = await User.findBy('email', this.email.trim().toLowerCase())
    if (!user) {
      this.logger.error(`No console user with the email ${this.email}`)
      this.exitCode = 1
      return
    }

    const resetTwoFactor = await this.app.container.make(ResetTwoFactor)
    if (!(await resetTwoFactor.handle(user, operatorActor()))) {
      this.logger.info(`${user.email} has no two-factor sign-in: nothing to reset`)
      return
    }

    const appUrl = this.app.config.get<string>('app.appUrl')
    this.logger.success(`Two-factor sign-in of ${user.email} cleared; their sessions have ended`)
    if (user.isOperator) {
      this.logger.log(
        `Next: they sign in at ${appUrl}/console/login with their password, then scan the new QR code with an authenticator app (operators need a code each time).`
      )
    } else {
      this.logger.log(
        `Next: they sign in at ${appUrl}/console/login with their password alone, and can turn two-factor on again from their account page.`
      )
    }
    if (user.disabledAt) {
      this.logger.log(this.colors.dim('Their account is disabled: an admin enables it first.'))
    }
  }
}
