import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import Tenant from '#models/tenant'
import { AuditLog } from '#messaging/audit/audit_log'
import { userActor } from '#messaging/audit/audit_actors'
import { markUsed, usableToken } from '#people/user_tokens'
import { PeopleRuleException } from '#people/people_exceptions'
import { userView } from '#people/user_view'

export interface Acceptance {
  fullName: string
  password: string
}

/** Joining a tenant through an invite link: once, before it expires. */
@inject()
export class AcceptInvite {
  constructor(private audit: AuditLog) {}

  /** The invite and its tenant while the link can be used; null otherwise */
  async find(token: string) {
    const invite = await usableToken('invite', token)
    if (!invite) return null
    const tenant = await Tenant.find(invite.tenantId)
    return tenant ? { invite, tenant } : null
  }

  /** The new account, with the invite's email, tenant and role; null when the link cannot be used */
  async handle(token: string, acceptance: Acceptance) {
    return db.transaction(async (trx) => {
      const invite = await usableToken('invite', token, trx)
      if (!invite) return null
      if (await User.findBy('email', invite.email, { client: trx })) {
        throw new PeopleRuleException(
          'This email already has an account: sign in with it, or reset its password'
        )
      }
      const user = await User.create(
        {
          email: invite.email,
          fullName: acceptance.fullName,
          password: acceptance.password,
          role: invite.role!,
          tenantId: invite.tenantId,
        },
        { client: trx }
      )
      await markUsed(invite, trx)
      await this.audit.record(
        {
          tenantId: user.tenantId,
          actor: userActor(user),
          action: 'user.invite_accepted',
          targetType: 'user',
          targetId: String(user.id),
          after: { ...userView(user), inviteId: String(invite.id) },
        },
        trx
      )
      return user
    })
  }
}
