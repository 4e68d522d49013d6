import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import { AuditLog } from '#messaging/audit/audit_log'
import { userActor } from '#messaging/audit/audit_actors'
import { UserSessions } from '#people/user_sessions'
import { assertCurrentPassword } from '#people/current_password'

/**
 * A signed-in person sets a new password, proving they know the current one
 * (a session left open is not enough). Their other sessions end; the one
 * making the change stays.
 */
@inject()
export class ChangePassword {
  constructor(
    private audit: AuditLog,
    private sessions: UserSessions
  ) {}

  async handle(user: User, currentPassword: string, password: string, sessionId: string) {
    await assertCurrentPassword(user, currentPassword)
    await db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.password = password
      await user.save()
      await this.audit.record(
        {
          tenantId: user.tenantId,
          actor: userActor(user),
          action: 'user.password_changed',
          targetType: 'user',
          targetId: String(user.id),
        },
        trx
      )
    })
    await this.sessions.endAll(user, sessionId)
  }
}
