import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { AcceptInvite } from '#people/accept_invite'
import { InviteUser } from '#people/invite_user'
import { fieldError } from '#people/validation_error'
import { userActor } from '#messaging/audit/audit_actors'
import { acceptInviteValidator, inviteValidator } from '#validators/people'
import { tenantIdOf } from '#console/console_scope'
import { CONSOLE_PREFIX } from '#console/console_paths'
import { startSession } from '#controllers/console/console_sign_in'
import { CREATED_INVITE, type CreatedInvite } from '#controllers/console/users_page'
import { unusableLink } from '#controllers/console/unusable_link'

/** Inviting people into a tenant, and joining through an invite link */
export default class InvitesController {
  /**
   * POST /console/users/invites: an admin invites into their tenant, an
   * operator into the tenant the form (else the header's switcher) names.
   * The users page shows the link next, once (flashed: a reload shows it no
   * more, and re-posts nothing); an operator's lists the tenant invited into.
   */
  @inject()
  async store(ctx: HttpContext, inviteUser: InviteUser) {
    const { email, role, tenantId: chosen } = await ctx.request.validateUsing(inviteValidator)
    const user = ctx.consoleUser
    const tenantId = user.isOperator ? (chosen ?? tenantIdOf(ctx)) : user.tenantId
    if (!tenantId) throw fieldError('tenantId', 'Pick the tenant to invite into')
    const { url } = await inviteUser.handle({ tenantId, email, role }, userActor(user))
    const createdInvite: CreatedInvite = { email, role, url }
    ctx.session.flash(CREATED_INVITE, createdInvite)
    const qs = user.isOperator ? { tenant: tenantId } : {}
    return ctx.response.redirect().toRoute('console.users.index', {}, { qs })
  }

  /**
   * GET /console/invites/:token: the form to join; to someone signed in, who
   * they are signed in as and a button to sign out first (which comes back here)
   */
  @inject()
  async show(ctx: HttpContext, acceptInvite: AcceptInvite) {
    const found = await acceptInvite.find(ctx.params.token)
    if (!found) return unusableLink(ctx, 'pages/auth/invite')
    const web = ctx.auth.use('web')
    return ctx.view.render('pages/auth/invite', {
      token: ctx.params.token,
      email: found.invite.email,
      role: found.invite.role,
      tenantName: found.tenant.name,
      signedInAs: (await web.check()) ? web.user!.email : null,
    })
  }

  /** POST /console/invites/:token: the account is made and signed in (not over another's session) */
  @inject()
  async accept(ctx: HttpContext, acceptInvite: AcceptInvite) {
    if (await ctx.auth.use('web').check()) {
      return ctx.response.redirect().toRoute('console.invites.show', { token: ctx.params.token })
    }
    const { fullName, password } = await ctx.request.validateUsing(acceptInviteValidator)
    const user = await acceptInvite.handle(ctx.params.token, { fullName, password })
    if (!user) return unusableLink(ctx, 'pages/auth/invite')
    await startSession(ctx, user)
    ctx.session.flash('notice', { kind: 'success', text: `Welcome to Switchboard, ${fullName}.` })
    return ctx.response.redirect(CONSOLE_PREFIX)
  }
}
