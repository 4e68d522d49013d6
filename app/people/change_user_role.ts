import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import User, { type TenantRole } from '#models/user'
import { AuditLog } from '#messaging/audit/audit_log'
import { userActor } from '#messaging/audit/audit_actors'
import { PeopleRuleException } from '#people/people_exceptions'
import { assertKeepsAnAdmin, lockForChange } from '#people/tenant_admins'
import { userView } from '#people/user_view'

/** Gives a tenant's person another role within that tenant; a tenant keeps at least one admin. */
@inject()
export class ChangeUserRole {
  constructor(private audit: AuditLog) {}

  async handle(target: User, role: TenantRole, actor: User) {
    if (target.isOperator) {
      throw new PeopleRuleException('An operator has no role within a tenant to change')
    }
    return db.transaction(async (trx) => {
      const user = await lockForChange(target, trx)
      if (user.role === role) return user
      const before = userView(user)
      if (role !== 'admin') await assertKeepsAnAdmin(user, trx)
      user.role = role
      await user.save()
      await this.audit.record(
        {
          tenantId: user.tenantId,
          actor: userActor(actor),
          action: 'user.role_changed',
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
