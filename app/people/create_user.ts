import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import User, { type UserRole } from '#models/user'
import Tenant from '#models/tenant'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import { fieldError } from '#people/validation_error'
import { userView } from '#people/user_view'

export interface NewUser {
  email: string
  password: string
  role: UserRole
  /** Null for an operator, required for everyone else */
  tenantId: string | null
  fullName?: string | null
}

/** An account made directly (`users:create`), not through an invite */
@inject()
export class CreateUser {
  constructor(private audit: AuditLog) {}

  async handle(request: NewUser, actor: AuditActor) {
    const email = request.email.trim().toLowerCase()
    if (await User.findBy('email', email)) {
      throw fieldError('email', 'This email already has an account', 'unique')
    }
    const tenantId = request.role === 'operator' ? null : request.tenantId
    if (request.role !== 'operator' && !(tenantId && (await Tenant.find(tenantId)))) {
      throw fieldError('tenantId', 'A tenant user needs an existing tenant', 'exists')
    }
    return db.transaction(async (trx) => {
      const user = await User.create(
        {
          email,
          password: request.password,
          role: request.role,
          tenantId,
          fullName: request.fullName ?? null,
        },
        { client: trx }
      )
      await this.audit.record(
        {
          tenantId,
          actor,
          action: 'user.created',
          targetType: 'user',
          targetId: String(user.id),
          after: userView(user),
        },
        trx
      )
      return user
    })
  }
}
