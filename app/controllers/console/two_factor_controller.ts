import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { SignIn } from '#people/sign_in'
import { TwoFactor } from '#people/two_factor'
import { twoFactorCodeValidator } from '#validators/people'
import { CONSOLE_PREFIX } from '#console/console_paths'
import { pendingSignIn, startSession } from '#controllers/console/console_sign_in'
import { candidateSecret, keptCandidate } from '#controllers/console/two_factor_candidate'

/**
 * The second step of signing in: a code from an authenticator app. Someone
 * who must use one and has not enrolled yet enrols here (operators on their
 * first sign-in).
 */
export default class TwoFactorController {
  /** GET /console/two-factor */
  @inject()
  async show(ctx: HttpContext, twoFactor: TwoFactor) {
    const user = await pendingSignIn(ctx)
    if (!user) return expired(ctx)
    const enrolment = user.totpEnabledAt
      ? null
      : await twoFactor.enrolment(user, candidateSecret(ctx, user, twoFactor))
    return ctx.view.render('pages/auth/two_factor', { email: user.email, enrolment })
  }

  /** POST /console/two-factor */
  @inject()
  async store(ctx: HttpContext, signIn: SignIn) {
    const user = await pendingSignIn(ctx)
    if (!user) return expired(ctx)
    const { code } = await ctx.request.validateUsing(twoFactorCodeValidator)
    await signIn.withCode(user, code, ctx.request.ip(), keptCandidate(ctx, user))
    await startSession(ctx, user)
    return ctx.response.redirect(CONSOLE_PREFIX)
  }
}

/** No password step in this session (or it was too long ago): start again */
function expired({ session, response }: HttpContext) {
  session.flash('notice', { kind: 'info', text: 'Sign in with your email and password first.' })
  return response.redirect().toRoute('console.login')
}
