import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import User, { type TenantRole } from '#models/user'
import Tenant from '#models/tenant'
import UserToken from '#models/user_token'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import { ConsoleLinks } from '#people/console_links'
import { newToken } from '#people/user_tokens'
import { fieldError } from '#people/validation_error'

const VALID_FOR = { days: 7 }

export interface InviteRequest {
  tenantId: string
  email: string
  role: TenantRole
}

/** What the invite is, for lists (never its token) */
export function inviteView(invite: UserToken) {
  return {
    id: invite.id,
    tenantId: invite.tenantId,
    email: invite.email,
    role: invite.role,
    expiresAt: invite.expiresAt.toISO(),
  }
}

/**
 * Invites someone into a tenant with a role: a single-use link, valid for 7
 * days. The link is returned here once, for the inviter to pass on; only its
 * hash is stored, so it can never be shown again. An email that already has
 * an account is refused (422 on `email`).
 */
@inject()
export class InviteUser {
  constructor(
    private audit: AuditLog,
    private links: ConsoleLinks
  ) {}

  async handle(request: InviteRequest, actor: AuditActor) {
    const email = request.email.trim().toLowerCase()
    if (await User.findBy('email', email)) {
      throw fieldError('email', 'This email already has an account', 'unique')
    }
    if (!(await Tenant.find(request.tenantId))) {
      throw fieldError('tenantId', 'There is no such tenant', 'exists')
    }
    const { token, hash } = newToken()
    const invite = await db.transaction(async (trx) => {
      const created = await UserToken.create(
        {
          kind: 'invite',
          tokenHash: hash,
          tenantId: request.tenantId,
          email,
          role: request.role,
          expiresAt: DateTime.now().plus(VALID_FOR),
          createdByUserId: actor.type === 'user' ? Number(actor.id) : null,
        },
        { client: trx }
      )
      await this.audit.record(
        {
          tenantId: request.tenantId,
          actor,
          action: 'user.invited',
          targetType: 'invite',
          targetId: String(created.id),
          after: inviteView(created),
        },
        trx
      )
      return created
    })
    return { invite, url: this.links.invite(token) }
  }
}
