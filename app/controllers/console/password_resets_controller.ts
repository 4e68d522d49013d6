import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { PasswordReset } from '#people/password_reset'
import { DeferredWork } from '#people/deferred_work'
import { forgotPasswordValidator, resetPasswordValidator } from '#validators/people'
import { unusableLink } from '#controllers/console/unusable_link'

/** "Forgot password?": a link by email, then a new password */
export default class PasswordResetsController {
  /** GET /console/password/forgot */
  async create({ view }: HttpContext) {
    return view.render('pages/auth/forgot')
  }

  /**
   * POST /console/password/forgot: the same answer whether or not the account
   * exists, given before the link is made and sent (for a real account only),
   * so neither its words nor its timing tell an account from none
   */
  @inject()
  async store(
    { request, session, response }: HttpContext,
    reset: PasswordReset,
    deferred: DeferredWork
  ) {
    const { email } = await request.validateUsing(forgotPasswordValidator)
    deferred.start('sending a password reset link', () => reset.request(email))
    session.flash('notice', {
      kind: 'success',
      text: `If an account exists for ${email}, we sent it a link to set a new password. It works for an hour.`,
    })
    return response.redirect().toRoute('console.login')
  }

  /** GET /console/password/reset/:token */
  @inject()
  async edit(ctx: HttpContext, reset: PasswordReset) {
    const user = await reset.find(ctx.params.token)
    if (!user) return unusableLink(ctx, 'pages/auth/reset')
    return ctx.view.render('pages/auth/reset', { token: ctx.params.token, email: user.email })
  }

  /** POST /console/password/reset/:token */
  @inject()
  async update(ctx: HttpContext, reset: PasswordReset) {
    const { password } = await ctx.request.validateUsing(resetPasswordValidator)
    const user = await reset.reset(ctx.params.token, password)
    if (!user) return unusableLink(ctx, 'pages/auth/reset')
    ctx.session.flash('notice', {
      kind: 'success',
      text: 'Your password is set. Sign in with it now.',
    })
    return ctx.response.redirect().toRoute('console.login')
  }
}
