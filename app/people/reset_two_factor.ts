import { inject } from '@adonisjs/core'
import type User from '#models/user'
import type { AuditActor } from '#messaging/audit/audit_log'
import { TwoFactor } from '#people/two_factor'
import { UserSessions } from '#people/user_sessions'

/**
 * Two-factor cleared for someone who lost their authenticator
 * (`users:reset-two-factor`). Their open sessions end too, as when an account
 * is disabled: a session opened with the lost device may be someone else's now.
 * Returns false, changing nothing, when they had no two-factor to reset.
 */
@inject()
export class ResetTwoFactor {
  constructor(
    private twoFactor: TwoFactor,
    private sessions: UserSessions
  ) {}

  async handle(user: User, actor: AuditActor) {
    if (!user.totpSecret && !user.totpEnabledAt) return false
    await this.twoFactor.reset(user, actor)
    await this.sessions.endAll(user)
    return true
  }
}
