import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import User from '#models/user'
import { AuditLog } from '#messaging/audit/audit_log'
import { userActor } from '#messaging/audit/audit_actors'
import { PeopleRuleException } from '#people/people_exceptions'
import { assertKeepsAnAdmin, lockForChange } from '#people/tenant_admins'
import { UserSessions } from '#people/user_sessions'
import { userView } from '#people/user_view'

/**
 * Disables an account: it can no longer sign in and its open sessions end.
 * The row stays (the audit log and invites point at it). Not one's own
 * account, nor a tenant's last admin.
 */
@inject()
export class DisableUser {
  constructor(
    private audit: AuditLog,
    private sessions: UserSessions
  ) {}

  async handle(target: User, actor: User) {
    if (String(target.id) === String(actor.id)) {
      throw new PeopleRuleException('You cannot disable your own account')
    }
    const user = await db.transaction(async (trx) => {
      const row = await lockForChange(target, trx)
      if (row.disabledAt) return row
      const before = userView(row)
      await assertKeepsAnAdmin(row, trx)
      row.disabledAt = DateTime.now()
      await row.save()
      await this.audit.record(
        {
          tenantId: row.tenantId,
          actor: userActor(actor),
          action: 'user.disabled',
          targetType: 'user',
          targetId: String(row.id),
          before,
          after: userView(row),
        },
        trx
      )
      return row
    })
    await this.sessions.endAll(user)
    return user
  }
}
