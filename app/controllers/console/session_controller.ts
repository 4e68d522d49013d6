import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { SignIn } from '#people/sign_in'
import { isTokenFormat } from '#people/user_tokens'
import { signInValidator } from '#validators/people'
import { CONSOLE_LOGIN_PATH, CONSOLE_PREFIX } from '#console/console_paths'
import { awaitSecondFactor, startSession } from '#controllers/console/console_sign_in'

/** Signing in with a password, and out */
export default class SessionController {
  /** GET /console/login */
  async create({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  /** POST /console/login: signed in, or on to the two-factor step */
  @inject()
  async store(ctx: HttpContext, signIn: SignIn) {
    const { email, password } = await ctx.request.validateUsing(signInValidator)
    const { user, secondFactor } = await signIn.withPassword(email, password, ctx.request.ip())
    if (secondFactor) {
      awaitSecondFactor(ctx, user)
      return ctx.response.redirect().toRoute('console.two_factor')
    }
    await startSession(ctx, user)
    return ctx.response.redirect(CONSOLE_PREFIX)
  }

  /**
   * POST /console/logout: to the sign-in page, or back to the invite page that
   * asked to sign out first (`invite`: its token; only a token's form is
   * followed, so the field cannot send anyone elsewhere)
   */
  async destroy({ auth, session, request, response }: HttpContext) {
    await auth.use('web').logout()
    session.clear()
    session.flash('notice', { kind: 'success', text: 'You are signed out.' })
    const invite = request.input('invite')
    if (typeof invite === 'string' && isTokenFormat(invite)) {
      return response.redirect().toRoute('console.invites.show', { token: invite })
    }
    return response.redirect(CONSOLE_LOGIN_PATH)
  }
}
