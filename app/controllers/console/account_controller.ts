import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ChangePassword } from '#people/change_password'
import { TwoFactor } from '#people/two_factor'
import { InvalidTwoFactorCodeException } from '#people/people_exceptions'
import { userActor } from '#messaging/audit/audit_actors'
import {
  changePasswordValidator,
  currentPasswordValidator,
  twoFactorCodeValidator,
} from '#validators/people'
import {
  candidateSecret,
  forgetCandidate,
  keptCandidate,
} from '#controllers/console/two_factor_candidate'

/** The signed-in person's own account: who they are, their password, their second factor */
export default class AccountController {
  /** GET /console/account */
  async edit({ view, consoleUser }: HttpContext) {
    return view.render('pages/account/edit', { account: consoleUser })
  }

  /** PUT /console/account/password: other sessions end, this one stays */
  @inject()
  async updatePassword(ctx: HttpContext, changePassword: ChangePassword) {
    const { currentPassword, password } = await ctx.request.validateUsing(changePasswordValidator)
    await changePassword.handle(ctx.consoleUser, currentPassword, password, ctx.session.sessionId)
    ctx.session.flash('notice', {
      kind: 'success',
      text: 'Your password is changed. Your other sessions were signed out.',
    })
    return ctx.response.redirect().toRoute('console.account')
  }

  /** GET /console/account/two-factor: enrolment, for a tenant's person turning it on */
  @inject()
  async showTwoFactor(ctx: HttpContext, twoFactor: TwoFactor) {
    const user = ctx.consoleUser
    if (user.totpEnabledAt) return ctx.response.redirect().toRoute('console.account')
    const enrolment = await twoFactor.enrolment(user, candidateSecret(ctx, user, twoFactor))
    return ctx.view.render('pages/account/two_factor', { enrolment })
  }

  /** POST /console/account/two-factor: on, once a first code from the app is right */
  @inject()
  async enableTwoFactor(ctx: HttpContext, twoFactor: TwoFactor) {
    const { code } = await ctx.request.validateUsing(twoFactorCodeValidator)
    const user = ctx.consoleUser
    const secret = keptCandidate(ctx, user)
    if (!secret || !(await twoFactor.enrol(user, secret, code, userActor(user)))) {
      throw new InvalidTwoFactorCodeException()
    }
    forgetCandidate(ctx)
    ctx.session.flash('notice', {
      kind: 'success',
      text: 'Two-factor sign-in is on: each sign-in now asks for a code from your app.',
    })
    return ctx.response.redirect().toRoute('console.account')
  }

  /** DELETE /console/account/two-factor: off (never for an operator), with the password */
  @inject()
  async disableTwoFactor(ctx: HttpContext, twoFactor: TwoFactor) {
    const { currentPassword } = await ctx.request.validateUsing(currentPasswordValidator)
    await twoFactor.disable(ctx.consoleUser, currentPassword)
    ctx.session.flash('notice', { kind: 'success', text: 'Two-factor sign-in is off.' })
    return ctx.response.redirect().toRoute('console.account')
  }
}
