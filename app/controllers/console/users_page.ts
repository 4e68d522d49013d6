import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import User, { TENANT_ROLES } from '#models/user'
import { ListUsers } from '#people/list_users'
import { canSee, tenantIdOf } from '#console/console_scope'
import { ConsoleNotFoundException } from '#exceptions/console_exceptions'

/** A link just created, for the users page to show once */
export interface CreatedInvite {
  email: string
  role: string
  url: string
}

/**
 * The users page: an admin sees their tenant's people, an operator everyone
 * (or one tenant: the `tenant` filter, else the header's switcher), each with
 * the invites still waiting. Rendered by the invite form's POST too, which is
 * the only time the new link is shown.
 */
export async function renderUsersPage(ctx: HttpContext, createdInvite?: CreatedInvite) {
  const user = ctx.consoleUser
  const tenantId = user.isOperator ? filteredTenant(ctx) : user.tenantId
  const { users, invites } = await new ListUsers().handle({ tenantId })
  return ctx.view.render('pages/users/index', {
    users,
    invites,
    tenantId,
    currentUserId: String(user.id),
    roles: TENANT_ROLES,
    createdInvite,
  })
}

/** The person behind a users/:id URL, if the signed-in one may manage them; 404 otherwise */
export async function visibleUser(ctx: HttpContext, id: number) {
  const target = await User.find(id)
  if (!target || !canSee(ctx.consoleUser, target.tenantId)) throw new ConsoleNotFoundException()
  return target
}

function filteredTenant(ctx: HttpContext) {
  const asked = ctx.request.qs().tenant
  if (asked === 'all') return null
  if (typeof asked === 'string' && vine.helpers.isUUID(asked)) return asked
  return tenantIdOf(ctx)
}
