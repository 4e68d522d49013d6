import { DateTime } from 'luxon'
import type { ModelPaginatorContract } from '@adonisjs/lucid/types/model'
import User from '#models/user'
import UserToken from '#models/user_token'
import { inviteView } from '#people/invite_user'

export interface UserRow {
  id: string
  email: string
  fullName: string | null
  role: User['role']
  tenantId: string | null
  tenantName: string | null
  twoFactor: boolean
  disabled: boolean
  lastSignInAt: DateTime | null
}

export const USERS_PER_PAGE = 50

/**
 * The people of one tenant (or, for an operator's view of every tenant,
 * everyone, operators first), a page of 50 at a time, and the invites still
 * waiting there (all of them: they expire within a week).
 */
export class ListUsers {
  async handle(scope: { tenantId: string | null }, page = 1) {
    const users = await this.#people(scope, page)
    const invites = await UserToken.query()
      .select('user_tokens.*', 'tenants.name as tenant_name')
      .join('tenants', 'tenants.id', 'user_tokens.tenant_id')
      .where('kind', 'invite')
      .whereNull('used_at')
      .where('expires_at', '>', DateTime.now().toSQL()!)
      .if(scope.tenantId, (query) => query.where('user_tokens.tenant_id', scope.tenantId!))
      .orderBy('user_tokens.created_at', 'desc')
    return {
      pages: { current: users.currentPage, last: users.lastPage, total: users.total },
      users: users.all().map(
        (user): UserRow => ({
          id: String(user.id),
          email: user.email,
          fullName: user.fullName,
          role: user.role,
          tenantId: user.tenantId,
          tenantName: (user.$extras.tenant_name as string | null) ?? null,
          twoFactor: user.totpEnabledAt !== null,
          disabled: user.disabledAt !== null,
          lastSignInAt: user.lastSignInAt,
        })
      ),
      invites: invites.map((invite) => ({
        ...inviteView(invite),
        tenantName: invite.$extras.tenant_name as string,
      })),
    }
  }

  /** Ordered by tenant, then email (unique), so pages neither overlap nor skip anyone */
  async #people(
    scope: { tenantId: string | null },
    page: number
  ): Promise<ModelPaginatorContract<User>> {
    const people = await User.query()
      .select('users.*', 'tenants.name as tenant_name')
      .leftJoin('tenants', 'tenants.id', 'users.tenant_id')
      .if(scope.tenantId, (query) => query.where('users.tenant_id', scope.tenantId!))
      .orderByRaw('users.tenant_id IS NOT NULL, tenants.name, users.email')
      .paginate(page, USERS_PER_PAGE)
    // A page past the end (an old link, people gone since) shows the last one
    if (people.total > 0 && page > people.lastPage) return this.#people(scope, people.lastPage)
    return people
  }
}
