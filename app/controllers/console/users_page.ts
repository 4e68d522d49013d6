import type { HttpContext } from '@adonisjs/core/http'
import router from '@adonisjs/core/services/router'
import vine from '@vinejs/vine'
import User, { TENANT_ROLES } from '#models/user'
import { ListUsers } from '#people/list_users'
import { canSee, tenantIdOf } from '#console/console_scope'
import { ConsoleNotFoundException } from '#exceptions/console_exceptions'

/** A link just created, flashed by the invite form for the users page to show once */
export const CREATED_INVITE = 'createdInvite'

export interface CreatedInvite {
  email: string
  role: string
  url: string
}

/**
 * The users page: an admin sees their tenant's people, an operator everyone
 * (or one tenant: the `tenant` filter, else the header's switcher), each with
 * the invites still waiting; 50 people a page. Right after the invite form,
 * the new link too, the only time it is shown.
 */
export async function renderUsersPage(ctx: HttpContext) {
  const user = ctx.consoleUser
  const tenantId = user.isOperator ? filteredTenant(ctx) : user.tenantId
  const { users, pages, invites } = await new ListUsers().handle({ tenantId }, pageAsked(ctx))
  // An operator's links name the tenant shown, so paging keeps the filter
  const pageUrl = (page: number) =>
    router
      .builder()
      .qs(user.isOperator ? { tenant: tenantId ?? 'all', page } : { page })
      .make('console.users.index')
  return ctx.view.render('pages/users/index', {
    users,
    pages,
    previousPageUrl: pages.current > 1 ? pageUrl(pages.current - 1) : null,
    nextPageUrl: pages.current < pages.last ? pageUrl(pages.current + 1) : null,
    invites,
    tenantId,
    currentUserId: String(user.id),
    roles: TENANT_ROLES,
    createdInvite: (ctx.session.flashMessages.get(CREATED_INVITE) as CreatedInvite) ?? null,
  })
}

/** The person behind a users/:id URL, if the signed-in one may manage them; 404 otherwise */
export async function visibleUser(ctx: HttpContext, id: number) {
  const target = await User.find(id)
  if (!target || !canSee(ctx.consoleUser, target.tenantId)) throw new ConsoleNotFoundException()
  return target
}

/** The `page` asked for; the first for anything that is not a page number */
function pageAsked(ctx: HttpContext) {
  const asked = ctx.request.qs().page
  return typeof asked === 'string' && /^[1-9]\d{0,5}$/.test(asked) ? Number(asked) : 1
}

function filteredTenant(ctx: HttpContext) {
  const asked = ctx.request.qs().tenant
  if (asked === 'all') return null
  if (typeof asked === 'string' && vine.helpers.isUUID(asked)) return asked
  return tenantIdOf(ctx)
}
