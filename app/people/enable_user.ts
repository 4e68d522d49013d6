import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { AuditLog } from '#messaging/audit/audit_log'
import { userActor } from '#messaging/audit/audit_actors'
import { userView } from '#people/user_view'

/**
 * Enables a disabled account again: it signs in as before, with its password
 * and role (and its two-factor, if it had it). Enabling one that is not
 * disabled changes nothing and is not audited.
 */
@inject()
export class EnableUser {
  constructor(private audit: AuditLog) {}

  async handle(target: User, actor: User) {
    return db.transaction(async (trx) => {
      const user = await User.query({ client: trx })
        .where('id', target.id)
        .forUpdate()
        .firstOrFail()
      if (!user.disabledAt) return user
      const before = userView(user)
      user.disabledAt = null
      await user.save()
      await this.audit.record(
        {
          tenantId: user.tenantId,
          actor: userActor(actor),
          action: 'user.enabled',
          targetType: 'user',
          targetId: String(user.id),
          before,
          after: userView(user),
        },
        trx
      )
      return user
    })
  }
}
