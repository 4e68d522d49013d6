import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ChangeUserRole } from '#people/change_user_role'
import { DisableUser } from '#people/disable_user'
import { EnableUser } from '#people/enable_user'
import { roleValidator } from '#validators/people'
import { renderUsersPage, visibleUser } from '#controllers/console/users_page'
import { CONSOLE_PREFIX } from '#console/console_paths'

/** A tenant's people (an operator: everyone's): roles, disabling and enabling again */
export default class UsersController {
  /** GET /console/users */
  async index(ctx: HttpContext) {
    return renderUsersPage(ctx)
  }

  /** PUT /console/users/:id: another role within the tenant */
  @inject()
  async update(ctx: HttpContext, changeRole: ChangeUserRole) {
    const target = await visibleUser(ctx, ctx.params.id)
    const { role } = await ctx.request.validateUsing(roleValidator)
    const user = await changeRole.handle(target, role, ctx.consoleUser)
    ctx.session.flash('notice', { kind: 'success', text: `${user.email} is now ${user.role}.` })
    // Someone who stepped down from admin may no longer open the users page
    const steppedDown = String(user.id) === String(ctx.consoleUser.id) && user.role !== 'admin'
    if (steppedDown) return ctx.response.redirect(CONSOLE_PREFIX)
    return ctx.response.redirect().toRoute('console.users.index')
  }

  /** DELETE /console/users/:id: disables the account (it stays, signed out, for the record) */
  @inject()
  async destroy(ctx: HttpContext, disableUser: DisableUser) {
    const target = await visibleUser(ctx, ctx.params.id)
    const user = await disableUser.handle(target, ctx.consoleUser)
    ctx.session.flash('notice', {
      kind: 'success',
      text: `${user.email} is disabled and signed out everywhere.`,
    })
    return ctx.response.redirect().toRoute('console.users.index')
  }

  /** POST /console/users/:id/enable: a disabled account signs in again */
  @inject()
  async enable(ctx: HttpContext, enableUser: EnableUser) {
    const target = await visibleUser(ctx, ctx.params.id)
    const user = await enableUser.handle(target, ctx.consoleUser)
    ctx.session.flash('notice', {
      kind: 'success',
      text: `${user.email} is enabled: they can sign in again.`,
    })
    return ctx.response.redirect().back()
  }
}
